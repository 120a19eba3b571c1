// ops_fixture.h - the keras.ops fixtures of tests/data/ops: each .npz holds inputs and
// Keras's outputs, written by that folder's make_*_fixtures.py. Arrays by name (loaded
// once per file), and the check that a result is Keras's: shape, dtype and values.
#pragma once
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "core/npy.h"
#include "helpers.h"
#include "test_data_dir.h"

namespace th {

class OpsFixture {
 public:
  explicit OpsFixture(const std::string& file) {
    for (auto& [k, v] : keras::core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/ops/" + file)) arrays_[k] = v;
  }
  const keras::core::Tensor& operator()(const std::string& name) const {
    auto it = arrays_.find(name);
    REQUIRE_MESSAGE(it != arrays_.end(), "fixture array " << name);
    return it->second;
  }
  // got has the shape and dtype of Keras's array `name`, and its values within tol.
  void same(const keras::core::Tensor& got, const std::string& name, double tol) const {
    CAPTURE(name);
    const keras::core::Tensor& want = (*this)(name);
    REQUIRE(got.shape() == want.shape());
    CHECK(keras::core::dtype_name(got.dtype()) == std::string(keras::core::dtype_name(want.dtype())));
    check_values(got, values(want), tol);
  }

 private:
  std::map<std::string, keras::core::Tensor> arrays_;
};

// The fixture tests/data/ops/<file>, loaded on first use.
inline const OpsFixture& ops_fixture(const std::string& file) {
  static std::map<std::string, OpsFixture> loaded;
  auto it = loaded.find(file);
  if (it == loaded.end()) it = loaded.emplace(file, OpsFixture(file)).first;
  return it->second;
}

}  // namespace th
