#include "keras/layers/repeat_vector.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"

namespace keras::layers {
namespace ops = core::ops;

RepeatVectorLayer::RepeatVectorLayer(int64_t n, const LayerOptions& o) : Layer("RepeatVector", o), n_(n) {
  if (n < 0)
    throw std::invalid_argument(name() + ": expected the number of repetitions n >= 0, but received n=" +
                                std::to_string(n));
  input_spec.ndim = 2;
}

Tensor RepeatVectorLayer::call(const Tensor& x, bool) {
  const Shape& s = x.shape();
  return ops::broadcast_to(ops::expand_dims(x, 1), Shape{s[0], n_, s[1]});
}

std::vector<ShapeSpec> RepeatVectorLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  return {{s[0], n_, s[1]}};
}

Config RepeatVectorLayer::get_config() const {
  Config c = base_config();
  c["n"] = static_cast<long long>(n_);
  return c;
}

LayerPtr RepeatVectorLayer::from_config(const Config& c) {
  return make<RepeatVectorLayer>(c.at("n").as_int(), layer_options_from(c));
}

Ref<RepeatVectorLayer> RepeatVector(int64_t n, const LayerOptions& o) { return make<RepeatVectorLayer>(n, o); }

}  // namespace keras::layers
