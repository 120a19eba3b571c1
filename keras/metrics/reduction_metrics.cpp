// reduction_metrics.cpp - Mean, Sum, MeanMetricWrapper.
#include "keras/metrics/reduction_metrics.h"

#include <tuple>

#include "core/ops.h"
#include "keras/metrics/metrics_utils.h"

namespace keras::metrics {

namespace ops = core::ops;
using detail::axes_range;
using detail::to_dtype;

namespace {

// Keras's reduce_to_samplewise_values: returns (values reduced to rank <= 1, weights
// reduced to rank <= 1 or undefined).
std::pair<Tensor, Tensor> samplewise(const Tensor& values_in, const Tensor& weight_in, DType dtype,
                                     bool use_sum) {
  auto reduce = [&](const Tensor& x, const std::vector<int64_t>& axes) {
    return use_sum ? ops::sum(x, axes) : ops::mean(x, axes);
  };
  Tensor values = to_dtype(values_in, dtype);
  Tensor weight;
  if (weight_in.defined()) {
    weight = to_dtype(weight_in, dtype);
    std::tie(values, weight) = detail::squeeze_or_expand_to_same_rank(values, weight);
    int64_t wr = weight.rank(), vr = values.rank();
    if (vr > wr) values = reduce(values, axes_range(wr, vr));
    weight = ops::broadcast_like(weight, values);
    values = values * weight;
    if (wr > 1) weight = reduce(weight, axes_range(1, wr));
  }
  if (values.rank() > 1) values = reduce(values, axes_range(1, values.rank()));
  return {values, weight};
}

}  // namespace

// ---- Mean ------------------------------------------------------------------------------
Mean::Mean(const MeanOptions& o) : Metric(o.name, o.dtype) {
  total_ = add_variable("total", {}, o.dtype);
  count_ = add_variable("count", {}, o.dtype);
}

void Mean::update_state(const Tensor& values, const Tensor& sample_weight) {
  if (!values.defined()) detail::fail(name() + ": update_state received undefined values");
  auto [v, w] = samplewise(detach(values), detach(sample_weight), dtype(), /*use_sum=*/false);
  total_.assign_add(ops::sum(v));
  if (w.defined()) {
    count_.assign_add(ops::sum(w));
  } else {
    // the number of samples, read when the step runs (a traced step serves every batch size)
    count_.assign_add(v.rank() >= 1 ? ops::size(v, dtype(), {0}) : detail::scalar(1.0, dtype()));
  }
}

void Mean::update_state(const Tensor& values, const Tensor& sample_weight, const Tensor& extra) {
  if (extra.defined())
    detail::fail(name() + ": Mean.update_state takes (values, sample_weight), but received a "
                 "third tensor");
  update_state(values, sample_weight);
}

Tensor Mean::result() const { return detail::divide_no_nan(total_.value(), count_.value()); }

// ---- Sum -------------------------------------------------------------------------------
Sum::Sum(const SumOptions& o) : Metric(o.name, o.dtype) { total_ = add_variable("total", {}, o.dtype); }

void Sum::update_state(const Tensor& values, const Tensor& sample_weight) {
  if (!values.defined()) detail::fail(name() + ": update_state received undefined values");
  auto [v, w] = samplewise(detach(values), detach(sample_weight), dtype(), /*use_sum=*/true);
  total_.assign_add(ops::sum(v));
}

void Sum::update_state(const Tensor& values, const Tensor& sample_weight, const Tensor& extra) {
  if (extra.defined())
    detail::fail(name() + ": Sum.update_state takes (values, sample_weight), but received a "
                 "third tensor");
  update_state(values, sample_weight);
}

Tensor Sum::result() const { return total_.value(); }

// ---- MeanMetricWrapper -----------------------------------------------------------------
MeanMetricWrapper::MeanMetricWrapper(MetricFunction fn, std::string name, DType dtype,
                                     std::string fn_name)
    : Mean(std::move(name), dtype), fn_(std::move(fn)), fn_name_(std::move(fn_name)) {
  if (!fn_) detail::fail(this->name() + ": MeanMetricWrapper expected a function, but received none");
  if (fn_name_.empty()) fn_name_ = this->name();
}

void MeanMetricWrapper::update_state(const Tensor& y_true, const Tensor& y_pred,
                                     const Tensor& sample_weight) {
  if (!y_true.defined() || !y_pred.defined())
    detail::fail(name() + ": update_state expected y_true and y_pred, but received an undefined tensor");
  Tensor values = fn_(detach(y_true), detach(y_pred));
  // As Keras's: y_pred's Keras mask (a masked sequence output) weights the values, times
  // any sample weight (apply_mask with reduction "sum"), so masked steps are left out.
  Tensor weight = sample_weight;
  if (Tensor mask = y_pred.keras_mask(); mask.defined()) {
    Tensor m = ops::cast(detach(mask), dtype());
    if (weight.defined()) {
      auto [mm, ww] = detail::squeeze_or_expand_to_same_rank(m, ops::cast(detach(weight), dtype()));
      weight = ww * mm;
    } else {
      weight = m;
    }
  }
  Mean::update_state(detach(values), weight);
}

keras::Config MeanMetricWrapper::get_config() const {
  keras::Config c = Metric::get_config();
  c["fn"] = fn_name_;
  return c;
}

}  // namespace keras::metrics
