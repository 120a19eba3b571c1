// elem_fixture.h - the Keras fixture of the elementwise math and activation tests
// (tests/data/ops/elem_keras.npz, written by make_elem_fixtures.py) and the comparison
// they share: same dtype, same shape, values within a relative tolerance (NaN where
// Keras has NaN, equal infinities).
#pragma once
#include <map>
#include <string>

#include "core/npy.h"
#include "helpers.h"
#include "test_data_dir.h"

namespace elem {

inline const std::map<std::string, th::Tensor>& fixture() {
  static const std::map<std::string, th::Tensor> m = [] {
    std::map<std::string, th::Tensor> r;
    for (auto& [k, v] : keras::core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/ops/elem_keras.npz")) r[k] = v;
    return r;
  }();
  return m;
}
inline th::Tensor fx(const std::string& name) {
  auto it = fixture().find(name);
  REQUIRE_MESSAGE(it != fixture().end(), "fixture array " << name);
  return it->second;
}
inline bool has(const std::string& name) { return fixture().count(name) != 0; }

// got against Keras's `want`: dtype, shape and values (tolerance relative to 1 + |want|).
inline void check_like(const th::Tensor& got, const th::Tensor& want, double tol) {
  CHECK_MESSAGE(got.dtype() == want.dtype(),
                "dtype " << keras::core::dtype_name(got.dtype()) << ", Keras " << keras::core::dtype_name(want.dtype()));
  REQUIRE_MESSAGE(got.shape() == want.shape(), "shape " << got.shape().str() << ", Keras " << want.shape().str());
  th::check_values(got, th::values(want), tol);
}

}  // namespace elem
