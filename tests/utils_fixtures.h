// utils_fixtures.h - the arrays of tests/data/utils/utils.npz (written by
// make_utils_fixtures.py) by key, for the tests of keras::io, keras::audio, keras::utils
// and the audio layers.
#pragma once
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "core/npy.h"
#include "test_data_dir.h"

namespace th {

// Every fixture array, by key (read once).
inline const std::map<std::string, keras::core::Tensor>& utils_fixtures() {
  static const std::map<std::string, keras::core::Tensor> all = [] {
    std::map<std::string, keras::core::Tensor> m;
    for (auto& [k, v] : keras::core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/utils/utils.npz")) m[k] = v;
    return m;
  }();
  return all;
}
// The fixture array `key` (the test fails naming it when it is missing).
inline const keras::core::Tensor& utils_fixture(const std::string& key) {
  auto it = utils_fixtures().find(key);
  REQUIRE_MESSAGE(it != utils_fixtures().end(), key);
  return it->second;
}

}  // namespace th
