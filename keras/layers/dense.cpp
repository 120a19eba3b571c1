#include "keras/layers/dense.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "keras/layers/kernel_bias_config.h"

#include "core/ops.h"
#include "core/sparse.h"

namespace keras::layers {
namespace ops = core::ops;

DenseLayer::DenseLayer(int64_t units, const DenseOptions& o)
    : Layer("Dense", detail::layer_options_of(o)),
      units_(units),
      o_(o) {
  if (units <= 0)
    throw std::invalid_argument(name() + ": expected units > 0, but received " + std::to_string(units));
  input_spec.min_ndim = 2;
  supports_masking_ = true;
}

void DenseLayer::build(const ShapeSpec& s) {
  if (s.empty() || s.back() < 0)
    throw std::invalid_argument(name() + ": the last axis of the input must be known to build a "
                                "Dense layer, but received input shape " + shape_str(s));
  const int64_t in = s.back();
  kernel = add_weight("kernel", Shape{in, units_},
                      {o_.kernel_initializer.ptr(), o_.kernel_regularizer.ptr(), o_.kernel_constraint.ptr()});
  if (o_.use_bias)
    bias = add_weight("bias", Shape{units_},
                      {o_.bias_initializer.ptr(), o_.bias_regularizer.ptr(), o_.bias_constraint.ptr()});
  input_spec.axes = {{-1, in}};
}

Tensor DenseLayer::call(const Tensor& x, bool) {
  Tensor y;
  if (core::sparse::is_sparse(x)) {  // a sparse input (Input(..., {.sparse = true}))
    if (x.rank() != 2)
      throw std::invalid_argument(name() + ": a sparse input must have rank 2 (batch, features), but "
                                  "received dense shape " + x.shape().str());
    y = core::sparse::sparse_dense_matmul(core::sparse::sparse_of(x), kernel);
  } else {
    y = ops::matmul(x, kernel);
  }
  if (o_.use_bias) y = ops::add(y, bias);
  y = o_.activation(y);
  return y;
}

std::vector<ShapeSpec> DenseLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec s = shapes.at(0);
  s.back() = units_;
  return {s};
}

Config DenseLayer::get_config() const {
  Config c = base_config();
  c["units"] = static_cast<long long>(units_);
  detail::write_kernel_bias_config(c, o_);
  return c;
}

LayerPtr DenseLayer::from_config(const Config& c) {
  DenseOptions o;
  detail::read_base_options(c, o);
  detail::read_kernel_bias_config(c, o);
  return make<DenseLayer>(c.at("units").as_int(), o);
}

Ref<DenseLayer> Dense(int64_t units, const DenseOptions& o) { return make<DenseLayer>(units, o); }

}  // namespace keras::layers
