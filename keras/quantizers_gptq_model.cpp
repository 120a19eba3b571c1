// quantizers_gptq_model.cpp - GPTQ over a model (Keras's gptq_core): the calibration
// windows, then each block's Dense and EinsumDense layers calibrated on the block's inputs
// and quantized, block after block.
#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "core/errors.h"
#include "core/ops.h"
#include "keras/layers/dense.h"
#include "keras/layers/einsum_dense.h"
#include "keras/layers/gptq_layer.h"
#include "keras/layers/quantize_util.h"
#include "keras/models/model.h"
#include "keras/quantizers_gptq.h"

namespace keras::quantizers {
namespace ops = core::ops;
using core::DType;
using core::Shape;
using core::Tensor;

namespace {
std::vector<int32_t> tokens_of(const Tensor& t, const char* what) {
  if (!t.defined() || !(core::is_integer(t.dtype())))
    throw std::invalid_argument(std::string("GPTQ: expected integer tokens in the ") + what + ", but received " +
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
}  // namespace

Tensor gptq_calibration_samples(const GPTQConfig& config) {
  config.validate();
  const std::string& strategy = config.sampling;
  const uint64_t seed = config.seed;
  std::vector<int32_t> all;
  if (!config.dataset.empty()) {
    for (const Tensor& t : config.dataset) {
      const std::vector<int32_t> v = tokens_of(t, "dataset");
      all.insert(all.end(), v.begin(), v.end());
    }
  } else if (!config.texts.empty()) {
    if (!config.tokenizer)
      throw std::invalid_argument("GPTQ: the texts need a tokenizer (GPTQConfig::tokenizer), but none was given");
    for (const std::string& s : config.texts) {
      const std::vector<int32_t> v = tokens_of(config.tokenizer(s), "tokenizer's output");
      all.insert(all.end(), v.begin(), v.end());
    }
  } else {
    throw std::invalid_argument("GPTQ: the calibration dataset is empty (give GPTQConfig::dataset or texts)");
  }
  const int64_t n = config.num_samples, len = config.sequence_length;
  if (int64_t(all.size()) < n * len) {  // repeated up to num_samples * sequence_length
    const size_t once = all.size();
    if (once == 0) throw std::invalid_argument("GPTQ: the calibration dataset holds no tokens");
    const int64_t repeats = (n * len + int64_t(once) - 1) / int64_t(once);
    all.reserve(size_t(repeats) * once);
    for (int64_t r = 1; r < repeats; ++r) all.insert(all.end(), all.begin(), all.begin() + int64_t(once));
  }
  const int64_t max_start = int64_t(all.size()) - len;
  if (max_start < 0)
    throw std::invalid_argument("GPTQ: not enough tokens to form one sample of length " + std::to_string(len) + " (have " +
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
    throw std::invalid_argument("GPTQ: unknown sampling strategy '" + strategy +
                                "' (expected 'strided', 'linspace' or 'random')");
  }
  std::vector<int32_t> out(size_t(n * len));
  for (int64_t i = 0; i < n; ++i)
    std::copy_n(all.begin() + starts[size_t(i)], len, out.begin() + i * len);
  return core::from_buffer(out.data(), Shape{n, 1, len}, DType::int32);
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
  const auto [rows, columns] = layers::detail::gptq_einsum_matrix(e.name(), e.equation(), e.kernel.shape().dims());
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
}  // namespace

void gptq_quantize(Model& model, const GPTQConfig& config, const std::function<bool(const layers::Layer&)>& filter) {
  config.validate();
  if (!config.quantization_layer_structure)
    throw std::invalid_argument("For mode='gptq', a valid quantization structure must be provided via "
                                "GPTQConfig::quantization_layer_structure (pre_block_layers and sequential_blocks); "
                                "model '" + model.name() + "' has none");
  const QuantizationLayerStructure& structure = *config.quantization_layer_structure;
  if (structure.sequential_blocks.empty())
    throw std::invalid_argument("No sequential blocks found in the provided structure to quantize.");
  for (const auto& b : structure.sequential_blocks)
    if (!b) throw std::invalid_argument("GPTQ: the structure holds a null block");
  const std::string mode = config.dtype_policy_string();

  const Tensor samples = gptq_calibration_samples(config);
  std::vector<Tensor> inputs;
  for (int64_t i = 0; i < config.num_samples; ++i) {
    Tensor batch = ops::squeeze(ops::slice(samples, {i, 0, 0}, {1, 1, config.sequence_length}), {0});  // (1, len)
    for (const auto& l : structure.pre_block_layers) {
      if (!l) throw std::invalid_argument("GPTQ: the structure holds a null pre-block layer");
      batch = (*l)(batch);
    }
    inputs.push_back(batch);
  }

  for (size_t b = 0; b < structure.sequential_blocks.size(); ++b) {
    const layers::LayerPtr& block = structure.sequential_blocks[b];
    std::vector<layers::LayerPtr> found, targets;
    find_targets(block, found);
    for (const auto& l : found)
      if (!filter || filter(*l)) targets.push_back(l);
    if (!targets.empty()) {
      std::vector<std::shared_ptr<GPTQ>> states;
      {
        ObserverGuard guard;
        for (const auto& l : targets) {
          layers::detail::check_quantize_args(*l, mode);
          const int64_t rows = float_kernel_2d(*l).shape()[0];
          auto state = std::make_shared<GPTQ>(rows, config);
          states.push_back(state);
          layers::detail::set_input_observer(l.get(), [state, rows](const Tensor& x) {
            state->update_hessian_with_batch(ops::reshape(x, {-1, rows}));
          });
          guard.layers.push_back(l);
        }
        for (const Tensor& x : inputs) (void)(*block)(with_batch_axis(x));
      }
      for (size_t i = 0; i < targets.size(); ++i) {
        if (states[i]->num_samples() == 0)
          throw std::invalid_argument("GPTQ: layer '" + targets[i]->name() + "' of block '" + block->name() +
                                      "' received no input while the block ran");
        const GPTQResult r = states[i]->quantize(float_kernel_2d(*targets[i]));
        layers::detail::set_pending_gptq(targets[i].get(), layers::detail::gptq_weights(r, config.weight_bits));
      }
      model.quantize(mode, [&](const layers::Layer& l) {
        return std::any_of(targets.begin(), targets.end(), [&](const layers::LayerPtr& t) { return t.get() == &l; });
      });
      for (const auto& t : targets)
        if (layers::detail::take_pending_gptq(t.get()))  // still waiting: the layer is not in the model
          throw std::invalid_argument("GPTQ: layer '" + t->name() + "' of block '" + block->name() +
                                      "' is not a layer of model '" + model.name() + "'");
    }
    if (b + 1 < structure.sequential_blocks.size())
      for (Tensor& x : inputs) {
        const Tensor y = (*block)(with_batch_axis(x));
        x = ops::squeeze(ops::slice(y, std::vector<int64_t>(size_t(y.rank()), 0),
                                    [&] {
                                      std::vector<int64_t> s = y.shape().dims();
                                      s[0] = 1;
                                      return s;
                                    }()),
                         {0});  // (Keras: block(x)[0])
      }
  }
}

}  // namespace keras::quantizers
