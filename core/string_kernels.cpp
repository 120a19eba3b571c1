// string_kernels.cpp - the engine's ops on string tensors (see string_kernels.h).
//
// An op that only moves elements runs on int64 tensors of the elements' indices in place
// of the string inputs (input k's elements are numbered after those of inputs 0..k-1),
// with its own checks and kernels; each output index then picks its string.
#include "core/string_kernels.h"

#include <numeric>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "core/ops.h"

namespace keras::core {
namespace {

bool moves_elements(OpId op) {
  switch (op) {
    case OpId::Transpose:
    case OpId::StridedSlice:
    case OpId::BroadcastTo:
    case OpId::Tile:
    case OpId::Concat:
    case OpId::Gather:
    case OpId::TakeAlongAxis:
    case OpId::Where:
    case OpId::Size:
      return true;
    default:
      return false;
  }
}

// The index tensors that stand for the string inputs, and every string element in order.
struct Indexed {
  std::vector<Tensor> inputs;
  std::vector<const std::string*> pool;
};

Indexed index_inputs(const OpCall& c) {
  Indexed r;
  for (const Tensor& t : c.inputs) {
    if (t.dtype() != DType::string) {
      r.inputs.push_back(t);
      continue;
    }
    const int64_t n = t.size(), base = static_cast<int64_t>(r.pool.size());
    Tensor idx = empty(t.shape(), DType::int64);
    int64_t* p = idx.mutable_data<int64_t>();
    std::iota(p, p + n, base);
    const std::string* s = t.data<std::string>();
    for (int64_t i = 0; i < n; ++i) r.pool.push_back(s + i);
    r.inputs.push_back(std::move(idx));
  }
  return r;
}

// The strings that an int64 tensor of indices into `pool` names.
Tensor pick(const Tensor& idx, const std::vector<const std::string*>& pool) {
  Tensor out = empty(idx.shape(), DType::string);
  const int64_t* p = idx.data<int64_t>();
  std::string* o = out.mutable_data<std::string>();
  for (int64_t i = 0; i < idx.size(); ++i) o[i] = *pool[static_cast<size_t>(p[i])];
  return out;
}

void move_elements(OpCall& c) {
  Indexed ix = index_inputs(c);
  auto outs = dispatch_multi(c.op, ix.inputs, c.attrs);
  for (int k = 0; k < c.num_outputs; ++k) {
    const auto i = static_cast<size_t>(k);
    c.outputs[i] = c.out_dtype[i] == DType::string ? pick(outs[i], ix.pool) : std::move(outs[i]);
  }
}

void compare(OpCall& c) {
  Indexed ix = index_inputs(c);
  const Shape& shape = c.out_shape[0];
  Tensor a = ops::broadcast_to(ix.inputs[0], shape), b = ops::broadcast_to(ix.inputs[1], shape);
  Tensor out = empty(shape, DType::bool_);
  const int64_t *pa = a.data<int64_t>(), *pb = b.data<int64_t>();
  bool* o = out.mutable_data<bool>();
  const bool want = c.op == OpId::Equal;
  for (int64_t i = 0; i < out.size(); ++i)
    o[i] = (*ix.pool[static_cast<size_t>(pa[i])] == *ix.pool[static_cast<size_t>(pb[i])]) == want;
  c.outputs[0] = std::move(out);
}

}  // namespace

bool has_string_kernel(OpId op) {
  return op_def(op).is_view || moves_elements(op) || op == OpId::Equal || op == OpId::NotEqual;
}

void trace_string_call(OpCall& c, bool is_view) {
  const bool supported = is_view || moves_elements(c.op) || c.op == OpId::Equal || c.op == OpId::NotEqual;
  if (!supported) {
    const Device dev = c.inputs.empty() ? c.attrs.device : c.inputs[0].device();
    throw_invalid(std::string(c.name()) + ": no kernel for device " + dev.str() + " and dtype string");
  }
  if (is_view) return;  // infer made the views
  const Device dev = c.inputs.empty() ? c.attrs.device : c.inputs[0].device();
  for (int k = 0; k < c.num_outputs; ++k)
    c.outputs[size_t(k)] = placeholder(c.out_shape[size_t(k)], c.out_dtype[size_t(k)], dev);
}

void run_string_call(OpCall& c, bool is_view) {
  if (is_view) {
    for (int k = 0; k < c.num_outputs; ++k)
      if (!c.outputs[static_cast<size_t>(k)].defined())
        throw_invalid(std::string(c.name()) + ": no kernel for device cpu and dtype string");
    return;
  }
  if (moves_elements(c.op)) return move_elements(c);
  if (c.op == OpId::Equal || c.op == OpId::NotEqual) return compare(c);
  const Device dev = c.inputs.empty() ? c.attrs.device : c.inputs[0].device();
  throw_invalid(std::string(c.name()) + ": no kernel for device " + dev.str() + " and dtype string");
}

}  // namespace keras::core
