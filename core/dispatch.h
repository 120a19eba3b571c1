// dispatch.h - (engine-internal) the op registry and the single dispatch point.
//
// An op call goes: dispatch(op, inputs, attrs) -> the op's `infer` checks arguments and
// states the outputs' shapes and dtypes -> outputs are allocated on the inputs' device
// -> the kernel registered for (op, device) runs. View ops (reshape) produce their
// outputs in `infer` and run no kernel. Gradient recording and graph tracing hook in
// here too (DESIGN.md rule 3).
#pragma once
#include <array>
#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/tensor_impl.h"

namespace keras::core {

enum class OpId : uint16_t {
#define CORE_OP(id, name) id,
#include "core/ops.def"
#undef CORE_OP
  kCount
};
inline constexpr int kNumOps = static_cast<int>(OpId::kCount);
const char* op_name(OpId op);

// A piece of state that ops read or change (a variable). Ops that take one are marked
// stateful; the resource travels in Attrs::resources.
struct Resource {
  virtual ~Resource() = default;
  // Resources with the same non-empty key do the same thing: two traces holding them are
  // the same graph. Empty (the default): only the same object is the same resource.
  virtual std::string key() const { return {}; }
};

// Op attributes: plain data, each op documents which fields it reads.
struct Attrs {
  std::vector<int64_t> axes;   // reduction axes, permutation, gather axis list
  std::vector<int64_t> shape;  // target shape, tile multiples, output shape
  std::vector<int64_t> begin, end, strides;  // slicing; pad: begin = before, end = after
  int64_t axis = 0;
  int64_t k = 0;         // top_k's k, one_hot's depth, linspace's num, seeds
  double alpha = 0.0, beta = 0.0, gamma = 0.0;  // scalar parameters (alpha of elu, fill value, ...)
  bool keepdims = false;
  bool flag = false, flag2 = false;  // transpose_a/b, descending, approximate, ...
  DType dtype = DType::float32;      // result dtype for cast and creation ops
  Device device;                      // where creation ops allocate
  std::vector<std::shared_ptr<Resource>> resources{};  // variables a stateful op reads/changes
};

inline constexpr int kMaxOutputs = 8;  // cond and while_loop carry up to 8 tensors

struct OpCall {
  OpCall(OpId o, std::span<const Tensor> in, const Attrs& a) : op(o), inputs(in), attrs(a) {}
  OpId op;
  std::span<const Tensor> inputs;
  const Attrs& attrs;
  int num_outputs = 1;
  std::array<Shape, kMaxOutputs> out_shape;
  std::array<DType, kMaxOutputs> out_dtype{};
  std::array<Tensor, kMaxOutputs> outputs;  // set by dispatch, or by a view op's infer

  const char* name() const { return op_name(op); }
  const Tensor& in(size_t i) const { return inputs[i]; }
  /// A kernel's typed views of input i's and output i's elements (no dtype check: the
  /// op's infer checked them).
  template <class T>
  const T* in_data(size_t i) const { return static_cast<const T*>(inputs[i].raw_data()); }
  template <class T>
  T* out_data(size_t i) { return static_cast<T*>(outputs[i].raw_mutable_data()); }
  void set_output(int i, Shape s, DType d) {
    out_shape[static_cast<size_t>(i)] = std::move(s);
    out_dtype[static_cast<size_t>(i)] = d;
    if (i + 1 > num_outputs) num_outputs = i + 1;
  }
};

using InferFn = void (*)(OpCall&);
using KernelFn = void (*)(OpCall&);

// What a gradient rule sees: the forward call's inputs, outputs and attributes, and the
// gradient flowing into each output (zeros for an output nothing flowed into).
struct GradContext {
  OpId op;
  const Attrs& attrs;
  std::span<const Tensor> inputs, outputs, out_grads;
  std::span<const char> needed;  // needed[i]: input i's gradient is wanted (may skip work)
  const Tensor& in(size_t i) const { return inputs[i]; }
  bool needs(size_t i) const { return needed[i] != 0; }
  const Tensor& out(size_t i = 0) const { return outputs[i]; }
  const Tensor& grad(size_t i = 0) const { return out_grads[i]; }
};
// Returns one gradient per input (an undefined Tensor where none flows). The result
// may have a broadcast shape: the tape sums it back to the input's shape (DESIGN.md
// rule 6). Rules are written with core ops, so they are differentiable again.
using GradFn = std::vector<Tensor> (*)(const GradContext&);

// What graph passes may do with an op's nodes.
enum OpFlags : unsigned {
  kPure = 0,
  kReadsState = 1,   // reads a resource: may be pruned, never merged or folded
  kWritesState = 2,  // changes a resource: never pruned, merged, folded or reordered
  kRandom = 4,       // draws random numbers: never merged or folded
  kBarrier = 8,      // an optimization barrier: may be pruned, never merged or folded
};

struct OpDef {
  int min_inputs = 0, max_inputs = 1 << 30;  // checked by dispatch before infer runs
  InferFn infer = nullptr;
  bool is_view = false;  // infer produced the outputs; no kernel runs
  unsigned flags = kPure;
  GradFn grad = nullptr;  // null: not differentiable (no gradient flows through)
  std::array<KernelFn, Device::kNumKinds> kernels{};
  // The op on complex dtypes (core/ops/complex.cpp): used when an input, or attrs.dtype,
  // is complex64/complex128. complex_infer (null: infer) states the outputs; an op with
  // no complex kernel for the device raises "no kernel for device ... and dtype ...", so
  // the kernels above never see a complex tensor.
  InferFn complex_infer = nullptr;
  std::array<KernelFn, Device::kNumKinds> complex_kernels{};
};

// The registry; filled by define_*_ops() and register_*_kernels() from init().
OpDef& op_def(OpId op);
void define_op(OpId op, InferFn infer, bool is_view = false);
void register_kernel(OpId op, Device::Kind device, KernelFn fn);
void register_complex_kernel(OpId op, Device::Kind device, KernelFn fn, InferFn infer = nullptr);
void define_grad(OpId op, GradFn grad);
void set_op_flags(OpId op, unsigned flags);
void define_arities();  // every op's number of inputs (core/ops/arity.cpp)

// Called by dispatch after every op while at least one GradientTape is recording.
namespace autodiff {
extern thread_local int t_recording;  // number of tapes recording on this thread
void record(const OpCall& c);
// Instrumentation for the gradient check's coverage (tests/core/test_gradients.cpp):
// while counts are set on this thread, each gradient rule that runs on it counts
// one for its op in `ran`, and in `recorded` when it runs while a recording tape tracks
// the op's inputs or output gradients (its own ops are then recorded to be
// differentiated: a second-order use).
struct GradRuleCounts {
  std::array<int64_t, kNumOps> ran{}, recorded{};
};
void set_grad_rule_counts(GradRuleCounts* counts);  // nullptr: stop counting
}  // namespace autodiff

// While check_numerics is on (core/debugging.h), dispatch scans every op's outputs and
// raises NumericsError at the first NaN or Inf.
namespace numerics {
extern std::atomic<bool> g_check;
void check_outputs(const OpCall& c);
}  // namespace numerics

// Called by dispatch after every op while a graph is being traced (core/graph.cpp).
namespace tracing {
struct Tracer;
extern thread_local Tracer* t_tracer;  // the innermost active trace on this thread
void record(const OpCall& c);
void alias(const Tensor& from, const Tensor& to);  // `to` is another handle of `from`
// Throws naming `what` (".item()", "printing a tensor's values"): a trace has no values.
void check_not_tracing(const char* what);
// Whether t is a value of the active trace or of a trace around it (no value until the
// graph runs), as opposed to a tensor with its value (captured as a constant).
bool is_traced(const Tensor& t);
bool variable_creation_allowed();
// The value a variable has at this point of the active trace (what was read or assigned
// last), or null when the trace has not read it yet.
const Tensor* variable_value(const Resource* r);
}  // namespace tracing

namespace ops {
int64_t draw_global_seed();  // the next seed of the global generator (core/ops/creation.cpp)
// The op seed of draw `counter` of a generator seeded with `seed` (random ops with a
// counter input).
uint64_t derive_seed(int64_t seed, int64_t counter);
}

// Runs op on inputs; returns the first output / all outputs.
Tensor dispatch(OpId op, std::span<const Tensor> inputs, const Attrs& attrs);
std::array<Tensor, kMaxOutputs> dispatch_multi(OpId op, std::span<const Tensor> inputs,
                                               const Attrs& attrs);
inline Tensor dispatch(OpId op, std::initializer_list<Tensor> inputs, const Attrs& attrs) {
  return dispatch(op, std::span<const Tensor>(inputs.begin(), inputs.size()), attrs);
}

// ---- helpers for infer functions: uniform, specific error messages ----------------
[[noreturn]] void throw_invalid(const std::string& msg);
std::string dtype_list(std::initializer_list<DType> ds);
// Throws unless t.dtype() is one of `allowed`; names op, argument, expected and received.
void expect_dtype(const OpCall& c, const Tensor& t, const char* arg,
                  std::initializer_list<DType> allowed);
void expect_same_dtype(const OpCall& c, const Tensor& a, const Tensor& b);
void expect_rank_at_least(const OpCall& c, const Tensor& t, const char* arg, int64_t r);
// NumPy broadcasting of two shapes; throws naming the op and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Dtype sets used by many ops.
inline constexpr std::initializer_list<DType> kFloatTypes = {DType::float32, DType::float64};
inline constexpr std::initializer_list<DType> kNumericTypes = {
    DType::float32, DType::float64, DType::int8,  DType::int16,  DType::int32,
    DType::int64,   DType::uint8,   DType::uint16, DType::uint32};
inline constexpr std::initializer_list<DType> kIntegerTypes = {DType::int8,  DType::int16,  DType::int32, DType::int64,
                                                               DType::uint8, DType::uint16, DType::uint32};
inline constexpr std::initializer_list<DType> kSignedTypes = {DType::float32, DType::float64, DType::int8,
                                                              DType::int16,   DType::int32,   DType::int64};
inline constexpr std::initializer_list<DType> kAllTypes = {
    DType::float32, DType::float64, DType::int8,   DType::int16,  DType::int32,
    DType::int64,   DType::uint8,   DType::uint16, DType::uint32, DType::bool_};

}  // namespace keras::core
