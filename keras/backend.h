// backend.h - keras.backend's session and dtype helpers (also keras.utils'):
// clear_session, get_uid, standardize_dtype, is_float_dtype, is_int_dtype.
//
//   keras::backend::clear_session();            // names start again at "dense"
//   keras::backend::standardize_dtype("int");   // "int64"
#pragma once
#include <optional>
#include <string>

#include "core/dtype.h"

namespace keras::backend {

/// Keras's clear_session(): forgets the global state keras-cpp keeps, so that layer names
/// start again ("dense", "dense_1", ...) and the global dtype policy is the default
/// (config::floatx()'s) again. Layers and models that exist are unchanged.
void clear_session();

/// Keras's get_uid(prefix): the next number of `prefix`'s counter, from 1 (the counters
/// that default layer names use: after two Dense layers, get_uid("dense") is 3).
int64_t get_uid(const std::string& prefix = "");

/// Keras's standardize_dtype: the canonical name of a dtype given by name; "int" is
/// "int64", none is config::floatx(). Keras's dtype names are accepted (keras-cpp's
/// dtypes, and uint64, float8_e4m3fn, float8_e5m2); others raise std::invalid_argument.
std::string standardize_dtype(const std::optional<std::string>& dtype = std::nullopt);
/// The name of a keras-cpp dtype ("float32").
std::string standardize_dtype(core::DType dtype);
/// Keras's is_float_dtype: a float or bfloat dtype (by standardize_dtype's name).
bool is_float_dtype(const std::string& dtype);
/// Keras's is_int_dtype: a signed or unsigned integer dtype (bool is not).
bool is_int_dtype(const std::string& dtype);

}  // namespace keras::backend

namespace keras::utils {
using backend::clear_session;
using backend::get_uid;
using backend::standardize_dtype;
}  // namespace keras::utils
