// complex_fixture.h - the Keras fixture of tests/data/ops/make_complex_fixtures.py and
// comparisons of complex tensors, shared by test_complex.cpp and test_fft.cpp.
#pragma once
#include <complex>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/npy.h"
#include "../error_of.h"
#include "helpers.h"
#include "test_data_dir.h"

namespace th {

inline const std::map<std::string, Tensor>& complex_fixture() {
  static const std::map<std::string, Tensor> m = [] {
    std::map<std::string, Tensor> r;
    for (auto& [k, v] : keras::core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/ops/complex_keras.npz"))
      r[k] = v;
    return r;
  }();
  return m;
}
inline Tensor fx(const std::string& name) {
  auto it = complex_fixture().find(name);
  REQUIRE_MESSAGE(it != complex_fixture().end(), "fixture array " << name);
  return it->second;
}

// The values of a complex tensor (either dtype) as complex<double>.
inline std::vector<std::complex<double>> complex_values(const Tensor& t) {
  Tensor d = ops::cast(t, DType::complex128);
  return d.to_vector<std::complex<double>>();
}

// Same shape and dtype as Keras's result, values within tol * (1 + |want|).
inline void check_complex(const Tensor& got, const Tensor& want, double tol) {
  REQUIRE(got.shape() == want.shape());
  CHECK(got.dtype() == want.dtype());
  auto g = complex_values(got), w = complex_values(want);
  for (size_t i = 0; i < g.size(); ++i)
    CHECK_MESSAGE(std::abs(g[i] - w[i]) <= tol * (1 + std::abs(w[i])),
                  "element " << i << ": got " << g[i] << " expected " << w[i]);
}
inline void check_real(const Tensor& got, const Tensor& want, double tol) {
  REQUIRE(got.shape() == want.shape());
  CHECK(got.dtype() == want.dtype());
  check_values(got, values(want), tol);
}


}  // namespace th
