// The libraries the CUDA backend loads with dlopen at first use (gpu/cusolver.cu,
// gpu/cublas.cu, gpu/cublaslt.cu, gpu/cudnn.cu) load and bind every entry point the
// kernels call. Loading needs no GPU, so this runs in every CUDA build (nvcc compiles the
// test; CUDA builds only): a missing symbol would otherwise surface only on a device, as
// the failure of every op using it. The loading happens in a forked child, so the test
// process itself keeps never mapping the libraries (test_device.cpp checks that CPU work
// does not load cuBLAS).
#include <doctest/doctest.h>
#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "gpu/batch_norm_cudnn.cuh"
#include "gpu/cublas.cuh"
#include "gpu/cublaslt.cuh"
#include "gpu/cudnn.cuh"
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

// Runs check() in a child process: its exit status 0 when it returned true, 1 when
// false, 2 when it threw (the message on stderr).
template <class F>
int in_child(F check) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 1;
    try {
      code = check() ? 0 : 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      code = 2;
    }
    _exit(code);
  }
  if (pid < 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("cuda loaders: libcusolver loads with every dense routine the linear-algebra kernels call") {
  CHECK(in_child([] {
          const auto& api = keras::core::cuda::cusolver_api();
          return bound(api.create) && bound(api.set_stream) && both(api.potrf_size) && both(api.potrf) &&
                 both(api.potrf_batched) &&
                 both(api.getrf_size) && both(api.getrf) && both(api.getrs) && both(api.geqrf_size) &&
                 both(api.geqrf) && both(api.orgqr_size) && both(api.orgqr) && both(api.gesvd_size) &&
                 both(api.gesvd) && both(api.syevd_size) && both(api.syevd) && bound(api.create_params) &&
                 bound(api.destroy_params) && bound(api.xgeev_size) && bound(api.xgeev) &&
                 &keras::core::cuda::cusolver_api() == &api;  // loaded once
        }) == 0);
}

TEST_CASE("cuda loaders: libcublas loads with trsm and trsmBatched (solve_triangular) and the products") {
  CHECK(in_child([] {
          const auto& api = keras::core::cuda::cublas_api();
          return bound(api.strsm) && bound(api.dtrsm) && bound(api.strsm_batched) && bound(api.dtrsm_batched) &&
                 bound(api.sgemm) && bound(api.dgemm);
        }) == 0);
}

TEST_CASE("cuda loaders: libcudnn, where it is installed, loads with the convolution and pooling entry points") {
  CHECK(in_child([] {
          unsetenv("KERAS_CPP_CUDNN");
          const std::string major = "libcudnn.so." + std::to_string(CUDNN_MAJOR);
          if (dlopen(major.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr &&
              dlopen("libcudnn.so", RTLD_NOW | RTLD_LOCAL) == nullptr)
            return keras::core::cuda::cudnn_api() == nullptr;  // no library: the direct kernels
          const auto* api = keras::core::cuda::cudnn_api();
          return api != nullptr && api->pooling && bound(api->pool_forward) && bound(api->pool_backward) &&
                 bound(api->set_pool) && bound(api->forward);
        }) == 0);
}

TEST_CASE("cuda loaders: libcublasLt loads with the fused-epilogue product's entry points, and can be switched off") {
  CHECK(in_child([] {
          const keras::core::cuda::CublasLtApi* api = keras::core::cuda::cublaslt_api();
          return api != nullptr && bound(api->create) && bound(api->desc_create) && bound(api->desc_set) &&
                 bound(api->desc_destroy) && bound(api->layout_create) && bound(api->layout_destroy) &&
                 bound(api->pref_create) && bound(api->pref_set) && bound(api->pref_destroy) &&
                 bound(api->heuristic) && bound(api->matmul) && keras::core::cuda::cublaslt_api() == api;
        }) == 0);
  // KERAS_CPP_CUBLASLT=0: no table, so fused_matmul keeps cuBLAS and its own epilogue pass.
  CHECK(in_child([] {
          setenv("KERAS_CPP_CUBLASLT", "0", 1);
          return keras::core::cuda::cublaslt_api() == nullptr;
        }) == 0);
}

TEST_CASE("cuda loaders: libcudnn, where it loads, binds the RNN API the fused recurrent ops run on") {
  // 0: cuDNN is absent (or off), or it loaded with every entry point gpu/cudnn_rnn.cu calls
  // (cuDNN 8 and 9 have them all).
  CHECK(in_child([] {
          unsetenv("KERAS_CPP_CUDNN");
          const auto* api = keras::core::cuda::cudnn_api();
          if (api == nullptr) return true;
          return api->rnn && bound(api->rnn_forward) && bound(api->rnn_backward_data) &&
                 bound(api->rnn_backward_weights) && bound(api->rnn_weight_params) && bound(api->rnn_temp_space) &&
                 bound(api->set_rnn) && bound(api->set_rnn_data) && bound(api->set_dropout) && bound(api->get_tensor);
        }) == 0);
}

TEST_CASE("cuda loaders: libcudnn, where it loads, binds cuDNN's batch normalization") {
  // 0: cuDNN is absent (or off) and the direct kernels serve, or it loaded with every entry
  // point gpu/batch_norm_cudnn.cu calls.
  CHECK(in_child([] {
          return keras::core::cuda::cudnn_api() == nullptr || keras::core::cuda::cudnn_batch_norm_available();
        }) == 0);
}
