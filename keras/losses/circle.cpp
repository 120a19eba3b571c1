// circle.cpp - the Circle loss, composed of core ops.
#include "keras/losses/circle.h"

#include "core/ops.h"
#include "keras/losses/losses_internal.h"

namespace keras::losses {

namespace ops = core::ops;
using core::DType;
using namespace internal;

namespace {

// Labels (n,) or (n, 1) for `n` embeddings, as int64 of shape (n,).
Tensor flat_labels(const char* who, const Tensor& labels, int64_t n, const char* what, const char* of) {
  const bool ok = labels.rank() == 1 || (labels.rank() == 2 && labels.shape()[1] == 1);
  if (!ok || labels.shape()[0] != n)
    fail(std::string(who) + ": expected " + what + " of shape (" + std::to_string(n) + ",) or (" +
         std::to_string(n) + ", 1), one label per row of " + of + ", but received " + what + " with " +
         describe(labels));
  if (labels.dtype() == DType::bool_)
    fail(std::string(who) + ": expected integer labels, but received " + what + " of dtype bool");
  Tensor l = labels.rank() == 2 ? ops::reshape(labels, {n}) : labels;
  return l.dtype() == DType::int64 ? l : ops::cast(l, DType::int64);
}

}  // namespace

Tensor detail::CircleFn::operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& ref_labels_in,
                                    const Tensor& ref_embeddings_in, bool remove_diagonal, double gamma,
                                    double margin) const {
  check_pred(name, y_pred);
  check_defined(name, y_true, "y_true");
  if (y_pred.rank() != 2)
    fail(std::string(name) + ": expected y_pred of shape (batch, dim) (embeddings), but received y_pred with " +
         describe(y_pred));
  const int64_t b = y_pred.shape()[0];
  Tensor labels = flat_labels(name, y_true, b, "y_true", "y_pred");
  Tensor ref = y_pred;
  if (ref_embeddings_in.defined()) {
    ref = ref_embeddings_in.dtype() == y_pred.dtype() ? ref_embeddings_in : ops::cast(ref_embeddings_in, y_pred.dtype());
    if (ref.rank() != 2 || ref.shape()[1] != y_pred.shape()[1])
      fail(std::string(name) + ": expected ref_embeddings of shape (n, " + std::to_string(y_pred.shape()[1]) +
           ") (as y_pred's " + y_pred.shape().str() + "), but received ref_embeddings with " +
           describe(ref_embeddings_in));
  }
  const int64_t n = ref.shape()[0];
  Tensor ref_labels = ref_labels_in.defined() ? flat_labels(name, ref_labels_in, n, "ref_labels", "ref_embeddings")
                                              : labels;
  if (!ref_labels_in.defined() && n != b)
    fail(std::string(name) + ": expected ref_labels with ref_embeddings of " + std::to_string(n) +
         " rows (y_true labels the " + std::to_string(b) + " rows of y_pred)");
  // (b, n) distances and masks
  Tensor d = ops::relu(1.0 - ops::matmul(y_pred, ref, false, true));
  Tensor positive = ops::equal(ops::reshape(labels, {b, 1}), ops::reshape(ref_labels, {1, n}));
  Tensor negative = ops::logical_not(positive);
  if (remove_diagonal)
    positive = ops::logical_and(positive, ops::logical_not(ops::cast(ops::eye(b, n), DType::bool_)));
  Tensor pos_weights = ops::relu(ops::where(positive, d + margin, ops::zeros_like(d)));
  Tensor neg_weights = ops::relu(ops::where(negative, (1.0 + margin) - d, ops::zeros_like(d)));
  Tensor pos = pos_weights * (margin - d) * -gamma;
  Tensor neg = neg_weights * ((1.0 - margin) - d) * gamma;
  // Keras fills the other pairs with -inf; a large finite value gives the same loss (a
  // row without pairs reaches softplus(-huge) = 0) and finite gradients.
  Tensor huge = ops::scalar_like(d, -1e30);
  Tensor p_loss = ops::logsumexp(ops::where(positive, pos, huge), {1});
  Tensor n_loss = ops::logsumexp(ops::where(negative, neg, huge), {1});
  return ops::softplus(p_loss + n_loss);
}

Circle::Circle(const CircleOptions& o) : Loss(named({o.name, o.reduction}, circle.name)), o_(o) {}

Tensor Circle::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = squeeze_or_expand_to_same_rank(y_true, y_pred);
  return circle(t, p, Tensor(), Tensor(), o_.remove_diagonal, o_.gamma, o_.margin);
}

std::pair<Tensor, Tensor> Circle::call_with_mask(const Tensor& y_true, const Tensor& y_pred) const {
  Tensor loss = call(y_true, y_pred);
  return {loss, loss > 0.0};
}

keras::Config Circle::get_config() const {
  keras::Config c = Loss::get_config();
  c["gamma"] = o_.gamma;
  c["margin"] = o_.margin;
  c["remove_diagonal"] = o_.remove_diagonal;
  return c;
}

}  // namespace keras::losses
