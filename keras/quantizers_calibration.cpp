// quantizers_calibration.cpp - GPTQ and AWQ over a model (Keras's gptq_core and
// awq_core): the calibration windows, then each block's Dense and EinsumDense layers
// calibrated on the block's inputs and quantized, block after block.
#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "core/errors.h"
#include "core/ops.h"
#include "keras/layers/dense.h"
#include "keras/layers/einsum_dense.h"
#include "keras/layers/calibrated_layer.h"
#include "keras/quantizers_awq.h"
#include "keras/layers/quantize_util.h"
#include "keras/models/model.h"
#include "keras/quantizers_gptq.h"

namespace keras::quantizers {
namespace ops = core::ops;
using core::DType;
using core::Shape;
using core::Tensor;

namespace {
std::vector<int32_t> tokens_of(const Tensor& t, const std::string& who, const char* what) {
  if (!t.defined() || !(core::is_integer(t.dtype())))
    throw std::invalid_argument(who + ": expected integer tokens in the " + what + ", but received " +
                                (t.defined() ? std::string(core::dtype_name(t.dtype())) : "an undefined tensor"));
  return ops::cast(ops::reshape(t, {-1}), DType::int32).to_vector<int32_t>();
}

// A 64-bit mix of the seed (splitmix64's finalizer): the strided windows' offset.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// What the windows are cut from, and how (a GPTQConfig's or AWQConfig's fields).
struct CalibrationSource {
  const std::vector<Tensor>& dataset;
  const std::vector<std::string>& texts;
  const std::function<Tensor(const std::string&)>& tokenizer;
  int64_t num_samples, sequence_length;
  const std::string& strategy;
  uint64_t seed;
  const std::string who;  // "GPTQ" or "AWQ", naming errors
};

Tensor calibration_windows(const CalibrationSource& config) {
  const std::string& strategy = config.strategy;
  const uint64_t seed = config.seed;
  std::vector<int32_t> all;
  if (!config.dataset.empty()) {
    for (const Tensor& t : config.dataset) {
      const std::vector<int32_t> v = tokens_of(t, config.who, "dataset");
      all.insert(all.end(), v.begin(), v.end());
    }
  } else if (!config.texts.empty()) {
    if (!config.tokenizer)
      throw std::invalid_argument(config.who + ": the texts need a tokenizer (GPTQConfig::tokenizer), but none was given");
    for (const std::string& s : config.texts) {
      const std::vector<int32_t> v = tokens_of(config.tokenizer(s), config.who, "tokenizer's output");
      all.insert(all.end(), v.begin(), v.end());
    }
  } else {
    throw std::invalid_argument(config.who + ": the calibration dataset is empty (give GPTQConfig::dataset or texts)");
  }
  const int64_t n = config.num_samples, len = config.sequence_length;
  if (int64_t(all.size()) < n * len) {  // repeated up to num_samples * sequence_length
    const size_t once = all.size();
    if (once == 0) throw std::invalid_argument(config.who + ": the calibration dataset holds no tokens");
    const int64_t repeats = (n * len + int64_t(once) - 1) / int64_t(once);
    all.reserve(size_t(repeats) * once);
    for (int64_t r = 1; r < repeats; ++r) all.insert(all.end(), all.begin(), all.begin() + int64_t(once));
  }
  const int64_t max_start = int64_t(all.size()) - len;
  if (max_start < 0)
    throw std::invalid_argument(config.who + ": not enough tokens to form one sample of length " + std::to_string(len) + " (have " +
                                std::to_string(all.size()) + ")");
  std::vector<int64_t> starts(static_cast<size_t>(n));
  if (strategy == "random") {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> pick(0, max_start);
    for (int64_t& s : starts) s = pick(rng);
  } else if (strategy == "linspace") {  // NumPy's linspace(0, max_start, n), truncated
    const double step = n > 1 ? double(max_start) / double(n - 1) : 0.0;
    for (int64_t i = 0; i < n; ++i) starts[size_t(i)] = static_cast<int64_t>(double(i) * step);
    if (n > 1) starts.back() = max_start;
  } else if (strategy == "strided") {
    const int64_t stride = std::max<int64_t>(1, (max_start + 1) / n);
    const int64_t offset = max_start > 0 ? int64_t(mix(seed) % uint64_t(max_start + 1)) : 0;
    for (int64_t i = 0; i < n; ++i) starts[size_t(i)] = (offset + i * stride) % (max_start + 1);
  } else {
    throw std::invalid_argument(config.who + ": unknown sampling strategy '" + strategy +
                                "' (expected 'strided', 'linspace' or 'random')");
  }
  std::vector<int32_t> out(size_t(n * len));
  for (int64_t i = 0; i < n; ++i)
    std::copy_n(all.begin() + starts[size_t(i)], len, out.begin() + i * len);
  return core::from_buffer(out.data(), Shape{n, 1, len}, DType::int32);
}
}  // namespace

Tensor gptq_calibration_samples(const GPTQConfig& c) {
  c.validate();
  return calibration_windows({c.dataset, c.texts, c.tokenizer, c.num_samples, c.sequence_length, c.sampling, c.seed,
                              "GPTQ"});
}

Tensor awq_calibration_samples(const AWQConfig& c) {
  c.validate();
  return calibration_windows({c.dataset, c.texts, c.tokenizer, c.num_samples, c.sequence_length, c.sampling, c.seed,
                              "AWQ"});
}

namespace {
// Keras's find_layers_in_block: the Dense and EinsumDense leaves under the block (itself
// included), each once, in the order met.
void find_targets(const layers::LayerPtr& l, std::vector<layers::LayerPtr>& out) {
  if (!l || std::find(out.begin(), out.end(), l) != out.end()) return;
  if (auto* m = dynamic_cast<const Model*>(l.get())) {
    for (const auto& c : m->layers()) find_targets(c, out);
    return;
  }
  if (!l->sublayers().empty()) {
    for (const auto& c : l->sublayers()) find_targets(c, out);
    return;
  }
  if (dynamic_cast<layers::DenseLayer*>(l.get()) || dynamic_cast<layers::EinsumDenseLayer*>(l.get())) out.push_back(l);
}

// The float kernel of a target as (rows, columns).
Tensor float_kernel_2d(const layers::Layer& l) {
  if (auto* d = dynamic_cast<const layers::DenseLayer*>(&l)) return d->kernel.value();
  const auto& e = dynamic_cast<const layers::EinsumDenseLayer&>(l);
  const auto [rows, columns] = layers::detail::calibrated_einsum_matrix(e.name(), e.equation(), e.kernel.shape().dims());
  return ops::reshape(e.kernel.value(), {rows, columns});
}

// Removes the observers when calibration ends, thrown or not.
struct ObserverGuard {
  std::vector<layers::LayerPtr> layers;
  ~ObserverGuard() {
    for (const auto& l : layers) layers::detail::set_input_observer(l.get(), {});
  }
};

Tensor with_batch_axis(const Tensor& x) { return x.rank() == 2 ? ops::expand_dims(x, 0) : x; }

// One layer's calibration: what it records from each input (read as (-1, rows)), and the
// weights it gives its (rows, columns) float kernel.
struct LayerCalibration {
  std::function<void(const Tensor&)> observe;
  std::function<int64_t()> samples;
  std::function<layers::detail::CalibratedWeights(const Tensor&)> finish;
};

// Removes what is still pending for the layers when a block ends, thrown or not.
struct PendingGuard {
  const std::vector<layers::LayerPtr>& layers;
  ~PendingGuard() {
    for (const auto& l : layers) (void)layers::detail::take_pending_weights(l.get());
  }
};

// Keras's checks of the structure (before any data is read).
const QuantizationLayerStructure& checked_structure(const Model& model,
                                                    const std::optional<QuantizationLayerStructure>& structure,
                                                    const std::string& algo) {
  if (!structure)
    throw std::invalid_argument("For mode='" + algo + "', a valid quantization structure must be provided via the "
                                "config's quantization_layer_structure (pre_block_layers and sequential_blocks); "
                                "model '" + model.name() + "' has none");
  if (structure->sequential_blocks.empty())
    throw std::invalid_argument("No sequential blocks found in the provided structure to quantize.");
  for (const auto& b : structure->sequential_blocks)
    if (!b) throw std::invalid_argument(algo + ": the structure holds a null block");
  for (const auto& l : structure->pre_block_layers)
    if (!l) throw std::invalid_argument(algo + ": the structure holds a null pre-block layer");
  return *structure;
}

// Keras's apply_gptq_layerwise / apply_awq_layerwise: the windows through the pre-block
// layers, then each block's targets calibrated while the block runs on every window,
// quantized (Model::quantize with `mode`, which takes the pending weights), and the
// block's outputs fed to the next block.
void calibrate_blocks(Model& model, const QuantizationLayerStructure& structure, const Tensor& samples,
                      const std::string& mode, const std::function<bool(const layers::Layer&)>& filter,
                      const std::function<LayerCalibration(int64_t rows)>& calibration) {
  const std::string algo = mode.substr(0, mode.find('/'));

  std::vector<Tensor> inputs;
  const int64_t n = samples.shape()[0], len = samples.shape()[2];
  for (int64_t i = 0; i < n; ++i) {
    Tensor batch = ops::squeeze(ops::slice(samples, {i, 0, 0}, {1, 1, len}), {0});  // (1, len)
    for (const auto& l : structure.pre_block_layers) batch = (*l)(batch);
    inputs.push_back(batch);
  }

  for (size_t b = 0; b < structure.sequential_blocks.size(); ++b) {
    const layers::LayerPtr& block = structure.sequential_blocks[b];
    std::vector<layers::LayerPtr> found, targets;
    find_targets(block, found);
    for (const auto& l : found)
      if (!filter || filter(*l)) targets.push_back(l);
    if (!targets.empty()) {
      std::vector<LayerCalibration> states;
      {
        ObserverGuard guard;
        for (const auto& l : targets) {
          layers::detail::check_quantize_args(*l, mode);
          const int64_t rows = float_kernel_2d(*l).shape()[0];
          states.push_back(calibration(rows));
          layers::detail::set_input_observer(l.get(), [observe = states.back().observe, rows](const Tensor& x) {
            observe(ops::reshape(x, {-1, rows}));
          });
          guard.layers.push_back(l);
        }
        for (const Tensor& x : inputs) (void)(*block)(with_batch_axis(x));
      }
      PendingGuard pending{targets};
      for (size_t i = 0; i < targets.size(); ++i) {
        if (states[i].samples() == 0)
          throw std::invalid_argument(algo + ": layer '" + targets[i]->name() + "' of block '" + block->name() +
                                      "' received no input while the block ran");
        layers::detail::set_pending_weights(targets[i].get(), states[i].finish(float_kernel_2d(*targets[i])));
      }
      model.quantize(mode, [&](const layers::Layer& l) {
        return std::any_of(targets.begin(), targets.end(), [&](const layers::LayerPtr& t) { return t.get() == &l; });
      });
      for (const auto& t : targets)
        if (layers::detail::take_pending_weights(t.get()))  // still waiting: the layer is not in the model
          throw std::invalid_argument(algo + ": layer '" + t->name() + "' of block '" + block->name() +
                                      "' is not a layer of model '" + model.name() + "'");
    }
    if (b + 1 < structure.sequential_blocks.size())
      for (Tensor& x : inputs) {  // (Keras: block(x)[0])
        const Tensor y = (*block)(with_batch_axis(x));
        std::vector<int64_t> size = y.shape().dims();
        size[0] = 1;
        x = ops::squeeze(ops::slice(y, std::vector<int64_t>(size.size(), 0), size), {0});
      }
  }
}
}  // namespace

void gptq_quantize(Model& model, const GPTQConfig& config, const std::function<bool(const layers::Layer&)>& filter) {
  config.validate();
  const QuantizationLayerStructure& structure = checked_structure(model, config.quantization_layer_structure, "gptq");
  calibrate_blocks(model, structure, gptq_calibration_samples(config),
                   config.dtype_policy_string(), filter, [&config](int64_t rows) {
                     auto state = std::make_shared<GPTQ>(rows, config);
                     const int bits = config.weight_bits;
                     return LayerCalibration{[state](const Tensor& x) { state->update_hessian_with_batch(x); },
                                             [state] { return state->num_samples(); },
                                             [state, bits](const Tensor& kernel) {
                                               return layers::detail::gptq_weights(state->quantize(kernel), bits);
                                             }};
                   });
}

void awq_quantize(Model& model, const AWQConfig& config, const std::function<bool(const layers::Layer&)>& filter) {
  config.validate();
  const QuantizationLayerStructure& structure = checked_structure(model, config.quantization_layer_structure, "awq");
  calibrate_blocks(model, structure, awq_calibration_samples(config),
                   config.dtype_policy_string(), filter, [&config](int64_t rows) {
                     auto state = std::make_shared<AWQ>(rows, config);
                     return LayerCalibration{[state](const Tensor& x) { state->update_activation_magnitudes(x); },
                                             [state] { return state->num_samples(); },
                                             [state](const Tensor& kernel) {
                                               return layers::detail::awq_weights(state->quantize(kernel));
                                             }};
                   });
}

}  // namespace keras::quantizers
