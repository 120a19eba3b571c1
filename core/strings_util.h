// strings_util.h - (engine-internal) what the keras::strings ops share: argument checks,
// elementwise maps, ragged results.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/control_flow.h"
#include "core/dispatch.h"
#include "core/function.h"
#include "core/ops.h"
#include "core/string_ops.h"
#include "core/string_kernels.h"
#include "core/tensor_impl.h"

namespace keras::core::strings::detail {

// Checks that `t` (argument `arg` of `op`) is a defined string tensor and that no trace
// is active; returns its elements.
inline const std::string* string_input(const Tensor& t, const char* op, const char* arg = "input") {
  tracing::check_not_tracing(op);
  if (!t.defined()) throw_invalid(std::string(op) + ": " + arg + " is an undefined tensor");
  if (t.dtype() != DType::string)
    throw_invalid(std::string(op) + ": expected " + arg + " to have dtype string, but received dtype " +
                  dtype_name(t.dtype()) + " (shape " + t.shape().str() + ")");
  return t.data<std::string>();
}

// A tensor of `shape` and `dtype` whose element i is f(i) (T: the C++ element type).
template <class T, class F>
Tensor generate(const Shape& shape, DType dtype, F&& f) {
  Tensor out = empty(shape, dtype);
  T* o = out.mutable_data<T>();
  for (int64_t i = 0; i < shape.num_elements(); ++i) o[i] = f(i);
  return out;
}

// String tensor of input's shape with f applied to each element.
template <class F>
Tensor map_strings(const Tensor& input, const char* op, F&& f) {
  const std::string* in = string_input(input, op);
  return generate<std::string>(input.shape(), DType::string, [&](int64_t i) { return f(in[i]); });
}

// Units of length/substr: false for "BYTE", true for "UTF8_CHAR".
inline bool utf8_unit(const std::string& unit, const char* op) {
  if (unit == "BYTE") return false;
  if (unit == "UTF8_CHAR") return true;
  throw_invalid(std::string(op) + ": expected unit \"BYTE\" or \"UTF8_CHAR\", but received \"" + unit + "\"");
}

// Whether byte c continues a UTF-8 character (10xxxxxx).
inline bool is_trail_byte(unsigned char c) { return (c & 0xC0) == 0x80; }

// A scalar or 1-d input's rows (a scalar is one row); raises for higher ranks.
inline int64_t ragged_rows(const Tensor& input, const char* op) {
  if (input.rank() > 1)
    throw_invalid(std::string(op) + ": expected a scalar or 1-d input, but received shape " +
                  input.shape().str() + " (reshape it to 1-d first)");
  return input.rank() == 0 ? 1 : input.size();
}

// A keras::strings op whose result's shape follows from its inputs' shapes: run now, or,
// inside a traced function, recorded as one host_function node that runs `eager` on the
// inputs' values each time the graph runs (string ops have no kernels of their own). The
// trace checks the arguments and learns the result's shape and dtype by running `eager`
// once on stand-ins of the inputs' shapes (strings "0", numbers 0), so a bad argument
// raises while tracing, as it would eagerly.
template <class F>
Tensor traced_host_op(const std::vector<Tensor>& inputs, F eager) {
  if (!tracing::t_tracer) return eager(inputs);
  Tensor probe;
  {
    InitScope outside_trace;
    std::vector<Tensor> stand_ins;
    for (const Tensor& t : inputs) {
      if (!t.defined()) stand_ins.push_back(t);
      else if (t.dtype() == DType::string)
        stand_ins.push_back(constant(std::vector<std::string>(size_t(t.size()), "0"), t.shape()));
      else stand_ins.push_back(ops::zeros(t.shape(), t.dtype()));
    }
    probe = eager(stand_ins);
  }
  auto run = [eager](const std::vector<Tensor>& in) { return std::vector<Tensor>{eager(in)}; };
  return ops::host_function(run, inputs, {TensorSpec{probe.shape().dims(), probe.dtype()}})[0];
}

inline Tensor int64_vector(const std::vector<int64_t>& v) {
  return from_buffer(v.data(), Shape{static_cast<int64_t>(v.size())}, DType::int64);
}

}  // namespace keras::core::strings::detail
