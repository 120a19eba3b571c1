// export_archive.cpp - ExportArchive and LoadedArchive (core/export_archive.h): endpoints
// traced with their variable reads as inputs, and loaded endpoints that read the loaded
// variables at each call.
#include "core/export_archive.h"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/archive_file.h"
#include "core/atomic_file.h"
#include "core/dispatch.h"
#include "core/export_trace.h"
#include "core/function_call.h"
#include "core/graph_codec.h"
#include "core/graph_file.h"

namespace keras::core {
namespace {
[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

void check_name(const std::string& name, const char* what, const std::vector<std::string>& taken) {
  if (!archive_file::valid_name(name))
    fail(std::string("ExportArchive: ") + what + " name '" + name +
         "' is not valid: expected letters, digits and '_', not starting with a digit");
  for (const std::string& t : taken)
    if (t == name) fail(std::string("ExportArchive: ") + what + " name '" + name + "' is already taken");
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out.empty() ? std::string("none") : out;
}
}  // namespace

// ---- ExportArchive ----------------------------------------------------------------------------
struct ExportArchive::Impl {
  std::vector<Variable> variables;
  std::vector<archive_file::Collection> collections;
  std::vector<archive_file::Endpoint> endpoints;

  int index_of(const Variable& v) {
    for (size_t i = 0; i < variables.size(); ++i)
      if (variables[i].same_as(v)) return int(i);
    variables.push_back(v);
    return int(variables.size()) - 1;
  }
};

ExportArchive::ExportArchive() : impl_(std::make_unique<Impl>()) {}
ExportArchive::~ExportArchive() = default;
ExportArchive::ExportArchive(ExportArchive&&) noexcept = default;
ExportArchive& ExportArchive::operator=(ExportArchive&&) noexcept = default;

void ExportArchive::track(const std::vector<Variable>& variables) {
  for (size_t i = 0; i < variables.size(); ++i)
    if (!variables[i].defined()) fail("ExportArchive::track: variable " + std::to_string(i) + " is undefined");
  for (const Variable& v : variables) impl_->index_of(v);
}

void ExportArchive::add_endpoint(const std::string& name, const ExportBody& fn,
                                 const std::vector<TensorSpec>& input_signature) {
  check_name(name, "endpoint", endpoint_names());
  if (!fn) fail("ExportArchive: endpoint '" + name + "' has no function");
  export_trace::Traced t = export_trace::trace(fn, input_signature, export_trace::Reads::inputs,
                                               "ExportArchive: endpoint '" + name + "'");
  archive_file::Endpoint e{name, input_signature, {}, std::move(t.g)};
  for (const Variable& v : t.variables) e.variables.push_back(impl_->index_of(v));
  impl_->endpoints.push_back(std::move(e));
}

void ExportArchive::add_variable_collection(const std::string& name, const std::vector<Variable>& variables) {
  std::vector<std::string> taken;
  for (const auto& c : impl_->collections) taken.push_back(c.name);
  check_name(name, "variable collection", taken);
  for (size_t i = 0; i < variables.size(); ++i)
    if (!variables[i].defined())
      fail("ExportArchive: variable collection '" + name + "': variable " + std::to_string(i) + " is undefined");
  archive_file::Collection c{name, {}};
  for (const Variable& v : variables) c.variables.push_back(impl_->index_of(v));
  impl_->collections.push_back(std::move(c));
}

std::vector<std::string> ExportArchive::endpoint_names() const {
  std::vector<std::string> out;
  for (const auto& e : impl_->endpoints) out.push_back(e.name);
  return out;
}

std::vector<Variable> ExportArchive::variables() const { return impl_->variables; }

std::string ExportArchive::bytes() const {
  if (impl_->endpoints.empty())
    throw std::logic_error("ExportArchive: no endpoints have been added yet; call add_endpoint() first");
  archive_file::Archive a;
  std::vector<std::string> names;
  for (const Variable& v : impl_->variables) {
    // The variable's path, made unique in the archive ("dense/kernel", "dense/kernel_1").
    const std::string base = v.path().empty() ? std::string("variable") : v.path();
    std::string name = base;
    for (int k = 1; std::find(names.begin(), names.end(), name) != names.end(); ++k) name = base + "_" + std::to_string(k);
    names.push_back(name);
    a.variables.push_back({name, v.trainable(), v.current()});
  }
  a.collections = impl_->collections;
  a.endpoints = impl_->endpoints;
  return archive_file::write(a);
}

void ExportArchive::write_out(const std::string& path) const {
  const std::string b = bytes();
  AtomicFile file(path, "ExportArchive::write_out");
  file.write(b);
  file.commit();
}

// ---- LoadedArchive ----------------------------------------------------------------------------
namespace {
struct LoadedEndpoint {
  std::string name;
  std::vector<TensorSpec> signature;
  std::vector<int> variables;
  graph::Graph g;                                 // the signature's inputs, then the variables' values
  std::shared_ptr<function_call::CallGraph> call;  // its form recorded on tapes; null when none
};
}  // namespace

struct LoadedArchive::Impl {
  std::vector<Variable> variables;
  std::vector<archive_file::Collection> collections;
  std::vector<LoadedEndpoint> endpoints;
  std::shared_ptr<function_call::Stats> stats = std::make_shared<function_call::Stats>();

  const LoadedEndpoint& endpoint(const std::string& name) const {
    for (const auto& e : endpoints)
      if (e.name == name) return e;
    std::vector<std::string> names;
    for (const auto& e : endpoints) names.push_back(e.name);
    fail("LoadedArchive: no endpoint named '" + name + "'; the archive has " + joined(names));
  }
};

LoadedArchive::LoadedArchive() = default;
LoadedArchive::~LoadedArchive() = default;
LoadedArchive::LoadedArchive(LoadedArchive&&) noexcept = default;
LoadedArchive& LoadedArchive::operator=(LoadedArchive&&) noexcept = default;

namespace {
const LoadedArchive::Impl& impl_of(const std::unique_ptr<LoadedArchive::Impl>& p) {
  if (!p) fail("LoadedArchive: empty (nothing was loaded)");
  return *p;
}
}  // namespace

std::vector<Tensor> LoadedArchive::call(const std::string& endpoint, const std::vector<Tensor>& inputs) const {
  return call(endpoint, inputs, variables());
}

std::vector<Tensor> LoadedArchive::call(const std::string& endpoint, const std::vector<Tensor>& inputs,
                                        const std::vector<Variable>& variables) const {
  const Impl& im = impl_of(impl_);
  const LoadedEndpoint& e = im.endpoint(endpoint);
  const std::string what = "LoadedArchive: endpoint '" + endpoint + "'";
  graph_codec::check_inputs(e.signature, inputs, what);
  if (variables.size() != im.variables.size())
    fail(what + ": expected " + std::to_string(im.variables.size()) + " variables, but received " +
         std::to_string(variables.size()));
  for (size_t i = 0; i < variables.size(); ++i) {
    const Variable& v = variables[i];
    const Variable& own = im.variables[i];
    if (!v.defined() || v.dtype() != own.dtype() || v.shape() != own.shape())
      fail(what + ": expected variable " + std::to_string(i) + " ('" + own.name() + "') to be " +
           dtype_name(own.dtype()) + " " + own.shape().str() + ", but received " +
           (v.defined() ? std::string(dtype_name(v.dtype())) + " " + v.shape().str() : std::string("an undefined variable")));
  }
  std::vector<Tensor> in = inputs;
  for (int v : e.variables) in.push_back(variables[size_t(v)].value());  // tapes and traces see the reads
  // As a traced function's graph: one recorded node under a tape when it has that form;
  // otherwise its ops run through dispatch (recorded one by one, or joining a trace).
  if (tracing::t_tracer || autodiff::t_recording == 0 || !e.call) return graph::run(e.g, in);
  return function_call::run(e.call, in);
}

std::vector<DType> LoadedArchive::output_dtypes(const std::string& endpoint) const {
  const LoadedEndpoint& e = impl_of(impl_).endpoint(endpoint);
  std::vector<DType> out;
  for (int v : e.g.outputs) out.push_back(e.g.values[size_t(v)].dtype);
  return out;
}

std::vector<std::string> LoadedArchive::endpoint_names() const {
  std::vector<std::string> out;
  for (const auto& e : impl_of(impl_).endpoints) out.push_back(e.name);
  return out;
}
bool LoadedArchive::has_endpoint(const std::string& endpoint) const {
  for (const auto& e : impl_of(impl_).endpoints)
    if (e.name == endpoint) return true;
  return false;
}
const std::vector<TensorSpec>& LoadedArchive::signature(const std::string& endpoint) const {
  return impl_of(impl_).endpoint(endpoint).signature;
}
std::string LoadedArchive::graph_str(const std::string& endpoint) const { return impl_of(impl_).endpoint(endpoint).g.str(); }
const std::vector<Variable>& LoadedArchive::variables() const { return impl_of(impl_).variables; }
std::vector<Variable> LoadedArchive::trainable_variables() const {
  std::vector<Variable> out;
  for (const Variable& v : variables())
    if (v.trainable()) out.push_back(v);
  return out;
}
std::vector<Variable> LoadedArchive::non_trainable_variables() const {
  std::vector<Variable> out;
  for (const Variable& v : variables())
    if (!v.trainable()) out.push_back(v);
  return out;
}
Variable LoadedArchive::variable(const std::string& name) const {
  for (const Variable& v : variables())
    if (v.name() == name) return v;
  fail("LoadedArchive: no variable named '" + name + "'");
}
std::vector<std::string> LoadedArchive::variable_collection_names() const {
  std::vector<std::string> out;
  for (const auto& c : impl_of(impl_).collections) out.push_back(c.name);
  return out;
}
std::vector<Variable> LoadedArchive::variable_collection(const std::string& name) const {
  for (const auto& c : impl_of(impl_).collections)
    if (c.name == name) {
      std::vector<Variable> out;
      for (int i : c.variables) out.push_back(impl_->variables[size_t(i)]);
      return out;
    }
  fail("LoadedArchive: no variable collection named '" + name + "'; the archive has " +
       joined(variable_collection_names()));
}

LoadedArchive load_archive_bytes(std::string_view bytes, const std::string& what) {
  archive_file::Archive a;
  if (graph_file::is_graph_file(bytes)) {  // one endpoint, "serve", without variables
    graph_file::File f = graph_file::read(bytes, what);
    a.endpoints.push_back({"serve", std::move(f.signature), {}, std::move(f.g)});
  } else {
    a = archive_file::read(bytes, what);
  }
  LoadedArchive out;
  out.impl_ = std::make_unique<LoadedArchive::Impl>();
  LoadedArchive::Impl& im = *out.impl_;
  for (archive_file::Var& v : a.variables) {
    Variable var(v.value, v.name, v.trainable);
    var.set_path(v.name);
    im.variables.push_back(var);
  }
  im.collections = std::move(a.collections);
  for (archive_file::Endpoint& e : a.endpoints) {
    LoadedEndpoint le{std::move(e.name), std::move(e.signature), std::move(e.variables), std::move(e.g), nullptr};
    graph::optimize(le.g);
    le.call = function_call::make(le.g, im.stats, le.name);
    im.endpoints.push_back(std::move(le));
  }
  return out;
}

LoadedArchive load_archive(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("load_archive: cannot open '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_archive_bytes(ss.str(), "load_archive('" + path + "')");
}

}  // namespace keras::core
