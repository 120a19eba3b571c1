// backend.cpp - clear_session, get_uid and the dtype-name helpers.
#include "keras/backend.h"

#include <array>
#include <stdexcept>

#include "keras/layers/layer.h"
#include "keras/mixed_precision.h"
#include "keras/settings.h"

namespace keras::backend {

void clear_session() {
  layers::reset_uids();
  mixed_precision::clear_global_policy();
}

int64_t get_uid(const std::string& prefix) { return layers::next_uid(prefix); }

namespace {
// Keras 3's ALLOWED_DTYPES.
constexpr std::array<const char*, 18> kKerasDTypes = {
    "float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16",
    "int32", "int64", "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2", "complex64", "complex128"};
}  // namespace

std::string standardize_dtype(const std::optional<std::string>& dtype) {
  if (!dtype) return config::floatx();
  if (*dtype == "int") return "int64";
  for (const char* name : kKerasDTypes)
    if (*dtype == name) return *dtype;
  std::string known;
  for (const char* name : kKerasDTypes) known += std::string(known.empty() ? "" : ", ") + name;
  throw std::invalid_argument("standardize_dtype: expected one of " + known + " (or \"int\"), but received '" +
                              *dtype + "'");
}

std::string standardize_dtype(core::DType dtype) { return core::dtype_name(dtype); }

bool is_float_dtype(const std::string& dtype) {
  const std::string d = standardize_dtype(dtype);
  return d.rfind("float", 0) == 0 || d.rfind("bfloat", 0) == 0;
}

bool is_int_dtype(const std::string& dtype) {
  const std::string d = standardize_dtype(dtype);
  return d.rfind("int", 0) == 0 || d.rfind("uint", 0) == 0;
}

}  // namespace keras::backend
