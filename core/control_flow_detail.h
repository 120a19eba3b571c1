// control_flow_detail.h - (private to core/control_flow*.cpp) what the control-flow ops'
// files share: reading their subgraphs and inputs, running a subgraph from a kernel, and
// the vector-Jacobian product of a subgraph.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "core/graph.h"

namespace keras::core::control_flow_detail {

using tracing::Subgraph;

// The i-th subgraph among a node's resources.
const Subgraph& sub(const OpCall& c, size_t i);
const Subgraph& sub(const GradContext& c, size_t i);
// "float32 (2, 3)": a tensor's dtype and shape, for messages.
std::string spec(const Tensor& t);
// The value of a bool scalar predicate; anything else raises naming `what`.
bool read_pred(const Tensor& p, const char* what);
// in[b, b + n).
std::vector<Tensor> slice(std::span<const Tensor> in, size_t b, size_t n);
// v followed by tail.
std::vector<Tensor> with(std::vector<Tensor> v, const std::vector<Tensor>& tail);
// A node's output as a handle of its own (same storage): a loop that ran no iteration, or a
// branch returning a capture, would otherwise hand an input back, and a tape would see the
// node's output as its input.
Tensor own_handle(const Tensor& t);
// Runs a subgraph from a kernel: its ops are not recorded on tapes (the node is).
std::vector<Tensor> run_sub(const Subgraph& s, std::vector<Tensor> in);
// Checks a node's inputs against its subgraphs (a graph file may have been edited): each
// subgraph takes `explicit_inputs` then its captures, and has 1 to 8 outputs.
void check_sub(const OpCall& c, const Subgraph& s, int explicit_inputs);
void check_inputs(const OpCall& c, size_t want);
// The vector-Jacobian product of a subgraph at `in` for the output gradients `upstream`
// (undefined: none): one gradient per input (zeros where none flows). Written with ops,
// so it traces, and it is differentiable again.
std::vector<Tensor> subgraph_vjp(const Subgraph& s, const std::vector<Tensor>& in, std::span<const Tensor> upstream);

// The While op's gradient rule and the WhileGrad op (control_flow_grad.cpp).
std::vector<Tensor> while_grad(const GradContext& gc);
void define_while_grad_op();

}  // namespace keras::core::control_flow_detail
