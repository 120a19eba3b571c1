// ctc.cpp - the connectionist temporal classification loss (Graves et al. 2006) as one
// op, ctc_loss, with its checks, shapes and gradient rule. Kernels: core/cpu/ctc.cpp.
// ops::ctc_loss (Keras's keras.ops.ctc_loss) takes logits and applies log_softmax first.
//
// Inputs: labels (batch, max_label) int64, log_probs (batch, steps, classes) float32 or
// float64 (any scores: the op sums exp(sum of the path's scores) over the alignments),
// label_length (batch,) int64, logit_length (batch,) int64. Attrs: k = the blank class,
// axis = what the op computes:
//   0: the loss, -log p(labels), shape (batch,); +inf where no alignment fits;
//   1: the posterior d log p / d log_probs = the expected count of each class at each
//      step, shape (batch, steps, classes) (0 past logit_length and where p = 0);
//   2: (a fifth input v of log_probs' shape) the Hessian of log p times v, shape
//      (batch, steps, classes): Cov(count at (t, c), sum of v along the alignment).
// Gradient rules: of the loss, -dy * posterior; of the posterior, the Hessian (which is
// symmetric) times the incoming gradient; so second-order gradients are exact. The
// Hessian product has no rule: a third-order gradient raises.
// Labels past label_length are ignored; those before it must be in [0, classes) and
// not the blank, and label_length must be in [0, max_label], logit_length in
// [0, steps] (the kernel checks every one and throws std::invalid_argument naming it).
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {

void infer_ctc(OpCall& c) {
  const Tensor &labels = c.in(0), &lp = c.in(1), &ll = c.in(2), &tl = c.in(3);
  expect_dtype(c, labels, "target", {DType::int64});
  expect_dtype(c, lp, "output", kFloatTypes);
  expect_dtype(c, ll, "target_length", {DType::int64});
  expect_dtype(c, tl, "output_length", {DType::int64});
  const int64_t mode = c.attrs.axis;
  if (mode < 0 || mode > 2)
    throw_invalid(std::string(c.name()) + ": expected mode 0 (loss), 1 (posterior) or 2 (Hessian product), but "
                  "received " + std::to_string(mode));
  if (int64_t(c.inputs.size()) != (mode == 2 ? 5 : 4))
    throw_invalid(std::string(c.name()) + ": mode " + std::to_string(mode) + " takes " +
                  (mode == 2 ? "5" : "4") + " inputs, but received " + std::to_string(c.inputs.size()));
  if (lp.rank() != 3)
    throw_invalid(std::string(c.name()) + ": expected output of shape (batch, steps, classes), but received shape " +
                  lp.shape().str());
  const int64_t b = lp.shape()[0], classes = lp.shape()[2];
  if (labels.rank() != 2 || labels.shape()[0] != b)
    throw_invalid(std::string(c.name()) + ": expected target of shape (" + std::to_string(b) +
                  ", max_target_length) for output of shape " + lp.shape().str() + ", but received shape " +
                  labels.shape().str());
  for (const Tensor* t : {&ll, &tl})
    if (t->shape() != Shape({b}))
      throw_invalid(std::string(c.name()) + ": expected " + (t == &ll ? "target_length" : "output_length") +
                    " of shape (" + std::to_string(b) + ",), but received shape " + t->shape().str());
  if (c.attrs.k < 0 || c.attrs.k >= classes)
    throw_invalid(std::string(c.name()) + ": expected the blank index in [0, " + std::to_string(classes) +
                  ") for output of shape " + lp.shape().str() + ", but received " + std::to_string(c.attrs.k));
  if (mode == 2) {
    expect_same_dtype(c, c.in(4), lp);
    if (c.in(4).shape() != lp.shape())
      throw_invalid(std::string(c.name()) + ": expected the tangent of log_probs' shape " + lp.shape().str() +
                    ", but received shape " + c.in(4).shape().str());
  }
  c.set_output(0, mode == 0 ? Shape({b}) : lp.shape(), lp.dtype());
}

Tensor ctc_call(int64_t mode, std::initializer_list<Tensor> inputs, int64_t blank) {
  Attrs a;
  a.axis = mode;
  a.k = blank;
  return dispatch(OpId::CtcLoss, inputs, a);
}

std::vector<Tensor> ctc_grad(const GradContext& c) {
  const int64_t mode = c.attrs.axis, blank = c.attrs.k;
  const Tensor &labels = c.in(0), &lp = c.in(1), &ll = c.in(2), &tl = c.in(3);
  if (mode == 0) {  // d(-log p)/d log_probs = -posterior
    Tensor post = ctc_call(1, {labels, lp, ll, tl}, blank);
    Tensor dy = ops::reshape(c.grad(), {lp.shape()[0], 1, 1});
    return {Tensor(), ops::neg(ops::multiply(dy, post)), Tensor(), Tensor()};
  }
  if (mode == 1)  // the posterior is the gradient of log p: its VJP is the Hessian times dy
    return {Tensor(), ctc_call(2, {labels, lp, ll, tl, c.grad()}, blank), Tensor(), Tensor()};
  throw_invalid("ctc_loss: third-order gradients are not implemented");
}

}  // namespace

void define_ctc_ops() {
  define_op(OpId::CtcLoss, infer_ctc);
  define_grad(OpId::CtcLoss, ctc_grad);
}

namespace ops {
Tensor ctc_loss(const Tensor& target, const Tensor& output, const Tensor& target_length,
                const Tensor& output_length, int64_t mask_index) {
  auto as_int64 = [](const Tensor& t) { return !t.defined() || t.dtype() == DType::int64 ? t : ops::cast(t, DType::int64); };
  Tensor log_probs = output.defined() && output.rank() == 3 && is_floating(output.dtype()) ? log_softmax(output, -1) : output;
  return ctc_call(0, {as_int64(target), log_probs, as_int64(target_length), as_int64(output_length)}, mask_index);
}
}  // namespace ops
}  // namespace keras::core
