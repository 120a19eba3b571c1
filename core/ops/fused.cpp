// fused.cpp - the FusedElementwise op: checks, and its gradient, which replays the
// program as the original ops under a tape (a fused op keeps the composed version's
// gradient, DESIGN.md rule 5). Kernel: core/cpu/fused.cpp; pass: core/fusion.cpp.
//   FusedElementwise  resources {ElementwiseProgram}; inputs {program inputs...}
// An input has the result's shape, one element, the result's trailing dimensions (a row),
// or its leading dimensions then ones (a column; core/fusion.h's fused_input).
#include <string>

#include "core/autodiff.h"
#include "core/fusion.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {

const ElementwiseProgram& program(const Attrs& a) { return static_cast<const ElementwiseProgram&>(*a.resources.at(0)); }

void infer_fused(OpCall& c) {
  const ElementwiseProgram& p = program(c.attrs);
  if (c.inputs.size() != size_t(p.num_inputs))
    throw_invalid("fused_elementwise: expected " + std::to_string(p.num_inputs) + " inputs, but received " +
                  std::to_string(c.inputs.size()));
  // The result's shape follows the inputs (a graph made at one batch size serves others);
  // each input has that shape, one element, its trailing dimensions, or its leading
  // dimensions then ones (fused_input).
  Shape out = c.in(0).shape();
  for (size_t i = 1; i < c.inputs.size(); ++i) out = broadcast_shapes(out, c.in(i).shape(), "fused_elementwise");
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const Shape& s = c.in(i).shape();
    if (fused_input(s, out).kind == FusedInput::none || c.in(i).dtype() != p.input_dtype(i))
      throw_invalid("fused_elementwise: input " + std::to_string(i) + " (" + dtype_name(c.in(i).dtype()) + " " +
                    s.str() + ") does not fit the fused loop over " + dtype_name(p.input_dtype(i)) + " " + out.str());
  }
  c.set_output(0, out, p.result_dtype);
}

// The program run as its original ops (differentiable).
Tensor compose(const ElementwiseProgram& p, const std::vector<Tensor>& in) {
  std::vector<Tensor> regs = in;
  for (const auto& instr : p.code) {
    std::vector<Tensor> args;
    for (int r : instr.args) args.push_back(regs[size_t(r)]);
    regs.push_back(dispatch(instr.op, std::span<const Tensor>(args), instr.attrs));
  }
  return regs.back();
}

std::vector<Tensor> fused_grad(const GradContext& gc) {
  const ElementwiseProgram& p = program(gc.attrs);
  std::vector<Tensor> in(gc.inputs.begin(), gc.inputs.end());
  GradientTape tape(GradientTape::Options{.persistent = false, .watch_accessed_variables = false});
  for (size_t i = 0; i < in.size(); ++i)
    if (gc.needs(i)) tape.watch(in[i]);
  Tensor out = compose(p, in);
  return tape.gradient(out, in, gc.grad(0));
}
}  // namespace

void define_fused_ops() {
  define_op(OpId::FusedElementwise, infer_fused);
  define_grad(OpId::FusedElementwise, fused_grad);
}

}  // namespace keras::core
