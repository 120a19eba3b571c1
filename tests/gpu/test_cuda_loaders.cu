// The libraries the CUDA backend loads with dlopen at first use (gpu/cusolver.cu,
// gpu/cublas.cu) load and bind every entry point the kernels call. Loading needs no GPU,
// so this runs in every CUDA build (nvcc compiles the test; CUDA builds only): a missing
// symbol would otherwise surface only on a device, as the failure of every op using it.
#include <doctest/doctest.h>

#include "gpu/cublas.cuh"
#include "gpu/cusolver.cuh"

namespace {
template <class F>
bool bound(F f) {
  return f != nullptr;
}
template <class P>
bool both(const P& p) {
  return bound(p.s) && bound(p.d);
}
}  // namespace

TEST_CASE("cuda loaders: libcusolver loads with every dense routine the linear-algebra kernels call") {
  using keras::core::cuda::cusolver_api;
  const auto& api = cusolver_api();
  CHECK(bound(api.create));
  CHECK(bound(api.set_stream));
  CHECK(both(api.potrf_size));
  CHECK(both(api.potrf));
  CHECK(both(api.getrf_size));
  CHECK(both(api.getrf));
  CHECK(both(api.getrs));
  CHECK(both(api.geqrf_size));
  CHECK(both(api.geqrf));
  CHECK(both(api.orgqr_size));
  CHECK(both(api.orgqr));
  CHECK(both(api.gesvd_size));
  CHECK(both(api.gesvd));
  CHECK(both(api.syevd_size));
  CHECK(both(api.syevd));
  CHECK(bound(api.create_params));
  CHECK(bound(api.destroy_params));
  CHECK(bound(api.xgeev_size));
  CHECK(bound(api.xgeev));
  CHECK((&cusolver_api() == &api));  // loaded once
}

TEST_CASE("cuda loaders: libcublas loads with trsm (solve_triangular) and the products") {
  const auto& api = keras::core::cuda::cublas_api();
  CHECK(bound(api.strsm));
  CHECK(bound(api.dtrsm));
  CHECK(bound(api.sgemm));
  CHECK(bound(api.dgemm));
}
