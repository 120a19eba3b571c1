#include "keras/saving/onnx_builder.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <typeinfo>

#include "core/ops.h"
#include "keras/saving/export.h"

namespace keras::saving {

OnnxExportError::OnnxExportError(std::string layer_class, std::string layer_name, const std::string& what)
    : std::invalid_argument(what), layer_class_(std::move(layer_class)), layer_name_(std::move(layer_name)) {}

namespace onnx {

std::string GraphBuilder::unique(const std::string& base) {
  std::string stem = scope_.empty() ? base : scope_ + "/" + base;
  std::string name = stem;
  for (int i = 1; used_.count(name); ++i) name = stem + "_" + std::to_string(i);
  used_.insert(name);
  return name;
}

std::vector<std::string> GraphBuilder::add_n(const std::string& op, std::vector<std::string> inputs, int outputs,
                                             std::vector<OnnxAttr> attrs) {
  OnnxNode n;
  n.op_type = op;
  n.name = unique(op);
  n.inputs = std::move(inputs);
  for (int i = 0; i < outputs; ++i) n.outputs.push_back(outputs == 1 ? n.name + ":0" : n.name + ":" + std::to_string(i));
  for (const std::string& o : n.outputs) used_.insert(o);
  n.attrs = std::move(attrs);
  graph_.nodes.push_back(std::move(n));
  return graph_.nodes.back().outputs;
}

std::string GraphBuilder::add(const std::string& op, std::vector<std::string> inputs, std::vector<OnnxAttr> attrs) {
  return add_n(op, std::move(inputs), 1, std::move(attrs))[0];
}

std::string GraphBuilder::constant(const Tensor& value, const std::string& hint) {
  Tensor t = value.cpu();
  OnnxTensor init;
  init.name = unique(hint);
  init.elem_type = onnx_elem_type(t.dtype());
  init.dims = t.shape().dims();
  // keras-cpp's tensors are dense, row-major and little-endian on the hosts it builds
  // for: ONNX's raw_data layout.
  init.raw.assign(static_cast<const char*>(t.raw_data()), t.nbytes());
  graph_.initializers.push_back(std::move(init));
  return graph_.initializers.back().name;
}

std::string GraphBuilder::ints(const std::vector<int64_t>& values, const std::string& hint) {
  return constant(core::constant(values), hint);
}

std::string GraphBuilder::scalar(double value, core::DType dtype, const std::string& hint) {
  return constant(core::ops::full(core::Shape{}, value, dtype), hint);
}

void LayerCall::fail(const std::string& what) const {
  throw OnnxExportError(layer.class_name(), layer.name(),
                        "export(format='onnx'): layer '" + layer.name() + "' (" + layer.class_name() + "): " + what);
}

Tensor LayerCall::weight(const std::string& name) const {
  for (const Variable& v : layer.weights()) {
    const std::string& n = v.name();
    if (n == name || (n.size() > name.size() && n.compare(n.size() - name.size() - 1, std::string::npos, "/" + name) == 0))
      return v.value();
  }
  fail("expected a weight named '" + name + "', but the layer has none (is it built?)");
}

OnnxValue cast_to(GraphBuilder& b, const OnnxValue& x, core::DType dtype) {
  if (x.dtype == dtype) return x;
  return OnnxValue{b.add("Cast", {x.name}, {OnnxAttr::make_int("to", onnx_elem_type(dtype))}), x.shape, dtype};
}

OnnxValue float_input(GraphBuilder& b, const LayerCall& call, const OnnxValue& x) {
  return core::is_floating(x.dtype) ? x : cast_to(b, x, call.layer.dtype());
}

namespace {
struct Table {
  std::map<std::string, ConverterEntry> by_class;
  Table() {
    std::vector<ConverterEntry> all;
    add_core_converters(all);
    add_spatial_converters(all);
    add_more_converters(all);
    add_recurrent_converters(all);
    add_operation_converters(all);
    for (ConverterEntry& e : all) by_class.emplace(e.class_name, std::move(e));
  }
};
const Table& table() {
  static const Table t;
  return t;
}
}  // namespace

const LayerConverter* find_converter(const layers::Layer& layer) {
  const Table& t = table();
  auto it = t.by_class.find(layer.class_name());
  if (it == t.by_class.end() || typeid(layer) != *it->second.type) return nullptr;
  return &it->second.fn;
}

std::vector<std::string> convertible_classes() {
  std::vector<std::string> out;
  for (const auto& [name, e] : table().by_class) out.push_back(name);
  return out;
}

}  // namespace onnx
}  // namespace keras::saving
