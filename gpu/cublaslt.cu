// cublaslt.cu - loads cuBLASLt on first use (gpu/cublaslt.cuh) and runs FusedMatMul's
// product with its bias and relu as the GEMM's epilogue (gpu/fused_kernels.h).
//
// Row-major operands meet column-major cuBLASLt as in gpu/matmul.cu: y^T (n, m) =
// op(b)^T op(a)^T, so cuBLASLt's A is our b and its B our a, and the bias (one value per
// column of y) is one value per row of cuBLASLt's D, which is the vector its BIAS
// epilogue broadcasts.
//
// NaN through relu: the engine's relu keeps NaN (gpu/fused.cu). cuBLASLt does not
// document what its RELU epilogue does with NaN, so the first fused product on each
// device runs a 1x1x1 probe whose product is NaN; only where the epilogue keeps it does
// relu run inside the GEMM, else the GEMM adds the bias and the engine's pass applies relu.
#include "gpu/cublaslt.cuh"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>

#include "core/debugging.h"
#include "gpu/context.cuh"
#include "gpu/cublas.cuh"
#include "gpu/fused_kernels.h"
#include "gpu/library.cuh"

namespace keras::core::cuda {
namespace {

constexpr size_t kWorkspace = size_t(4) << 20;  // bytes the heuristics may ask for

const CublasLtApi* load() {
  if (const char* env = std::getenv("KERAS_CPP_CUBLASLT"); env != nullptr && std::strcmp(env, "0") == 0)
    return nullptr;
  try {
    const CudaLibrary lib("cuBLASLt", "cublasLt", CUBLAS_VER_MAJOR, "fused matrix products");
    static CublasLtApi api;  // the library stays open for the process, as the handles live
    lib.bind(api.create, "cublasLtCreate");
    lib.bind(api.desc_create, "cublasLtMatmulDescCreate");
    lib.bind(api.desc_set, "cublasLtMatmulDescSetAttribute");
    lib.bind(api.desc_destroy, "cublasLtMatmulDescDestroy");
    lib.bind(api.layout_create, "cublasLtMatrixLayoutCreate");
    lib.bind(api.layout_destroy, "cublasLtMatrixLayoutDestroy");
    lib.bind(api.pref_create, "cublasLtMatmulPreferenceCreate");
    lib.bind(api.pref_set, "cublasLtMatmulPreferenceSetAttribute");
    lib.bind(api.pref_destroy, "cublasLtMatmulPreferenceDestroy");
    lib.bind(api.heuristic, "cublasLtMatmulAlgoGetHeuristic");
    lib.bind(api.matmul, "cublasLtMatmul");
    return &api;
  } catch (const CudaError&) {
    return nullptr;  // no cuBLASLt: cuBLAS and the engine's epilogue pass
  }
}

// One device's cuBLASLt state: its handle, a workspace from the caching allocator (used
// in stream order, so calls on the device's stream may share it), whether the RELU
// epilogue keeps NaN, and the algorithms chosen per case.
struct LtDevice {
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
  std::atomic<bool> relu_keeps_nan{false};
  // (dtype, m, n, k, ta, tb, epilogue, tf32, operand alignments) -> the first algorithm
  // of the heuristics' ranking, or none (the case stays on cuBLAS).
  using Key = std::tuple<int, int64_t, int64_t, int64_t, bool, bool, int, bool, uint32_t>;
  std::map<Key, std::pair<bool, cublasLtMatmulAlgo_t>> algos;
};

// RAII owners of the per-call descriptors.
struct Desc {
  const CublasLtApi& api;
  cublasLtMatmulDesc_t d = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, y = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  ~Desc() {
    if (pref) api.pref_destroy(pref);
    if (y) api.layout_destroy(y);
    if (b) api.layout_destroy(b);
    if (a) api.layout_destroy(a);
    if (d) api.desc_destroy(d);
  }
};

struct Case {
  Dt dt;
  const void *a, *b, *bias;
  void* y;
  int64_t m, n, k;
  bool ta, tb;
  cublasLtEpilogue_t epilogue;
  bool tf32;
};

// The largest power of two (up to 256) dividing the address: what an operand guarantees.
uint32_t alignment_of(const void* p) {
  const uintptr_t bits = reinterpret_cast<uintptr_t>(p) | uintptr_t(256);
  return uint32_t(bits & ~(bits - 1));
}

// The operands' alignments (cuBLASLt's A = our b, B = our a, C = D = y), packed in one
// key: the heuristics pick kernels by them.
uint32_t alignments(const Case& c) {
  auto log2 = [](uint32_t v) { return uint32_t(__builtin_ctz(v)); };
  return log2(alignment_of(c.b)) | log2(alignment_of(c.a)) << 4 | log2(alignment_of(c.y)) << 8 |
         (c.bias != nullptr ? log2(alignment_of(c.bias)) : 8u) << 12;
}

// Fills the descriptors of `c` (see the note at the top for the layouts).
void describe(const CublasLtApi& api, const Case& c, Desc& d, int device) {
  const cudaDataType_t type = c.dt == Dt::f32 ? CUDA_R_32F : CUDA_R_64F;
  const cublasComputeType_t compute =
      c.dt == Dt::f64 ? CUBLAS_COMPUTE_64F : (c.tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F);
  check_cublas(api.desc_create(&d.d, compute, type), "cublasLtMatmulDescCreate", device);
  const int32_t op_a = c.tb ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = c.ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  check_cublas(api.desc_set(d.d, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof op_a), "cublasLtMatmulDescSetAttribute",
               device);
  check_cublas(api.desc_set(d.d, CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof op_b), "cublasLtMatmulDescSetAttribute",
               device);
  const uint32_t epilogue = c.epilogue;
  check_cublas(api.desc_set(d.d, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue),
               "cublasLtMatmulDescSetAttribute", device);
  if (c.bias != nullptr)
    check_cublas(api.desc_set(d.d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &c.bias, sizeof c.bias),
                 "cublasLtMatmulDescSetAttribute", device);
  // Stored (column-major) shapes: b is (n, k) or, transposed, (k, n); a is (k, m) or (m, k).
  check_cublas(api.layout_create(&d.a, type, uint64_t(c.tb ? c.k : c.n), uint64_t(c.tb ? c.n : c.k), c.tb ? c.k : c.n),
               "cublasLtMatrixLayoutCreate", device);
  check_cublas(api.layout_create(&d.b, type, uint64_t(c.ta ? c.m : c.k), uint64_t(c.ta ? c.k : c.m), c.ta ? c.m : c.k),
               "cublasLtMatrixLayoutCreate", device);
  check_cublas(api.layout_create(&d.y, type, uint64_t(c.n), uint64_t(c.m), c.n), "cublasLtMatrixLayoutCreate", device);
  check_cublas(api.pref_create(&d.pref), "cublasLtMatmulPreferenceCreate", device);
  const uint64_t ws = kWorkspace;
  check_cublas(api.pref_set(d.pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws),
               "cublasLtMatmulPreferenceSetAttribute", device);
  // The heuristics assume 256-byte aligned operands unless told otherwise, and a view's
  // data (an offset into its storage) may be less aligned: declare what each one has.
  const std::pair<cublasLtMatmulPreferenceAttributes_t, const void*> operands[] = {
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, c.b},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, c.a},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, c.y},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, c.y}};
  for (const auto& [attr, p] : operands) {
    const uint32_t align = alignment_of(p);
    check_cublas(api.pref_set(d.pref, attr, &align, sizeof align), "cublasLtMatmulPreferenceSetAttribute", device);
  }
}

// Runs `c` on cuBLASLt; false where the heuristics have no algorithm for it.
bool run(const CublasLtApi& api, LtDevice& dev, std::mutex& mu, const Case& c, int device) {
  Desc d{api};
  describe(api, c, d, device);
  const LtDevice::Key key{int(c.dt), c.m, c.n, c.k, c.ta, c.tb, int(c.epilogue), c.tf32, alignments(c)};
  std::pair<bool, cublasLtMatmulAlgo_t> algo{};
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = dev.algos.find(key);
    if (it == dev.algos.end()) {
      cublasLtMatmulHeuristicResult_t result{};
      int found = 0;
      const cublasStatus_t s = api.heuristic(dev.handle, d.d, d.a, d.b, d.y, d.y, d.pref, 1, &result, &found);
      const bool ok = s == CUBLAS_STATUS_SUCCESS && found > 0 && result.state == CUBLAS_STATUS_SUCCESS &&
                      result.workspaceSize <= kWorkspace;
      it = dev.algos.emplace(key, std::make_pair(ok, result.algo)).first;
    }
    algo = it->second;
  }
  if (!algo.first) return false;
  const DeviceContext& ctx = context(device);
  const double one = 1, zero = 0;
  const float one_f = 1, zero_f = 0;
  const void* alpha = c.dt == Dt::f32 ? static_cast<const void*>(&one_f) : &one;
  const void* beta = c.dt == Dt::f32 ? static_cast<const void*>(&zero_f) : &zero;
  const cublasStatus_t s = api.matmul(dev.handle, d.d, alpha, c.b, d.a, c.a, d.b, beta, c.y, d.y, c.y, d.y,
                                      &algo.second, dev.workspace, kWorkspace, ctx.stream);
  if (s == CUBLAS_STATUS_NOT_SUPPORTED || s == CUBLAS_STATUS_INVALID_VALUE) {
    // The chosen algorithm refuses the case after all: cuBLAS's path, now and from now on.
    std::lock_guard<std::mutex> lock(mu);
    dev.algos[key].first = false;
    return false;
  }
  check_cublas(s, "cublasLtMatmul", device);
  return true;
}

// Whether the RELU epilogue keeps a NaN product NaN on `device` (see the note at the top).
bool probe_relu_nan(const CublasLtApi& api, LtDevice& dev, std::mutex& mu, int device) {
  // a, b and y 256 bytes apart, aligned as the caching allocator's blocks are.
  constexpr int64_t kApart = 256 / sizeof(float);
  DeviceScratch buf(3 * 256, device);
  float* p = buf.as<float>();
  const float a = std::nanf(""), b = 1.0f;
  count_host_to_device(device);
  check(cudaMemcpy(p, &a, sizeof a, cudaMemcpyHostToDevice), "cudaMemcpy(cuBLASLt probe)", device);
  count_host_to_device(device);
  check(cudaMemcpy(p + kApart, &b, sizeof b, cudaMemcpyHostToDevice), "cudaMemcpy(cuBLASLt probe)", device);
  const Case c{Dt::f32, p, p + kApart, nullptr, p + 2 * kApart, 1, 1, 1, false, false, CUBLASLT_EPILOGUE_RELU, false};
  if (!run(api, dev, mu, c, device)) return false;
  float out = 0;
  count_device_to_host(device);
  check(cudaMemcpy(&out, p + 2 * kApart, sizeof out, cudaMemcpyDeviceToHost), "cudaMemcpy(cuBLASLt probe)", device);
  return std::isnan(out);
}

}  // namespace

const CublasLtApi* cublaslt_api() {
  static const CublasLtApi* api = load();
  return api;
}

bool lt_fused_matmul(Dt dt, const void* a, const void* b, void* y, int64_t m, int64_t n, int64_t k, bool ta, bool tb,
                     const void* bias, bool relu, int device) {
  const CublasLtApi* api = cublaslt_api();
  if (api == nullptr || (dt != Dt::f32 && dt != Dt::f64) || m == 0 || n == 0 || k == 0) return false;
  static std::mutex mu;  // guards the per-device table and the algorithm caches
  static auto* devices = new std::unordered_map<int, LtDevice>();  // never destroyed: handles live on
  DeviceGuard guard(device);
  LtDevice* dev = nullptr;
  bool fresh = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = devices->find(device);
    if (it == devices->end()) {
      cublasLtHandle_t h = nullptr;
      check_cublas(api->create(&h), "cublasLtCreate", device);
      void* ws = allocate(kWorkspace, device);
      it = devices->try_emplace(device).first;
      it->second.handle = h;
      it->second.workspace = ws;
      fresh = true;
    }
    dev = &it->second;
  }
  if (fresh) dev->relu_keeps_nan.store(probe_relu_nan(*api, *dev, mu, device));
  const bool lt_relu = relu && dev->relu_keeps_nan;
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  if (bias != nullptr) epilogue = lt_relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
  else if (lt_relu) epilogue = CUBLASLT_EPILOGUE_RELU;
  if (epilogue == CUBLASLT_EPILOGUE_DEFAULT) return false;  // nothing to fuse: cuBLAS's plain product
  const Case c{dt, a, b, bias, y, m, n, k, ta, tb, epilogue, dt == Dt::f32 && tensor_float_32_execution_enabled()};
  if (!run(*api, *dev, mu, c, device)) return false;
  if (relu && !lt_relu) bias_relu(dt, y, m, n, nullptr, true, device);
  return true;
}

}  // namespace keras::core::cuda
