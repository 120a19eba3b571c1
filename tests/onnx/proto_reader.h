// proto_reader.h - a small protobuf wire-format reader for the tests: decodes the ONNX
// fields that keras-cpp writes (ModelProto, GraphProto, NodeProto, AttributeProto,
// TensorProto, ValueInfoProto; field numbers from onnx.proto), independently of the
// writer in keras/saving/onnx_proto.cpp. Malformed bytes fail the test.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace pr {

struct Field {
  uint32_t number = 0, wire = 0;
  uint64_t varint = 0;     // wire types 0 and 5
  std::string_view bytes;  // wire type 2
};

inline uint64_t read_varint(std::string_view s, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    REQUIRE_MESSAGE(pos < s.size(), "truncated varint");
    const auto byte = static_cast<uint8_t>(s[pos++]);
    v |= uint64_t(byte & 0x7F) << shift;
    if (!(byte & 0x80)) return v;
  }
  FAIL("varint longer than 10 bytes");
  return 0;
}

inline std::vector<Field> fields(std::string_view s) {
  std::vector<Field> out;
  size_t pos = 0;
  while (pos < s.size()) {
    const uint64_t key = read_varint(s, pos);
    Field f;
    f.number = uint32_t(key >> 3);
    f.wire = uint32_t(key & 7);
    if (f.wire == 0) {
      f.varint = read_varint(s, pos);
    } else if (f.wire == 2) {
      const uint64_t n = read_varint(s, pos);
      REQUIRE_MESSAGE(n <= s.size() - pos, "length past the end");
      f.bytes = s.substr(pos, size_t(n));
      pos += size_t(n);
    } else if (f.wire == 5) {
      REQUIRE(pos + 4 <= s.size());
      uint32_t u;
      std::memcpy(&u, s.data() + pos, 4);
      f.varint = u;
      pos += 4;
    } else {
      FAIL("unexpected wire type " << f.wire);
    }
    out.push_back(f);
  }
  return out;
}

inline std::vector<int64_t> packed(std::string_view s) {
  std::vector<int64_t> v;
  size_t pos = 0;
  while (pos < s.size()) v.push_back(int64_t(read_varint(s, pos)));
  return v;
}

struct Attr {
  std::string name;
  int64_t type = 0, i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};
struct Node {
  std::string op, name;
  std::vector<std::string> inputs, outputs;
  std::vector<Attr> attrs;
  const Attr* attr(const std::string& n) const {
    for (const Attr& a : attrs)
      if (a.name == n) return &a;
    return nullptr;
  }
};
struct TensorP {
  std::string name, raw;
  int64_t type = 0;
  std::vector<int64_t> dims;
};
struct Dim {
  int64_t value = -1;
  std::string param;
};
struct ValueInfo {
  std::string name;
  int64_t elem = 0;
  std::vector<Dim> dims;
};
struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<TensorP> inits;
  std::vector<ValueInfo> inputs, outputs;
  const TensorP* init(const std::string& n) const {
    for (const TensorP& t : inits)
      if (t.name == n) return &t;
    return nullptr;
  }
  std::vector<std::string> ops() const {
    std::vector<std::string> v;
    for (const Node& n : nodes) v.push_back(n.op);
    return v;
  }
};
struct Model {
  int64_t ir_version = 0;
  std::string producer;
  std::vector<std::pair<std::string, int64_t>> opsets;
  Graph graph;
};

inline ValueInfo value_info(std::string_view s) {
  ValueInfo v;
  for (const Field& f : fields(s)) {
    if (f.number == 1) v.name = std::string(f.bytes);
    if (f.number != 2) continue;
    for (const Field& t : fields(f.bytes)) {  // TypeProto
      REQUIRE_MESSAGE(t.number == 1, "expected a tensor type");
      for (const Field& tt : fields(t.bytes)) {  // TypeProto.Tensor
        if (tt.number == 1) v.elem = int64_t(tt.varint);
        if (tt.number == 2)
          for (const Field& d : fields(tt.bytes)) {  // TensorShapeProto.dim
            Dim dim;
            for (const Field& x : fields(d.bytes)) {
              if (x.number == 1) dim.value = int64_t(x.varint);
              if (x.number == 2) dim.param = std::string(x.bytes);
            }
            v.dims.push_back(dim);
          }
      }
    }
  }
  return v;
}

inline Node node(std::string_view s) {
  Node n;
  for (const Field& f : fields(s)) {
    if (f.number == 1) n.inputs.emplace_back(f.bytes);
    if (f.number == 2) n.outputs.emplace_back(f.bytes);
    if (f.number == 3) n.name = std::string(f.bytes);
    if (f.number == 4) n.op = std::string(f.bytes);
    if (f.number != 5) continue;
    Attr a;
    for (const Field& x : fields(f.bytes)) {
      if (x.number == 1) a.name = std::string(x.bytes);
      if (x.number == 20) a.type = int64_t(x.varint);
      if (x.number == 3) a.i = int64_t(x.varint);
      if (x.number == 4) a.s = std::string(x.bytes);
      if (x.number == 8) a.ints = packed(x.bytes);
      if (x.number == 9) a.strings.emplace_back(x.bytes);
      if (x.number == 2) {
        const auto u = uint32_t(x.varint);
        std::memcpy(&a.f, &u, 4);
      }
    }
    n.attrs.push_back(a);
  }
  return n;
}

inline Model model(std::string_view bytes) {
  Model m;
  for (const Field& f : fields(bytes)) {
    if (f.number == 1) m.ir_version = int64_t(f.varint);
    if (f.number == 2) m.producer = std::string(f.bytes);
    if (f.number == 8) {
      std::pair<std::string, int64_t> o;
      for (const Field& x : fields(f.bytes)) {
        if (x.number == 1) o.first = std::string(x.bytes);
        if (x.number == 2) o.second = int64_t(x.varint);
      }
      m.opsets.push_back(o);
    }
    if (f.number != 7) continue;
    for (const Field& g : fields(f.bytes)) {
      if (g.number == 1) m.graph.nodes.push_back(node(g.bytes));
      if (g.number == 2) m.graph.name = std::string(g.bytes);
      if (g.number == 11) m.graph.inputs.push_back(value_info(g.bytes));
      if (g.number == 12) m.graph.outputs.push_back(value_info(g.bytes));
      if (g.number == 5) {
        TensorP t;
        for (const Field& x : fields(g.bytes)) {
          if (x.number == 1) t.dims = packed(x.bytes);
          if (x.number == 2) t.type = int64_t(x.varint);
          if (x.number == 8) t.name = std::string(x.bytes);
          if (x.number == 9) t.raw = std::string(x.bytes);
        }
        m.graph.inits.push_back(t);
      }
    }
  }
  return m;
}

}  // namespace pr
