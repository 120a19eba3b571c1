// cuda_cases.h - what the CPU/CUDA comparison tables share: a case (a function of tensors
// and its inputs), inputs with awkward values, and the comparison of a case run on CPU
// inputs against the same case run on their copies on GPU:0.
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/cuda_backend.h"
#include "helpers.h"
#include "skips.h"

namespace cuda_cases {
using namespace th;
using core::Device;

inline bool no_gpu() { return th::skip_without("gpu", core::cuda_device_count() > 0); }

using Fn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
struct Case {
  std::string name;
  Fn fn;
  std::vector<Tensor> inputs;
};

inline std::vector<Tensor> on(Device d, const std::vector<Tensor>& ts) {
  std::vector<Tensor> out;
  for (const Tensor& t : ts) out.push_back(t.to(d));
  return out;
}

// Values with the awkward ones a kernel must get right: signs, zero, NaN, infinities.
inline Tensor awkward(const Shape& s, DType dt, uint64_t seed) {
  auto v = uniform(s.num_elements(), -3.0, 3.0, seed);
  if (core::is_floating(dt) && v.size() >= 8) {
    v[1] = 0.0;
    v[3] = std::numeric_limits<double>::quiet_NaN();
    v[5] = std::numeric_limits<double>::infinity();
    v[7] = -std::numeric_limits<double>::infinity();
  }
  if (core::is_integer(dt))
    for (auto& x : v) x = std::round(x * 10);
  if (dt == DType::uint8)
    for (auto& x : v) x = std::fabs(x);
  if (dt == DType::bool_)
    for (auto& x : v) x = x > 0;
  return make(v, s, dt);
}

// Finite values only (products of infinities and zeros would compare NaN positions that
// depend on the summation order).
inline Tensor finite(const Shape& s, DType dt, uint64_t seed) {
  const Tensor t = awkward(s, dt, seed);
  return core::is_floating(dt) ? ops::where(ops::isfinite(t), t, ops::zeros_like(t)) : t;
}

// Finite values of t's shape and dtype on t's device (weights for a scalar loss whose
// gradients each output should influence).
inline Tensor weights_like(const Tensor& t, uint64_t seed) { return finite(t.shape(), t.dtype(), seed).to(t.device()); }

// a (the CPU's) against b, both on the CPU: NaN where NaN, infinities equal, others within
// the dtype's tolerance (exact for integers and bools).
inline void compare_values(const Tensor& cpu, const Tensor& gpu_values) {
  const auto a = values(cpu), b = values(gpu_values);
  const double tol = cpu.dtype() == DType::float32 ? 2e-5 : (cpu.dtype() == DType::float64 ? 1e-12 : 0.0);
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    if (std::isnan(a[i])) {
      CHECK(std::isnan(b[i]));
    } else if (std::isinf(a[i])) {
      CHECK(a[i] == b[i]);
    } else {
      CHECK(std::fabs(a[i] - b[i]) <= tol * std::max(1.0, std::fabs(a[i])));
    }
  }
}

inline void compare(const Tensor& cpu, const Tensor& gpu) {
  // CHECKs, not REQUIREs: one failing case must not hide the others of the table.
  CHECK(gpu.device() == Device::cuda(0));
  CHECK(gpu.dtype() == cpu.dtype());
  CHECK(gpu.shape() == cpu.shape());
  if (gpu.dtype() != cpu.dtype() || gpu.shape() != cpu.shape()) return;
  const Tensor g = gpu.cpu();
  if (core::is_complex(cpu.dtype())) {  // part by part (complex64: float32's tolerance), read on the CPU
    compare_values(ops::real(cpu), ops::real(g));
    compare_values(ops::imag(cpu), ops::imag(g));
    return;
  }
  compare_values(cpu, g);
}

// For kernels that sum in another order than the CPU (cuBLAS, cuDNN, per-block partial
// sums): float32 within 1e-4 relative to max(1, |cpu|), float64 within 1e-10; NaN where
// NaN, infinities equal.
inline void compare_loose(const Tensor& cpu, const Tensor& gpu) {
  CHECK(gpu.device() == Device::cuda(0));
  CHECK(gpu.dtype() == cpu.dtype());
  CHECK(gpu.shape() == cpu.shape());
  if (gpu.shape() != cpu.shape()) return;
  const auto a = values(cpu), b = values(gpu.cpu());
  const double tol = cpu.dtype() == DType::float32 ? 1e-4 : 1e-10;
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    if (std::isnan(a[i])) CHECK(std::isnan(b[i]));
    else if (std::isinf(a[i])) CHECK(a[i] == b[i]);
    else CHECK(std::fabs(a[i] - b[i]) <= tol * std::max(1.0, std::fabs(a[i])));
  }
}

// Runs `fn` on `inputs` on the CPU and on their copies on GPU:0: the same error, or the
// same number of outputs, each pair checked by `cmp(cpu, gpu)`.
inline void run_on_both(const std::string& name, const Fn& fn, const std::vector<Tensor>& inputs,
                        const std::function<void(const Tensor&, const Tensor&)>& cmp) {
  CAPTURE(name);
  std::vector<Tensor> cpu_out, gpu_out;
  std::string cpu_err, gpu_err;
  try {
    cpu_out = fn(inputs);
  } catch (const std::exception& e) {
    cpu_err = e.what();
  }
  try {
    gpu_out = fn(on(Device::cuda(0), inputs));
  } catch (const std::exception& e) {
    gpu_err = e.what();
  }
  CHECK(gpu_err == cpu_err);
  CHECK(gpu_out.size() == cpu_out.size());
  if (gpu_out.size() != cpu_out.size()) return;
  for (size_t i = 0; i < cpu_out.size(); ++i) {
    CAPTURE(i);
    cmp(cpu_out[i], gpu_out[i]);
  }
}

inline void run_case(const Case& c) { run_on_both(c.name, c.fn, c.inputs, compare); }

// Runs every case of a table on the CPU (the half of the comparison any machine can run):
// each gives defined outputs, and exactly the cases named "(same error)" raise (their
// messages are shown). Returns how many raised.
inline int run_table_on_cpu(const std::vector<Case>& all) {
  int errors = 0;
  for (const Case& c : all) {
    CAPTURE(c.name);
    const bool error_case = c.name.find("(same error)") != std::string::npos;
    bool threw = false;
    try {
      for (const Tensor& t : c.fn(c.inputs)) CHECK(t.defined());
    } catch (const std::exception& e) {
      threw = true;
      MESSAGE(std::string(e.what()));
    }
    CHECK(threw == error_case);
    errors += threw;
  }
  return errors;
}

}  // namespace cuda_cases
