// fused.cpp - the CPU kernel of FusedElementwise: the program runs over blocks of 256
// elements, each instruction a tight loop over the block, so the chain touches memory
// once. The formulas are those of core/cpu/unary.cpp and binary.cpp (the fusion tests
// check the fused results bit for bit against the unfused graph).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/fusion.h"
#include "core/init.h"

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
    case OpId::Sign:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] != x[i] ? x[i] : T((T(0) < x[i]) - (x[i] < T(0)));
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

template <class T>
void run_program(OpCall& c, const ElementwiseProgram& p) {
  const int64_t n = c.outputs[0].size();
  const size_t nin = size_t(p.num_inputs), nregs = nin + p.code.size();
  std::vector<const T*> in(nin);
  std::vector<int64_t> period(nin);  // an input repeats every `period` elements
  for (size_t i = 0; i < nin; ++i) {
    in[i] = c.in(i).template data<T>();
    period[i] = c.in(i).size();
  }
  T* out = c.outputs[0].template mutable_data<T>();
  // exp, log, sqrt, reciprocal, tanh: the vector kernels unary.cpp runs, so fused and
  // unfused results are the same bit for bit.
  std::vector<typename VecKernels<T>::Unary> vec(p.code.size());
  for (size_t k = 0; k < p.code.size(); ++k)
    if (p.code[k].args.size() == 1) vec[k] = vec_unary<T>(p.code[k].op, false);
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    std::vector<T> regs(nregs * size_t(kBlock));
    for (int64_t b = begin; b < end; b += kBlock) {
      const int64_t m = std::min(kBlock, end - b);
      for (size_t i = 0; i < nin; ++i) {  // gather the inputs' block (broadcast by period)
        T* r = regs.data() + i * size_t(kBlock);
        const int64_t per = period[i];
        if (per == n) {
          std::memcpy(r, in[i] + b, size_t(m) * sizeof(T));
        } else if (per == 1) {
          std::fill(r, r + m, in[i][0]);
        } else {  // a row repeated: copy it in segments from the block's offset in the row
          for (int64_t j = 0, off = b % per; j < m;) {
            const int64_t len = std::min(m - j, per - off);
            std::memcpy(r + j, in[i] + off, size_t(len) * sizeof(T));
            j += len;
            off = 0;
          }
        }
      }
      for (size_t k = 0; k < p.code.size(); ++k) {
        const auto& instr = p.code[k];
        T* y = regs.data() + (nin + k) * size_t(kBlock);
        const T* a = regs.data() + size_t(instr.args[0]) * size_t(kBlock);
        if (vec[k]) vec[k](a, y, m, T(0));
        else if (instr.args.size() == 1) unary(instr.op, a, y, m);
        else binary(instr.op, a, regs.data() + size_t(instr.args[1]) * size_t(kBlock), y, m);
      }
      std::memcpy(out + b, regs.data() + (nregs - 1) * size_t(kBlock), size_t(m) * sizeof(T));
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
void register_cpu_fused_kernels() { register_kernel(OpId::FusedElementwise, Device::Kind::CPU, cpu::fused_kernel); }
}  // namespace keras::core
