// ctc.cpp - the CTC loss on the ctc_loss op.
#include "keras/losses/ctc.h"

#include "core/ops.h"
#include "keras/losses/losses_internal.h"

namespace keras::losses {

namespace ops = core::ops;
using core::DType;
using namespace internal;

Tensor detail::CtcFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  check_pred(name, y_pred);
  check_defined(name, y_true, "y_true");
  if (y_true.rank() != 2)
    fail(std::string(name) + ": expected y_true of shape (batch_size, max_length) in integer format, but received "
         "y_true with " + describe(y_true));
  if (y_pred.rank() != 3)
    fail(std::string(name) + ": expected y_pred (logits) of shape (batch_size, max_length, num_classes), but "
         "received y_pred with " + describe(y_pred));
  if (y_true.shape()[0] != y_pred.shape()[0])
    fail(std::string(name) + ": expected y_true and y_pred with the same batch size, but received y_true.shape=" +
         y_true.shape().str() + " and y_pred.shape=" + y_pred.shape().str());
  if (y_true.dtype() == DType::bool_) fail(std::string(name) + ": expected integer labels, but received y_true of dtype bool");
  Tensor labels = y_true.dtype() == DType::int64 ? y_true : ops::cast(y_true, DType::int64);
  const int64_t steps = y_pred.shape()[1];
  Tensor label_length = ops::sum(ops::cast(ops::not_equal(labels, ops::zeros_like(labels)), DType::int64), {-1});
  Tensor logit_length = ops::full_like(label_length, double(steps));  // on the labels' device
  return ops::ctc_loss(labels, y_pred, label_length, logit_length, 0);
}

CTC::CTC(const LossOptions& o) : Loss(named(o, ctc.name)) {}

Tensor CTC::call(const Tensor& y_true, const Tensor& y_pred) const { return ctc(y_true, y_pred); }

}  // namespace keras::losses
