// file_editor.cpp - KerasFileEditor: a weights file as a tree, its edits, its comparison
// with a model, and its writing back.
#include "keras/saving/file_editor.h"

#include <cstdio>
#include <functional>
#include <set>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "keras/models/model.h"
#include "keras/saving/format.h"
#include "keras/saving/h5_file.h"
#include "keras/saving/keras_weights.h"
#include "keras/saving/zip_archive.h"

namespace keras::saving {
using Node = KerasFileEditor::Node;

namespace {
bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '/'))
    if (!part.empty()) out.push_back(part);
  return out;
}

// The tree of an HDF5 file's datasets: "a/vars/0" becomes a -> 0 (Keras folds "vars").
Node tree_of(const detail::H5Contents& h5) {
  Node root;
  for (const auto& [path, value] : h5.datasets) {
    Node* n = &root;
    const std::vector<std::string> parts = split_path(path);
    for (size_t i = 0; i + 1 < parts.size(); ++i)
      if (parts[i] != "vars") n = &n->children[parts[i]];
    n->children[parts.back()].value = value;
  }
  return root;
}

// The datasets of a tree, each object's weights in its "vars" group (the root's at
// "vars/<name>"), in the tree's order.
void datasets_of(const Node& n, const std::string& path, std::vector<std::pair<std::string, Tensor>>& out) {
  for (const auto& [name, child] : n.children)
    if (child.is_weight()) out.emplace_back((path.empty() ? "" : path + "/") + "vars/" + name, child.value);
  for (const auto& [name, child] : n.children)
    if (!child.is_weight()) datasets_of(child, path.empty() ? name : path + "/" + name, out);
}

std::string shape_text(const Tensor& t) {
  std::string s = "(";
  const auto& d = t.shape().dims();
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + (d.size() == 1 ? ",)" : ")");
}

void print_tree(const Node& n, int depth, std::string& out) {
  for (const auto& [name, child] : n.children) {
    out += std::string(size_t(depth) * 4, ' ');
    if (child.is_weight())
      out += name + ": shape=" + shape_text(child.value) + ", dtype=" + core::dtype_name(child.value.dtype()) + "\n";
    else
      out += name + "/\n", print_tree(child, depth + 1, out);
  }
}

// How many objects named `name` the tree holds (at any depth).
int occurrences(const Node& n, const std::string& name) {
  int count = 0;
  for (const auto& [k, child] : n.children)
    if (!child.is_weight()) count += (k == name) + occurrences(child, name);
  return count;
}

// Keras's _compare: each entry of `ref` missing from `target` or of another shape.
void compare_into(const Node& target, const Node& ref, const std::string& base, const char* target_name,
                  const char* ref_name, KerasFileEditor::Comparison& c, std::set<std::string>& checked, bool count_matches) {
  for (const auto& [key, r] : ref.children) {
    const std::string path = base + "/" + key;
    if (checked.count(path)) continue;
    const auto it = target.children.find(key);
    if (it == target.children.end() || it->second.is_weight() != r.is_weight()) {
      ++c.error_count;
      checked.insert(path);
      c.messages.push_back(std::string(r.is_weight() ? "Weight " : "Object ") + path + " present in " + ref_name +
                           ", missing from " + target_name);
    } else if (!r.is_weight()) {
      compare_into(it->second, r, path, target_name, ref_name, c, checked, count_matches);
    } else if (it->second.value.shape() != r.value.shape()) {
      ++c.error_count;
      checked.insert(path);
      c.messages.push_back("Weight shape mismatch for " + path + ": in " + ref_name + " shape=" + shape_text(r.value) +
                           ", in " + target_name + " shape=" + shape_text(it->second.value));
    } else if (count_matches) {
      ++c.match_count;
    }
  }
}
}  // namespace

KerasFileEditor::KerasFileEditor(const std::string& filepath) : filepath_(filepath) {
  std::string weights;
  if (ends_with(filepath, ".keras")) {
    auto members = detail::read_zip(format::read_file(filepath), {"config.json", "metadata.json", "model.weights.h5"},
                                    filepath);
    for (const char* m : {"config.json", "metadata.json", "model.weights.h5"})
      if (!members.count(m))
        throw format::FormatError(filepath + ": a .keras file holds '" + m + "', but this one has none");
    config_ = Config::from_json(members["config.json"]);
    metadata_ = Config::from_json(members["metadata.json"]);
    weights = std::move(members["model.weights.h5"]);
  } else if (ends_with(filepath, ".weights.h5")) {
    weights = format::read_file(filepath);
  } else {
    throw std::invalid_argument("KerasFileEditor: invalid filename: expected a .keras or .weights.h5 extension. "
                                "Received: filepath=" + filepath);
  }
  root_ = tree_of(detail::read_h5(weights, filepath));
}

std::string KerasFileEditor::summary_text() const {
  std::string out;
  print_tree(root_, 0, out);
  return out;
}

void KerasFileEditor::summary() const {
  std::cout << "Keras model file '" << filepath_ << "'\n";
  if (metadata_.is_object())
    std::cout << "Saved with Keras " << metadata_.get("keras_version", "?").to_json() << " - date: "
              << metadata_.get("date_saved", "?").to_json() << "\n";
  std::cout << summary_text() << std::flush;
}

KerasFileEditor::Comparison KerasFileEditor::compare(const Model& reference, bool verbose) const {
  const Node ref = tree_of(detail::read_h5(detail::keras_weights_file(reference), "reference model"));
  Comparison c;
  std::set<std::string> checked;
  compare_into(root_, ref, "", "saved file", "reference model", c, checked, true);
  compare_into(ref, root_, "", "reference model", "saved file", c, checked, false);
  c.status = c.error_count == 0 ? "success" : "error";
  if (verbose) {
    std::cout << "Running comparison\n";
    for (const std::string& m : c.messages) std::cout << "..." << m << "\n";
    if (c.error_count == 0)
      std::cout << "Comparison successful: saved file is compatible with the reference model\n    Found "
                << c.match_count << " matching weight" << (c.match_count == 1 ? "" : "s") << "\n";
    else
      std::cout << "Found " << c.error_count << " error" << (c.error_count == 1 ? "" : "s")
                << ": saved file is not compatible with the reference model\n";
    std::cout << std::flush;
  }
  return c;
}

namespace {
// Keras's _edit_object: `edit(parent, name)` on the object named `object_name` (a name
// that occurs once, or a path).
void edit_object(Node& root, const std::string& object_name, const std::function<void(Node&, const std::string&)>& edit) {
  if (object_name.find('/') != std::string::npos) {
    const std::vector<std::string> parts = split_path(object_name);
    Node* n = &root;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      const auto it = n->children.find(parts[i]);
      if (it == n->children.end() || it->second.is_weight())
        throw std::invalid_argument("KerasFileEditor: path '" + object_name + "' not found in the file");
      n = &it->second;
    }
    const auto it = parts.empty() ? n->children.end() : n->children.find(parts.back());
    if (it == n->children.end() || it->second.is_weight())
      throw std::invalid_argument("KerasFileEditor: path '" + object_name + "' not found in the file");
    edit(*n, parts.back());
    return;
  }
  const int count = occurrences(root, object_name);
  if (count > 1)
    throw std::invalid_argument("KerasFileEditor: name '" + object_name + "' occurs " + std::to_string(count) +
                                " times in the file; pass its complete path");
  if (count == 0)
    throw std::invalid_argument("KerasFileEditor: name '" + object_name + "' does not appear in the file (summary() "
                                "lists its objects)");
  std::function<bool(Node&)> find = [&](Node& n) {
    const auto it = n.children.find(object_name);
    if (it != n.children.end() && !it->second.is_weight()) {
      edit(n, object_name);
      return true;
    }
    for (auto& [k, child] : n.children)
      if (!child.is_weight() && find(child)) return true;
    return false;
  };
  find(root);
}

void check_weights(const std::map<std::string, Tensor>& weights, const char* who) {
  for (const auto& [name, value] : weights) {
    if (name.empty() || name.find('/') != std::string::npos)
      throw std::invalid_argument(std::string("KerasFileEditor.") + who + ": a weight name must be a plain name (\"0\"), "
                                  "but received '" + name + "'");
    if (!value.defined())
      throw std::invalid_argument(std::string("KerasFileEditor.") + who + ": weight '" + name + "' is undefined");
  }
}
}  // namespace

void KerasFileEditor::rename_object(const std::string& object_name, const std::string& new_name) {
  if (new_name.empty() || new_name.find('/') != std::string::npos)
    throw std::invalid_argument("KerasFileEditor.rename_object: new_name should be a leaf name, not a full path name. "
                                "Received: new_name='" + new_name + "'");
  edit_object(root_, object_name, [&](Node& parent, const std::string& name) {
    Node moved = std::move(parent.children.at(name));
    parent.children.erase(name);
    parent.children[new_name] = std::move(moved);
  });
}

void KerasFileEditor::delete_object(const std::string& object_name) {
  edit_object(root_, object_name, [](Node& parent, const std::string& name) { parent.children.erase(name); });
}

void KerasFileEditor::add_object(const std::string& object_path, const std::map<std::string, Tensor>& weights) {
  check_weights(weights, "add_object");
  const std::vector<std::string> parts = split_path(object_path);
  if (parts.empty()) throw std::invalid_argument("KerasFileEditor.add_object: the object path is empty");
  Node* n = &root_;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const auto it = n->children.find(parts[i]);
    if (it == n->children.end() || it->second.is_weight())
      throw std::invalid_argument("KerasFileEditor.add_object: path '" + object_path.substr(0, object_path.rfind('/')) +
                                  "' not found in the file");
    n = &it->second;
  }
  Node object;
  for (const auto& [name, value] : weights) object.children[name].value = value;
  n->children[parts.back()] = std::move(object);
}

void KerasFileEditor::delete_weight(const std::string& object_name, const std::string& weight_name) {
  edit_object(root_, object_name, [&](Node& parent, const std::string& name) {
    Node& object = parent.children.at(name);
    const auto it = object.children.find(weight_name);
    if (it == object.children.end() || !it->second.is_weight()) {
      std::string found;
      for (const auto& [k, child] : object.children)
        if (child.is_weight()) found += (found.empty() ? "" : ", ") + k;
      throw std::invalid_argument("KerasFileEditor.delete_weight: weight '" + weight_name + "' not found in object '" +
                                  object_name + "'. Weights found: [" + found + "]");
    }
    object.children.erase(it);
  });
}

void KerasFileEditor::add_weights(const std::string& object_name, const std::map<std::string, Tensor>& weights) {
  check_weights(weights, "add_weights");
  edit_object(root_, object_name, [&](Node& parent, const std::string& name) {
    Node& object = parent.children.at(name);
    for (const auto& [k, value] : weights) object.children[k] = Node{{}, value};
  });
}

void KerasFileEditor::save(const std::string& filepath) const {
  if (!ends_with(filepath, ".weights.h5"))
    throw std::invalid_argument("KerasFileEditor.save: invalid filepath: expected a .weights.h5 extension. Received: "
                                "filepath=" + filepath);
  std::vector<std::pair<std::string, Tensor>> datasets;
  datasets_of(root_, "", datasets);
  const std::string bytes = detail::write_h5({}, datasets);
  core::AtomicFile out(filepath, "KerasFileEditor.save");
  out.write(bytes);
  out.commit();
}

}  // namespace keras::saving
