// utils_fixtures.h - the arrays of tests/data/utils/utils.npz (written by
// make_utils_fixtures.py) by key, for the tests of keras::io, keras::audio, keras::utils
// and the audio layers.
#pragma once
#include "npz_fixtures.h"

namespace th {

// Every fixture array, by key (read once).
inline const std::map<std::string, keras::core::Tensor>& utils_fixtures() { return npz_arrays("utils/utils.npz"); }
// The fixture array `key` (the test fails naming it when it is missing).
inline const keras::core::Tensor& utils_fixture(const std::string& key) { return npz_array("utils/utils.npz", key); }

}  // namespace th
