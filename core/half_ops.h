// half_ops.h - (engine-internal) the ops that take float16/bfloat16 tensors, and how the
// dispatcher runs them on a device without half-precision kernels.
//
// An op call with a float16 or bfloat16 input (or attrs.dtype) goes, when the op is in
// the list of half ops and the device's kernel has not declared half dtypes itself
// (declare_kernel_dtypes, core/kernel_dtypes.h), through run_half_call: its half inputs
// are cast to float32, the op runs in float32, and its float32 outputs are cast back, so
// each result is rounded once, as a half-precision device computing with float32
// accumulation rounds it. The casts and the float32 op are ordinary dispatched ops: the
// tape records them (gradients flow through cast's rule) and traces contain them. A
// device whose kernel declares float16/bfloat16 gets the call directly. Any other op
// raises "no kernel for device ... and dtype float16".
#pragma once
#include "core/dispatch.h"

namespace keras::core {
/// Whether `op` takes float16/bfloat16 tensors.
bool takes_half(OpId op);
/// The half dtype of a call (an input's or attrs.dtype), or float32 when it has none.
DType half_dtype_of(const OpCall& c);
/// Runs `c` (a call with half dtype `half`) in float32, setting c's outputs; raises "no
/// kernel for device ... and dtype ..." when the op does not take half dtypes.
void run_half_call(OpCall& c, DType half);
}  // namespace keras::core
