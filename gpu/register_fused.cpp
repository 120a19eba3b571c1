// register_fused.cpp - the CUDA kernels of the fused ops (host code: OpCall to the
// launchers of gpu/fused_kernels.h): FusedMatMul (cuBLASLt with its epilogue, or cuBLAS
// then one epilogue kernel),
// FusedElementwise (the program interpreted per element) and CheckElements (the range form
// on the device; a check with a C++ predicate reads the values on the host).
#include <climits>
#include <string>

#include "core/element_check.h"
#include "core/fusion.h"
#include "core/kernel_dtypes.h"
#include "gpu/fused_kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

// FusedMatMul {a (M, K), b (K, N) [, bias (N,)]}: one cuBLASLt GEMM with bias and relu
// as its epilogue where cuBLASLt takes the case, else the matmul kernel's cuBLAS product,
// then bias and relu in one pass over the result.
void fused_matmul_kernel(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  require(c, a.dtype());
  const Shape &sa = a.shape(), &sb = b.shape();
  const bool ta = c.attrs.flag, tb = c.attrs.flag2;
  const int64_t m = sa[ta ? 1 : 0], k = sa[ta ? 0 : 1], n = sb[tb ? 0 : 1];
  Tensor& y = c.outputs[0];
  if (y.size() == 0) return;
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX)  // the CPU kernel's limit and message
    throw_invalid(std::string(c.name()) + ": matrices of shapes " + sa.str() + " and " + sb.str() +
                  " exceed the 32-bit sizes BLAS accepts");
  const int64_t zero = 0;
  const Dt dt = dt_of(a.dtype());
  const void* bias = c.inputs.size() == 3 ? c.in(2).raw_data() : nullptr;
  const bool relu = c.attrs.k == 1;
  if (lt_fused_matmul(dt, a.raw_data(), b.raw_data(), y.raw_mutable_data(), m, n, k, ta, tb, bias, relu, device_of(c)))
    return;
  matmul(dt, a.raw_data(), b.raw_data(), y.raw_mutable_data(), 1, &zero, &zero, m, n, k, ta, tb, device_of(c));
  bias_relu(dt, y.raw_mutable_data(), m, n, bias, relu, device_of(c));
}

FOp fop(OpId op) {
  switch (op) {
    case OpId::Neg: return FOp::Neg;
    case OpId::Abs: return FOp::Abs;
    case OpId::Square: return FOp::Square;
    case OpId::Relu: return FOp::Relu;
    case OpId::Exp: return FOp::Exp;
    case OpId::Log: return FOp::Log;
    case OpId::Sqrt: return FOp::Sqrt;
    case OpId::Reciprocal: return FOp::Reciprocal;
    case OpId::Sin: return FOp::Sin;
    case OpId::Cos: return FOp::Cos;
    case OpId::Tanh: return FOp::Tanh;
    case OpId::Sign: return FOp::Sign;
    case OpId::Add: return FOp::Add;
    case OpId::Sub: return FOp::Sub;
    case OpId::Mul: return FOp::Mul;
    case OpId::Div: return FOp::Div;
    case OpId::SquaredDifference: return FOp::SquaredDifference;
    case OpId::Greater: return FOp::Greater;
    case OpId::GreaterEqual: return FOp::GreaterEqual;
    case OpId::Less: return FOp::Less;
    case OpId::LessEqual: return FOp::LessEqual;
    case OpId::Equal: return FOp::Equal;
    case OpId::NotEqual: return FOp::NotEqual;
    case OpId::Cast: return FOp::Copy;
    default: break;
  }
  throw_invalid(std::string("fused_elementwise: no formula for ") + op_name(op));
}

// FusedElementwise: the program (core/fusion.h) translated for the kernel; the op's
// checks (core/ops/fused.cpp) have made each input the output's shape, one element, its
// trailing dimensions or a column (refused here), all of the program's dtype.
void fused_elementwise_kernel(OpCall& c) {
  const auto& p = static_cast<const ElementwiseProgram&>(*c.attrs.resources.at(0));
  require(c, p.dtype);
  if (p.num_inputs > FusedProgram::kMaxInputs || p.code.empty() || p.code.size() > size_t(FusedProgram::kMaxCode))
    throw_invalid("fused_elementwise: no kernel for device " + device_str(c) + " for a program of " +
                  std::to_string(p.code.size()) + " instructions and " + std::to_string(p.num_inputs) +
                  " inputs (at most " + std::to_string(FusedProgram::kMaxCode) + " and " +
                  std::to_string(FusedProgram::kMaxInputs) + ")");
  FusedProgram fp;
  fp.num_inputs = p.num_inputs;
  fp.num_code = int(p.code.size());
  for (int i = 0; i < p.num_inputs; ++i) {
    if (fused_input(c.in(size_t(i)).shape(), c.outputs[0].shape()).kind == FusedInput::column)
      throw_invalid("fused_elementwise: no kernel for device " + device_str(c) + " for input " + std::to_string(i) +
                    " of shape " + c.in(size_t(i)).shape().str() + ", a column of " + c.outputs[0].shape().str() +
                    " (the fusion pass makes those on the CPU only)");
    fp.in[i] = c.in(size_t(i)).raw_data();
    fp.period[i] = c.in(size_t(i)).size();
  }
  for (size_t k = 0; k < p.code.size(); ++k) {
    const auto& instr = p.code[k];
    fp.op[k] = fop(instr.op);
    fp.a[k] = int8_t(instr.args.at(0));
    fp.b[k] = int8_t(instr.args.size() > 1 ? instr.args[1] : 0);
  }
  fused_elementwise(dt_of(p.dtype), fp, c.outputs[0].raw_mutable_data(), c.outputs[0].size(), device_of(c));
}

bool device_dtype(DType d) {
  return d == DType::float32 || d == DType::float64 || d == DType::int32 || d == DType::int64 || d == DType::uint8 ||
         d == DType::bool_;
}

// CheckElements: a range check (ops::check_range) of a dtype the kernels take runs on the
// device, and only the first failing index and its value come back; any other check reads
// the values on the host, as on the CPU. The message is the check's own, either way.
void check_elements_kernel(OpCall& c) {
  const auto& chk = static_cast<const ElementCheck&>(*c.attrs.resources.at(0));
  const Tensor& x = c.in(0);
  if (!chk.range || !device_dtype(x.dtype())) return check_elements_on_host(c);
  const RangeSpec r{chk.range->lo, chk.range->hi, chk.range->whole, chk.range->ignore.has_value(),
                    chk.range->ignore.value_or(0.0)};
  const RangeFailure f = range_check(dt_of(x.dtype()), x.raw_data(), x.size(), r, device_of(c));
  if (f.index >= 0) throw std::invalid_argument(chk.message(f.value, f.index, x.shape()));
}

}  // namespace

OutOfRange first_outside(const OpCall& c, const Tensor& indices, int64_t lo, int64_t hi) {
  const RangeSpec r{double(lo), double(hi), false, false, 0.0};  // bounds below 2^53: exact as doubles
  const RangeFailure f = range_check(dt_of(indices.dtype()), indices.raw_data(), indices.size(), r, device_of(c));
  return OutOfRange{f.index, f.int_value};
}

void register_fused_kernels() {
  add_kernel(OpId::FusedMatMul, fused_matmul_kernel, {DType::float32, DType::float64});
  add_kernel(OpId::FusedElementwise, fused_elementwise_kernel, {DType::float32, DType::float64});
  // Every dtype the host check takes (no declaration: supports() answers as for the CPU).
  register_kernel(OpId::CheckElements, Device::Kind::CUDA, check_elements_kernel);
}

}  // namespace keras::core::cuda
