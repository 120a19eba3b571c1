// quantizers_awq.h - AWQ (keras.quantizers.AWQConfig, model.quantize("awq")): 4-bit
// post-training quantization of Dense and EinsumDense kernels that protects the weights
// of the input features with the largest activations (Lin et al., "AWQ", 2023), as Keras 3
// does it: per input feature, a scale s = max|x|^r (r searched on a grid) multiplies the
// kernel's rows before quantization and divides the dequantized rows at each call; the
// model is calibrated one block at a time, as GPTQ (quantizers_gptq.h).
//
//   keras::quantizers::AWQConfig config{.dataset = {tokens}, .sequence_length = 128};
//   config.quantization_layer_structure = {.pre_block_layers = {embedding},
//                                          .sequential_blocks = {block1, block2}};
//   keras::quantizers::awq_quantize(*model, config);  // the blocks' Dense layers: "awq/4/128"
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "keras/quantizers_gptq.h"

namespace keras::quantizers {

/// Keras's AWQConfig (its data and structure as GPTQConfig's).
struct AWQConfig {
  /// Token sequences (integer tensors of any shape, read flattened).
  std::vector<core::Tensor> dataset{};
  /// Texts, each tokenized by `tokenizer` (used when `dataset` is empty).
  std::vector<std::string> texts{};
  /// Turns a text into its integer tokens.
  std::function<core::Tensor(const std::string&)> tokenizer{};
  /// Bits per weight: 4 (AWQ's only width, as Keras's).
  int weight_bits = 4;
  /// Calibration windows (> 0).
  int64_t num_samples = 128;
  /// Tokens per calibration window (> 0).
  int64_t sequence_length = 512;
  /// Input features sharing a scale and zero point (-1: all of them).
  int64_t group_size = 128;
  /// The search's grid: the exponents r = 0, 1/n, ..., 1 (n > 0).
  int64_t num_grid_points = 20;
  /// The calibration windows' starts, as GPTQConfig::sampling ("strided", "linspace",
  /// "random"; keras-cpp's option).
  std::string sampling = "strided";
  /// Seeds the strided windows' offset and the random starts.
  uint64_t seed = 42;
  /// The model's structure (required).
  std::optional<QuantizationLayerStructure> quantization_layer_structure{};

  /// Keras's argument checks: std::invalid_argument naming the bad value.
  void validate() const;
  /// "awq/<weight_bits>/<group_size>", the mode of the layers' policy.
  std::string dtype_policy_string() const;
  /// Keras's get_config() (dataset, tokenizer and structure written as null).
  Config get_config() const;
  /// The options of a get_config() config (no data, no structure).
  static AWQConfig from_config(const Config& config);
};

/// Keras's awq_search_optimal_scales: for r = i / num_grid_points (i = 0..n), the scales
/// max(x_max^r, 1e-4) / sqrt(max * min) (x_max: activation_magnitudes, values below 1e-8
/// read as 1), the weights (out, in) times them quantized to 4 bits (per row, or in groups
/// of group_size inputs; each range holding 0) and divided back; the scales with the least
/// mean of (error^2 * x_max^2) win (the first on ties). float32 (in).
core::Tensor awq_search_optimal_scales(const core::Tensor& weights, const core::Tensor& activation_magnitudes,
                                       int64_t num_grid_points = 20, int64_t group_size = -1);

/// What awq_quantize_matrix returns: the levels int32 (out, in) in [0, 15], the scale
/// float32 and zero uint8 (out, groups), the AWQ scales float32 (in) and each input's group
/// float32 (in; whole numbers).
struct AWQResult {
  core::Tensor quantized;   ///< int32 (out, in), levels in [0, 15]
  core::Tensor scale;       ///< float32 (out, groups)
  core::Tensor zero;        ///< uint8 (out, groups)
  core::Tensor awq_scales;  ///< float32 (in): what the kernel's rows were multiplied by
  core::Tensor g_idx;       ///< float32 (in): each input's group (whole numbers)
};
/// Keras's awq_quantize_matrix: the search above, then the scaled weights quantized.
AWQResult awq_quantize_matrix(const core::Tensor& weights_transpose, const core::Tensor& activation_magnitudes,
                              int64_t num_grid_points = 20, int64_t group_size = -1);

/// One layer's AWQ state (Keras's AWQ class): the largest |activation| per input feature.
class AWQ {
 public:
  /// Statistics over `rows` input features (> 0).
  AWQ(int64_t rows, AWQConfig config);
  /// Keras's update_activation_magnitudes: x (not empty, last axis `rows`) read as
  /// (samples, rows); the running max of |x| per feature.
  void update_activation_magnitudes(const core::Tensor& x);
  /// The magnitudes (rows), float32.
  const core::Tensor& activation_magnitudes() const { return magnitudes_; }
  /// Rows seen so far.
  int64_t num_samples() const { return samples_; }
  /// awq_quantize_matrix of a (rows, columns) float kernel's transpose.
  AWQResult quantize(const core::Tensor& kernel) const;

 private:
  int64_t rows_;
  AWQConfig config_;
  core::Tensor magnitudes_;
  int64_t samples_ = 0;
};

/// The calibration windows of an AWQConfig (gptq_calibration_samples's rules).
core::Tensor awq_calibration_samples(const AWQConfig& config);

/// model.quantize("awq", config=config): for each block of the config's structure in order,
/// the Dense and EinsumDense layers in it (that `filter` accepts) record the largest
/// |input| per feature while the block runs on each calibration sample, are quantized by
/// AWQ and take the policy "awq/4/<group_size>_from_<policy>"; the block's outputs then
/// feed the next block. Layers outside the blocks are left as they are. Errors as
/// gptq_quantize's.
void awq_quantize(Model& model, const AWQConfig& config, const std::function<bool(const layers::Layer&)>& filter = {});

}  // namespace keras::quantizers
