// kernels.h - (engine-internal) the CUDA kernel launchers, in plain C++: no CUDA type
// appears here, so gpu/register.cpp (the glue between core's OpCall and these
// launchers) is compiled by the host compiler. Each family's launchers live in one .cu
// file (elementwise.cu, reduce.cu, matmul.cu, training.cu, math.cu, scan.cu, ...);
// every launch runs on the device's stream (gpu/context.cuh) and throws
// core::cuda::CudaError when CUDA reports a failure.
//
// Element types are named by Dt (the dtypes with a CUDA kernel); an op without a kernel
// for a dtype is refused in register.cpp, before any launcher runs, naming the op, the
// device and the dtype.
#pragma once
#include <cstdint>

#include "core/optimizer_math.h"

namespace keras::core::cuda {

/// The element types the kernels take.
enum class Dt : int { f32, f64, i32, i64, u8, b8 };

/// Elementwise unary ops (core's OpId Neg .. LogicalNot, the same semantics).
enum class UnOp : int {
  Neg, Abs, Sign, Exp, Expm1, Log, Log1p, Sqrt, Rsqrt, Square, Reciprocal, Sin, Cos, Tanh,
  Sigmoid, Relu, Relu6, LeakyRelu, Elu, Selu, GeluErf, GeluTanh, Silu, Softplus, Softsign,
  Floor, Ceil, Round, IsNan, IsFinite, LogicalNot
};

/// Elementwise binary ops (core's OpId Add .. LogicalOr).
enum class BinOp : int {
  Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Maximum, Minimum, SquaredDifference,
  Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, LogicalAnd, LogicalOr
};

/// The elementwise math ops of gpu/math.cu (core's OpId Erf .. Lcm, in that order, the same
/// semantics): float unary functions, signbit, bitwise_invert, then the binary ones.
enum class MathOp : int {
  Erf, Erfc, Erfinv, Exp2, Log2, Log10, Cbrt, Tan, Sinh, Cosh, Arcsin, Arccos, Arctan, Arcsinh, Arccosh,
  Arctanh, I0, I1, Trunc, SignBit, BitwiseInvert, Arctan2, Hypot, Fmod, NextAfter, BitwiseAnd, BitwiseOr,
  BitwiseXor, LeftShift, RightShift, Gcd, Lcm
};

/// Segment reductions of gpu/segment.cu (core's UnsortedSegmentMax, Min, Prod).
enum class SegOp : int { Max, Min, Prod };

/// Reductions (core's OpId Sum .. Any).
enum class RedOp : int { Sum, Mean, Max, Min, Prod, All, Any };

/// The largest rank the strided kernels take (larger ranks are refused by register.cpp).
inline constexpr int kMaxRank = 8;

/// An output of `rank` dims and up to three inputs read through their own strides (0 on a
/// broadcast axis), in elements.
struct Strided {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t strides[3][kMaxRank] = {};
};

/// A reduction: each of the `kept` output elements folds `count` input elements; the
/// input offset of output o and reduced index r comes from the two mixed-radix layouts.
struct Reduction {
  int kept_rank = 0, red_rank = 0;
  int64_t kept_dims[kMaxRank] = {}, kept_strides[kMaxRank] = {};
  int64_t red_dims[kMaxRank] = {}, red_strides[kMaxRank] = {};
  int64_t kept = 1, count = 1;
};

/// y[i] = op(x[i]) for i < n; x and y have dtype dt (bool y for IsNan/IsFinite, bool x and y
/// for LogicalNot). alpha: leaky_relu's slope, elu's alpha.
void unary(UnOp op, Dt dt, const void* x, void* y, int64_t n, double alpha, int device);
/// out = op(a, b) over s (a's strides in s.strides[0], b's in [1]); out has dtype dt, or bool
/// for the comparisons and logical ops. Integer floor_divide/mod by zero and negative
/// integer powers must be refused before the call (register.cpp checks on the host).
void binary(BinOp op, Dt dt, const void* a, const void* b, void* out, const Strided& s, int device);
/// out = cond ? x : y over s (cond bool with strides [0], x and y of dtype dt with [1], [2]).
void where(Dt dt, const void* cond, const void* x, const void* y, void* out, const Strided& s, int device);
/// A strided copy: dst[dst_offset(i)] = src[src_offset(i)] for every multi-index i of
/// dims (rank up to 16: tile views each axis as two); strides in elements, 0 to repeat.
struct Copy {
  static constexpr int kMax = 16;
  int rank = 0;
  int64_t dims[kMax] = {}, src_strides[kMax] = {}, dst_strides[kMax] = {};
};
/// The copy of `d` for elements of `elem_bytes` (1, 2, 4, 8 or 16) bytes.
void strided_copy(int elem_bytes, const Copy& d, const void* src, void* dst, int device);
/// out[o, j, :] = params[o, idx[j], :] for o < outer, j < ni, with rows of `inner` elements
/// of `elem_bytes`; every index must be in [0, n) (checked by the caller on the host).
void gather_rows(int elem_bytes, const void* params, const void* idx, bool idx64, void* out, int64_t outer,
                 int64_t n, int64_t ni, int64_t inner, int device);
/// y[k, outer..., :] = x[k, i, ...] along `axis` for i < k (take_along_axis: x viewed as
/// (outer, n, inner), indices and y as (outer, k, inner); negative indices count from the
/// end; every index in [-n, n), checked by the caller).
void take_along(int elem_bytes, const void* x, const void* idx, bool idx64, void* y, int64_t outer, int64_t n,
                int64_t k, int64_t inner, int device);
/// y (segments, inner) = sums of the rows of data (n, inner) by segment id (ids in range,
/// checked by the caller); float32/float64/int32/int64/uint8 (integers wrap), with atomic
/// additions (float sums in an order that may vary between runs).
void segment_sum(Dt dt, const void* data, const void* ids, bool ids64, void* y, int64_t n, int64_t segments,
                 int64_t inner, int device);
/// softmax (or log_softmax) over the middle axis of x viewed as (outer, n, inner), as the
/// CPU kernel: max, exponentials of the differences summed in double, then scaled.
void softmax(Dt dt, bool log, const void* x, void* y, int64_t outer, int64_t n, int64_t inner, int device);
/// loss[r] = logsumexp(logits[r]) - logits[r, label[r]] for r < rows (labels int32/int64,
/// in range: checked by the caller on the host).
void sparse_xent(Dt dt, Dt label_dt, const void* labels, const void* logits, void* loss, int64_t rows,
                 int64_t classes, int device);
/// loss[r] = sum_j labels[r, j] (logsumexp(logits[r]) - logits[r, j]), zero labels skipped.
void dense_xent(Dt dt, const void* labels, const void* logits, void* loss, int64_t rows, int64_t classes,
                int device);
/// out (outer, depth, inner) = on where indices[o, i] == d, off elsewhere (out-of-range
/// indices give an all-off row).
void one_hot(Dt out_dt, Dt idx_dt, const void* idx, void* out, int64_t outer, int64_t depth, int64_t inner,
             double on, double off, int device);

/// y[i] = op(x[i]) for i < n, op from Erf to BitwiseInvert: float32/float64 for the float
/// functions (erfinv, i0 and bessel_i1 computed in double by core/kernel_math.h, as on the
/// CPU), any dtype for SignBit (bool y), int32/int64/uint8 for BitwiseInvert.
void math_unary(MathOp op, Dt dt, const void* x, void* y, int64_t n, int device);
/// out = op(a, b) over s, op from Arctan2 to Lcm, dtype dt for inputs and output. Integer
/// fmod by zero must be refused before the call; shifts clamp the amount to [0, bits - 1];
/// gcd and lcm take magnitudes in unsigned arithmetic (lcm wraps), as the CPU.
void math_binary(MathOp op, Dt dt, const void* a, const void* b, void* out, const Strided& s, int device);
/// cumsum (prod false) or cumprod of x viewed as (outer, n, inner) along n: one thread per
/// line, adding in the CPU's order (the same bits); integers wrap.
void scan(bool prod, Dt dt, const void* x, void* y, int64_t outer, int64_t n, int64_t inner, int device);
/// range: y[i] = istart + i * idelta in wrapping 64-bit arithmetic for the integer dtypes,
/// start + i * delta in double converted to dt (saturating) for the float ones.
void range_fill(Dt dt, void* y, int64_t n, double start, double delta, int64_t istart, int64_t idelta, int device);
/// linspace: n values from start to stop (the last exactly stop), computed in double,
/// floored for integer dtypes, converted to dt.
void linspace_fill(Dt dt, void* y, int64_t n, double start, double stop, int device);
/// eye: y (rows, cols) = 1 on the diagonal, 0 elsewhere, in dt.
void eye_fill(Dt dt, void* y, int64_t rows, int64_t cols, int device);
/// searchsorted: out[i] = the first position in seq[0, n) whose value is not below
/// vals[i] (left), or above it (right), with the CPU's bisection (std::lower_bound /
/// upper_bound: a NaN value goes to 0 on the left and to n on the right).
void search_sorted(Dt dt, const void* seq, int64_t n, const void* vals, int32_t* out, int64_t m, bool right,
                   int device);
/// y (segments, inner) = the max / min / product of the rows of data (n, inner) by segment
/// id (ids in range, checked by the caller); empty segments hold the identity (the lowest
/// / highest value, 1); max and min propagate NaN. Atomic folds (compare-and-swap):
/// max, min and integer products are exact in any order, float products may differ from
/// the CPU's in their last bits.
void segment_reduce(SegOp op, Dt dt, const void* data, const void* ids, bool ids64, void* y, int64_t n,
                    int64_t segments, int64_t inner, int device);

/// ctc_loss's first failing input check (gpu/ctc.cu; core/ctc_math.h's slots: 0
/// target_length, 1 output_length, 2 + j label j) and its value; sample -1: none.
struct CtcBadInput {
  int64_t sample = -1, slot = 0, value = 0;
};
/// Checks ctc_loss's lengths and labels on the device in the CPU's order; reads back 8
/// bytes (16 on a failure), so it waits for the kernels queued before it.
CtcBadInput ctc_check(const int64_t* labels, const int64_t* ll, const int64_t* tl, int64_t batch, int64_t max_label,
                      int64_t steps, int64_t classes, int64_t blank, int device);
/// ctc_loss (core/ops/ctc.cpp) on checked inputs, float32/float64: mode 0 the losses
/// (batch,), 1 the posterior, 2 the Hessian of log p times v (x's shape, v mode 2 only).
void ctc_loss(Dt dt, int mode, const int64_t* labels, const void* x, const void* v, const int64_t* ll,
              const int64_t* tl, void* out, int64_t batch, int64_t steps, int64_t classes, int64_t max_label,
              int64_t blank, int device);

/// Random numbers of the CPU kernels' generator (core/cpu/creation.cpp: Philox4x32-10,
/// element i from the block with counter (i, attempt) under `seed`), so a seed gives the
/// same numbers on both devices: uniform in [lo, hi) for float32/float64 (the same bits)
/// and int32/int64 (lo + bits mod (hi - lo)); normal (Box-Muller; truncated: redrawn
/// until |z| <= 2) with mean lo and stddev hi, equal to the CPU's within the last bits of
/// the device's log/cos/sqrt. With `counter` (device memory, an int64 scalar: a random op's
/// counter input) the seed is kmath::derive_seed(seed, *counter), derived on the device, so
/// the host never reads the counter.
void random_uniform(Dt dt, void* y, int64_t n, uint64_t seed, const int64_t* counter, double lo, double hi,
                    int device);
void random_normal(Dt dt, void* y, int64_t n, uint64_t seed, const int64_t* counter, double mean, double stddev,
                   bool truncated, int device);

/// Sorts each line of x (dtype dt, viewed as (outer, n, inner), lines along n) in the CPU
/// kernels' order (NaN largest, -0 equal to +0, ties by the lower index; descending
/// reverses the values only), writing the sorted values to y and/or their positions along
/// the axis to idx (int32), whichever is not null. Stable radix sorts (CUB).
void sort_lines(Dt dt, const void* x, void* y, int32_t* idx, int64_t outer, int64_t n, int64_t inner,
                bool descending, int device);
/// top_k over rows of n: the k largest of each row (the order of sort_lines, descending),
/// in that order when `sorted`, else in their order in the row; values (dtype dt) and
/// indices (int32) are (rows, k).
void top_k(Dt dt, const void* x, void* values, int32_t* indices, int64_t rows, int64_t n, int64_t k, bool sorted,
           int device);

/// The geometry of a channels_last window op (convolution, pooling), as the CPU kernels'
/// (core/cpu/window.h): spatial axes padded to 3 with leading axes of size 1; x is
/// (n, *in, c), y (n, *out, oc); the kernel (*k, c / groups, oc); strides s, dilations d,
/// padding before pl and after pr per axis.
struct Window {
  int64_t n = 0, c = 0, oc = 0, groups = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1};
  int64_t s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, pl[3] = {0, 0, 0}, pr[3] = {0, 0, 0};
};
/// Convolution, one thread per output element, summing taps in row-major order then the
/// group's input channels (float32 in float32, float64 in float64): y = conv(x, k), plus
/// bias[f] when bias is not null, then relu when `relu` (FusedConv; NaN stays NaN).
void conv_forward(Dt dt, const Window& w, const void* x, const void* k, const void* bias, bool relu, void* y,
                  int device);
/// dx = the input gradient of conv from dy: one thread per input element, gathering the
/// (output cell, tap) pairs that read it (no atomics: the same sum at every run).
void conv_backward_data(Dt dt, const Window& w, const void* dy, const void* k, void* dx, int device);
/// dk = the kernel gradient of conv: one block per kernel element, summing over the batch
/// and output cells with a fixed tree (the same sum at every run).
void conv_backward_filter(Dt dt, const Window& w, const void* x, const void* dy, void* dk, int device);
/// max_pool (max) or average_pool (the mean of the taps inside the input: padding left
/// out), one thread per output element; a max window's result is its largest value above
/// the lowest finite one (NaN never wins), as on the CPU and in TensorFlow.
void pool_forward(bool max, Dt dt, const Window& w, const void* x, void* y, int device);
/// max_pool_grad: each window's gradient goes to its first maximum in row-major tap order
/// (the CPU reference's rule); one thread per input element gathers over the windows
/// holding it.
void max_pool_backward(Dt dt, const Window& w, const void* x, const void* dy, void* dx, int device);
/// average_pool_grad: each window's gradient divided among its taps inside the input;
/// gathered per input element.
void avg_pool_backward(Dt dt, const Window& w, const void* dy, void* dx, int device);

/// y = x converted from `from` to `to` (float -> integer saturates, NaN -> 0, as the CPU).
void cast(Dt from, const void* x, Dt to, void* y, int64_t n, int device);
/// y[i] = value (converted to dt as cast does) for i < n.
void fill(Dt dt, void* y, int64_t n, double value, int device);
/// y[o] = the reduction of x over r.count elements, for each of r.kept outputs; float sums
/// accumulate in double, integers wrap (unsigned arithmetic), as the CPU kernels.
void reduce(RedOp op, Dt dt, const void* x, void* y, const Reduction& r, int device);
/// index of the max (argmax) / min over `count` elements at stride `inner` of each of
/// `outer * inner` rows; the first index on ties, NaN wins (as the CPU); idx int32/int64.
void arg_reduce(bool is_max, Dt dt, const void* x, void* idx, Dt idx_dt, int64_t outer, int64_t count,
                int64_t inner, int device);
/// C[b] = op(A[b]) op(B[b]) for b < batch, row-major: A (m, k) or (k, m) when ta, B (k, n)
/// or (n, k) when tb, C (m, n); a_off[b], b_off[b] are element offsets of each batch's
/// matrices (broadcast batches repeat an offset). float32/float64 on cuBLAS (TF32 off),
/// int32/int64 with a plain kernel (wrapping).
void matmul(Dt dt, const void* a, const void* b, void* c, int64_t batch, const int64_t* a_off,
            const int64_t* b_off, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int device);
/// Row-major products C_i = alpha op(A_i) op(B_i) + beta C_i for i < batch: A_i (m, k), or
/// (k, m) when ta, at element offset a_off[i] with row stride lda; B_i (k, n), or (n, k)
/// when tb, at b_off[i], row stride ldb; C_i (m, n) at c_off[i], row stride ldc. Each
/// stride at least its matrix's row length, every size and stride within int; no two
/// C_i overlap. Matrices inside larger tensors are so multiplied where they lie (the heads
/// of a (batch, seq, heads, dim) tensor). The offsets are host memory.
struct GemmBatch {
  int64_t m = 0, n = 0, k = 0;
  bool ta = false, tb = false;
  int64_t lda = 0, ldb = 0, ldc = 0;
  int64_t batch = 0;
  const int64_t *a_off = nullptr, *b_off = nullptr, *c_off = nullptr;
  double alpha = 1.0, beta = 0.0;
};
/// gemm_batch for float32 and float64 on cuBLAS (TF32 as matmul): consecutive products
/// whose offsets advance by constant steps form one strided-batched call. An empty
/// contraction (k = 0) leaves C for beta = 1 and zeroes it for beta = 0.
void gemm_batch(Dt dt, const void* a, const void* b, void* c, const GemmBatch& g, int device);
/// The half element types. Cast, fill and matmul take them (gpu/half.cu); every other op
/// computes float16/bfloat16 tensors in float32 between two casts (core/half_ops.h).
enum class HalfDt : int { f16, bf16 };
/// An element type of a cast: a Dt, or a half type.
struct CastType {
  bool half = false;
  Dt dt = Dt::f32;          ///< when !half
  HalfDt h = HalfDt::f16;   ///< when half
};
/// y = x converted where `from` or `to` is a half type, as the CPU: from a half type
/// through float (exact), to one rounded once to nearest even (float sources directly,
/// others through double), NaN kept NaN (the CPU's quiet NaN patterns).
void cast_half(CastType from, const void* x, CastType to, void* y, int64_t n, int device);
/// y[i] = the half bit pattern `bits` for i < n.
void fill_half(void* y, int64_t n, uint16_t bits, int device);
/// matmul (same layout and offsets) of half matrices on cuBLAS (cublasGemmEx): float32
/// accumulation, each result rounded once to the half type, as the CPU's float32 product
/// cast back.
void matmul_half(HalfDt h, const void* a, const void* b, void* c, int64_t batch, const int64_t* a_off,
                 const int64_t* b_off, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int device);
/// An optimizer update's scalar inputs, in device memory: the learning rate (float32, or
/// float64 when lr_f64), the iteration count (int64; null where the op has none) and
/// Nadam's product of momentum factors (float64; null where none). The kernels read them
/// and compute the step's constants on the device (core/optimizer_math.h), so an update
/// never waits for the host.
struct StepScalars {
  const void* lr = nullptr;
  bool lr_f64 = false;
  const int64_t* iteration = nullptr;
  const double* u_product = nullptr;
};
/// Adam in place: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); vh = max(vh, v) when vh;
/// w -= alpha m / (sqrt(v or vh) + eps), alpha = training_rules::adam_alpha(lr, iteration).
void adam(Dt dt, void* w, const void* g, void* m, void* v, void* vh, int64_t n, StepScalars s, double b1,
          double b2, double eps, int device);
/// SGD in place: w -= lr g without momentum (m null); with it m = mom m - lr g and
/// w += m (or w += mom m - lr g for Nesterov); lr rounded to the variable's dtype.
void sgd(Dt dt, void* w, const void* g, void* m, int64_t n, StepScalars s, double mom, bool nesterov, int device);
/// w -= w * k (decoupled weight decay, k = training_rules::weight_decay_factor(lr, wd)).
void decay(Dt dt, void* w, int64_t n, StepScalars s, double wd, int device);
/// One step of a fused optimizer rule in place, one elementwise kernel per rule: the rule,
/// the slots s (null where absent); each block computes the constants once
/// (training_rules::rule_constants of the options p and the scalars sc).
void optimizer_rule(training_rules::Rule rule, Dt dt, void* w, const void* g, void* const* s, int64_t n,
                    StepScalars sc, const training_rules::RuleParams& p, int device);

}  // namespace keras::core::cuda
