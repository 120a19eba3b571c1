// control_flow.h - tensor-dependent control flow and host calls (keras.ops.cond,
// keras.ops.while_loop, tf.py_function). Each works eagerly (the predicate is read and
// C++ runs the chosen branch) and inside a traced function (core::function), where the
// branches and the loop body are traced into subgraphs that a single graph node runs.
//
//   Tensor y = ops::cond(ops::greater(ops::sum(x), 0.0), [&] { return x * 2.0; },
//                        [&] { return -x; });
//   auto r = ops::while_loop([](const std::vector<Tensor>& v) { return ops::less(v[0], 10.0); },
//                            [](const std::vector<Tensor>& v) { return std::vector<Tensor>{v[0] + 1.0}; },
//                            {core::constant(0.0f)});
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::core::ops {

/// pred: a bool scalar. Both branches return the same number of tensors with the same
/// dtypes and shapes (1 to 8). Differentiable (the gradient is a cond of the branches'
/// gradients), also when traced.
std::vector<Tensor> cond(const Tensor& pred, const std::function<std::vector<Tensor>()>& true_fn,
                         const std::function<std::vector<Tensor>()>& false_fn);
/// The single-tensor form: each branch returns one tensor.
Tensor cond(const Tensor& pred, const std::function<Tensor()>& true_fn, const std::function<Tensor()>& false_fn);

/// Runs body while cond(vars) is true (at most maximum_iterations times when >= 0) and
/// returns the final vars (1 to 8 tensors). body keeps every var's dtype and shape.
/// Differentiable eagerly (the tape records every iteration) and traced (one while_grad
/// node runs the loop again and walks its iterations backwards; to any order), except a
/// traced loop whose cond or body changes state, draws random numbers or calls
/// host_function, whose gradient raises.
using LoopCond = std::function<Tensor(const std::vector<Tensor>&)>;
/// while_loop's body: the loop variables to their next values.
using LoopBody = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
/// tf.while_loop (see above): the loop variables after the last iteration.
std::vector<Tensor> while_loop(const LoopCond& cond, const LoopBody& body, const std::vector<Tensor>& loop_vars,
                               int64_t maximum_iterations = -1);

/// tf.py_function: runs `f` (any C++) on the inputs' values as one op. Inside a traced
/// function it is one graph node that runs f at every run; `output_specs` give its
/// outputs' shapes and dtypes (f must return exactly those). The node is never pruned,
/// merged or moved, and no gradient flows through it. `name` (optional) names the node in
/// the errors of export and jit_compile (a queue's enqueue, ...).
using core::TensorSpec;  ///< shapes without -1 here
std::vector<Tensor> host_function(const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& f,
                                  const std::vector<Tensor>& inputs, const std::vector<TensorSpec>& output_specs,
                                  const std::string& name = "");

/// TensorFlow's tf.debugging asserts: raises std::invalid_argument, when it runs, at the
/// first element of x (in row-major order) for which ok(value) is false, with
/// message(value, flat_index). Eagerly it checks at once; in a traced function it is a
/// node that checks at every run (never pruned or moved), so a check on data (labels in
/// range) holds for a traced train step too. The values are read on the host.
/// `key` names what the check does: two traces whose checks have the same non-empty key
/// are the same graph (a traced step relaxed over the batch size keeps one check), so ok
/// and message must then depend only on the key (message also gets x's shape as it runs).
void check_elements(const Tensor& x, std::function<bool(double)> ok,
                    std::function<std::string(double value, int64_t flat_index, const Shape& shape)> message,
                    std::string key = {});

}  // namespace keras::core::ops
