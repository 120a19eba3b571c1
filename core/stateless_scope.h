// stateless_scope.h - Keras 3's StatelessScope: while one lives on a thread, variables
// read the values it maps them to, and assignments (Variable::assign*, optimizer updates,
// a graph's assign ops) go into the scope instead of the variables, which keep their
// values. Layer::stateless_call, Optimizer::stateless_apply and the metrics'
// stateless_update_state are built on it (JAX-style functional training steps).
//
//   core::StatelessScope scope({{kernel, new_kernel}});   // reads of kernel give new_kernel
//   Tensor y = ops::matmul(x, kernel.value());
//   counter.assign_add(one);                               // counter itself is unchanged
//   Tensor c = scope.get_current_value(counter);           // its value in the scope
//
// Scopes nest: the innermost one alone is consulted (as in Keras: a variable the inner
// scope does not hold reads as the variable itself), and assignments go into it. The mapped values are tensors: a GradientTape that watches them
// differentiates through the reads. Inside a traced function, reads and assignments of
// mapped variables are values of the trace; an op that updates a variable in place (an
// optimizer's fused update) cannot be traced inside a scope and raises.
#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "core/autodiff.h"

namespace keras::core {

/// Variables' values held apart from the variables while the scope lives (see the top of
/// this header).
class StatelessScope {
 public:
  /// (variable, value) pairs.
  using Mapping = std::vector<std::pair<Variable, Tensor>>;
  /// Opens the scope on this thread with the variables' values in it: each value is cast
  /// to its variable's dtype and must have its shape (std::invalid_argument naming the
  /// variable otherwise). Scopes must be destroyed in reverse order of creation.
  explicit StatelessScope(const Mapping& state_mapping = {});
  ~StatelessScope();
  StatelessScope(const StatelessScope&) = delete;
  StatelessScope& operator=(const StatelessScope&) = delete;

  /// The variable's value in this scope (mapped, or assigned while it was the innermost),
  /// or an undefined tensor when this scope has none (Keras's get_current_value: None).
  Tensor get_current_value(const Variable& variable) const;
  /// Records `value` as the variable's value in this scope (what Variable::assign does in
  /// the innermost scope); checked as the mapping.
  void add_update(const Variable& variable, const Tensor& value);

  struct Impl;  ///< engine-internal

 private:
  std::unique_ptr<Impl> impl_;
};

/// Whether a StatelessScope is open on this thread (Keras's in_stateless_scope()).
bool in_stateless_scope();

}  // namespace keras::core
