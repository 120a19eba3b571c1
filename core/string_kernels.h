// string_kernels.h - (engine-internal) string tensors inside the engine: dispatch's path
// for op calls that involve a string tensor, and Python's repr of bytes.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace keras::core {

struct OpCall;
enum class OpId : uint16_t;

// Python's repr of a bytes object: b'a\x00b' (b"it's" when the bytes hold a single quote
// and no double quote), as NumPy and TensorFlow print string elements.
std::string bytes_repr(std::string_view s);

// Dispatch's path for an op call with a string input (after the op's infer checked the
// arguments): a view op keeps the view its infer made; the ops that only move elements
// (transpose, strided_slice, broadcast_to, tile, concatenate, gather, take_along_axis,
// where, size) run their own kernels on the elements' indices; equal and not_equal compare
// the bytes. Any other op raises "<op>: no kernel for device cpu and dtype string".
void run_string_call(OpCall& c, bool is_view);
// The same path while tracing (after infer): an op run_string_call would run gets
// placeholder outputs, to be recorded; any other op raises as run_string_call does.
void trace_string_call(OpCall& c, bool is_view);
// Whether run_string_call runs `op` (a view op, one that moves elements, equal, not_equal).
bool has_string_kernel(OpId op);

}  // namespace keras::core
