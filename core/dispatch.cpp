#include "core/dispatch.h"

#include <mutex>
#include <optional>
#include <stdexcept>

#include "core/cpu/parallel.h"
#include "core/device_scope.h"
#include "core/half_ops.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "core/string_kernels.h"

namespace keras::core {
namespace {
const char* const kOpNames[] = {
#define CORE_OP(id, name) name,
#include "core/ops.def"
#undef CORE_OP
};
OpDef g_ops[kNumOps];
}  // namespace

const char* op_name(OpId op) { return kOpNames[static_cast<int>(op)]; }
OpDef& op_def(OpId op) { return g_ops[static_cast<int>(op)]; }

void define_op(OpId op, InferFn infer, bool is_view) {
  OpDef& d = op_def(op);
  d.infer = infer;
  d.is_view = is_view;
}
void define_grad(OpId op, GradFn grad) { op_def(op).grad = grad; }
void set_op_flags(OpId op, unsigned flags) { op_def(op).flags = flags; }
void register_kernel(OpId op, Device::Kind device, KernelFn fn) {
  op_def(op).kernels[static_cast<size_t>(device)] = fn;
}

void register_complex_kernel(OpId op, Device::Kind device, KernelFn fn, InferFn infer) {
  OpDef& d = op_def(op);
  d.complex_kernels[static_cast<size_t>(device)] = fn;
  if (infer) d.complex_infer = infer;
}

namespace {
void run_kernel(OpCall& c, const OpDef& def, bool cplx);

// Whether an op call involves a complex dtype: an input's, or attrs.dtype where it names the
// output's dtype (cast, and the creation ops, which have no inputs). Another op's attrs.dtype
// (a graph file may carry anything there) does not make float inputs complex.
bool complex_call(const OpCall& c) {
  for (const Tensor& t : c.inputs)
    if (is_complex(t.dtype())) return true;
  return (c.inputs.empty() || c.op == OpId::Cast) && is_complex(c.attrs.dtype);
}

// Whether an op call involves a string tensor: an input's dtype, or attrs.dtype where it
// names the output's (cast, creation), as for complex_call.
bool string_call(const OpCall& c) {
  for (const Tensor& t : c.inputs)
    if (t.dtype() == DType::string) return true;
  return (c.inputs.empty() || c.op == OpId::Cast) && c.attrs.dtype == DType::string;
}

// The ops that make a tensor from nothing: placed by core/device_scope.h.
bool makes_from_nothing(OpId op) {
  switch (op) {
    case OpId::Fill: case OpId::Range: case OpId::Linspace: case OpId::Eye:
    case OpId::RandomUniform: case OpId::RandomNormal: case OpId::TruncatedNormal:
      return true;
    default:
      return false;
  }
}

void run(OpCall& c) {
  ensure_initialized();
  const OpDef& def = op_def(c.op);
  if (!def.infer) throw std::logic_error(std::string(c.name()) + ": op has no definition");
  if (int(c.inputs.size()) < def.min_inputs || int(c.inputs.size()) > def.max_inputs)
    throw_invalid(std::string(c.name()) + ": expected " +
                  (def.min_inputs == def.max_inputs ? std::to_string(def.min_inputs)
                                                    : std::to_string(def.min_inputs) + " to " + std::to_string(def.max_inputs)) +
                  " inputs, but received " + std::to_string(c.inputs.size()));
  // Inputs must be defined and live on one device.
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    if (!c.inputs[i].defined())
      throw_invalid(std::string(c.name()) + ": input " + std::to_string(i) +
                    " is an undefined tensor");
    if (sparse::is_sparse(c.inputs[i]) && c.op != OpId::Composite)
      throw_invalid(std::string(c.name()) + ": input " + std::to_string(i) + " is a SparseTensor (dense shape " +
                    c.inputs[i].shape().str() + ", " + dtype_name(c.inputs[i].dtype()) +
                    "), which dense ops do not take: use a keras::sparse op, or sparse::to_dense");
    if (ragged::is_ragged(c.inputs[i]))
      throw_invalid(std::string(c.name()) + ": input " + std::to_string(i) + " is a RaggedTensor (bounding shape " +
                    c.inputs[i].shape().str() + ", " + dtype_name(c.inputs[i].dtype()) +
                    "), which dense ops do not take: use a keras::ragged op, ragged::map_flat_values, or to_tensor");
    if (i > 0 && c.inputs[i].device() != c.inputs[0].device())
      throw_invalid(std::string(c.name()) + ": all inputs must be on one device, but input 0 " +
                    "is on " + c.inputs[0].device().str() + " and input " + std::to_string(i) +
                    " is on " + c.inputs[i].device().str());
  }
  const bool cplx = complex_call(c);
  // String tensors: their own path, without gradients (a host_function takes any dtype).
  if (string_call(c) && c.op != OpId::HostFunction && c.op != OpId::Composite) {
    def.infer(c);
    if (tracing::t_tracer) {
      trace_string_call(c, def.is_view);
      tracing::record(c);
    } else {
      run_string_call(c, def.is_view);
    }
    return;
  }
  // Half dtypes: the op's own kernel when the device declares one, else float32 (half_ops.h).
  // (Assigning a variable stores the value whatever its dtype.)
  if (const DType half = half_dtype_of(c); is_half(half) && c.op != OpId::Cast && !def.is_view &&
                                           c.op != OpId::HostFunction && c.op != OpId::Composite &&
                                           c.op != OpId::AssignVariable) {
    const Device dev = c.inputs.empty() ? c.attrs.device : c.inputs[0].device();
    if (!kernel_declares(c.op, dev.kind, half)) return run_half_call(c, half);
  }
  if (cplx && def.complex_infer) def.complex_infer(c);
  else def.infer(c);
  if (!def.is_view) {
    run_kernel(c, def, cplx);
    if (numerics::g_check.load(std::memory_order_relaxed) && !tracing::t_tracer) [[unlikely]]
      numerics::check_outputs(c);
  }
  if (autodiff::t_recording > 0) autodiff::record(c);
  if (tracing::t_tracer) tracing::record(c);
}

void run_kernel(OpCall& c, const OpDef& def, bool cplx) {
  Device dev = c.inputs.empty() ? c.attrs.device : c.inputs[0].device();
  DType dt = c.inputs.empty() ? c.attrs.dtype : c.inputs[0].dtype();
  if (!cplx)
    for (int i = 0; i < c.num_outputs; ++i)
      if (is_complex(c.out_dtype[static_cast<size_t>(i)])) cplx = true, dt = c.out_dtype[static_cast<size_t>(i)];
  if (cplx)
    for (const Tensor& t : c.inputs)
      if (is_complex(t.dtype())) dt = t.dtype();
  KernelFn k = (cplx ? def.complex_kernels : def.kernels)[static_cast<size_t>(dev.kind)];
  if (!k) {
    throw_invalid(std::string(c.name()) + ": no kernel for device " + dev.str() +
                  " and dtype " + dtype_name(dt));
  }
  // While tracing, ops are recorded, not run: their outputs are placeholders with the
  // right shape and dtype and no memory (the graph runs them later).
  const bool tracing = tracing::t_tracer != nullptr;
  for (int i = 0; i < c.num_outputs; ++i) {
    const Shape& s = c.out_shape[static_cast<size_t>(i)];
    const DType d = c.out_dtype[static_cast<size_t>(i)];
    try {
      c.outputs[static_cast<size_t>(i)] = tracing ? placeholder(s, d, dev) : empty(s, d, dev);
    } catch (const OutOfMemoryError& e) {
      throw OutOfMemoryError(std::string(c.name()) + ": output " + std::to_string(i) + ": " + e.what());
    }
  }
  if (tracing) return;
  try {
    if (dev.is_cpu()) {
      cpu::FlushDenormals ftz;
      k(c);
    } else {
      k(c);
    }
  } catch (const OutOfMemoryError&) {
    throw;
  } catch (const std::bad_alloc&) {  // a kernel's own scratch memory
    std::string shapes;
    for (size_t i = 0; i < c.inputs.size(); ++i)
      shapes += (i ? ", " : "") + c.inputs[i].shape().str() + " " + dtype_name(c.inputs[i].dtype());
    throw OutOfMemoryError(std::string(c.name()) + ": out of memory in the kernel for inputs " +
                           shapes + " on " + dev.str());
  }
}
}  // namespace

namespace {
// The attributes of a call, with a creation op's device set by core/device_scope.h (a
// copy in `scratch`, only when the placement is not the CPU).
const Attrs& placed(OpId op, std::span<const Tensor> inputs, const Attrs& attrs, std::optional<Attrs>& scratch) {
  if (!inputs.empty() || !attrs.device.is_cpu() || !makes_from_nothing(op)) return attrs;
  const Device d = current_device();
  if (d.is_cpu()) return attrs;
  scratch.emplace(attrs).device = d;
  return *scratch;
}
}  // namespace

Tensor dispatch(OpId op, std::span<const Tensor> inputs, const Attrs& attrs) {
  std::optional<Attrs> scratch;
  OpCall c{op, inputs, placed(op, inputs, attrs, scratch)};
  run(c);
  return std::move(c.outputs[0]);
}

std::array<Tensor, kMaxOutputs> dispatch_multi(OpId op, std::span<const Tensor> inputs,
                                               const Attrs& attrs) {
  std::optional<Attrs> scratch;
  OpCall c{op, inputs, placed(op, inputs, attrs, scratch)};
  run(c);
  return std::move(c.outputs);
}

// ---- helpers for infer functions ------------------------------------------------------
void throw_invalid(const std::string& msg) { throw std::invalid_argument(msg); }

std::string dtype_list(std::initializer_list<DType> ds) {
  std::string s;
  size_t i = 0;
  for (DType d : ds) {
    if (i) s += (i + 1 == ds.size()) ? " or " : ", ";
    s += dtype_name(d);
    ++i;
  }
  return s;
}

void expect_dtype(const OpCall& c, const Tensor& t, const char* arg,
                  std::initializer_list<DType> allowed) {
  for (DType d : allowed)
    if (t.dtype() == d) return;
  throw_invalid(std::string(c.name()) + ": expected " + arg + " to have dtype " +
                dtype_list(allowed) + ", but received dtype " + dtype_name(t.dtype()) +
                " (shape " + t.shape().str() + ")");
}

void expect_same_dtype(const OpCall& c, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    throw_invalid(std::string(c.name()) + ": expected both inputs to have the same dtype, but "
                  "received " + dtype_name(a.dtype()) + " " + a.shape().str() + " and " +
                  dtype_name(b.dtype()) + " " + b.shape().str() + " (use cast to convert)");
}

void expect_rank_at_least(const OpCall& c, const Tensor& t, const char* arg, int64_t r) {
  if (t.rank() < r)
    throw_invalid(std::string(c.name()) + ": expected " + arg + " to have rank >= " +
                  std::to_string(r) + ", but received shape " + t.shape().str());
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  if (a == b) return a;
  int64_t r = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.rank() ? 1 : a[i - (r - a.rank())];
    int64_t db = i < r - b.rank() ? 1 : b[i - (r - b.rank())];
    if (da != db && da != 1 && db != 1)
      throw_invalid(std::string(op) + ": incompatible shapes for broadcasting: " + a.str() +
                    " and " + b.str());
    out[static_cast<size_t>(i)] = da == 1 ? db : da;
  }
  return Shape(std::move(out));
}

}  // namespace keras::core
