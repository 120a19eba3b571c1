// merge.h - layers that combine several inputs: Concatenate, Add, Subtract, Multiply,
// Average, Maximum, Minimum, Dot.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Elementwise merges (with NumPy broadcasting of the inputs, as Keras 3).
class MergeLayer : public Layer {
 public:
  /// Which elementwise merge the layer applies.
  enum class Kind { add, subtract, multiply, average, maximum, minimum };
  /// Takes its inputs as given; no input (Subtract: other than 2 inputs) throws
  /// std::invalid_argument when built.
  MergeLayer(Kind kind, const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  /// Masked inputs of equal ranks, as Keras 3: Multiply reads a masked position as 1 (and
  /// gives 0 where every input is masked, when all have masks); Maximum and Minimum read
  /// it as the other operand's value; Add, Subtract and Average ignore masks.
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  void build(const std::vector<ShapeSpec>& shapes) override;
  /// Keras's: the inputs' masks ORed when every input has one, else none.
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for each of the
  /// six classes).
  template <Kind K>
  static LayerPtr from_config(const Config& c);

 private:
  Kind kind_;
};

/// Concatenation of its inputs along an axis (keras.layers.Concatenate), made by
/// Concatenate().
class ConcatenateLayer : public Layer {
 public:
  /// axis: the axis joined (default -1); the other axes must match (std::invalid_argument
  /// when built).
  explicit ConcatenateLayer(int64_t axis = -1, const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  void build(const std::vector<ShapeSpec>& shapes) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// The masks joined along the axis (ones for an input without one), reduced by any()
  /// over the last axis, as Keras.
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "Concatenate").
  static LayerPtr from_config(const Config& c);

 private:
  int64_t axis_;
};

/// Dot product of two inputs along `axes` (one per input), with optional L2
/// normalization first (cosine proximity), as keras.layers.Dot.
class DotLayer : public Layer {
 public:
  /// axes: one axis for both inputs or one per input (else std::invalid_argument);
  /// normalize: L2-normalize along them first.
  DotLayer(std::vector<int64_t> axes, bool normalize = false, const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  void build(const std::vector<ShapeSpec>& shapes) override;
  /// None: Keras's Dot takes masked inputs (no warning) and gives an unmasked output.
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Dot").
  static LayerPtr from_config(const Config& c);

 private:
  std::vector<int64_t> axes_;
  bool normalize_;
};

/// keras.layers.Add: the elementwise sum of the inputs.
Ref<MergeLayer> Add(const LayerOptions& options = {});
/// keras.layers.Subtract: the first input minus the second (exactly 2 inputs).
Ref<MergeLayer> Subtract(const LayerOptions& options = {});
/// keras.layers.Multiply: the elementwise product of the inputs.
Ref<MergeLayer> Multiply(const LayerOptions& options = {});
/// keras.layers.Average: the elementwise mean of the inputs.
Ref<MergeLayer> Average(const LayerOptions& options = {});
/// keras.layers.Maximum: the elementwise maximum of the inputs.
Ref<MergeLayer> Maximum(const LayerOptions& options = {});
/// keras.layers.Minimum: the elementwise minimum of the inputs.
Ref<MergeLayer> Minimum(const LayerOptions& options = {});
/// keras.layers.Concatenate: joins the inputs along `axis` (default -1).
Ref<ConcatenateLayer> Concatenate(int64_t axis = -1, const LayerOptions& options = {});
///@{
/// keras.layers.Dot: the dot product of two inputs along `axes` (one for both or one per
/// input); with normalize, the cosine similarity.
Ref<DotLayer> Dot(std::vector<int64_t> axes, bool normalize = false, const LayerOptions& options = {});
Ref<DotLayer> Dot(int64_t axes, bool normalize = false, const LayerOptions& options = {});
///@}

}  // namespace keras::layers
