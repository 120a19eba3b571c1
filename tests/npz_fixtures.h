// npz_fixtures.h - the arrays of a committed .npz fixture (a path under tests/data), by
// name, each file loaded once; a missing name fails the test naming it.
#pragma once
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <string>

#include "core/npy.h"
#include "test_data_dir.h"

namespace th {

// Every array of tests/data/<relative>, by name.
inline const std::map<std::string, keras::core::Tensor>& npz_arrays(const std::string& relative) {
  static std::mutex mu;
  static std::map<std::string, std::map<std::string, keras::core::Tensor>> files;
  std::lock_guard<std::mutex> lock(mu);
  auto it = files.find(relative);
  if (it == files.end()) {
    std::map<std::string, keras::core::Tensor> m;
    for (auto& [k, v] : keras::core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/" + relative)) m[k] = v;
    it = files.emplace(relative, std::move(m)).first;
  }
  return it->second;
}

// The array `name` of tests/data/<relative>.
inline const keras::core::Tensor& npz_array(const std::string& relative, const std::string& name) {
  const auto& arrays = npz_arrays(relative);
  auto it = arrays.find(name);
  REQUIRE_MESSAGE(it != arrays.end(), "fixture array " << name << " of " << relative);
  return it->second;
}

}  // namespace th
