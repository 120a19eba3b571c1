// tf_fixture.h - the TensorFlow fixture of the ragged, queue and TensorArray tests
// (tests/data/ragged/tf_fixtures.npz, written by make_fixtures.py there): arrays by name,
// loaded once.
#pragma once
#include "npz_fixtures.h"

namespace th {

inline const std::map<std::string, keras::core::Tensor>& tf_fixtures() { return npz_arrays("ragged/tf_fixtures.npz"); }

inline bool has_tf_fixture(const std::string& name) { return tf_fixtures().count(name) > 0; }

inline keras::core::Tensor tf_fixture(const std::string& name) { return npz_array("ragged/tf_fixtures.npz", name); }

}  // namespace th
