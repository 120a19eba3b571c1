// onnx_proto.h - the ONNX messages keras-cpp writes (a subset of onnx.proto's ModelProto,
// GraphProto, NodeProto, AttributeProto, TensorProto and ValueInfoProto) and their
// protobuf wire encoding. Private to the library (not a public header): the ONNX export
// builds an OnnxGraph and serialize_onnx_model() turns it into the bytes of a .onnx file.
//
// The encoding is protobuf's: each field is a key (field number << 3 | wire type) then
// a varint (wire type 0), 4 little-endian bytes (5, float) or a varint length and bytes
// (2: strings, nested messages, packed repeated numbers).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/protobuf_wire.h"

namespace keras::saving::onnx {

// Appends protobuf fields to a byte string.
using ProtoWriter = core::protobuf::Writer;

// TensorProto.DataType of a keras-cpp dtype (FLOAT 1, UINT8 2, INT8 3, UINT16 4, INT16 5,
// INT32 6, INT64 7, BOOL 9, DOUBLE 11, UINT32 12, COMPLEX64 14, COMPLEX128 15).
int32_t onnx_elem_type(core::DType dtype);

struct OnnxAttr {
  enum class Kind { f = 1, i = 2, s = 3, floats = 6, ints = 7, strings = 8 };  // AttributeType
  std::string name;
  Kind kind = Kind::i;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  static OnnxAttr make_int(std::string name, int64_t v);
  static OnnxAttr make_float(std::string name, double v);
  static OnnxAttr make_string(std::string name, std::string v);
  static OnnxAttr make_ints(std::string name, std::vector<int64_t> v);
  static OnnxAttr make_strings(std::string name, std::vector<std::string> v);
};

struct OnnxNode {
  std::string op_type, name;
  std::vector<std::string> inputs, outputs;  // "" for an omitted optional input
  std::vector<OnnxAttr> attrs;
};

// An initializer: little-endian raw_data of dims' row-major elements.
struct OnnxTensor {
  std::string name;
  int32_t elem_type = 1;
  std::vector<int64_t> dims;
  std::string raw;
};

// A graph input or output: a tensor type whose dimensions are a size (>= 0), a named
// symbolic size (param, e.g. "batch"), or unknown (size -1, param empty).
struct OnnxValueInfo {
  struct Dim {
    int64_t size = -1;
    std::string param;
  };
  std::string name;
  int32_t elem_type = 1;
  std::vector<Dim> dims;
};

struct OnnxGraph {
  std::string name;
  std::vector<OnnxNode> nodes;  // in topological order
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxValueInfo> inputs, outputs;
};

struct OnnxModelInfo {
  int64_t ir_version = 8;  // IR version 8 goes with opset 17 (ONNX 1.12)
  int64_t opset = 17;
  std::string producer_name = "keras-cpp", producer_version, doc_string;
};

// The bytes of a ModelProto holding graph.
std::string serialize_onnx_model(const OnnxGraph& graph, const OnnxModelInfo& info);

}  // namespace keras::saving::onnx
