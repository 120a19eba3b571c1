// function.h - core::function (re-exported as keras::function): TensorFlow's
// tf.function for C++. It traces a callable into a graph the first time it sees an
// input signature, optimizes the graph, and runs the graph on later calls.
//
//   auto f = core::function([&](const Tensor& x, double scale) {
//     std::puts("tracing");                       // a C++ side effect: only while tracing
//     return ops::multiply(ops::relu(x), ops::scalar_like(x, scale));
//   });
//   f(x, 2.0);   // traces (prints), runs
//   f(x2, 2.0);  // same dtypes and shapes: runs the graph
//   f(x, 3.0);   // a new non-tensor argument value: traces again
//
// The signature of a call is the dtype and shape of every tensor argument and the value
// of every other argument (numbers, bools, strings); a RaggedTensor argument (as_tensor())
// counts by its dtype, ragged rank and inner shape, its numbers of values and rows left
// open where the graph allows (core/ragged_function.h). TensorFlow's rules hold:
// - C++ code runs only while tracing; ops on tensors become graph nodes. C++ loops and
//   branches on non-tensor values unroll at trace time.
// - A variable read is a graph op: the graph reads the value the variable has when it
//   runs. Variable::assign* are ops that change state and keep their order.
// - Variables may be created only while the function is traced for the first time.
// - A number from a C++ generator is frozen at trace time; ops::random_* without a seed
//   draw new numbers at every run of the graph.
// - .item(), to_vector() and printing values raise inside a trace (no value exists yet).
// - Functions nest (an inner function's ops are inlined into the outer graph), and a
//   call under a GradientTape is differentiable: it is recorded as one node whose gradient
//   runs a backward graph traced from the forward one (core/function_call.h); a graph that
//   changes state, draws random numbers or calls C++ has its ops recorded one by one.
//
// Threads: one function object must not be called from several threads at once.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::core {

/// Options of core::function (tf.function's arguments).
struct FunctionOptions {
  /// The name printed in graph dumps and in errors.
  std::string name = "function";
  bool optimize = true;  ///< run the graph passes (folding, CSE, pruning, fusion, memory plan)
  /// Calls must match these specs (dtype, rank, the sizes given); a -1 size is open: the
  /// function is traced at two sizes of it and, when both give the same graph, one graph
  /// serves every size (otherwise each size traces, as without the option).
  std::vector<TensorSpec> input_signature{};
  /// TensorFlow's reduce_retracing: a call that differs from an earlier trace only in some
  /// sizes traces once more; when the two graphs agree, those sizes are relaxed (-1) and no
  /// later size traces again.
  bool reduce_retracing = false;
  /// TensorFlow's jit_compile, mapped onto this engine's compiler (it has no XLA):
  /// - unset: the default passes, fusion included;
  /// - true: the whole function must compile into fused kernels: every pass runs, and a
  ///   node that cannot be compiled (a host_function, which runs C++) raises at trace
  ///   time, naming it, as XLA refuses py_function;
  /// - false: no kernel fusion (elementwise chains and matmul epilogues stay separate
  ///   ops); folding, CSE, pruning and the memory plan still run.
  std::optional<bool> jit_compile{};
};

/// While one lives, ops run eagerly and are not traced (TensorFlow's init_scope): for
/// creating and initializing state inside a traced function.
class InitScope {
 public:
  InitScope();
  ~InitScope();
  InitScope(const InitScope&) = delete;
  InitScope& operator=(const InitScope&) = delete;

 private:
  void* saved_;
};

/// Whether this thread is tracing a function now.
bool is_tracing();

/// Runs fn on `inputs` symbolically: its ops are recorded into a throwaway graph and not
/// run, so the results have the right shapes and dtypes but no values, and no variable
/// changes (shape inference for any C++ code: Keras's compute_output_shape).
std::vector<Tensor> symbolic_call(const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& fn,
                                  const std::vector<Tensor>& inputs);

/// One node of a traced graph, for tools that draw or export it (TensorBoard's graph).
struct GraphNodeInfo {
  std::string name;                  ///< unique in the graph: "<op>_<n>", "input_<i>", "constant_<n>"
  std::string op;                    ///< the op's name; "Placeholder" (input), "Const"
  std::vector<std::string> inputs;   ///< the nodes it reads: "name", or "name:k" for output k > 0
  std::vector<std::vector<int64_t>> output_shapes;  ///< as traced (-1: any size)
  /// The dtype of each output.
  std::vector<DType> output_dtypes;
};

/// The non-template part of Function: the graph cache and the introspection shared by every
/// callable type.
class FunctionBase {
 public:
  /// A function with no graph yet; `options` apply to every trace.
  explicit FunctionBase(FunctionOptions options);
  /// How many times the function was traced (one per new input signature).
  int tracing_count() const;
  /// The graph of the latest trace, as printed by graph_str: optimized (after the passes)
  /// or as traced.
  std::string graph_str(bool optimized = true) const;
  /// Op nodes in the latest graph, optimized or as traced.
  int num_nodes(bool optimized = true) const;
  /// The nodes of the latest optimized graph, in execution order (empty before a trace).
  const std::vector<GraphNodeInfo>& graph_nodes() const;
  /// How many graphs the function holds: one per traced signature, where a relaxed graph
  /// (reduce_retracing, or -1 sizes in input_signature) serves many.
  int num_graphs() const;
  /// The options given at construction.
  const FunctionOptions& options() const;
  /// How many backward graphs were traced: a call under a GradientTape is recorded as one
  /// node, and its gradient traces the forward graph's vector-Jacobian product once per
  /// input shape, then runs that graph.
  int backward_tracing_count() const;
  /// The latest backward graph, optimized, as graph_str prints graphs (empty before one).
  std::string backward_graph_str() const;

 protected:
  /// The traced body: flat input tensors to flat output tensors.
  using Body = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
  /// For Function::operator(): runs the graph cached for `signature`, tracing `body` first
  /// when there is none.
  std::vector<Tensor> call_impl(const std::string& signature, const std::vector<Tensor>& tensors, const Body& body);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

namespace detail {
std::string tensor_signature(const Tensor& t);
/// Exact: a float is written so that every distinct value gives a distinct key.
std::string number_signature(long double v, bool floating);

template <class T> using bare_t = std::remove_cvref_t<T>;

template <class T>
void collect(const T& arg, std::vector<Tensor>& tensors, std::string& sig) {
  using U = bare_t<T>;
  if constexpr (std::is_same_v<U, Tensor>) {
    tensors.push_back(arg);
    sig += tensor_signature(arg);
  } else if constexpr (std::is_base_of_v<std::vector<Tensor>, U>) {
    sig.append("[").append(std::to_string(arg.size()));
    for (const Tensor& t : arg) {
      tensors.push_back(t);
      sig += tensor_signature(t);
    }
    sig += "]";
  } else if constexpr (std::is_same_v<U, bool>) {
    sig += arg ? "b1;" : "b0;";
  } else if constexpr (std::is_arithmetic_v<U>) {
    sig.append(number_signature(static_cast<long double>(arg), std::is_floating_point_v<U>));
  } else if constexpr (std::is_convertible_v<const U&, std::string>) {
    const std::string_view s(arg);
    sig.append("s").append(std::to_string(s.size())).append(":").append(s).append(";");
  } else {
    static_assert(sizeof(U) == 0,
                  "core::function arguments must be tensors, vectors of tensors, numbers, bools or strings");
  }
}

/// The argument as the traced callable receives it: tensors replaced by the trace's.
template <class T>
decltype(auto) substitute(T&& arg, const std::vector<Tensor>& traced, size_t& i) {
  using U = bare_t<T>;
  if constexpr (std::is_same_v<U, Tensor>) {
    return Tensor(traced[i++]);
  } else if constexpr (std::is_base_of_v<std::vector<Tensor>, U>) {
    std::vector<Tensor> v(traced.begin() + std::ptrdiff_t(i), traced.begin() + std::ptrdiff_t(i + arg.size()));
    i += arg.size();
    return v;
  } else if constexpr (std::is_array_v<U> || std::is_pointer_v<U>) {
    return std::string(arg);  // string literals reach the callable as std::string
  } else {
    return U(arg);
  }
}

template <class R>
std::vector<Tensor> flatten(R&& r) {
  using U = bare_t<R>;
  if constexpr (std::is_same_v<U, Tensor>) return {r};
  else if constexpr (std::is_base_of_v<std::vector<Tensor>, U>) return std::vector<Tensor>(r);  // a layer's Tensors too
  else static_assert(sizeof(U) == 0, "core::function callables must return Tensor, std::vector<Tensor> or void");
}
}  // namespace detail

/// A traced C++ callable (tf.function): called like F, with its Tensor arguments (Tensor,
/// std::vector<Tensor>, Variable) replaced by traced values; other arguments are part of
/// the signature and fixed at trace time.
template <class F>
class Function : public FunctionBase {
 public:
  /// The wrapped callable's type.
  using function_type = F;
  /// Wraps `f`; nothing is traced until the first call.
  explicit Function(F f, FunctionOptions options = {}) : FunctionBase(std::move(options)), f_(std::move(f)) {}

  /// Calls the function: traces it for a new signature (input shapes and dtypes, non-tensor
  /// arguments), then runs the cached graph. Returns what F returns (Tensor,
  /// std::vector<Tensor> or void).
  template <class... Args>
  auto operator()(Args&&... args) {
    using R = std::invoke_result_t<F&, decltype(detail::substitute(std::declval<Args>(), std::declval<const std::vector<Tensor>&>(),
                                                                   std::declval<size_t&>()))...>;
    std::vector<Tensor> tensors;
    std::string sig;
    (detail::collect(args, tensors, sig), ...);
    Body body = [&](const std::vector<Tensor>& traced) -> std::vector<Tensor> {
      size_t i = 0;
      auto call_args = std::tuple<decltype(detail::substitute(std::forward<Args>(args), traced, i))...>{
          detail::substitute(std::forward<Args>(args), traced, i)...};
      if constexpr (std::is_void_v<R>) {
        std::apply(f_, std::move(call_args));
        return {};
      } else {
        return detail::flatten(std::apply(f_, std::move(call_args)));
      }
    };
    std::vector<Tensor> out = call_impl(sig, tensors, body);
    if constexpr (std::is_void_v<R>) return;
    else if constexpr (std::is_same_v<detail::bare_t<R>, Tensor>) return out.at(0);
    else return out;
  }

 private:
  F f_;
};

/// tf.function: `keras::function([](const Tensor& x) { ... })` traces the callable into a
/// graph per input signature; see Function and FunctionOptions.
template <class F>
Function<std::decay_t<F>> function(F&& f, FunctionOptions options = {}) {
  return Function<std::decay_t<F>>(std::forward<F>(f), std::move(options));
}

}  // namespace keras::core
