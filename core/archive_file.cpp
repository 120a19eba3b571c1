// archive_file.cpp - the archive format of core/export_archive.h, on the graph codec
// (core/graph_codec.h).
#include "core/archive_file.h"

#include <set>

#include "core/graph_codec.h"

namespace keras::core::archive_file {
namespace {
using namespace graph_codec;
constexpr char kMagic[8] = {'K', 'C', 'P', 'P', 'A', 'R', 'C', 'H'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kMaxEntries = 1 << 20;  // variables, collections or endpoints

std::vector<int> read_indices(Reader& r, size_t num_variables, const char* of) {
  const uint32_t n = r.count(4, of);
  std::vector<int> out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t v = r.u32();
    if (v >= num_variables) r.bad(std::string("variable index ") + std::to_string(v) + " out of range in " + of);
    out.push_back(int(v));
  }
  return out;
}

std::string read_name(Reader& r, std::set<std::string>& taken, const char* of) {
  std::string name = r.str();
  if (!valid_name(name)) r.bad(std::string("invalid ") + of + " name");
  if (!taken.insert(name).second) r.bad(std::string(of) + " name '" + name + "' appears twice");
  return name;
}
}  // namespace

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 256 || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string write(const Archive& a) {
  Writer w;
  w.u32(uint32_t(a.variables.size()));
  for (const Var& v : a.variables) {
    w.str(v.name);
    w.u8(v.trainable);
    w.tensor(v.value);
  }
  w.u32(uint32_t(a.collections.size()));
  for (const Collection& c : a.collections) {
    w.str(c.name);
    w.u32(uint32_t(c.variables.size()));
    for (int i : c.variables) w.u32(uint32_t(i));
  }
  w.u32(uint32_t(a.endpoints.size()));
  for (const Endpoint& e : a.endpoints) {
    w.str(e.name);
    write_signature(w, e.signature);
    w.u32(uint32_t(e.variables.size()));
    for (int i : e.variables) w.u32(uint32_t(i));
    w.graph(e.g, 0);
  }
  return with_header(kMagic, kVersion, w.out);
}

Archive read(std::string_view bytes, const std::string& what) {
  Reader r = open_payload(bytes, kMagic, kVersion, "archive", what);
  r.kind = "archive";
  Archive a;
  const uint32_t nv = r.count(4 + 1 + 13, "variables");
  if (nv > kMaxEntries) r.bad("too many variables");
  std::set<std::string> names;
  for (uint32_t i = 0; i < nv; ++i) {
    Var v;
    v.name = r.str();
    if (v.name.empty() || v.name.size() > 4096) r.bad("a variable name is empty or too long");
    if (!names.insert(v.name).second) r.bad("variable name '" + v.name + "' appears twice");
    const uint8_t trainable = r.u8();
    if (trainable > 1) r.bad("a variable's trainable flag is neither 0 nor 1");
    v.trainable = trainable == 1;
    v.value = r.tensor();
    a.variables.push_back(std::move(v));
  }
  const uint32_t nc = r.count(8, "variable collections");
  std::set<std::string> collection_names;
  for (uint32_t i = 0; i < nc; ++i) {
    Collection c;
    c.name = read_name(r, collection_names, "variable collection");
    c.variables = read_indices(r, a.variables.size(), "a variable collection");
    a.collections.push_back(std::move(c));
  }
  const uint32_t ne = r.count(4 + 4 + 4 + 16, "endpoints");
  if (ne == 0) r.bad("the archive has no endpoints");
  std::set<std::string> endpoint_names;
  for (uint32_t i = 0; i < ne; ++i) {
    Endpoint e;
    e.name = read_name(r, endpoint_names, "endpoint");
    e.signature = read_signature(r);
    e.variables = read_indices(r, a.variables.size(), "an endpoint's variables");
    e.g = r.graph(0);
    if (e.g.num_inputs != int(e.signature.size() + e.variables.size()))
      r.bad("endpoint '" + e.name + "': the graph's inputs do not match its signature and variables");
    a.endpoints.push_back(std::move(e));
  }
  if (r.left != 0) r.bad("trailing bytes");
  uint64_t value_bytes = 0;
  for (const Endpoint& e : a.endpoints) {
    // The inputs that take variables have the variables' dtypes and shapes.
    for (const graph::Node& n : e.g.nodes) {
      if (n.kind != graph::NodeKind::Input || n.input_index < int(e.signature.size())) continue;
      const Tensor& v = a.variables[size_t(e.variables[size_t(n.input_index) - e.signature.size()])].value;
      const graph::ValueInfo& info = e.g.values[size_t(n.outputs[0])];
      if (info.dtype != v.dtype() || info.shape != v.shape())
        r.bad("endpoint '" + e.name + "': a variable input's dtype or shape does not match the variable");
    }
    validate(e.g, r, value_bytes);
  }
  return a;
}

}  // namespace keras::core::archive_file
