// json_fixtures.h - a committed JSON fixture (a path under tests/data, written by the
// scripts beside it), each file read once, and its number lists as doubles.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "files.h"
#include "keras/keras.h"
#include "test_data_dir.h"

namespace th {

// The parsed tests/data/<relative>.
inline const keras::Value& json_fixture(const std::string& relative) {
  static std::mutex mu;
  static std::map<std::string, keras::Value> files;
  std::lock_guard<std::mutex> lock(mu);
  auto it = files.find(relative);
  if (it == files.end())
    it = files.emplace(relative, keras::Value::from_json(read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/" + relative)))
             .first;
  return it->second;
}

// A JSON list of numbers.
inline std::vector<double> numbers(const keras::Value& list) {
  std::vector<double> out;
  for (const keras::Value& x : list.as_list()) out.push_back(x.as_double());
  return out;
}

// A {"shape": [...], "values": [...]} entry as a tensor of dtype.
inline keras::core::Tensor json_tensor(const keras::Value& v, keras::core::DType dtype = keras::core::DType::float32) {
  std::vector<int64_t> dims;
  for (const keras::Value& d : v.at("shape").as_list()) dims.push_back(d.as_int());
  return keras::core::ops::cast(keras::core::constant(numbers(v.at("values")), keras::core::Shape(dims)), dtype);
}

}  // namespace th
