// autodiff.h - Variable, GradientTape, stop_gradient, custom_gradient (TensorFlow's
// semantics).
//
//   core::Variable w(ops::random_normal({784, 10}), "w");
//   core::GradientTape tape;
//   Tensor loss = ops::mean(ops::square(ops::matmul(x, w) - y));
//   auto [dw] = tape.gradient(loss, {w});   // trainable variables are watched
//
// A tape records the ops run while it is alive (from construction until it is
// destroyed or stop()ped) whose inputs depend on a watched tensor. Every gradient rule
// is written with core ops, so a tape that is alive while another one computes its
// gradient records that computation: nested tapes give higher-order gradients.
// Only floating-point tensors are differentiable; integer and bool tensors never carry
// a gradient (watching one does nothing, as in TensorFlow).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::core {

struct Resource;

/// A mutable, trainable tensor value (tf.Variable / keras.Variable): a handle, so copies
/// refer to the same variable. Trainable variables read under a recording GradientTape are
/// watched automatically.
class Variable {
 public:
  Variable() = default;  ///< an undefined variable
  /// A variable holding `initial_value` (its shape and dtype are fixed from then on).
  explicit Variable(const Tensor& initial_value, std::string name = "Variable",
                    bool trainable = true);

  /// False for a default-constructed variable.
  bool defined() const { return state_ != nullptr; }
  /// The current value. Reading a trainable variable while a tape with
  /// watch_accessed_variables is recording makes that tape watch it. Inside a traced
  /// function (core::function) the read is a graph op, so the graph reads the value the
  /// variable has when it runs.
  const Tensor& value() const;
  operator const Tensor&() const { return value(); }  ///< usable wherever a Tensor is

  /// Replace the value; shape and dtype must match (std::invalid_argument otherwise).
  /// Assignments are ops that change state: traced graphs keep them, in order.
  void assign(const Tensor& value);
  /// value += delta, as an op (shape and dtype must match; std::invalid_argument
  /// otherwise).
  void assign_add(const Tensor& delta);
  /// value -= delta, as assign_add.
  void assign_sub(const Tensor& delta);

  /// Engine-internal, for optimizer kernels: the value with storage this variable alone
  /// owns (copied first if another handle shares it), so a kernel may update it in place
  /// without changing any tensor someone else holds.
  Tensor& value_for_update();
  /// Engine-internal: the value without recording a read (tapes, traces).
  const Tensor& current() const;
  /// Engine-internal: the variable's state as an op resource (core/dispatch.h).
  std::shared_ptr<Resource> resource() const;
  /// Engine-internal: the variable whose state `r` is (the inverse of resource()).
  static Variable from_resource(const std::shared_ptr<Resource>& r);

  /// The name given at construction ("Variable" by default).
  const std::string& name() const;
  /// Keras 3's variable.path: where the variable was made ("sequential/dense/kernel" for
  /// a layer's weight, from the name scopes open then); the name unless one was set.
  const std::string& path() const;
  /// Sets the path (layers set their weights' paths; keras/name_scope.h).
  void set_path(std::string path);
  /// Keras's variable.constraint: optimizers apply it after each update (apply_gradients).
  using Constraint = std::function<Tensor(const Tensor&)>;
  /// The constraint applied after optimizer updates; empty when none.
  const Constraint& constraint() const;
  /// Sets the constraint (an empty function removes it).
  void set_constraint(Constraint c);
  /// Whether optimizers and tapes treat it as trainable (tf.Variable's trainable).
  bool trainable() const;
  /// Changes trainable; a frozen variable is no longer watched automatically.
  void set_trainable(bool trainable);
  /// The value's shape (fixed at construction).
  const Shape& shape() const { return current().shape(); }
  /// The value's dtype (fixed at construction).
  DType dtype() const { return current().dtype(); }
  /// Variables are handles: copies refer to the same variable.
  bool same_as(const Variable& o) const { return state_ == o.state_; }

  struct State;  ///< engine-internal

 private:
  std::shared_ptr<State> state_;
  friend class GradientTape;
};

/// Prints `<Variable 'name' shape=(2,) dtype=float32, numpy=` and the values, as
/// TensorFlow's repr of a tf.Variable.
std::ostream& operator<<(std::ostream& os, const Variable& v);

namespace autodiff {
/// While one lives, no tape records (assign_add's arithmetic, custom_gradient's forward).
struct SuspendRecording {
  SuspendRecording();
  ~SuspendRecording();
  SuspendRecording(const SuspendRecording&) = delete;
  SuspendRecording& operator=(const SuspendRecording&) = delete;
};
/// While one lives, the tapes alive when it was made do not record (a function being
/// traced: only its graph's run is recorded); tapes made later record as usual.
class PauseTapes {
 public:
  PauseTapes();
  ~PauseTapes();
  PauseTapes(const PauseTapes&) = delete;
  PauseTapes& operator=(const PauseTapes&) = delete;

 private:
  std::vector<std::pair<void*, bool>> paused_;
};
/// Whether a recording tape depends on any of `ts`.
bool any_tape_tracks(const std::vector<Tensor>& ts);
/// Makes the recording tapes with watch_accessed_variables watch `value` (v's value).
void on_variable_read(const Variable& v, const Tensor& value);
/// A recorded node's gradient: the gradient flowing into each output (undefined for an
/// integer output) to one gradient per input (undefined where none flows).
using CustomGradient = std::function<std::vector<Tensor>(const std::vector<Tensor>& upstream)>;
/// Engine-internal: records, on every recording tape that tracks one of `inputs`, one node
/// from `inputs` to `outputs` (fresh handles the caller computed without recording) whose
/// gradient is `grad` (a traced function's call: core/function_call.h).
void record_call(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs, const CustomGradient& grad);
}  // namespace autodiff

/// What gradient() returns for a source the target does not depend on.
enum class UnconnectedGradients { none, zero };

/// Records the ops run while it lives, to compute gradients (tf.GradientTape). Tapes nest
/// (a gradient of a gradient); a non-persistent tape allows one gradient() call.
class GradientTape {
 public:
  /// tf.GradientTape's constructor arguments.
  struct Options {
    bool persistent = false;                ///< allow several gradient() calls
    bool watch_accessed_variables = true;  ///< watch trainable variables when read
  };
  GradientTape();
  /// A tape with `options` (persistent, watch_accessed_variables).
  explicit GradientTape(const Options& options);
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  /// Records operations on `t` from now on (a constant, or any tensor), so it can be a
  /// gradient source.
  void watch(const Tensor& t);
  /// Watches a variable explicitly (needed with watch_accessed_variables = false, or for
  /// non-trainable ones).
  void watch(const Variable& v);
  /// The watched tensors and variables (TensorFlow's watched_variables()).
  std::vector<Variable> watched_variables() const;

  /// Gradients of target (summed over its elements, or weighted by output_gradients)
  /// with respect to each source. An undefined Tensor stands for TensorFlow's None
  /// when a source is unconnected (or zeros, with UnconnectedGradients::zero).
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<Tensor>& sources,
                               const Tensor& output_gradients = Tensor(),
                               UnconnectedGradients unconnected = UnconnectedGradients::none);
  /// The same, with respect to variables.
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<Variable>& sources,
                               const Tensor& output_gradients = Tensor(),
                               UnconnectedGradients unconnected = UnconnectedGradients::none);
  /// The gradient with respect to one source (undefined when unconnected and unconnected is
  /// none).
  Tensor gradient(const Tensor& target, const Tensor& source,
                  UnconnectedGradients unconnected = UnconnectedGradients::none);
  /// The gradient with respect to one variable.
  Tensor gradient(const Tensor& target, const Variable& source,
                  UnconnectedGradients unconnected = UnconnectedGradients::none);

  /// d target[i...] / d source[j...]: shape target.shape + source.shape. Needs a
  /// persistent tape (it calls gradient() once per target element).
  Tensor jacobian(const Tensor& target, const Tensor& source,
                  UnconnectedGradients unconnected = UnconnectedGradients::none);
  /// For target (B, ...) and source (B, ...) whose rows do not interact:
  /// shape (B,) + target.shape[1:] + source.shape[1:].
  Tensor batch_jacobian(const Tensor& target, const Tensor& source,
                        UnconnectedGradients unconnected = UnconnectedGradients::none);

  /// While the returned guard lives, nothing is recorded on this tape.
  class StopRecording {
   public:
    /// Stops `t` recording until the guard is destroyed.
    explicit StopRecording(GradientTape& t);
    ~StopRecording();
    StopRecording(const StopRecording&) = delete;
    StopRecording& operator=(const StopRecording&) = delete;

   private:
    GradientTape& tape_;
    bool was_;
  };
  /// tf.GradientTape.stop_recording: nothing is recorded while the returned guard lives.
  StopRecording stop_recording() { return StopRecording(*this); }
  void reset();  ///< forget everything recorded and watched
  void stop();   ///< stop recording for good (the end of TensorFlow's `with` block)

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Identity whose gradient is zero (the tape does not see through it).
Tensor stop_gradient(const Tensor& x);

/// Runs f(inputs) without recording and makes tapes use grad_fn for its gradient:
/// grad_fn(inputs, result, upstream) returns one gradient per input. Written with core
/// ops, grad_fn is differentiable again.
Tensor custom_gradient(const std::vector<Tensor>& inputs,
                       const std::function<Tensor(const std::vector<Tensor>&)>& f,
                       const std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs,
                                                               const Tensor& result,
                                                               const Tensor& upstream)>& grad_fn);

}  // namespace keras::core
