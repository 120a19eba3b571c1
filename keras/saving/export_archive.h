// export_archive.h - Keras's ExportArchive: several endpoints (traced functions, a model's
// call among them) sharing their variables in one archive file, loaded back with
// load_archive() as callable endpoints and live variables, with no model code.
//
//   keras::ExportArchive archive;
//   archive.track(*model);                                     // the model's weights
//   archive.add_endpoint("serve", [&](const std::vector<keras::Tensor>& in) {
//     return std::vector{(*model)(in[0], false)}; }, {{{-1, 784}, keras::DType::float32}});
//   archive.track_and_add_endpoint("features", encoder);        // a layer's call, training = false
//   archive.write_out("model.karchive");
//   keras::LoadedArchive a = keras::load_archive("model.karchive");
//   keras::Tensor y = a.call("serve", {x})[0];
//
// layers::ArchiveLayer (keras/layers/archive_layer.h) makes an endpoint a layer whose
// weights are the archive's variables (Keras's TFSMLayer).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/export_archive.h"

namespace keras {
namespace layers {
class Layer;
}

using core::LoadedArchive;

/// Keras's keras.export.ExportArchive (core::ExportArchive, plus the layer forms of track
/// and track_and_add_endpoint).
class ExportArchive : public core::ExportArchive {
 public:
  using core::ExportArchive::track;
  /// Tracks a layer's or a model's weights (Keras's track(resource)), with their paths as
  /// the archive's variable names.
  void track(const layers::Layer& layer);
  /// Keras's track_and_add_endpoint: tracks `layer` and adds endpoint `name`, its call
  /// with training = false. An empty signature is taken from a Functional or Sequential
  /// model's inputs (batch axis -1); without one, std::invalid_argument.
  void track_and_add_endpoint(const std::string& name, const std::shared_ptr<layers::Layer>& layer,
                              const std::vector<TensorSpec>& input_signature = {});
};

/// Loads an archive written by ExportArchive::write_out or Model::export_graph (a graph
/// file loads as one endpoint, "serve"); see core::load_archive.
LoadedArchive load_archive(const std::string& path);

}  // namespace keras
