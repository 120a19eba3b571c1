// register_linalg.cpp - the CUDA backend's entries for the linear-algebra ops (launchers
// in gpu/linalg_kernels.h: gpu/linalg_solve.cu, gpu/linalg_decomp.cu, gpu/linalg_eig.cu):
// host code that turns an OpCall into a launcher call, float32 and float64 as on the CPU
// (eig: complex outputs, through the op's complex-kernel slot). The per-matrix
// info codes the launchers read back raise the CPU kernels' own messages
// (core/cpu/linalg_errors.h): singular, not positive definite, no convergence.
#include <algorithm>
#include <cstdint>

#include "core/cpu/linalg_errors.h"
#include "core/dispatch.h"
#include "core/kernel_dtypes.h"
#include "gpu/linalg_kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

using namespace linalg_errors;

// The batch matrices of a (..., m, n) shape (the CPU's lapack::Mats).
struct Batch {
  int64_t count = 1, m = 0, n = 0;
};
Batch batch_of(const Shape& s) {
  Batch r;
  for (int64_t i = 0; i + 2 < s.rank(); ++i) r.count *= s[i];
  r.m = s[s.rank() - 2];
  r.n = s[s.rank() - 1];
  return r;
}

// Checks the dtype and the 32-bit size (as the CPU kernel does, before anything runs).
Batch start(const OpCall& c, int64_t extra = 0) {
  require(c, c.in(0).dtype());
  const Batch g = batch_of(c.in(0).shape());
  lapack_int_size(c, std::max({g.m, g.n, extra}));
  return g;
}

void* out(OpCall& c, size_t i) { return c.outputs[i].raw_mutable_data(); }

void cholesky_kernel(OpCall& c) {
  const Batch g = start(c);
  const LinalgInfo f = linalg_cholesky(dt_of(c.in(0).dtype()), c.in(0).raw_data(), out(c, 0), g.count, g.n,
                                       device_of(c));
  if (f.batch >= 0) throw_not_positive_definite(c, f.batch, f.info);
}

void lu_factor_kernel(OpCall& c) {
  const Batch g = start(c);
  linalg_lu_factor(dt_of(c.in(0).dtype()), c.in(0).raw_data(), out(c, 0), static_cast<int32_t*>(out(c, 1)), g.count,
                   g.n, device_of(c));
}

void det_kernel(OpCall& c) {
  const Batch g = start(c);
  linalg_det(dt_of(c.in(0).dtype()), c.in(0).raw_data(), out(c, 0), c.op == OpId::Slogdet ? out(c, 1) : nullptr,
             g.count, g.n, device_of(c));
}

void inv_kernel(OpCall& c) {
  const Batch g = start(c);
  const LinalgInfo f = linalg_inv(dt_of(c.in(0).dtype()), c.in(0).raw_data(), out(c, 0), g.count, g.n, device_of(c));
  if (f.batch >= 0) throw_singular(c, f.batch, f.info);
}

void solve_kernel(OpCall& c) {
  const Batch g = start(c), gb = batch_of(c.in(1).shape());
  lapack_int_size(c, gb.n);
  const Dt dt = dt_of(c.in(0).dtype());
  if (c.op == OpId::SolveTriangular)
    return linalg_solve_triangular(dt, c.in(0).raw_data(), c.in(1).raw_data(), out(c, 0), g.count, g.n, gb.n,
                                   c.attrs.flag, c.attrs.flag2, device_of(c));
  const LinalgInfo f = linalg_solve(dt, c.in(0).raw_data(), c.in(1).raw_data(), out(c, 0), g.count, g.n, gb.n,
                                    c.attrs.flag, device_of(c));
  if (f.batch >= 0) throw_singular(c, f.batch, f.info);
}

void qr_kernel(OpCall& c) {
  const Batch g = start(c);
  const LinalgInfo f = linalg_qr(dt_of(c.in(0).dtype()), c.in(0).raw_data(), out(c, 0), out(c, 1), g.count, g.m, g.n,
                                 c.attrs.flag, device_of(c));
  if (f.batch >= 0) throw_no_convergence(c, f.batch, f.info);
}

void svd_kernel(OpCall& c) {
  const Batch g = start(c);
  const bool uv = c.attrs.flag2;
  const LinalgInfo f = linalg_svd(dt_of(c.in(0).dtype()), c.in(0).raw_data(), uv ? out(c, 0) : nullptr,
                                  out(c, uv ? 1 : 0), uv ? out(c, 2) : nullptr, g.count, g.m, g.n, c.attrs.flag, uv,
                                  device_of(c));
  if (f.batch >= 0) throw_no_convergence(c, f.batch, f.info);
}

void eigh_kernel(OpCall& c) {
  const Batch g = start(c);
  const LinalgInfo f = linalg_eigh(dt_of(c.in(0).dtype()), c.in(0).raw_data(), out(c, 0), out(c, 1), g.count, g.n,
                                   device_of(c));
  if (f.batch >= 0) throw_no_convergence(c, f.batch, f.info);
}

// Complex outputs: entered as the op's complex kernel (dispatch picks it for them), with
// the real input dtypes declared.
void eig_kernel(OpCall& c) {
  const Batch g = start(c);
  const LinalgInfo f = linalg_eig(dt_of(c.in(0).dtype()), c.in(0).raw_data(), out(c, 0), out(c, 1), g.count, g.n,
                                  device_of(c));
  if (f.batch >= 0) throw_no_convergence(c, f.batch, f.info);
}

}  // namespace

void register_linalg_kernels() {
  const auto& f = kFloatTypes;
  add_kernel(OpId::Cholesky, cholesky_kernel, f);
  add_kernel(OpId::LuFactor, lu_factor_kernel, f);
  add_kernel(OpId::Det, det_kernel, f);
  add_kernel(OpId::Slogdet, det_kernel, f);
  add_kernel(OpId::Inv, inv_kernel, f);
  add_kernel(OpId::Solve, solve_kernel, f);
  add_kernel(OpId::SolveTriangular, solve_kernel, f);
  add_kernel(OpId::Qr, qr_kernel, f);
  add_kernel(OpId::Svd, svd_kernel, f);
  add_kernel(OpId::Eigh, eigh_kernel, f);
  register_complex_kernel(OpId::Eig, Device::Kind::CUDA, eig_kernel);
  declare_kernel_dtypes(OpId::Eig, Device::Kind::CUDA, f);
}

}  // namespace keras::core::cuda
