#include "keras/saving/export.h"

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

void Model::export_graph(const std::string& path, const ExportOptions& o) const {
  if (o.format == "onnx") {
    const std::string bytes = saving::export_onnx(*this, o.input_signature);
    saving::write_file_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
    return;
  }
  if (o.format != "kgraph")
    throw std::invalid_argument(name() + ": export_graph: unknown format '" + o.format +
                                "'; expected 'kgraph' (keras-cpp's graph file, the default) or 'onnx'");
  std::vector<TensorSpec> sig = o.input_signature.empty() ? input_specs(*this) : o.input_signature;
  if (sig.empty())
    throw std::invalid_argument(name() + ": export_graph needs the model's input shapes; give .input_signature "
                                "(for example {{{-1, 784}, DType::float32}})");
  // The model's own call, as predict runs it (training = false).
  Model& self = const_cast<Model&>(*this);
  export_function([&](const std::vector<Tensor>& in) { return self(in, false); }, sig, path);
}

}  // namespace keras
