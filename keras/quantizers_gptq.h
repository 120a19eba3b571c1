// quantizers_gptq.h - GPTQ (keras.quantizers.GPTQConfig, model.quantize("gptq")):
// post-training quantization of Dense and EinsumDense kernels to 2, 3, 4 or 8 bits, each
// column quantized in turn while the error it makes is spread over the columns not yet
// quantized, weighted by the inverse Hessian of the layer's inputs (Frantar et al.,
// "GPTQ", 2022), as Keras 3 does it; the model is calibrated one block at a time on token
// sequences.
//
//   keras::quantizers::GPTQConfig config{.dataset = {tokens}, .weight_bits = 4,
//                                        .sequence_length = 128, .group_size = 64};
//   config.quantization_layer_structure = {.pre_block_layers = {embedding},
//                                          .sequential_blocks = {block1, block2}};
//   keras::quantizers::gptq_quantize(*model, config);  // the blocks' Dense layers: "gptq/4/64"
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "keras/config.h"
#include "keras/layers/layer.h"

namespace keras {
class Model;
namespace mixed_precision {
class DTypePolicy;
}
}  // namespace keras

namespace keras::quantizers {

/// Keras's quantization_layer_structure: the layers that turn a token sequence into the
/// first block's input (an Embedding, ...), then the blocks quantized one after the other
/// (transformer blocks: each takes and returns (batch, sequence, features)).
struct QuantizationLayerStructure {
  /// Applied in order to each calibration sample, an int32 (1, sequence_length) tensor.
  std::vector<layers::LayerPtr> pre_block_layers;
  /// Quantized in order: the Dense and EinsumDense layers inside each (itself included)
  /// are calibrated on the block's inputs, then the block's outputs (computed with the
  /// quantized weights) feed the next one.
  std::vector<layers::LayerPtr> sequential_blocks;
};

/// Keras's GPTQConfig. The calibration data is `dataset` (token sequences, any shape,
/// integer) or `texts` tokenized by `tokenizer`; either way the tokens are concatenated
/// (repeated when too few) and cut into num_samples windows of sequence_length.
struct GPTQConfig {
  /// Token sequences (integer tensors of any shape, read flattened).
  std::vector<core::Tensor> dataset{};
  /// Texts, each tokenized by `tokenizer` (used when `dataset` is empty).
  std::vector<std::string> texts{};
  /// Turns a text into its integer tokens (Keras's tokenizer.tokenize).
  std::function<core::Tensor(const std::string&)> tokenizer{};
  /// Bits per weight: 2, 3, 4 or 8 (4: two values per byte).
  int weight_bits = 4;
  /// Calibration windows (> 0).
  int64_t num_samples = 128;
  /// One scale and zero point per output channel (false: one for the whole kernel).
  bool per_channel = true;
  /// Tokens per calibration window (> 0).
  int64_t sequence_length = 512;
  /// Added to the Hessian's diagonal, times its mean, before it is inverted (in [0, 1]).
  double hessian_damping = 0.01;
  /// Input features sharing a scale and zero point (-1: all of them).
  int64_t group_size = 128;
  /// Zero points fixed at the middle of the range (2^bits / 2) instead of fitted.
  bool symmetric = false;
  /// Quantizes the input features by decreasing Hessian diagonal (Keras's act-order) and
  /// restores their order afterwards.
  bool activation_order = false;
  /// Where the calibration windows start (see gptq_calibration_samples): "strided"
  /// (Keras's default), "linspace" or "random". (keras-cpp's option: Keras's dataloader
  /// takes it, its GPTQConfig does not.)
  std::string sampling = "strided";
  /// Seeds the strided windows' offset and the random starts.
  uint64_t seed = 42;
  /// The model's structure (required: keras-cpp models have no default one).
  std::optional<QuantizationLayerStructure> quantization_layer_structure{};

  /// Keras's argument checks: std::invalid_argument naming the bad value.
  void validate() const;
  /// "gptq/<weight_bits>/<group_size>", the mode of the layers' policy.
  std::string dtype_policy_string() const;
  /// Keras's get_config() (dataset, tokenizer and structure written as null).
  Config get_config() const;
  /// The options of a get_config() config (no data, no structure).
  static GPTQConfig from_config(const Config& config);
};

/// The weight bits and group size of a gptq or awq policy ("gptq/4/128_from_float32":
/// {4, 128}); std::invalid_argument for another policy.
struct CalibratedPolicyParams {
  int weight_bits = 4;       ///< 2, 3, 4 or 8 (awq: 4)
  int64_t group_size = 128;  ///< -1: one group
};
CalibratedPolicyParams calibrated_policy_params(const mixed_precision::DTypePolicy& policy);

/// Keras's compute_quantization_parameters for a (rows, columns) weight (out features
/// first): the minimum and maximum per row (per_channel), per row and group of group_size
/// columns (per_channel and group_size > 0; the last group padded with zeros), or over the
/// whole tensor; made symmetric, widened by 1 when empty; scale = (max - min) / maxq with
/// maxq = 2^bits - 1 (1e-8 when not positive); zero = round(-min / scale) (symmetric:
/// (maxq + 1) / 2), plus -2^(bits-1) and clipped when `is_signed`. scale: float32
/// (rows, groups), zero: uint8 (int8 when signed) of the same shape.
struct ZeroPointParams {
  core::Tensor scale;  ///< float32 (rows, groups)
  core::Tensor zero;   ///< uint8 (int8 when signed), the same shape
  double maxq = 0;     ///< 2^bits - 1
};
ZeroPointParams compute_quantization_parameters(const core::Tensor& x, int bits, bool symmetric = false,
                                                bool per_channel = false, int64_t group_size = -1,
                                                double epsilon = 0.0, bool is_signed = false);
/// clip(round(x / scale + zero), 0, maxq), in x's dtype (Keras's quantize_with_zero_point;
/// a zero scale counts as 1e-8).
core::Tensor quantize_with_zero_point(const core::Tensor& x, const core::Tensor& scale, const core::Tensor& zero,
                                      double maxq);
/// scale * (x - zero) (Keras's dequantize_with_zero_point).
core::Tensor dequantize_with_zero_point(const core::Tensor& x, const core::Tensor& scale, const core::Tensor& zero);
/// quantize_with_zero_point with each position's group parameters: the group g of each
/// position along weights' last axis is int(g_idx), scale and zero indexed along
/// `group_axis` (Keras's quantize_with_sz_map).
core::Tensor quantize_with_sz_map(const core::Tensor& weights, const core::Tensor& scale, const core::Tensor& zero,
                                  const core::Tensor& g_idx, double maxq, int64_t group_axis = -1);
/// (weights - zero[g]) * scale[g], the group g of each position along weights' last axis
/// being int(g_idx) and scale, zero indexed along `group_axis` (Keras's
/// dequantize_with_sz_map).
core::Tensor dequantize_with_sz_map(const core::Tensor& weights, const core::Tensor& scale, const core::Tensor& zero,
                                    const core::Tensor& g_idx, int64_t group_axis = -1);

/// What gptq_quantize_matrix returns: the levels int32 (out, in) in [0, maxq], the scale
/// float32 and zero uint8 (out, groups), and each input feature's group as float32 (in),
/// Keras's g_idx (feature / group_size, not rounded: layers read int(g_idx)).
struct GPTQResult {
  core::Tensor quantized;  ///< int32 (out, in), levels in [0, 2^bits - 1]
  core::Tensor scale;      ///< float32 (out, groups)
  core::Tensor zero;       ///< uint8 (out, groups)
  core::Tensor g_idx;      ///< float32 (in): each input's group, feature / group_size
};
/// Keras's gptq_quantize_matrix loop: weights_transpose (out, in) quantized one column at a
/// time in blocks of `blocksize`; inv_hessian is GPTQ's factor (GPTQ::quantize passes the
/// upper Cholesky factor of the inverse): each error over its diagonal, times its row,
/// leaves the later columns; group parameters from the columns at the group's start, the
/// range holding 0. activation_order: columns by decreasing order_metric (default 1 /
/// diag(inv_hessian)), the factor permuted likewise, all put back at the end. Float32.
GPTQResult gptq_quantize_matrix(const core::Tensor& weights_transpose, const core::Tensor& inv_hessian,
                                const GPTQConfig& config, int64_t blocksize = 128,
                                const core::Tensor& order_metric = core::Tensor());

/// One layer's GPTQ state (Keras's GPTQ class): the running Hessian of its inputs.
class GPTQ {
 public:
  /// A Hessian over `rows` input features (> 0).
  GPTQ(int64_t rows, GPTQConfig config);
  /// Keras's update_hessian_with_batch: x (rank >= 2, last axis `rows`, not empty) read as
  /// (samples, rows); H = H * n / (n + m) + 2 / (n + m) * sym(x^T x) in float32.
  /// std::invalid_argument for a bad shape.
  void update_hessian_with_batch(const core::Tensor& x);
  /// The Hessian (rows, rows), float32.
  const core::Tensor& hessian() const { return hessian_; }
  /// Rows seen so far.
  int64_t num_samples() const { return samples_; }
  /// quantize_and_correct_layer for a (rows, columns) float kernel: dead features (zero
  /// diagonal) set to 1, hessian_damping * mean(diagonal) added, the upper Cholesky factor
  /// of the inverse (raises when not positive definite), gptq_quantize_matrix of kernel^T.
  GPTQResult quantize(const core::Tensor& kernel, int64_t blocksize = 128) const;

 private:
  int64_t rows_;
  GPTQConfig config_;
  core::Tensor hessian_;
  int64_t samples_ = 0;
};

/// Keras's GPTQ dataloader: the config's tokens (texts tokenized) concatenated, repeated
/// up to num_samples * sequence_length, and num_samples windows of sequence_length taken
/// at starts spread over them by config.sampling: "strided" (every (n - sequence_length
/// + 1) / num_samples tokens from an offset derived from the seed; Keras derives it from
/// Python's hash, which changes between processes), "linspace" (evenly spaced, as NumPy's
/// linspace, truncated) or "random" (uniform, seeded; not NumPy's stream). int32
/// (num_samples, 1, sequence_length). std::invalid_argument for no data, a text without a
/// tokenizer, or an unknown strategy.
core::Tensor gptq_calibration_samples(const GPTQConfig& config);

/// model.quantize("gptq", config=config): for each block of the config's structure in
/// order, the Dense and EinsumDense layers in it (that `filter` accepts) record the
/// Hessian of their inputs while the block runs on each calibration sample, are quantized
/// by GPTQ and take the policy "gptq/<bits>/<group_size>_from_<policy>"; the block's
/// outputs then feed the next block. Layers outside the blocks are left as they are.
/// std::invalid_argument for a bad config, no structure or no blocks, a layer already
/// quantized; core::NotImplementedError for an EinsumDense whose kernel cannot be read as
/// (input features, outputs).
void gptq_quantize(Model& model, const GPTQConfig& config,
                   const std::function<bool(const layers::Layer&)>& filter = {});

}  // namespace keras::quantizers
