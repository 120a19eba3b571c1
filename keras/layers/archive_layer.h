// archive_layer.h - an endpoint of an archive as a layer (Keras's TFSMLayer, for the
// archives ExportArchive and Model::export_graph write): the archive's variables become
// the layer's weights (trainable ones trainable while the layer is), so an exported model
// can be called, fine-tuned and saved inside a new model without its code.
//
//   auto base = keras::layers::ArchiveLayer("encoder.karchive", {.call_endpoint = "serve"});
//   auto model = keras::Sequential({keras::layers::Input({784}), base, keras::layers::Dense(10)});
#pragma once
#include <memory>
#include <string>

#include "core/export_archive.h"
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of ArchiveLayer (Keras's TFSMLayer arguments).
struct ArchiveLayerOptions {
  /// The endpoint called (Keras's call_endpoint, default "serve").
  std::string call_endpoint = "serve";
  /// The endpoint called when training (Keras's call_training_endpoint); empty: the
  /// call_endpoint in training too.
  std::string call_training_endpoint{};
  /// Whether the archive's trainable variables are trained (Keras's trainable).
  bool trainable = true;
  std::string name{};       ///< layer name (default: generated)
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// An archive's endpoint as a layer, made by ArchiveLayer().
class ArchiveEndpointLayer : public Layer {
 public:
  /// Loads the archive at `filepath` (core::load_archive; a graph file loads as endpoint
  /// "serve") and adds its variables as weights, named by their archive names. Raises
  /// std::invalid_argument for an endpoint the archive does not have (naming those it
  /// has), as load_archive for a bad file.
  ArchiveEndpointLayer(std::string filepath, const ArchiveLayerOptions& options = {});
  /// Calls the endpoint on the inputs (the training endpoint when training and one is
  /// set), reading the layer's weights.
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  /// The endpoint's output dtypes.
  DType output_dtype_of(size_t index) const override;
  DType output_dtype() const override { return output_dtype_of(0); }
  /// Keras's TFSMLayer config: the base options, filepath, call_endpoint and
  /// call_training_endpoint (null when none).
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "ArchiveLayer"): it loads the archive again from filepath.
  static LayerPtr from_config(const Config& c);
  /// The archive's path as given.
  const std::string& filepath() const { return filepath_; }
  /// The loaded archive (its own variables keep the file's values; the layer's weights are
  /// copies of them that calls read).
  const core::LoadedArchive& archive() const { return *archive_; }

 private:
  std::string filepath_;
  ArchiveLayerOptions o_;
  std::shared_ptr<core::LoadedArchive> archive_;
  std::vector<Variable> variables_;  // the weights, in the archive's order
};

/// keras.layers.TFSMLayer for keras-cpp archives: endpoint `options.call_endpoint` of the
/// archive at `filepath` as a layer.
Ref<ArchiveEndpointLayer> ArchiveLayer(const std::string& filepath, const ArchiveLayerOptions& options = {});

}  // namespace keras::layers
