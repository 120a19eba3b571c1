// plot_model.cpp - keras::utils::model_to_dot / plot_model (Keras 3's
// keras/src/utils/model_visualization.py: a node per layer, edges from the layers'
// inbound connections; subclassed or unbuilt models are a single node).
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <vector>

#include "keras/models/model.h"
#include "core/atomic_file.h"
#include "keras/utils/plot.h"

extern char** environ;

namespace keras::utils {

namespace {

void write_text(const std::string& path, const std::string& text, const char* who) {
  core::AtomicFile f(path, who);
  f.write(text);
  f.commit();
}

std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string node_label(const layers::Layer& l, const PlotModelOptions& o) {
  std::vector<std::string> lines;
  lines.push_back(o.show_layer_names ? l.name() + " (" + l.class_name() + ")" : l.class_name());
  if (o.show_layer_activations) {
    const Config c = l.get_config();
    if (const Value* a = c.find("activation"); a && a->type() == Value::Type::string) lines.push_back("Activation: " + a->as_string());
  }
  if (o.show_shapes) {
    std::string shapes;
    if (auto* in = dynamic_cast<const InputLayer*>(&l)) shapes = layers::shape_str(in->batch_shape());
    for (size_t i = 0; i < l.output_shapes().size() && shapes.empty(); ++i)
      shapes += (i ? ", " : "") + layers::shape_str(l.output_shapes()[i]);
    lines.push_back("Output shape: " + (shapes.empty() ? std::string("?") : shapes));
  }
  if (o.show_dtype) lines.push_back(std::string("Output dtype: ") + core::dtype_name(l.dtype()));
  if (o.show_trainable) lines.push_back(std::string("Trainable: ") + (l.trainable() ? "True" : "False"));
  std::string label;
  for (size_t i = 0; i < lines.size(); ++i) label += (i ? "\n" : "") + lines[i];
  return label;
}

}  // namespace

std::string model_to_dot(const Model& model, const PlotModelOptions& o) {
  if (o.rankdir != "TB" && o.rankdir != "LR")
    throw std::invalid_argument("plot_model: rankdir must be \"TB\" or \"LR\", but received \"" + o.rankdir + "\"");
  if (o.dpi <= 0) throw std::invalid_argument("plot_model: dpi must be > 0, but received " + std::to_string(o.dpi));
  std::string dot = "digraph " + quoted(model.name()) + " {\n  graph [rankdir=" + o.rankdir +
                    ", dpi=" + std::to_string(o.dpi) + ", concentrate=true];\n  node [shape=box, fontname=\"Helvetica\"];\n";
  auto node = [&](const layers::Layer& l) { dot += "  " + quoted(l.name()) + " [label=" + quoted(node_label(l, o)) + "];\n"; };
  auto edge = [&](const std::string& from, const std::string& to) { dot += "  " + quoted(from) + " -> " + quoted(to) + ";\n"; };
  const auto* functional = dynamic_cast<const FunctionalModel*>(&model);
  const auto* sequential = dynamic_cast<const SequentialModel*>(&model);
  std::vector<LayerPtr> ls = (functional || sequential) ? model.layers() : std::vector<LayerPtr>{};
  if (ls.empty()) {  // subclassed, or a Sequential with no layers: one node, as Keras
    node(model);
  } else if (functional) {
    for (const LayerPtr& l : ls) node(*l);
    // Edges from the functional config's inbound nodes: [[layer, node, tensor], ...].
    const Config c = model.get_config();
    std::map<std::pair<std::string, std::string>, bool> seen;
    for (const Value& e : c.at("layers").as_list())
      for (const Value& call : e.at("inbound_nodes").as_list())
        for (const Value& ref : call.as_list()) {
          const std::string from = ref.as_list().at(0).as_string(), to = e.at("name").as_string();
          if (!seen[{from, to}]) edge(from, to);
          seen[{from, to}] = true;
        }
  } else {
    for (size_t i = 0; i < ls.size(); ++i) {
      node(*ls[i]);
      if (i) edge(ls[i - 1]->name(), ls[i]->name());
    }
  }
  return dot + "}\n";
}

void plot_model(const Model& model, const std::string& path, const PlotModelOptions& o) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext != ".dot" && ext != ".png" && ext != ".svg" && ext != ".pdf")
    throw std::invalid_argument("plot_model: expected a path ending in .dot, .png, .svg or .pdf, but received '" + path + "'");
  const std::string dot = model_to_dot(model, o);
  if (ext == ".dot") {
    write_text(path, dot, "plot_model");
    return;
  }
  // dot -T<format> reads the DOT text from a temporary file next to the output.
  const std::string tmp = path + ".tmp.dot";
  write_text(tmp, dot, "plot_model");
  const std::string format = "-T" + ext.substr(1), out = "-o" + path;
  const char* argv[] = {"dot", format.c_str(), out.c_str(), tmp.c_str(), nullptr};
  pid_t pid;
  int rc = posix_spawnp(&pid, "dot", nullptr, nullptr, const_cast<char**>(argv), environ);
  int status = 0;
  if (rc == 0) waitpid(pid, &status, 0);
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  if (rc != 0)
    throw std::runtime_error("plot_model: writing '" + path + "' needs Graphviz's `dot` program (apt-get install graphviz): " +
                             std::strerror(rc) + "; a .dot path writes the DOT text without it");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("plot_model: Graphviz's `dot` failed to write '" + path + "' (exit status " +
                             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
}

}  // namespace keras::utils
