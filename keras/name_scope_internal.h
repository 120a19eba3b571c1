// name_scope_internal.h - (keras-internal) the name-scope stack without copies, for
// layers: a layer's own scope points at its name and at the path it was first used in,
// both members of the layer, which outlives its calls. Included by the layer sources.
#pragma once
#include <string>

namespace keras::detail {

/// While alive, `name` (under `override_parent` when given) is this thread's innermost
/// scope, unless the innermost one has the same caller and name (see NameScope). The
/// strings must outlive it and contain no '/' (a layer's name is checked at construction).
class LayerScope {
 public:
  LayerScope(const std::string& name, const void* caller, const std::string* override_parent);
  ~LayerScope();
  LayerScope(const LayerScope&) = delete;
  LayerScope& operator=(const LayerScope&) = delete;

 private:
  bool pushed_ = false;
};

}  // namespace keras::detail
