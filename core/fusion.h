// fusion.h - (engine-internal) elementwise fusion: a chain of elementwise ops becomes
// one FusedElementwise node whose kernel makes one pass over memory (XLA's loop fusion),
// evaluating a small program block by block.
#pragma once
#include <vector>

#include "core/dispatch.h"
#include "core/graph.h"

namespace keras::core {

// The program of a FusedElementwise node. Registers 0..num_inputs-1 hold the inputs;
// instruction i writes register num_inputs + i; the last one is the result.
struct ElementwiseProgram : Resource {
  struct Instr {
    OpId op;           // an elementwise op (a comparison is followed by its cast)
    std::vector<int> args;  // registers
    Attrs attrs;       // the original node's attributes
  };
  int num_inputs = 0;
  std::vector<Instr> code;
  Shape shape;   // as traced (the kernel follows its inputs' shapes)
  DType dtype{};  // of every intermediate (float32 or float64), and of the result and the
                  // inputs but for these:
  // On the CPU, float32 programs also load and store bfloat16 (mixed_bfloat16's casts
  // around each op): an input of dtype bfloat16 is widened as it is read (the program's
  // first use of it is its cast to float32), and a program whose last instruction casts to
  // bfloat16 rounds as it writes. Empty: every input has `dtype`.
  std::vector<DType> input_dtypes;
  DType result_dtype{};  // the last instruction's (dtype, or bfloat16)
  DType input_dtype(size_t i) const { return input_dtypes.empty() ? dtype : input_dtypes[i]; }
};

// Whether fusion handles this op (elementwise, with a scalar formula in the kernel).
bool fusible_op(OpId op);
// Whether only the CPU kernel of FusedElementwise runs this op (round, floor, ceil,
// maximum, minimum, and the activations with a CPU vector kernel: rsqrt, sigmoid, gelu,
// silu, softplus, softsign, expm1, log1p, elu, selu, leaky_relu): the pass fuses it for
// CPU values only.
bool cpu_fusible_only(OpId op);

// How a fused loop over `out` reads an input of shape `in` (after a prefix of ones, which
// repeats the rest): with out's shape (full), one element (scalar), out's trailing
// dimensions (row: repeated), or out's dimensions then ones (column, as a per-row scale of
// shape (rows, 1): each element repeated `inner` times, the product of out's dimensions
// where `in` has the ones); anything else does not fit (none). Rows fit every device's kernel, columns
// the CPU's only.
struct FusedInput {
  enum Kind { none, full, scalar, row, column } kind = none;
  int64_t inner = 1;
};
FusedInput fused_input(const Shape& in, const Shape& out);

namespace graph {
// Replaces chains of fusible nodes (each intermediate used once, same shape, float dtype
// and device, where that device has a FusedElementwise kernel for the dtype: supports())
// by FusedElementwise nodes; returns how many nodes it removed.
int fuse_elementwise(Graph& g);
// The inverse: each FusedElementwise node back as its original nodes (for export, whose
// file format lists primitive ops only).
void unfuse_elementwise(Graph& g);
// matmul (rank 2, float, on a device with a FusedMatMul kernel for the dtype) -> add of a
// (N,) bias -> relu, each intermediate used once, becomes one FusedMatMul node (runs before fuse_elementwise, which would take the add
// and the relu); returns how many nodes it removed. And the inverse, for export.
int fuse_matmul_epilogue(Graph& g);
void unfuse_matmul_epilogue(Graph& g);
// The same for conv (float, on a device with a FusedConv kernel) -> add of a (filters,)
// bias -> relu: one FusedConv node (core/fusion_matmul.cpp). And the inverse, for export.
int fuse_conv_epilogue(Graph& g);
void unfuse_conv_epilogue(Graph& g);
}  // namespace graph

}  // namespace keras::core
