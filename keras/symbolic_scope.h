// symbolic_scope.h - keras.SymbolicScope: marks the code that runs only to learn output
// shapes and dtypes (a layer's call on placeholder zeros, when a Functional model is made or
// a layer is called on KerasTensors), so that a call can skip work or side effects there.
//
//   Tensor call(const Tensor& x, bool training) override {
//     if (!keras::in_symbolic_scope()) log_statistics(x);   // not while shapes are inferred
//     return ...;
//   }
#pragma once

namespace keras {

/// While alive, in_symbolic_scope() is true on this thread (Keras's SymbolicScope). The
/// default Layer::compute_output_shape opens one around its probe call. Scopes nest.
class SymbolicScope {
 public:
  /// Opens the scope on this thread.
  SymbolicScope();
  /// Closes it (the state before it comes back).
  ~SymbolicScope();
  SymbolicScope(const SymbolicScope&) = delete;
  SymbolicScope& operator=(const SymbolicScope&) = delete;

 private:
  bool outer_;
};

/// Whether a SymbolicScope is open on this thread (Keras's backend.in_symbolic_scope()).
bool in_symbolic_scope();

}  // namespace keras
