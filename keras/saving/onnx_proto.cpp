#include "keras/saving/onnx_proto.h"

#include <cstring>
#include <stdexcept>

namespace keras::saving::onnx {

int32_t onnx_elem_type(core::DType dtype) {
  switch (dtype) {
    case core::DType::float32: return 1;
    case core::DType::uint8: return 2;
    case core::DType::int8: return 3;
    case core::DType::uint16: return 4;
    case core::DType::int16: return 5;
    case core::DType::uint32: return 12;
    case core::DType::int32: return 6;
    case core::DType::int64: return 7;
    case core::DType::bool_: return 9;
    case core::DType::float64: return 11;
    case core::DType::complex64: return 14;
    case core::DType::complex128: return 15;
  }
  throw std::invalid_argument(std::string("export(format='onnx'): no ONNX element type for dtype ") +
                              core::dtype_name(dtype));
}

OnnxAttr OnnxAttr::make_int(std::string name, int64_t v) {
  OnnxAttr a;
  a.name = std::move(name);
  a.kind = Kind::i;
  a.i = v;
  return a;
}
OnnxAttr OnnxAttr::make_float(std::string name, double v) {
  OnnxAttr a;
  a.name = std::move(name);
  a.kind = Kind::f;
  a.f = static_cast<float>(v);
  return a;
}
OnnxAttr OnnxAttr::make_string(std::string name, std::string v) {
  OnnxAttr a;
  a.name = std::move(name);
  a.kind = Kind::s;
  a.s = std::move(v);
  return a;
}
OnnxAttr OnnxAttr::make_ints(std::string name, std::vector<int64_t> v) {
  OnnxAttr a;
  a.name = std::move(name);
  a.kind = Kind::ints;
  a.ints = std::move(v);
  return a;
}
OnnxAttr OnnxAttr::make_strings(std::string name, std::vector<std::string> v) {
  OnnxAttr a;
  a.name = std::move(name);
  a.kind = Kind::strings;
  a.strings = std::move(v);
  return a;
}

namespace {
// Field numbers from onnx.proto.
std::string attribute_bytes(const OnnxAttr& a) {
  ProtoWriter w;
  w.bytes_field(1, a.name);
  w.int_field(20, static_cast<int64_t>(a.kind));  // type
  switch (a.kind) {
    case OnnxAttr::Kind::f: w.float_field(2, a.f); break;
    case OnnxAttr::Kind::i: w.int_field(3, a.i); break;
    case OnnxAttr::Kind::s: w.bytes_field(4, a.s); break;
    case OnnxAttr::Kind::floats: w.packed_floats(7, a.floats); break;
    case OnnxAttr::Kind::ints: w.packed_ints(8, a.ints); break;
    case OnnxAttr::Kind::strings:
      for (const std::string& v : a.strings) w.bytes_field(9, v);
      break;
  }
  return w.bytes();
}

std::string node_bytes(const OnnxNode& n) {
  ProtoWriter w;
  for (const std::string& in : n.inputs) w.bytes_field(1, in);
  for (const std::string& out : n.outputs) w.bytes_field(2, out);
  w.bytes_field(3, n.name);
  w.bytes_field(4, n.op_type);
  for (const OnnxAttr& a : n.attrs) w.bytes_field(5, attribute_bytes(a));
  return w.bytes();
}

std::string tensor_bytes(const OnnxTensor& t) {
  ProtoWriter w;
  w.packed_ints(1, t.dims);
  w.int_field(2, t.elem_type);
  w.bytes_field(8, t.name);
  w.bytes_field(9, t.raw);
  return w.bytes();
}

std::string value_info_bytes(const OnnxValueInfo& v) {
  ProtoWriter shape;  // TensorShapeProto
  for (const OnnxValueInfo::Dim& d : v.dims) {
    ProtoWriter dim;  // TensorShapeProto.Dimension
    if (d.size >= 0) dim.int_field(1, d.size);
    else if (!d.param.empty()) dim.bytes_field(2, d.param);
    shape.bytes_field(1, dim.bytes());
  }
  ProtoWriter tensor_type;  // TypeProto.Tensor
  tensor_type.int_field(1, v.elem_type);
  tensor_type.bytes_field(2, shape.bytes());
  ProtoWriter type;  // TypeProto
  type.bytes_field(1, tensor_type.bytes());
  ProtoWriter w;
  w.bytes_field(1, v.name);
  w.bytes_field(2, type.bytes());
  return w.bytes();
}

std::string graph_bytes(const OnnxGraph& g) {
  ProtoWriter w;
  for (const OnnxNode& n : g.nodes) w.bytes_field(1, node_bytes(n));
  w.bytes_field(2, g.name);
  for (const OnnxTensor& t : g.initializers) w.bytes_field(5, tensor_bytes(t));
  for (const OnnxValueInfo& v : g.inputs) w.bytes_field(11, value_info_bytes(v));
  for (const OnnxValueInfo& v : g.outputs) w.bytes_field(12, value_info_bytes(v));
  return w.bytes();
}
}  // namespace

std::string serialize_onnx_model(const OnnxGraph& graph, const OnnxModelInfo& info) {
  ProtoWriter w;
  w.int_field(1, info.ir_version);
  w.bytes_field(2, info.producer_name);
  if (!info.producer_version.empty()) w.bytes_field(3, info.producer_version);
  if (!info.doc_string.empty()) w.bytes_field(6, info.doc_string);
  w.bytes_field(7, graph_bytes(graph));
  ProtoWriter opset;  // OperatorSetIdProto of the default domain ("")
  opset.bytes_field(1, "");
  opset.int_field(2, info.opset);
  w.bytes_field(8, opset.bytes());
  // Protobuf (and so every ONNX reader) refuses messages of 2 GiB or more.
  if (w.bytes().size() >= (uint64_t{1} << 31))
    throw std::invalid_argument("export(format='onnx'): the model is " + std::to_string(w.bytes().size()) +
                                " bytes, but an ONNX file must be under 2 GiB (protobuf's limit)");
  return w.bytes();
}

}  // namespace keras::saving::onnx
