// sparse_fixture.h - TensorFlow's tf.sparse / tf.sets results, written to
// tests/data/sparse/sparse_tf.npz by tests/data/sparse/make_fixtures.py. A sparse array
// `name` is stored as name.indices, name.values, name.dense_shape.
#pragma once
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "core/npy.h"
#include "core/sparse.h"
#include "helpers.h"
#include "test_data_dir.h"

namespace th {

class SparseFixture {
 public:
  SparseFixture() {
    for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/sparse/sparse_tf.npz"))
      arrays_[k] = v;
  }
  const Tensor& operator()(const std::string& name) const {
    auto it = arrays_.find(name);
    REQUIRE_MESSAGE(it != arrays_.end(), "fixture array " << name);
    return it->second;
  }
  core::SparseTensor sparse(const std::string& name) const {
    return core::SparseTensor((*this)(name + ".indices"), (*this)(name + ".values"),
                              (*this)(name + ".dense_shape"));
  }
  // got has TensorFlow's shape, dtype and values (within tol).
  void same(const Tensor& got, const std::string& name, double tol = 1e-12) const {
    CAPTURE(name);
    const Tensor& want = (*this)(name);
    REQUIRE(got.shape() == want.shape());
    CHECK(std::string(core::dtype_name(got.dtype())) == core::dtype_name(want.dtype()));
    check_values(got, values(want), tol);
  }
  // got's indices and dense_shape are TensorFlow's exactly, its values within tol.
  void same(const core::SparseTensor& got, const std::string& name, double tol = 1e-12) const {
    CAPTURE(name);
    same(got.indices(), name + ".indices", 0.0);
    same(got.values(), name + ".values", tol);
    same(got.dense_shape(), name + ".dense_shape", 0.0);
  }

 private:
  std::map<std::string, Tensor> arrays_;
};

inline const SparseFixture& sparse_fixture() {
  static const SparseFixture f;
  return f;
}

}  // namespace th
