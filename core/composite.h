// composite.h - (engine-internal) composite values in traced functions: one graph node
// that runs an eager op on SparseTensor carriers (SparseTensor::as_tensor()) and dense
// tensors when the graph runs.
//
// A sparse carrier's shape is its dense shape, which (for every op below) follows from the
// inputs' shapes, so it is a graph value like any tensor. Inside a trace, a sparse op that
// touches a traced value records one Composite node: its resource holds the op's name,
// its arguments (the key two traces compare) and the eager op. At trace time the node
// learns its outputs' shapes, and checks its arguments, by running the eager op once on
// stand-ins (a sparse input with no entries, a dense one of zeros). Its gradient is
// another Composite node that runs the eager op under a GradientTape on the values and
// returns the vector-Jacobian product: gradients of dense inputs, and for a sparse input
// its indices with the gradient of its values.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "core/sparse.h"

namespace keras::core::composite {

using EagerOp = std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs)>;

// Whether a sparse op called now must become a graph node: a trace is active and one of
// the operands is a traced value (a symbolic sparse tensor, traced values, a traced
// dense tensor).
bool needed(std::initializer_list<const SparseTensor*> sparse, std::initializer_list<const Tensor*> dense = {});

// sp as a graph value: a symbolic one's carrier, a constant one's carrier (captured), or
// for one built in the trace from known indices and traced values, a node making it.
Tensor graph_value(const SparseTensor& sp);

// Records the op as one Composite node (see above). `name` names the op in errors,
// `args` its non-tensor arguments (what makes two calls the same op). Set ops' results
// (sparse_unknown_last) have a dense shape whose last dimension is known only when the
// graph runs: in the trace it is a stand-in size (0; 1 under
// ragged_function::SpreadStandIns), which core::function checks the graph does not hold
// (made_up_sizes). An op that cannot run on that stand-in at trace time (a reshape to a
// given size) raises naming itself.
std::vector<Tensor> call(const std::string& name, const std::string& args, const std::vector<Tensor>& inputs,
                         EagerOp eager, bool sparse_unknown_last = false);

// How many stand-in sizes (set results' last dimensions, the numbers of entries read
// through a symbolic SparseTensor's values() or indices()) this thread's traces have
// made: a trace that made one is checked against a trace with other stand-ins, in which
// a traced sparse input stands in with one entry (otherwise none).
int64_t made_up_sizes();
// Counts one such size (made_up_sizes()).
void count_made_up_size();
inline Tensor call1(const std::string& name, const std::string& args, const std::vector<Tensor>& inputs,
                    EagerOp eager) {
  return call(name, args, inputs, std::move(eager))[0];
}

// The sum of two gradients of one sparse value (carriers with its indices, in its order):
// the same indices with the values added; one node inside a trace.
Tensor add_gradients(const Tensor& a, const Tensor& b);

// Whether the Composite node's op runs now on stand-ins (at trace time), not on the
// values of a graph run.
bool probing();

// The op name of a Composite node (for export's and jit_compile's errors).
std::string node_name(const Attrs& attrs);

// "host_function", or "host_function (<name>)" for a named one (a queue's operation).
std::string host_name(const Attrs& attrs);

// A list of numbers as a key part: "1,2,3".
std::string key(const std::vector<int64_t>& v);

}  // namespace keras::core::composite
