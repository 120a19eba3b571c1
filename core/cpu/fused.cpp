// fused.cpp - the CPU kernel of FusedElementwise: the program runs over blocks of 256
// elements, each instruction a tight loop over the block, so the chain touches memory
// once: inputs are read in place (a broadcast row through a tiled copy, a column through
// a block filled with its repeated elements), the last instruction writes the output. The formulas are those of core/cpu/unary.cpp and binary.cpp (the fusion tests
// check the fused results bit for bit against the unfused graph).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/fusion.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"

namespace keras::core::cpu {
namespace {

constexpr int64_t kBlock = 256;

template <class T>
void unary(OpId op, const T* x, T* y, int64_t n) {
  switch (op) {
    case OpId::Neg: for (int64_t i = 0; i < n; ++i) y[i] = T(-x[i]); break;
    case OpId::Abs: for (int64_t i = 0; i < n; ++i) y[i] = x[i] < T(0) ? T(-x[i]) : x[i]; break;
    case OpId::Square: for (int64_t i = 0; i < n; ++i) y[i] = T(x[i] * x[i]); break;
    case OpId::Relu: for (int64_t i = 0; i < n; ++i) y[i] = x[i] <= T(0) ? T(0) : x[i]; break;  // NaN stays
    case OpId::Sign:  // NaN stays; written so that it vectorizes
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > T(0) ? T(1) : x[i] < T(0) ? T(-1) : x[i] == x[i] ? T(0) : x[i];
      break;
    case OpId::Sin: for (int64_t i = 0; i < n; ++i) y[i] = std::sin(x[i]); break;
    case OpId::Cos: for (int64_t i = 0; i < n; ++i) y[i] = std::cos(x[i]); break;
    case OpId::Cast: std::memcpy(y, x, size_t(n) * sizeof(T)); break;  // after a comparison: already 0 / 1
    default: throw_invalid(std::string("fused_elementwise: no formula for ") + op_name(op));
  }
}

template <class T>
void binary(OpId op, const T* a, const T* b, T* y, int64_t n) {
  switch (op) {
    case OpId::Add: for (int64_t i = 0; i < n; ++i) y[i] = T(a[i] + b[i]); break;
    case OpId::Sub: for (int64_t i = 0; i < n; ++i) y[i] = T(a[i] - b[i]); break;
    case OpId::Mul: for (int64_t i = 0; i < n; ++i) y[i] = T(a[i] * b[i]); break;
    case OpId::Div: for (int64_t i = 0; i < n; ++i) y[i] = T(a[i] / b[i]); break;
    case OpId::SquaredDifference: for (int64_t i = 0; i < n; ++i) y[i] = T((a[i] - b[i]) * (a[i] - b[i])); break;
    case OpId::Greater: for (int64_t i = 0; i < n; ++i) y[i] = a[i] > b[i] ? T(1) : T(0); break;
    case OpId::GreaterEqual: for (int64_t i = 0; i < n; ++i) y[i] = a[i] >= b[i] ? T(1) : T(0); break;
    case OpId::Less: for (int64_t i = 0; i < n; ++i) y[i] = a[i] < b[i] ? T(1) : T(0); break;
    case OpId::LessEqual: for (int64_t i = 0; i < n; ++i) y[i] = a[i] <= b[i] ? T(1) : T(0); break;
    case OpId::Equal: for (int64_t i = 0; i < n; ++i) y[i] = a[i] == b[i] ? T(1) : T(0); break;
    case OpId::NotEqual: for (int64_t i = 0; i < n; ++i) y[i] = a[i] != b[i] ? T(1) : T(0); break;
    default: throw_invalid(std::string("fused_elementwise: no formula for ") + op_name(op));
  }
}

// A row input (out's trailing dimensions) of at most this many elements is tiled once per
// call, so that each block reads it through a pointer; longer rows are copied per block.
constexpr int64_t kMaxTiledRow = 1 << 14;

template <class T>
void run_program(OpCall& c, const ElementwiseProgram& p) {
  const int64_t n = c.outputs[0].size();
  const size_t nin = size_t(p.num_inputs), ncode = p.code.size();
  enum class Kind { full, scalar, tiled, row, column };
  std::vector<const T*> in(nin);
  std::vector<int64_t> period(nin);  // an input repeats every `period` elements
  std::vector<int64_t> inner(nin, 1);  // a column's element repeats `inner` times
  std::vector<Kind> kind(nin);
  std::vector<std::vector<T>> tiles(nin);  // scalar: one block of it; tiled: the row repeated
  // bfloat16 inputs (float32 programs): a full one is widened block by block into its
  // register; a smaller one once, whole, here.
  std::vector<const uint16_t*> half_in(nin, nullptr);
  std::vector<std::vector<T>> widened(nin);
  for (size_t i = 0; i < nin; ++i) {
    if constexpr (std::is_same_v<T, float>) {
      if (p.input_dtype(i) == DType::bfloat16) {
        half_in[i] = static_cast<const uint16_t*>(c.in(i).raw_data());
        if (c.in(i).size() != n) {
          widened[i].resize(size_t(c.in(i).size()));
          isa_kernels().from_bf16(half_in[i], widened[i].data(), c.in(i).size());
          half_in[i] = nullptr;
        }
      }
    }
    in[i] = half_in[i] ? nullptr : widened[i].empty() ? c.in(i).template data<T>() : widened[i].data();
    const int64_t per = period[i] = c.in(i).size();
    const FusedInput f = fused_input(c.in(i).shape(), c.outputs[0].shape());
    if (f.kind == FusedInput::column) {
      kind[i] = Kind::column;
      inner[i] = f.inner;
    } else if (per == n) {
      kind[i] = Kind::full;
    } else if (per == 1) {
      kind[i] = Kind::scalar;
      tiles[i].assign(size_t(kBlock), in[i][0]);
    } else if (per <= kMaxTiledRow) {
      kind[i] = Kind::tiled;  // row from offset o: tiles[i][o .. o + kBlock)
      tiles[i].resize(size_t(per + kBlock));
      for (int64_t j = 0; j < per + kBlock; ++j) tiles[i][size_t(j)] = in[i][j % per];
    } else {
      kind[i] = Kind::row;
    }
  }
  // A bfloat16 result: the last instruction (the cast) rounds a block as it writes.
  const bool half_out = std::is_same_v<T, float> && p.result_dtype == DType::bfloat16;
  T* out = half_out ? nullptr : c.outputs[0].template mutable_data<T>();
  uint16_t* out_half = half_out ? static_cast<uint16_t*>(c.outputs[0].raw_mutable_data()) : nullptr;
  // exp, log, sqrt, reciprocal, tanh and the arithmetic: the vector kernels unary.cpp and
  // binary.cpp run, so fused and unfused results are the same bit for bit.
  std::vector<typename VecKernels<T>::Unary> vec(ncode);
  std::vector<typename VecKernels<T>::Binary> vec2(ncode);
  for (size_t k = 0; k < ncode; ++k) {
    if (p.code[k].args.size() == 1) vec[k] = vec_unary<T>(p.code[k].op, p.code[k].attrs.flag);  // (gelu's approximate)
    else vec2[k] = vec_binary<T>(p.code[k].op);
  }
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    // Registers are pointers: inputs point into their tensors (or tiles), a cast after a
    // comparison to its argument, the last instruction writes the output in place.
    std::vector<T> buf((nin + ncode) * size_t(kBlock));
    std::vector<const T*> reg(nin + ncode);
    std::vector<int64_t> whole(nin, -1);  // a column's block holds this element throughout
    for (int64_t b = begin; b < end; b += kBlock) {
      const int64_t m = std::min(kBlock, end - b);
      for (size_t i = 0; i < nin; ++i) {
        switch (kind[i]) {
          case Kind::full:
            if constexpr (std::is_same_v<T, float>)
              if (half_in[i]) {
                T* r = buf.data() + i * size_t(kBlock);
                isa_kernels().from_bf16(half_in[i] + b, r, m);
                reg[i] = r;
                break;
              }
            reg[i] = in[i] + b;
            break;
          case Kind::scalar: reg[i] = tiles[i].data(); break;
          case Kind::tiled: reg[i] = tiles[i].data() + b % period[i]; break;
          case Kind::row: {  // copy the row in segments from the block's offset in it
            T* r = buf.data() + i * size_t(kBlock);
            const int64_t per = period[i];
            for (int64_t j = 0, off = b % per; j < m;) {
              const int64_t len = std::min(m - j, per - off);
              std::memcpy(r + j, in[i] + off, size_t(len) * sizeof(T));
              j += len;
              off = 0;
            }
            reg[i] = r;
            break;
          }
          case Kind::column: {  // element e of the block reads in[((b + e) / inner) % period]
            T* r = buf.data() + i * size_t(kBlock);
            const int64_t per = period[i], rep = inner[i], q0 = b / rep;
            reg[i] = r;
            if ((b + m - 1) / rep == q0) {  // one element for the whole block: filled once per run
              if (whole[i] != q0) std::fill(r, r + kBlock, in[i][q0 % per]);
              whole[i] = q0;
              break;
            }
            whole[i] = -1;
            int64_t qi = q0 % per, off = b - q0 * rep;  // the element, and the offset into its run
            for (int64_t j = 0; j < m; off = 0, qi = qi + 1 == per ? 0 : qi + 1) {
              const int64_t len = std::min(m - j, rep - off);
              std::fill(r + j, r + j + len, in[i][qi]);
              j += len;
            }
          }
        }
      }
      for (size_t k = 0; k < ncode; ++k) {
        const auto& instr = p.code[k];
        const T* a = reg[size_t(instr.args[0])];
        if (instr.op == OpId::Cast) {  // after a comparison (already 0 / 1) or a widening (done at the load)
          if constexpr (std::is_same_v<T, float>)
            if (half_out && k + 1 == ncode) {  // the narrowing to bfloat16
              isa_kernels().to_bf16(a, out_half + b, m);
              continue;
            }
          if (k + 1 == ncode) std::memcpy(out + b, a, size_t(m) * sizeof(T));
          reg[nin + k] = a;
          continue;
        }
        T* y = k + 1 == ncode ? out + b : buf.data() + (nin + k) * size_t(kBlock);
        if (vec[k]) vec[k](a, y, m, T(instr.attrs.alpha));  // (leaky_relu's and elu's alpha)
        else if (vec2[k]) vec2[k](a, 1, reg[size_t(instr.args[1])], 1, y, m);
        else if (instr.args.size() == 1) unary(instr.op, a, y, m);
        else binary(instr.op, a, reg[size_t(instr.args[1])], y, m);
        reg[nin + k] = y;
      }
    }
  });
}

void fused_kernel(OpCall& c) {
  const auto& p = static_cast<const ElementwiseProgram&>(*c.attrs.resources.at(0));
  if (p.dtype == DType::float32) run_program<float>(c, p);
  else run_program<double>(c, p);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_fused_kernels() {
  register_kernel(OpId::FusedElementwise, Device::Kind::CPU, cpu::fused_kernel);
  // Programs compute in float32 or float64; float32 ones may load and store bfloat16.
  declare_kernel_dtypes(OpId::FusedElementwise, Device::Kind::CPU, {DType::float32, DType::float64, DType::bfloat16});
}
}  // namespace keras::core
