// onnx_builder.h - what the ONNX export's layer converters write with: the graph being
// built, unique value and node names scoped by the layer being converted, initializers
// from tensors, and the converter table (one function per Keras class). Private to the
// library.
#pragma once
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <typeinfo>
#include <vector>

#include "keras/config.h"
#include "keras/layers/layer.h"
#include "keras/saving/onnx_proto.h"

namespace keras::saving::onnx {

using layers::ShapeSpec;

// A value of the graph: its name, its shape (-1 where unknown) and its dtype.
struct OnnxValue {
  std::string name;
  ShapeSpec shape;
  core::DType dtype = core::DType::float32;
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
};

class GraphBuilder {
 public:
  explicit GraphBuilder(OnnxGraph& graph) : graph_(graph) {}
  // Node and value names start with the scope ("dense_1/MatMul").
  void set_scope(std::string scope) { scope_ = std::move(scope); }
  const std::string& scope() const { return scope_; }
  // A node with one output; returns the output's name.
  std::string add(const std::string& op, std::vector<std::string> inputs, std::vector<OnnxAttr> attrs = {});
  std::vector<std::string> add_n(const std::string& op, std::vector<std::string> inputs, int outputs,
                                 std::vector<OnnxAttr> attrs = {});
  // Initializers: a tensor's values, a 1-D int64 list, a 0-d scalar of a dtype.
  std::string constant(const Tensor& t, const std::string& hint);
  std::string ints(const std::vector<int64_t>& values, const std::string& hint);
  std::string scalar(double value, core::DType dtype, const std::string& hint);
  // A name no value or node has yet ("<scope>/<base>", then "_1", "_2", ...).
  std::string unique(const std::string& base);
  // Reserves a name given from outside (graph inputs and outputs).
  void reserve(const std::string& name) { used_.insert(name); }
  OnnxGraph& graph() { return graph_; }

 private:
  OnnxGraph& graph_;
  std::string scope_;
  std::set<std::string> used_;
};

// A layer being converted: the layer, its config, its inputs and its output shapes.
struct LayerCall {
  const layers::Layer& layer;
  Config config;
  std::vector<OnnxValue> inputs;
  std::vector<ShapeSpec> output_shapes;
  const OnnxValue& x() const { return inputs.at(0); }
  // The layer's weight named name ("kernel" matches "kernel" and "<layer>/kernel").
  Tensor weight(const std::string& name) const;
  // An OnnxExportError naming the layer: "<layer> (<class>): <what>".
  [[noreturn]] void fail(const std::string& what) const;
};

// A converter writes the layer's nodes and returns its outputs (their names and dtypes;
// the caller fills in empty shapes from call.output_shapes).
using LayerConverter = std::function<std::vector<OnnxValue>(GraphBuilder&, const LayerCall&)>;

// x as a floating-point value: itself, or cast to the layer's dtype (as Keras layers
// cast integer inputs to their compute dtype).
OnnxValue float_input(GraphBuilder& b, const LayerCall& call, const OnnxValue& x);
// Cast to dtype (x itself when it has that dtype already).
OnnxValue cast_to(GraphBuilder& b, const OnnxValue& x, core::DType dtype);

// The activation's name in a layer config ("linear" for null; "custom" when not a name).
std::string activation_name(const Value& config_value);
// Adds keras.activations' function `name` applied to x; returns the output (glu halves
// the last axis).
// "linear" adds nothing. An activation with no mapping (a C++ callable, a registered
// custom function) raises OnnxExportError naming call's layer.
OnnxValue add_activation(GraphBuilder& b, const std::string& name, const OnnxValue& x, const LayerCall& call);

// The converter for a layer (null when none); only the built-in classes themselves
// match, never a subclass (whose call() may differ).
const LayerConverter* find_converter(const layers::Layer& layer);
// The class names that have converters, sorted.
std::vector<std::string> convertible_classes();

// A converter's output: its name and dtype (the caller adds the shape).
inline OnnxValue out(std::string name, core::DType dtype) { return OnnxValue{std::move(name), {}, dtype}; }

// Registration, one function per group of layers (onnx_layers*.cpp).
struct ConverterEntry {
  std::string class_name;
  const std::type_info* type;
  LayerConverter fn;
};
template <class T>
void add_converter(std::vector<ConverterEntry>& v, std::string class_name, LayerConverter fn) {
  v.push_back(ConverterEntry{std::move(class_name), &typeid(T), std::move(fn)});
}
void add_core_converters(std::vector<ConverterEntry>& out);
void add_spatial_converters(std::vector<ConverterEntry>& out);
void add_more_converters(std::vector<ConverterEntry>& out);
void add_recurrent_converters(std::vector<ConverterEntry>& out);
void add_operation_converters(std::vector<ConverterEntry>& out);  // keras.ops calls, LayerScale

}  // namespace keras::saving::onnx
