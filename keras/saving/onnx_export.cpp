// onnx_export.cpp - export(format = "onnx"): walks a Functional or Sequential model's
// layer graph (nested models inlined) and asks each layer's converter for its ONNX nodes
// (keras/saving/onnx_layers*.cpp), then serializes the graph (onnx_proto.cpp).
#include <map>
#include <set>

#include "core/ops.h"
#include "keras/models/model.h"
#include "keras/saving/export.h"
#include "keras/saving/onnx_builder.h"

namespace keras::saving {

namespace {
using onnx::GraphBuilder;
using onnx::OnnxValue;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

[[noreturn]] void fail(const layers::Layer& l, const std::string& what) {
  throw OnnxExportError(l.class_name(), l.name(),
                        "export(format='onnx'): layer '" + l.name() + "' (" + l.class_name() + "): " + what);
}

class Exporter {
 public:
  explicit Exporter(GraphBuilder& b) : b_(b) {}

  std::vector<OnnxValue> layer(const layers::Layer& l, const std::vector<OnnxValue>& in) {
    if (auto* f = dynamic_cast<const FunctionalModel*>(&l)) return functional(*f, in);
    if (auto* s = dynamic_cast<const SequentialModel*>(&l)) return sequential(*s, in);
    if (dynamic_cast<const Model*>(&l))
      fail(l, "a subclassed model's call() is C++ code, not a layer graph; build the model with "
              "keras::Functional or keras::Sequential to export it to ONNX");
    const onnx::LayerConverter* convert = onnx::find_converter(l);
    if (!convert)
      fail(l, "no ONNX mapping for this layer class; the layers that export are: " + join(onnx::convertible_classes()));
    std::vector<ShapeSpec> shapes;
    for (const OnnxValue& v : in) shapes.push_back(v.shape);
    onnx::LayerCall call{l, l.get_config(), in, const_cast<layers::Layer&>(l).compute_output_shape(shapes)};
    b_.set_scope(l.name());
    std::vector<OnnxValue> out = (*convert)(b_, call);
    if (out.size() != call.output_shapes.size())
      fail(l, "the converter made " + std::to_string(out.size()) + " outputs, but the layer has " +
                  std::to_string(call.output_shapes.size()));
    for (size_t i = 0; i < out.size(); ++i)  // a converter that knows better keeps its shape (Dense with glu)
      if (out[i].shape.empty()) out[i].shape = call.output_shapes[i];
    return out;
  }

 private:
  std::vector<OnnxValue> functional(const FunctionalModel& m, const std::vector<OnnxValue>& in) {
    if (in.size() != m.inputs().size())
      fail(m, "expected " + std::to_string(m.inputs().size()) + " inputs, but received " + std::to_string(in.size()));
    std::map<std::pair<const layers::Node*, int>, OnnxValue> values;
    for (size_t i = 0; i < in.size(); ++i) values[{m.inputs()[i].node().get(), 0}] = in[i];
    for (const auto& n : m.nodes()) {
      if (!n->args.kwargs.items().empty())
        fail(*n->layer, "call arguments (" + n->args.kwargs.to_json() + ") are not part of an ONNX export");
      if (!n->args.masks.empty()) fail(*n->layer, "masks are not part of an ONNX export");
      std::vector<OnnxValue> xs;
      for (const KerasTensor& t : n->inputs) xs.push_back(values.at({t.node().get(), t.index()}));
      std::vector<OnnxValue> ys = layer(*n->layer, xs);
      for (size_t i = 0; i < ys.size(); ++i) values[{n.get(), static_cast<int>(i)}] = ys[i];
    }
    std::vector<OnnxValue> out;
    for (const KerasTensor& o : m.outputs()) out.push_back(values.at({o.node().get(), o.index()}));
    return out;
  }

  std::vector<OnnxValue> sequential(const SequentialModel& m, const std::vector<OnnxValue>& in) {
    if (in.size() != 1) fail(m, "a Sequential model takes 1 input, but received " + std::to_string(in.size()));
    OnnxValue x = in[0];
    for (const LayerPtr& l : m.layers()) {
      std::vector<OnnxValue> ys = layer(*l, {x});
      if (ys.size() != 1) fail(*l, "a layer of a Sequential model must have one output");
      x = ys[0];
    }
    return {x};
  }

  GraphBuilder& b_;
};

onnx::OnnxValueInfo value_info(const std::string& name, const ShapeSpec& shape, DType dtype) {
  onnx::OnnxValueInfo v;
  v.name = name;
  v.elem_type = onnx::onnx_elem_type(dtype);
  for (size_t i = 0; i < shape.size(); ++i)
    v.dims.push_back(onnx::OnnxValueInfo::Dim{shape[i] >= 0 ? shape[i] : -1, i == 0 && shape[i] < 0 ? "batch" : ""});
  return v;
}
}  // namespace

std::string export_onnx(const Model& model, const std::vector<TensorSpec>& signature) {
  auto lock = model.lock_state();
  // The graph's inputs: names, shapes and dtypes.
  std::vector<std::string> in_names;
  std::vector<TensorSpec> specs;
  if (auto* f = dynamic_cast<const FunctionalModel*>(&model)) {
    for (const KerasTensor& t : f->inputs()) {
      in_names.push_back(t.node()->layer->name());
      specs.push_back(TensorSpec{t.shape(), t.dtype()});
    }
  } else if (auto* s = dynamic_cast<const SequentialModel*>(&model)) {
    if (!s->input_layer()) {
      if (signature.empty())
        throw std::invalid_argument(model.name() + ": export(format='onnx') needs the Sequential model's input shape; "
                                    "give .input_signature (for example {{{-1, 784}, DType::float32}})");
      if (signature.size() != 1)
        throw std::invalid_argument(model.name() + ": export(format='onnx'): expected 1 input specs in input_signature, "
                                    "but received " + std::to_string(signature.size()));
      // Builds the model as a first call would (its layers' weights), on zeros of the signature.
      ShapeSpec dims = signature[0].shape;
      for (int64_t& d : dims) d = d < 0 ? 1 : d;
      const_cast<Model&>(model)(core::ops::zeros(core::Shape(dims), signature[0].dtype), false);
    }
    const auto& input = s->input_layer();
    in_names.push_back(input->name());
    specs.push_back(TensorSpec{input->batch_shape(), input->dtype()});
  } else {
    fail(model, "a subclassed model's call() is C++ code, not a layer graph; build the model with "
                "keras::Functional or keras::Sequential to export it to ONNX");
  }
  if (!signature.empty()) {
    if (signature.size() != in_names.size())
      throw std::invalid_argument(model.name() + ": export(format='onnx'): expected " + std::to_string(in_names.size()) +
                                  " input specs in input_signature, but received " + std::to_string(signature.size()));
    specs = signature;
  }

  onnx::OnnxGraph graph;
  graph.name = model.name();
  GraphBuilder b(graph);
  std::vector<OnnxValue> inputs;
  for (size_t i = 0; i < specs.size(); ++i) {
    b.reserve(in_names[i]);
    inputs.push_back(OnnxValue{in_names[i], specs[i].shape, specs[i].dtype});
    graph.inputs.push_back(value_info(in_names[i], specs[i].shape, specs[i].dtype));
  }
  // The outputs are named after the layers that make them ("dense_2"; "<layer>_<i>" for
  // a layer's output i > 0; "_1", "_2" when one name comes twice).
  std::vector<std::string> out_names;
  if (auto* f = dynamic_cast<const FunctionalModel*>(&model)) {
    for (const KerasTensor& t : f->outputs())
      out_names.push_back(t.node()->layer->name() + (t.index() > 0 ? "_" + std::to_string(t.index()) : ""));
  } else {
    const auto ls = model.layers();
    out_names.push_back(ls.empty() ? "output" : ls.back()->name());
  }
  std::set<std::string> taken(in_names.begin(), in_names.end());
  for (std::string& n : out_names) {
    const std::string base = n;
    for (int k = 1; taken.count(n); ++k) n = base + "_" + std::to_string(k);
    taken.insert(n);
    b.reserve(n);
  }

  Exporter ex(b);
  std::vector<OnnxValue> outputs = ex.layer(model, inputs);
  b.set_scope("");
  for (size_t i = 0; i < outputs.size(); ++i) {
    // An Identity gives the output its name (a model may return one value twice, or an input).
    onnx::OnnxNode n;
    n.op_type = "Identity";
    n.name = b.unique(out_names[i] + "/Identity");
    n.inputs = {outputs[i].name};
    n.outputs = {out_names[i]};
    graph.nodes.push_back(std::move(n));
    graph.outputs.push_back(value_info(out_names[i], outputs[i].shape, outputs[i].dtype));
  }
  onnx::OnnxModelInfo info;
  info.doc_string = "keras-cpp model '" + model.name() + "'";
  return onnx::serialize_onnx_model(graph, info);
}

}  // namespace keras::saving
