// operation_table.h - the keras.ops operations a functional graph can hold, by Keras class
// name: their module, Keras's config keys with its defaults, and how each runs
// (operation_table.cpp; the layer that holds a call is in operation.h).
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers::detail {

/// One call's arguments as the op's kernel sees them.
class OpCall {
 public:
  OpCall(const std::string& cls, const std::vector<Value>& args, const std::vector<Tensor>& inputs,
         const Config& config, const Config& kwargs)
      : cls_(cls), args_(args), inputs_(inputs), config_(config), kwargs_(kwargs) {}
  size_t size() const { return args_.size(); }
  /// Positional argument i as a tensor (a constant becomes a scalar of `like`'s dtype).
  Tensor tensor(size_t i) const;
  /// Positional argument i, a list of tensors.
  std::vector<Tensor> tensors(size_t i) const;
  /// Positional arguments [0, n) as tensors of Keras's result dtype (a Python float with
  /// integer tensors gives float32), broadcast as the op does.
  std::vector<Tensor> promoted(size_t n, size_t first = 0) const;
  /// Positional argument i when it is a constant (throws when it holds tensors).
  const Value& constant(size_t i) const;
  /// Whether positional argument i is one tensor (a marker).
  bool is_tensor(size_t i) const;
  const Value& config(const char* key) const { return config_.at(key); }
  int64_t int_config(const char* key) const;
  bool bool_config(const char* key) const;
  double number_config(const char* key) const;
  /// An axis argument: null is every axis ({}), an integer one, a list several.
  std::vector<int64_t> axes_config(const char* key) const;
  std::vector<int64_t> ints_config(const char* key) const;
  const Config& kwargs() const { return kwargs_; }
  /// "Mean: " for messages.
  std::string what() const { return cls_ + ": "; }
  /// The tensor that marker `v` ({"__tensor__": k}) stands for.
  const Tensor& input_of(const Value& v) const;

 private:
  const std::string& cls_;
  const std::vector<Value>& args_;
  const std::vector<Tensor>& inputs_;
  const Config& config_;
  const Config& kwargs_;
};

/// An operation class.
struct OpDef {
  const char* module;  ///< "numpy", "nn", "math", "core", "linalg" (keras.src.ops.<module>)
  /// Keras's config keys besides name, with their defaults (a null default of a key the
  /// op needs is checked by the kernel).
  Config defaults;
  std::function<std::vector<Tensor>(const OpCall&)> run;
};

/// Every operation class keras-cpp has.
const std::map<std::string, OpDef>& op_table();

/// The dtype positional arguments [first, first + n) meet at, with Keras's weak types:
/// Keras's result type of the tensors' dtypes (`dtype_of(k)` for marker k), float32 when
/// a float number meets integer or bool tensors, int32 for integers alone.
DType weak_result_type(const std::vector<Value>& args, size_t first, size_t n,
                       const std::function<DType(int64_t)>& dtype_of);

/// {"__tensor__": k}, the marker of a call's k-th tensor input.
Value tensor_marker(int64_t k);
/// k when v is a marker, else -1.
int64_t marker_index(const Value& v);

}  // namespace keras::layers::detail
