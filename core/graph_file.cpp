// graph_file.cpp - the graph file format of core/export.h, and the codec it shares with
// archives (core/graph_codec.h): writing, and reading with every count, id, shape and size
// checked, then a trace of the graph to check its ops.
#include "core/graph_file.h"

#include <array>
#include <cstring>
#include <stdexcept>

#include "core/compression.h"
#include "core/graph_codec.h"
#include "core/tensor_impl.h"

namespace keras::core::graph_codec {

using graph::Node;
using graph::NodeKind;
using tracing::Subgraph;

void Writer::attrs(const Attrs& a, int depth) {
  ints(a.axes);
  ints(a.shape);
  ints(a.begin);
  ints(a.end);
  ints(a.strides);
  i64(a.axis);
  i64(a.k);
  f64(a.alpha);
  f64(a.beta);
  f64(a.gamma);
  u8(uint8_t(a.keepdims | (a.flag << 1) | (a.flag2 << 2)));
  u8(uint8_t(a.dtype));
  u8(uint8_t(a.device.kind));
  u32(uint32_t(a.device.index));
  u32(uint32_t(a.resources.size()));
  for (const auto& r : a.resources) {  // freeze() left only subgraphs
    const auto& s = dynamic_cast<const Subgraph&>(*r);
    u32(uint32_t(s.explicit_inputs));
    u32(uint32_t(s.captures.size()));
    graph(s.g, depth + 1);
  }
}

void Writer::graph(const Graph& g, int depth) {
  if (depth > kMaxDepth) fail("export: control flow nested too deeply");
  u32(uint32_t(g.num_inputs));
  u32(uint32_t(g.values.size()));
  for (const auto& v : g.values) {
    u8(uint8_t(v.dtype));
    ints(v.shape.dims());
  }
  u32(uint32_t(g.nodes.size()));
  for (const Node& n : g.nodes) {
    u8(uint8_t(n.kind));
    if (n.kind == NodeKind::Input) {
      u32(uint32_t(n.input_index));
    } else if (n.kind == NodeKind::Constant) {
      tensor(n.constant);
    } else {
      str(op_name(n.op));
      attrs(n.attrs, depth);
      u32(uint32_t(n.inputs.size()));
      for (int v : n.inputs) u32(uint32_t(v));
      u8(n.redraw_seed);
    }
    u32(uint32_t(n.outputs.size()));
    for (int v : n.outputs) u32(uint32_t(v));
  }
  u32(uint32_t(g.outputs.size()));
  for (int v : g.outputs) u32(uint32_t(v));
}

Attrs Reader::attrs(int depth) {
  Attrs a;
  a.axes = ints();
  a.shape = ints();
  a.begin = ints();
  a.end = ints();
  a.strides = ints();
  a.axis = i64();
  a.k = i64();
  a.alpha = f64();
  a.beta = f64();
  a.gamma = f64();
  const uint8_t flags = u8();
  a.keepdims = flags & 1;
  a.flag = flags & 2;
  a.flag2 = flags & 4;
  a.dtype = dtype();
  const uint8_t kind = u8();
  if (kind >= Device::kNumKinds) bad("unknown device kind");
  a.device.kind = Device::Kind(kind);
  const uint32_t device_index = u32();
  if (device_index > 1024) bad("device index out of range");
  a.device.index = int(device_index);
  const uint32_t nres = count(8, "subgraphs");
  for (uint32_t i = 0; i < nres; ++i) {
    auto s = std::make_shared<Subgraph>();
    const uint32_t explicit_inputs = u32();
    // (a while_loop's body gradient takes the vars, the body's captures and the vars'
    // gradients)
    if (explicit_inputs > 3 * uint32_t(kMaxOutputs)) bad("a subgraph has too many inputs");
    s->explicit_inputs = int(explicit_inputs);
    const uint32_t ncap = count(0, "captures");
    if (ncap > uint32_t(kMaxOutputs) * 2) bad("too many captures");
    s->captures.assign(ncap, Tensor());
    s->g = graph(depth + 1);
    if (s->g.num_inputs != s->explicit_inputs + int(ncap)) bad("a subgraph's inputs do not match its captures");
    a.resources.push_back(s);
  }
  return a;
}

Graph Reader::graph(int depth) {
  if (depth > kMaxDepth) bad("control flow nested too deeply");
  Graph g;
  const uint32_t num_inputs = count(0, "inputs");
  if (num_inputs > 1024) bad("too many inputs");
  g.num_inputs = int(num_inputs);
  const uint32_t nv = count(5, "values");
  for (uint32_t i = 0; i < nv; ++i) {
    const DType d = dtype();
    g.values.push_back(graph::ValueInfo{shape(), d, Device::cpu()});
  }
  std::vector<char> defined(nv, 0);
  auto value_id = [&](bool as_output) {
    const uint32_t v = u32();
    if (v >= nv) bad("value id " + std::to_string(v) + " out of range");
    if (as_output) {
      if (defined[v]) bad("value %" + std::to_string(v) + " is made twice");
      defined[v] = 1;
    } else if (!defined[v]) {
      bad("value %" + std::to_string(v) + " is used before it is made");
    }
    return int(v);
  };
  const uint32_t nn = count(5, "nodes");
  for (uint32_t i = 0; i < nn; ++i) {
    Node n;
    const uint8_t kind = u8();
    if (kind > uint8_t(NodeKind::Op)) bad("unknown node kind");
    n.kind = NodeKind(kind);
    if (n.kind == NodeKind::Input) {
      const uint32_t index = u32();
      if (index >= uint32_t(g.num_inputs)) bad("input index out of range");
      n.input_index = int(index);
    } else if (n.kind == NodeKind::Constant) {
      n.constant = tensor();
    } else {
      n.op = op();
      const unsigned flags = op_def(n.op).flags;
      const bool control_flow = n.op == OpId::Cond || n.op == OpId::While || n.op == OpId::WhileGrad;
      if (n.op == OpId::HostFunction || n.op == OpId::FusedElementwise || n.op == OpId::FusedMatMul ||
          n.op == OpId::FusedConv ||
          ((flags & kWritesState) && !control_flow) || (flags & kReadsState))
        bad(std::string("op ") + op_name(n.op) + " cannot appear in an exported graph");
      n.attrs = attrs(depth);
      if (!n.attrs.resources.empty() && !control_flow) bad(std::string("op ") + op_name(n.op) + " has subgraphs");
      if (control_flow && n.attrs.resources.size() != (n.op == OpId::WhileGrad ? 3u : 2u))
        bad(std::string(op_name(n.op)) + (n.op == OpId::WhileGrad ? " needs three subgraphs" : " needs two subgraphs"));
      const uint32_t ni = count(4, "node inputs");
      for (uint32_t k = 0; k < ni; ++k) n.inputs.push_back(value_id(false));
      n.redraw_seed = u8() != 0;
    }
    const uint32_t no = count(4, "node outputs");
    if (no > uint32_t(kMaxOutputs)) bad("a node has too many outputs");
    if (n.kind != NodeKind::Op && no != 1) bad("an input or constant node has one output");
    for (uint32_t k = 0; k < no; ++k) n.outputs.push_back(value_id(true));
    if (n.kind == NodeKind::Constant) {
      const auto& v = g.values[size_t(n.outputs[0])];
      if (v.dtype != n.constant.dtype() || v.shape != n.constant.shape()) bad("a constant's shape does not match its value");
    }
    g.nodes.push_back(std::move(n));
  }
  const uint32_t nout = count(4, "outputs");
  if (nout == 0) bad("the graph has no outputs");
  for (uint32_t k = 0; k < nout; ++k) g.outputs.push_back(value_id(false));
  return g;
}

// A loaded graph is checked before it can run: the bytes its values take at the
// recorded shapes are bounded, and a trace of it (the ops' checks and shape rules, no
// kernels, no memory) must give the recorded shapes and dtypes, subgraphs included.
constexpr uint64_t kMaxValueBytes = uint64_t(1) << 32;

void validate(const Graph& g, const Reader& r, uint64_t& bytes) {
  for (const auto& v : g.values) {
    const uint64_t n = uint64_t(v.shape.num_elements());
    if (n > (kMaxValueBytes - bytes) / dtype_size(v.dtype))
      r.bad("its values would take more than 4 GiB at the recorded shapes");
    bytes += n * dtype_size(v.dtype);
  }
  tracing::Tracer t;
  t.allow_variables = false;
  std::vector<Tensor> vals(g.values.size());
  tracing::Scope scope(t, /*isolated=*/true);
  for (const Node& n : g.nodes) {
    if (n.kind == NodeKind::Input) {
      const auto& v = g.values[size_t(n.outputs[0])];
      vals[size_t(n.outputs[0])] = placeholder(v.shape, v.dtype);
      continue;
    }
    if (n.kind == NodeKind::Constant) {
      vals[size_t(n.outputs[0])] = n.constant;
      continue;
    }
    for (const auto& res : n.attrs.resources) validate(static_cast<const Subgraph&>(*res).g, r, bytes);
    std::vector<Tensor> in;
    for (int v : n.inputs) in.push_back(vals[size_t(v)]);
    std::array<Tensor, kMaxOutputs> out;
    try {
      out = dispatch_multi(n.op, in, n.attrs);
    } catch (const std::exception& e) {
      r.bad(std::string("node ") + op_name(n.op) + ": " + e.what());
    }
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      const auto& v = g.values[size_t(n.outputs[k])];
      if (!out[k].defined() || out[k].shape() != v.shape || out[k].dtype() != v.dtype)
        r.bad(std::string("node ") + op_name(n.op) + " makes " +
              (out[k].defined() ? std::string(dtype_name(out[k].dtype())) + " " + out[k].shape().str() : "nothing") +
              " where the file says " + dtype_name(v.dtype) + " " + v.shape.str());
      vals[size_t(n.outputs[k])] = out[k];
    }
  }
}

void write_signature(Writer& w, const std::vector<TensorSpec>& sig) {
  w.u32(uint32_t(sig.size()));
  for (const auto& s : sig) {
    w.u8(uint8_t(s.dtype));
    w.ints(s.shape);
  }
}

std::vector<TensorSpec> read_signature(Reader& r) {
  std::vector<TensorSpec> sig;
  const uint32_t n = r.count(5, "signature entries");
  for (uint32_t i = 0; i < n; ++i) {
    TensorSpec s;
    s.dtype = r.dtype();
    s.shape = r.dims(true);
    sig.push_back(std::move(s));
  }
  return sig;
}

namespace {
std::string spec_str(const TensorSpec& s) {
  std::string out = std::string(dtype_name(s.dtype)) + " (";
  for (size_t i = 0; i < s.shape.size(); ++i)
    out += (i ? ", " : "") + (s.shape[i] < 0 ? std::string("None") : std::to_string(s.shape[i]));
  return out + (s.shape.size() == 1 ? ",)" : ")");
}
}  // namespace

void check_inputs(const std::vector<TensorSpec>& sig, const std::vector<Tensor>& inputs, const std::string& what) {
  if (inputs.size() != sig.size())
    fail(what + ": expected " + std::to_string(sig.size()) + " inputs, but received " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    bool ok = x.defined() && x.dtype() == sig[i].dtype && x.rank() == int64_t(sig[i].shape.size());
    for (size_t d = 0; ok && d < sig[i].shape.size(); ++d) ok = sig[i].shape[d] < 0 || sig[i].shape[d] == x.shape()[int64_t(d)];
    if (!ok)
      fail(what + ": expected input " + std::to_string(i) + " to be " + spec_str(sig[i]) + ", but received " +
           (x.defined() ? std::string(dtype_name(x.dtype())) + " " + x.shape().str() : std::string("an undefined tensor")));
  }
}

std::string with_header(const char (&magic)[8], uint32_t version, const std::string& payload) {
  Writer file;
  file.out.append(magic, 8);
  file.u32(version);
  file.raw(uint64_t(payload.size()));
  file.u32(compression::crc32(0, payload.data(), payload.size()));
  return file.out + payload;
}

Reader open_payload(std::string_view bytes, const char (&magic)[8], uint32_t version, const std::string& kind,
                    const std::string& what) {
  if (bytes.size() < kHeader || std::memcmp(bytes.data(), magic, 8) != 0)
    fail(what + ": not a keras-cpp " + kind + " (bad magic number)");
  Reader h{bytes.data() + 8, kHeader - 8, what};
  const uint32_t v = h.u32();
  if (v != version)
    fail(what + ": " + kind + " format version " + std::to_string(v) + " is not supported (this build reads " +
         std::to_string(version) + ")");
  const uint64_t size = h.raw<uint64_t>();
  const uint32_t crc = h.u32();
  if (size != bytes.size() - kHeader) fail(what + ": corrupt " + kind + ": the payload size does not match the file");
  const char* payload = bytes.data() + kHeader;
  if (compression::crc32(0, payload, size_t(size)) != crc) fail(what + ": corrupt " + kind + ": checksum mismatch");
  return Reader{payload, size_t(size), what};
}

}  // namespace keras::core::graph_codec

namespace keras::core::graph_file {
namespace {
using namespace graph_codec;
constexpr char kMagic[8] = {'K', 'C', 'P', 'P', 'G', 'R', 'A', 'F'};
constexpr uint32_t kVersion = 1;
}  // namespace

std::string write(const Graph& g, const std::vector<TensorSpec>& signature) {
  Writer payload;
  write_signature(payload, signature);
  payload.graph(g, 0);
  return with_header(kMagic, kVersion, payload.out);
}

File read(std::string_view bytes, const std::string& what) {
  Reader r = open_payload(bytes, kMagic, kVersion, "graph file", what);
  File f;
  f.signature = read_signature(r);
  f.g = r.graph(0);
  if (f.g.num_inputs != int(f.signature.size())) r.bad("the graph's inputs do not match the signature");
  if (r.left != 0) r.bad("trailing bytes");
  uint64_t value_bytes = 0;
  validate(f.g, r, value_bytes);
  return f;
}

bool is_graph_file(std::string_view bytes) { return bytes.size() >= 8 && std::memcmp(bytes.data(), kMagic, 8) == 0; }

}  // namespace keras::core::graph_file
