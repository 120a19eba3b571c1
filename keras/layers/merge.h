// merge.h - layers that combine several inputs: Concatenate, Add, Subtract, Multiply,
// Average, Maximum, Minimum, Dot.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Elementwise merges (with NumPy broadcasting of the inputs, as Keras 3).
class MergeLayer : public Layer {
 public:
  enum class Kind { add, subtract, multiply, average, maximum, minimum };
  MergeLayer(Kind kind, const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  void build(const std::vector<ShapeSpec>& shapes) override;
  /// All of the inputs' masks (the inputs without one are not masked).
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  Config get_config() const override;
  template <Kind K>
  static LayerPtr from_config(const Config& c);

 private:
  Kind kind_;
};

class ConcatenateLayer : public Layer {
 public:
  explicit ConcatenateLayer(int64_t axis = -1, const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  void build(const std::vector<ShapeSpec>& shapes) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// The masks joined along the axis (ones for an input without one), reduced by any()
  /// over the last axis, as Keras.
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 private:
  int64_t axis_;
};

/// Dot product of two inputs along `axes` (one per input), with optional L2
/// normalization first (cosine proximity), as keras.layers.Dot.
class DotLayer : public Layer {
 public:
  DotLayer(std::vector<int64_t> axes, bool normalize = false, const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  void build(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 private:
  std::vector<int64_t> axes_;
  bool normalize_;
};

Ref<MergeLayer> Add(const LayerOptions& options = {});
Ref<MergeLayer> Subtract(const LayerOptions& options = {});
Ref<MergeLayer> Multiply(const LayerOptions& options = {});
Ref<MergeLayer> Average(const LayerOptions& options = {});
Ref<MergeLayer> Maximum(const LayerOptions& options = {});
Ref<MergeLayer> Minimum(const LayerOptions& options = {});
Ref<ConcatenateLayer> Concatenate(int64_t axis = -1, const LayerOptions& options = {});
Ref<DotLayer> Dot(std::vector<int64_t> axes, bool normalize = false, const LayerOptions& options = {});
Ref<DotLayer> Dot(int64_t axes, bool normalize = false, const LayerOptions& options = {});

}  // namespace keras::layers
