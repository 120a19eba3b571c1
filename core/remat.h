// remat.h - rematerialization (gradient checkpointing): a function whose intermediate
// values are not kept for the backward pass but computed again there (TensorFlow's
// recompute_grad, JAX's checkpoint; keras::remat and RematScope, keras/remat.h, are built
// on it).
//
//   auto block = [&](const std::vector<Tensor>& in) { return std::vector{mlp(in[0])}; };
//   core::GradientTape tape;
//   Tensor y = core::remat_call(block, {x})[0];   // the tape keeps x and y only
//   auto grads = tape.gradient(ops::sum(y), weights);  // block runs again here
//
// While no tape records, remat_call is f(inputs). Under a recording tape, f runs without
// recording and the tape gets one node from the inputs (and the variables f read) to the
// outputs; its gradient runs f again under a tape of its own and differentiates that run.
// The second run sees what the first saw: each variable f read or assigned holds the value
// it had when f first touched it (f's assignments, such as a batch normalization's moving
// statistics or a seed generator's counter, are not made twice), and random ops without a
// seed draw the same numbers (they are keyed by one draw of the global generator per
// outermost rematerialized call). Inside a traced function the recomputation waits for the
// output gradients (optimization_barrier), so the graph's memory plan frees the forward
// pass's intermediate values early and graph passes do not merge the two runs.
#pragma once
#include <functional>
#include <vector>

#include "core/tensor.h"

namespace keras::core {

/// A function rematerialized by remat_call: tensors in, tensors out.
using RematFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

/// f(inputs), with its intermediate values computed again in the backward pass instead of
/// kept (see the top of this header). f must compute the same function of its inputs and
/// of the variables it reads each time it runs; it may not create variables.
std::vector<Tensor> remat_call(const RematFunction& f, const std::vector<Tensor>& inputs);
/// Whether a GradientTape records on this thread now (remat_call rematerializes only then).
bool tape_is_recording();

namespace ops {
/// A view of x that exists only once `dep` does (JAX's optimization_barrier, for one
/// value): inside a traced function, what is computed from it waits for dep, and graph
/// passes never merge it with x. Its gradient is the identity for x and none for dep.
Tensor optimization_barrier(const Tensor& x, const Tensor& dep);
}  // namespace ops

}  // namespace keras::core
