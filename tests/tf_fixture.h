// tf_fixture.h - the TensorFlow fixture of the ragged, queue and TensorArray tests
// (tests/data/ragged/tf_fixtures.npz, written by make_fixtures.py there): arrays by name,
// loaded once.
#pragma once
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "core/npy.h"
#include "test_data_dir.h"

namespace th {

inline const std::map<std::string, keras::core::Tensor>& tf_fixtures() {
  static const std::map<std::string, keras::core::Tensor> arrays = [] {
    std::map<std::string, keras::core::Tensor> m;
    for (auto& [k, v] : keras::core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/ragged/tf_fixtures.npz")) m[k] = v;
    return m;
  }();
  return arrays;
}

inline bool has_tf_fixture(const std::string& name) { return tf_fixtures().count(name) > 0; }

inline keras::core::Tensor tf_fixture(const std::string& name) {
  auto it = tf_fixtures().find(name);
  REQUIRE_MESSAGE(it != tf_fixtures().end(), "fixture array " << name);
  return it->second;
}

}  // namespace th
