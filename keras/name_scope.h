// name_scope.h - Keras 3's name scopes (keras.name_scope): the paths of layers and
// variables. A layer opens a scope named after itself around its build and each call,
// so a weight made inside is "<scopes>/<layer>/<weight>" ("sequential/dense/kernel"),
// and Layer::path() is where the layer was built. OptimizerMap and DTypePolicyMap
// select by these paths.
//
//   { keras::NameScope scope("encoder"); auto y = (*dense)(x); }   // dense: "encoder/dense"
#pragma once
#include <optional>
#include <string>

namespace keras {

/// While alive, `name` is the innermost scope of this thread's path (Keras's
/// keras.name_scope(name, caller, deduplicate, override_parent)). `caller` identifies the
/// object that opened it: with `deduplicate`, a scope opened by the same caller with the
/// same name as the innermost one adds nothing. `override_parent` replaces the path of the
/// scopes around it (a layer reopens its scope under the path it was first used in).
/// Scopes must end in reverse order of creation.
class NameScope {
 public:
  /// Opens the scope; a name empty or with '/' raises std::invalid_argument.
  explicit NameScope(std::string name, const void* caller = nullptr, bool deduplicate = true,
                     std::optional<std::string> override_parent = std::nullopt);
  ~NameScope();
  NameScope(const NameScope&) = delete;
  NameScope& operator=(const NameScope&) = delete;

 private:
  bool pushed_ = false;
};

/// The path of this thread's open scopes joined by '/' (Keras's current_path()); empty
/// outside any scope.
std::string current_path();

}  // namespace keras
