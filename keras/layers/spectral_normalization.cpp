#include "keras/layers/spectral_normalization.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/initializers.h"
#include "keras/layers/args.h"
#include "keras/layers/registry.h"

namespace keras::layers {
namespace ops = core::ops;

SpectralNormalizationLayer::SpectralNormalizationLayer(LayerPtr layer, const SpectralNormalizationOptions& o)
    : Layer("SpectralNormalization",
            detail::layer_options_of(o)),
      layer_(std::move(layer)),
      o_(o) {
  if (!layer_) throw std::invalid_argument(name() + ": expected a layer to wrap, but received none");
  if (o.power_iterations <= 0)
    throw std::invalid_argument(name() + ": `power_iterations` should be greater than zero. Received: "
                                "`power_iterations=" + std::to_string(o.power_iterations) + "`");
  track_layer(layer_);
}

void SpectralNormalizationLayer::build(const ShapeSpec& s) {
  layer_->build_if_needed({s});
  auto named = [&](const std::string& suffix) {
    for (const Variable& v : layer_->weights()) {
      const std::string& n = v.name();
      if (n.size() >= suffix.size() + 1 && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          n[n.size() - suffix.size() - 1] == '/')
        return v;
    }
    return Variable();
  };
  kernel = named("kernel");
  if (!kernel.defined()) kernel = named("embeddings");
  if (!kernel.defined())
    throw std::invalid_argument(name() + ": the wrapped " + layer_->class_name() + " layer '" + layer_->name() +
                                "' has no weight named kernel nor embeddings");
  const int64_t n = kernel.shape()[kernel.shape().rank() - 1];
  auto init = std::make_shared<initializers::TruncatedNormal>(initializers::TruncatedNormalOptions{.stddev = 0.02});
  vector_u = add_weight("vector_u", Shape{1, n}, {.initializer = init, .trainable = false, .dtype = kernel.dtype()});
}

Tensor SpectralNormalizationLayer::call(const Tensor& x, bool training) {
  if (training) {
    const Tensor w = core::stop_gradient(kernel.value());
    const int64_t n = w.shape()[w.rank() - 1];
    Tensor w2 = ops::reshape(w, {-1, n});
    Tensor u = core::stop_gradient(vector_u.value()), v;
    for (int64_t i = 0; i < o_.power_iterations; ++i) {
      v = ops::normalize(ops::matmul(u, w2, false, true), -1);
      u = ops::normalize(ops::matmul(v, w2), -1);
    }
    Tensor sigma = ops::matmul(ops::matmul(v, w2), u, false, true);  // (1, 1)
    Tensor normalized = ops::reshape(ops::divide(w2, sigma), w.shape().dims());
    // Keras leaves an all-zero kernel (and u) as they are.
    Tensor zero = ops::all(ops::equal(w, ops::zeros_like(w)));
    vector_u.assign(ops::where(zero, vector_u.value(), ops::cast(u, vector_u.dtype())));
    kernel.assign(ops::where(zero, w, ops::cast(normalized, kernel.dtype())));
  }
  std::vector<Tensor> y = (*layer_)(std::vector<Tensor>{x}, CallArgs{.training = training});
  if (y.size() != 1)
    throw std::invalid_argument(name() + ": the wrapped layer " + layer_->name() + " returned " +
                                std::to_string(y.size()) + " outputs; expected one");
  return y[0].dtype() == x.dtype() ? y[0] : ops::cast(y[0], x.dtype());
}

std::vector<ShapeSpec> SpectralNormalizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return layer_->compute_output_shape(shapes);
}

Config SpectralNormalizationLayer::get_config() const {
  Config c = base_config();
  c["layer"] = serialize(*layer_);
  c["power_iterations"] = static_cast<long long>(o_.power_iterations);
  return c;
}

LayerPtr SpectralNormalizationLayer::from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  SpectralNormalizationOptions o{.power_iterations = c.get("power_iterations", 1).as_int(),
                                 .name = base.name,
                                 .trainable = base.trainable,
                                 .input_shape = base.input_shape};
  return make<SpectralNormalizationLayer>(deserialize(c.at("layer")), o);
}

Ref<SpectralNormalizationLayer> SpectralNormalization(LayerPtr layer, const SpectralNormalizationOptions& o) {
  return make<SpectralNormalizationLayer>(std::move(layer), o);
}

}  // namespace keras::layers
