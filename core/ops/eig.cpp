// eig.cpp - keras.ops.eig (linalg.eig): eigenvalues and right eigenvectors of general
// square matrices, complex (float32 -> complex64, float64 -> complex128, as Keras's
// TensorFlow backend). Not differentiable (no gradient rule: see core/ops_complex.h).
// Kernel: core/cpu/eig.cpp.
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/complex_util.h"

namespace keras::core {
namespace {

void infer_eig(OpCall& c) {
  const Tensor& a = c.in(0);
  expect_dtype(c, a, "a", kFloatTypes);
  if (a.rank() < 2 || a.shape()[a.rank() - 1] != a.shape()[a.rank() - 2])
    throw_invalid(std::string(c.name()) + ": expected square matrices (..., M, M), but received "
                  "shape " + a.shape().str());
  const DType z = complex_dtype_of(a.dtype());
  std::vector<int64_t> dims = a.shape().dims();
  c.set_output(1, a.shape(), z);
  dims.pop_back();
  c.set_output(0, Shape(dims), z);
}

}  // namespace

void define_eig_ops() { define_op(OpId::Eig, infer_eig); }

namespace ops {
Eig eig(const Tensor& a) {
  static const Attrs no_attrs;
  const Tensor in[] = {a};
  auto out = dispatch_multi(OpId::Eig, in, no_attrs);
  return {out[0], out[1]};
}
}  // namespace ops
}  // namespace keras::core
