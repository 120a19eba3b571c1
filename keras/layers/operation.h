// operation.h - keras.ops called on symbolic tensors (Keras 3's Operation): each call is a
// node of the functional graph, run again whenever the model runs, saved in its config
// and in .keras files as Keras writes it ({"module": "keras.src.ops.numpy", "class_name":
// "Add", ...}), and read back from Keras's files.
//
//   KerasTensor x = keras::Input({4});
//   KerasTensor y = keras::layers::Dense(3)(x);
//   KerasTensor z = keras::ops::relu(y + 3.0) * (1.0 / 6.0);   // Add, Relu, Multiply
//   KerasTensor w = keras::ops::concatenate({z, y}, -1);
//   auto m = keras::Functional({x}, {w});
//
// The operators and the keras::ops overloads on KerasTensor are in keras/symbolic_ops.h;
// operation() calls any operation keras-cpp has by its Keras class name.
#pragma once
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

/// An argument of an operation call: a symbolic tensor, a list of them, or a constant
/// (a number, a string, a list of numbers, null, Keras's slice objects).
class OpArg {
 public:
  /// One symbolic tensor.
  OpArg(const KerasTensor& t) : tensors_{t}, single_(true) {}  // NOLINT
  /// The single output of a call (throws unless there is exactly one).
  OpArg(const KerasTensors& ts) : OpArg(ts.single()) {}  // NOLINT
  /// A list of symbolic tensors (Concatenate's, Stack's).
  OpArg(std::vector<KerasTensor> ts) : tensors_(std::move(ts)) {}  // NOLINT
  ///@{
  /// A constant: a Value (a list, null, a slice object), a number or a string.
  OpArg(Value v) : constant_(std::move(v)) {}                 // NOLINT
  OpArg(double v) : constant_(v) {}                           // NOLINT
  OpArg(int v) : constant_(v) {}                              // NOLINT
  OpArg(int64_t v) : constant_(static_cast<long long>(v)) {}  // NOLINT
  OpArg(const char* v) : constant_(v) {}                      // NOLINT
  ///@}
  /// Whether it holds symbolic tensors (one, or a list).
  bool is_symbolic() const { return single_ || !tensors_.empty(); }
  bool is_single() const { return single_; }  ///< one symbolic tensor
  /// The symbolic tensors (one when is_single()).
  const std::vector<KerasTensor>& tensors() const { return tensors_; }
  /// The constant (null when it holds tensors).
  const Value& constant() const { return constant_; }

 private:
  std::vector<KerasTensor> tensors_;
  bool single_ = false;
  Value constant_;
};

/// Calls the Keras operation `keras_class` ("Add", "Mean", "Relu", "GetItem", ...; see
/// operation_names()) on symbolic arguments, as keras.ops does on KerasTensors: `args`
/// are its positional arguments, `config` its constructor arguments (Keras's op config:
/// {"axis": 1, "keepdims": true} for Mean; missing keys take Keras's defaults) and
/// `kwargs` the call's keyword arguments (Pad's constant_values). An unknown class, an
/// unknown config key or a call the op rejects throws std::invalid_argument.
KerasTensors operation(const std::string& keras_class, const std::vector<OpArg>& args,
                       const Config& config = Config::object(), const Config& kwargs = Config::object());

/// The Keras operation classes keras-cpp has, sorted.
std::vector<std::string> operation_names();
/// Whether keras-cpp has the Keras operation class (Keras's class name, "TrueDivide").
bool is_operation(const std::string& keras_class);

/// One call of a keras.ops operation in a functional graph. Keras's config of it is
/// {"name", ...the op's arguments}; keras-cpp's adds the call's constant arguments, where
/// {"__tensor__": k} stands for the call's k-th tensor input.
class OperationLayer : public Layer {
 public:
  /// `args` holds the positional arguments with tensor slots marked; throws
  /// std::invalid_argument for an unknown class or config key.
  OperationLayer(std::string keras_class, Config config, Value args, Config kwargs, const std::string& name = "");
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  /// Shapes from the op run symbolically at two batch sizes (a dimension that follows the
  /// batch size is unknown), and the outputs' dtypes.
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  DType output_dtype() const override { return output_dtype_of(0); }
  DType output_dtype_of(size_t index) const override;
  Config get_config() const override;
  /// Rebuilds the node's layer from get_config()'s form ({"operation", "config", "args",
  /// "kwargs", "name"}); a malformed one throws std::invalid_argument.
  static LayerPtr from_config(const Config& c);

  /// The Keras class of the operation ("Add", "Mean").
  const std::string& keras_class() const { return keras_class_; }
  /// Keras's module of the class ("keras.src.ops.numpy", "keras.src.ops.nn", ...).
  const std::string& keras_module() const;
  /// The op's arguments as Keras's config holds them (defaults filled in, no name).
  const Config& op_config() const { return op_config_; }
  /// The positional arguments, tensor slots as {"__tensor__": k}.
  const Value& arguments() const { return args_; }
  /// The call's constant keyword arguments (Pad's constant_values).
  const Config& call_kwargs() const { return kwargs_; }

 private:
  std::string keras_class_;
  Config op_config_, kwargs_;
  Value args_;
  std::vector<DType> out_dtypes_;
};

}  // namespace keras::layers
