// file_editor.h - keras.saving.KerasFileEditor: the weights of a `.keras` or
// `.weights.h5` file as a tree of objects (layers, optimizer, ...) holding weights, to
// inspect, compare with a model, edit (rename, delete or add objects and weights) and
// write back as a `.weights.h5` file, without building the model.
//
//   keras::saving::KerasFileEditor editor("model.keras");
//   editor.summary();                                   // the tree, with shapes and dtypes
//   editor.compare(*model);                              // what does not fit the model
//   editor.rename_object("dense_3", "dense_4");
//   editor.delete_weight("layers/dense_4", "1");
//   editor.save("edited.weights.h5");                    // model->load_weights(...) reads it
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "keras/config.h"

namespace keras {
class Model;
}

namespace keras::saving {

/// Keras's KerasFileEditor (see above). Paths join names with '/' ("layers/dense_2"), as
/// Keras's; Keras's "vars" groups are folded into their object, so a Dense's weights are
/// "layers/dense/0" and "layers/dense/1" where the file has "layers/dense/vars/0".
class KerasFileEditor {
 public:
  /// An object (a group of the file: children by name, in the file's order) or, when
  /// `value` is defined, a weight.
  struct Node {
    std::map<std::string, Node> children;  ///< an object's members (objects and weights)
    core::Tensor value;                    ///< a weight's value (undefined for an object)
    /// Whether this node is a weight.
    bool is_weight() const { return value.defined(); }
  };
  /// What compare() found.
  struct Comparison {
    std::string status;                 ///< "success" (error_count 0) or "error"
    int64_t error_count = 0;            ///< objects or weights missing on one side, shapes that differ
    int64_t match_count = 0;            ///< weights present in both with the same shape
    std::vector<std::string> messages;  ///< one line per mismatch
  };

  /// Reads the file (".keras": its weights, config and metadata; ".weights.h5": its
  /// weights). std::invalid_argument for another extension; errors of a malformed file
  /// name it (format::FormatError).
  explicit KerasFileEditor(const std::string& filepath);
  /// The file read.
  const std::string& filepath() const { return filepath_; }
  /// The model's config.json (null for a .weights.h5 file).
  const Config& config() const { return config_; }
  /// The file's metadata.json ("keras_version", "date_saved"; null for .weights.h5).
  const Config& metadata() const { return metadata_; }
  /// The tree of the (edited) weights.
  const Node& weights() const { return root_; }
  /// The tree as text, one line per object and weight ("dense/", "0: shape=(4, 3),
  /// dtype=float32"), indented by depth.
  std::string summary_text() const;
  /// Prints the file's name, its Keras version and date (for .keras) and summary_text()
  /// to stdout (Keras's summary()).
  void summary() const;
  /// Compares the tree with the weights `reference` would save (each side's objects and
  /// weights missing from the other, and shapes that differ), as Keras's compare(model);
  /// `verbose`: prints the messages and the verdict as Keras does.
  Comparison compare(const Model& reference, bool verbose = true) const;
  /// Renames an object, given by name (which must occur once in the tree) or by path;
  /// `new_name` is a name, not a path. std::invalid_argument when it is not found, occurs
  /// more than once, or new_name holds '/'.
  void rename_object(const std::string& object_name, const std::string& new_name);
  /// Removes an object (by name or path, as rename_object) with everything under it.
  void delete_object(const std::string& object_name);
  /// Adds an object at `object_path` (its parent must exist) holding `weights` (names,
  /// usually "0", "1", ...); an object already there is replaced, as Keras's.
  void add_object(const std::string& object_path, const std::map<std::string, core::Tensor>& weights);
  /// Removes the weight `weight_name` of an object (by name or path). std::invalid_argument
  /// listing the object's weights when it has no such weight.
  void delete_weight(const std::string& object_name, const std::string& weight_name);
  /// Adds (or replaces) weights of an object (by name or path).
  void add_weights(const std::string& object_name, const std::map<std::string, core::Tensor>& weights);
  /// Writes the tree as a Keras weights file (each object's weights in its "vars" group),
  /// atomically: an existing file is replaced only once the new one is complete.
  /// std::invalid_argument unless the path ends with ".weights.h5".
  void save(const std::string& filepath) const;
  /// The same as save() (Keras's resave_weights).
  void resave_weights(const std::string& filepath) const { save(filepath); }

 private:
  std::string filepath_;
  Config config_, metadata_;
  Node root_;
};

}  // namespace keras::saving
