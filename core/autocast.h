// autocast.h - Keras 3's AutocastScope: while a mixed-precision layer's call runs, reads of
// its float variables give their value cast to the layer's compute dtype (the cast is an
// op, so tapes differentiate through it and traced graphs repeat it).
#pragma once
#include <optional>

#include "core/autodiff.h"
#include "core/dtype.h"

namespace keras::core::autocast {

class Scope;
/// The dtype of the innermost scope on this thread (std::nullopt when none or casting is off).
std::optional<DType> current();
/// Engine-internal (Variable::value): the cast of `value`, the variable's current read,
/// when a scope applies to it; nullptr otherwise. The tensor lives as long as the scope.
const Tensor* cast_read(const Variable& v, const Tensor& value);

/// While one lives, Variable::value() on this thread returns float variables (those with
/// autocast on) cast to `dtype`; std::nullopt turns casting off inside an outer scope (a
/// layer with autocast off). Scopes nest; the innermost one applies.
class Scope {
 public:
  /// Enters the scope (see the class comment).
  explicit Scope(std::optional<DType> dtype);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  struct Cache;  ///< engine-internal: the casts made in this scope

 private:
  Scope* outer_;
  std::optional<DType> dtype_;
  Cache* cache_;
  friend const Tensor* cast_read(const Variable& v, const Tensor& value);
  friend std::optional<DType> current();
};

/// Whether reads of `v` are cast inside scopes (Keras's add_weight(autocast=...); default
/// true).
void set_enabled(const Variable& v, bool enabled);
/// See set_enabled.
bool enabled(const Variable& v);

}  // namespace keras::core::autocast
