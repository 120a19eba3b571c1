// graph_codec.h - (engine-internal) the byte codec of graph files (core/graph_file.h)
// and archives (core/export_archive.h): a little-endian writer, a reader that checks every
// count and size against the bytes left, and the check of a loaded graph by a trace.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/export.h"
#include "core/graph.h"

namespace keras::core::graph_codec {

using graph::Graph;

constexpr int kMaxDepth = 16;  // nesting of cond / while_loop subgraphs

[[noreturn]] inline void fail(const std::string& msg) { throw std::invalid_argument(msg); }

/// Appends values to `out` (little-endian; strings and lists with a u32 count).
struct Writer {
  std::string out;
  template <class T> void raw(T v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void u8(uint8_t v) { raw(v); }
  void u32(uint32_t v) { raw(v); }
  void i64(int64_t v) { raw(v); }
  void f64(double v) { raw(v); }
  void str(const std::string& s) {
    u32(uint32_t(s.size()));
    out += s;
  }
  void ints(const std::vector<int64_t>& v) {
    u32(uint32_t(v.size()));
    for (int64_t x : v) i64(x);
  }
  void tensor(const Tensor& t) {
    Tensor c = t.cpu();
    u8(uint8_t(c.dtype()));
    ints(c.shape().dims());
    i64(int64_t(c.nbytes()));
    out.append(static_cast<const char*>(c.raw_data()), c.nbytes());
  }
  void attrs(const Attrs& a, int depth);
  void graph(const Graph& g, int depth);
};

/// Reads what Writer writes; every count and size is checked against the bytes left, and
/// a failure raises std::invalid_argument "<what>: corrupt graph file: ...".
struct Reader {
  const char* p;
  size_t left;
  std::string what;
  const char* kind = "graph file";  // the format, in errors
  [[noreturn]] void bad(const std::string& msg) const { fail(what + ": corrupt " + kind + ": " + msg); }
  template <class T> T raw() {
    if (left < sizeof(T)) bad("truncated");
    T v;
    std::memcpy(&v, p, sizeof v);
    p += sizeof v;
    left -= sizeof v;
    return v;
  }
  uint8_t u8() { return raw<uint8_t>(); }
  uint32_t u32() { return raw<uint32_t>(); }
  int64_t i64() { return raw<int64_t>(); }
  double f64() { return raw<double>(); }
  uint32_t count(size_t min_bytes_each, const char* of) {
    const uint32_t n = u32();
    if (min_bytes_each && n > left / min_bytes_each) bad(std::string("a count of ") + of + " exceeds the file");
    return n;
  }
  std::string str() {
    const uint32_t n = count(1, "characters");
    std::string s(p, n);
    p += n;
    left -= n;
    return s;
  }
  std::vector<int64_t> ints() {
    const uint32_t n = count(8, "integers");
    std::vector<int64_t> v(n);
    for (auto& x : v) x = i64();
    return v;
  }
  DType dtype() {
    const uint8_t d = u8();
    if (d >= kNumDTypes) bad("unknown dtype " + std::to_string(d));
    if (DType(d) == DType::string) bad("a string tensor (graphs hold no string tensors)");
    return DType(d);
  }
  // Dimensions (-1 allowed where a signature accepts any size); their product must fit.
  std::vector<int64_t> dims(bool allow_unknown) {
    std::vector<int64_t> d = ints();
    std::vector<int64_t> known = d;
    for (int64_t& x : known) {
      if (x < (allow_unknown ? -1 : 0)) bad("negative dimension " + std::to_string(x));
      x = x < 0 ? 1 : x;
    }
    try {
      (void)Shape(known).num_elements();
    } catch (const std::exception&) {
      bad("a shape's element count overflows");
    }
    return d;
  }
  Shape shape() { return Shape(dims(false)); }
  Tensor tensor() {
    const DType d = dtype();
    const Shape s = shape();
    const int64_t nbytes = i64();
    if (uint64_t(s.num_elements()) > left / dtype_size(d)) bad("a constant exceeds the file");
    if (nbytes < 0 || uint64_t(nbytes) != uint64_t(s.num_elements()) * dtype_size(d))
      bad("a constant's byte size does not match its shape");
    if (uint64_t(nbytes) > left) bad("a constant exceeds the file");
    Tensor t = empty(s, d);  // aligned storage (the bytes in the file may not be)
    if (nbytes) std::memcpy(t.raw_mutable_data(), p, size_t(nbytes));
    if (d == DType::bool_) {  // any nonzero byte is true; kernels read canonical 0 / 1 bools
      auto* b = static_cast<unsigned char*>(t.raw_mutable_data());
      for (int64_t i = 0; i < nbytes; ++i) b[i] = b[i] != 0;
    }
    p += nbytes;
    left -= size_t(nbytes);
    return t;
  }
  OpId op() {
    const std::string name = str();
    for (int i = 0; i < kNumOps; ++i)
      if (name == op_name(OpId(i))) return OpId(i);
    bad("unknown op '" + name + "'");
  }
  Attrs attrs(int depth);
  Graph graph(int depth);
};

/// Checks a graph read by Reader::graph: its values' bytes at the recorded shapes are
/// bounded (with `bytes`, summed over the graphs of one file), and a trace of it (the
/// ops' checks and shape rules, no kernels) gives the recorded shapes and dtypes.
void validate(const Graph& g, const Reader& r, uint64_t& bytes);

/// A signature: a u32 count, then each spec's dtype and dimensions (-1: any size).
void write_signature(Writer& w, const std::vector<TensorSpec>& sig);
/// Reads what write_signature wrote.
std::vector<TensorSpec> read_signature(Reader& r);

/// Raises std::invalid_argument "<what>: expected input i to be float32 (None, 3), but
/// received ..." unless the inputs match the signature (count, dtype, rank, given sizes).
void check_inputs(const std::vector<TensorSpec>& sig, const std::vector<Tensor>& inputs, const std::string& what);

/// The file header: magic (8 bytes), format version (u32), payload size (u64), CRC-32 of
/// the payload (u32).
constexpr size_t kHeader = 8 + 4 + 8 + 4;
/// The magic, version and checksum in front of a payload.
std::string with_header(const char (&magic)[8], uint32_t version, const std::string& payload);
/// Checks the header (magic, version, size, checksum) and returns a Reader on the payload;
/// `kind` names the format in errors ("graph file").
Reader open_payload(std::string_view bytes, const char (&magic)[8], uint32_t version, const std::string& kind,
                    const std::string& what);

}  // namespace keras::core::graph_codec
