#include "keras/saving/export.h"
#include "keras/saving/export_archive.h"

#include <ostream>

#include "keras/models/model.h"
#include "keras/saving/saving.h"

namespace keras {

void export_function(const core::ExportBody& body, const std::vector<TensorSpec>& signature, const std::string& path) {
  const std::string bytes = core::export_graph(body, signature);
  saving::write_file_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
}

LoadedFunction load_function(const std::string& path) { return core::load_function(path); }

namespace {
// The model's inputs as specs (-1 for unknown sizes), when the model knows them.
std::vector<TensorSpec> input_specs(const Model& m) {
  std::vector<TensorSpec> sig;
  if (auto* f = dynamic_cast<const FunctionalModel*>(&m)) {
    for (const KerasTensor& t : f->inputs()) sig.push_back(TensorSpec{t.shape(), t.dtype()});
  } else if (auto* s = dynamic_cast<const SequentialModel*>(&m)) {
    const auto layers = s->layers();
    if (!layers.empty() && !layers[0]->declared_input_shape().empty()) {
      ShapeSpec shape = layers[0]->declared_input_shape();
      shape.insert(shape.begin(), -1);
      sig.push_back(TensorSpec{shape, layers[0]->dtype()});
    }
  }
  return sig;
}
}  // namespace

void ExportArchive::track(const layers::Layer& layer) { track(layer.weights()); }

void ExportArchive::track_and_add_endpoint(const std::string& name, const std::shared_ptr<layers::Layer>& layer,
                                           const std::vector<TensorSpec>& input_signature) {
  if (!layer) throw std::invalid_argument("ExportArchive::track_and_add_endpoint: the layer is null");
  std::vector<TensorSpec> sig = input_signature;
  if (sig.empty())
    if (auto* m = dynamic_cast<const Model*>(layer.get())) sig = input_specs(*m);
  if (sig.empty())
    throw std::invalid_argument("ExportArchive::track_and_add_endpoint('" + name + "'): layer '" + layer->name() +
                                "' does not know its input shapes; give input_signature (for example "
                                "{{{-1, 784}, DType::float32}})");
  track(*layer);
  layers::Layer& l = *layer;
  add_endpoint(name, [&l](const std::vector<Tensor>& in) { return l(in, false); }, sig);
}

LoadedArchive load_archive(const std::string& path) { return core::load_archive(path); }

void Model::export_graph(const std::string& path, const ExportOptions& o) const {
  if (o.format == "archive") {  // Keras's model.export(format="tf_saved_model"): endpoint "serve"
    ExportArchive archive;
    archive.track_and_add_endpoint("serve", std::const_pointer_cast<Model>(
        std::static_pointer_cast<const Model>(shared_from_this())), o.input_signature);
    archive.write_out(path);
    return;
  }
  if (o.format == "onnx") {
    const std::string bytes = saving::export_onnx(*this, o.input_signature);
    saving::write_file_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
    return;
  }
  if (o.format != "kgraph")
    throw std::invalid_argument(name() + ": export_graph: unknown format '" + o.format +
                                "'; expected 'kgraph' (keras-cpp's graph file, the default), 'archive' or 'onnx'");
  std::vector<TensorSpec> sig = o.input_signature.empty() ? input_specs(*this) : o.input_signature;
  if (sig.empty())
    throw std::invalid_argument(name() + ": export_graph needs the model's input shapes; give .input_signature "
                                "(for example {{{-1, 784}, DType::float32}})");
  // The model's own call, as predict runs it (training = false).
  Model& self = const_cast<Model&>(*this);
  export_function([&](const std::vector<Tensor>& in) { return self(in, false); }, sig, path);
}

}  // namespace keras
