// register_creation.cpp - the CUDA backend's size and random-number entries (host code
// for the launchers of gpu/kernels.h). A random op's counter input, when it has one, stays
// on the device: the kernel derives the seed from it (kmath::derive_seed, as the CPU).
#include <cstdint>

#include "core/dispatch.h"
#include "gpu/kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

// The counter input in device memory (an int64 scalar, checked by the op), or null.
const int64_t* op_counter(const OpCall& c) { return c.inputs.empty() ? nullptr : c.in(0).data<int64_t>(); }

void uniform_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  require(c, y.dtype());
  random_uniform(dt_of(y.dtype()), y.raw_mutable_data(), y.size(), static_cast<uint64_t>(c.attrs.k), op_counter(c),
                 c.attrs.alpha, c.attrs.beta, device_of(c));
}

void normal_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  require(c, y.dtype());
  random_normal(dt_of(y.dtype()), y.raw_mutable_data(), y.size(), static_cast<uint64_t>(c.attrs.k), op_counter(c),
                c.attrs.alpha, c.attrs.beta, c.op == OpId::TruncatedNormal, device_of(c));
}

// The product of the input's dimensions (attrs.axes; all when empty), known on the host.
void size_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  require(c, y.dtype());
  const Shape& s = c.in(0).shape();
  double n = c.attrs.axes.empty() ? static_cast<double>(c.in(0).size()) : 1.0;
  for (int64_t a : c.attrs.axes) n *= static_cast<double>(s[a < 0 ? a + s.rank() : a]);
  fill(dt_of(y.dtype()), y.raw_mutable_data(), 1, n, device_of(c));
}

}  // namespace

void register_creation_kernels() {
  add_kernel(OpId::RandomUniform, uniform_kernel, {DType::float32, DType::float64, DType::int32, DType::int64});
  add_kernel(OpId::RandomNormal, normal_kernel, {DType::float32, DType::float64});
  add_kernel(OpId::TruncatedNormal, normal_kernel, {DType::float32, DType::float64});
  add_kernel(OpId::Size, size_kernel, {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8});
}

}  // namespace keras::core::cuda
