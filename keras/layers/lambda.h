// lambda.h - Lambda (keras.layers.Lambda): wraps a C++ callable Tensor(const Tensor&)
// as a layer.
//
//   auto twice = keras::layers::Lambda([](const Tensor& t) { return t * 2.0; });
//   auto sq = keras::layers::Lambda(keras::ops::square, {.output_shape = {8}});
//
// A C++ function cannot be saved, so the config stores a name: give the layer
// `.function_name` and register the function under that name with register_lambda()
// before rebuilding the layer from its config (Keras also refuses to load lambdas by
// default). A registered function can also be used by name: Lambda("twice").
#pragma once
#include <concepts>
#include <functional>
#include <initializer_list>
#include <type_traits>

#include "keras/layers/layer.h"

namespace keras::layers {

/// The function a Lambda layer applies.
using LambdaFunction = std::function<Tensor(const Tensor&)>;
/// A function from the input shape to the output shape (both with the batch axis).
using OutputShapeFunction = std::function<ShapeSpec(const ShapeSpec& input_shape)>;

/// Keras's output_shape argument: a fixed shape without the batch axis ({8}, {4, 2}),
/// or a function of the input shape (with the batch axis, -1 = unknown) returning the
/// output shape with the batch axis. Unset: inferred by running the function.
class LambdaOutputShape {
 public:
  LambdaOutputShape() = default;
  ///@{
  /// A fixed output shape without the batch axis.
  LambdaOutputShape(ShapeSpec shape) : fixed_(std::move(shape)), has_fixed_(true) {}
  LambdaOutputShape(std::initializer_list<int64_t> shape) : fixed_(shape), has_fixed_(true) {}
  ///@}
  /// A function of the input shape.
  template <class F>
    requires(std::is_invocable_r_v<ShapeSpec, const F&, const ShapeSpec&> &&
             !std::is_convertible_v<const F&, ShapeSpec> &&
             !std::same_as<std::remove_cvref_t<F>, LambdaOutputShape>)
  LambdaOutputShape(F f) : fn_(std::move(f)) {}

  /// Whether a fixed shape was given.
  bool is_fixed() const { return has_fixed_; }
  /// Whether a shape function was given.
  bool is_function() const { return static_cast<bool>(fn_); }
  /// The fixed shape (without the batch axis).
  const ShapeSpec& fixed() const { return fixed_; }
  /// The shape function.
  const OutputShapeFunction& function() const { return fn_; }

 private:
  ShapeSpec fixed_{};
  bool has_fixed_ = false;
  OutputShapeFunction fn_{};
};

/// Options of Lambda (the keyword arguments of keras.layers.Lambda besides the function).
struct LambdaOptions {
  /// The output shape (Keras `output_shape`); unset: inferred by running the function.
  LambdaOutputShape output_shape{};
  std::string function_name{};  ///< what the config stores (see register_lambda)
  /// Layer name (default: generated, lambda, lambda_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Wraps a C++ function as a layer (keras.layers.Lambda), made by Lambda().
class LambdaLayer : public Layer {
 public:
  /// Throws std::invalid_argument for an empty function or output_shape sizes below -1.
  LambdaLayer(LambdaFunction function, const LambdaOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// "function": the function's name (null when unnamed), "output_shape": the fixed
  /// shape (null when unset or a function, which cannot be saved).
  Config get_config() const override;
  /// Raises std::invalid_argument unless the config's function name was registered.
  static LayerPtr from_config(const Config& c);

  /// The name the config stores (LambdaOptions::function_name; empty when unnamed).
  const std::string& function_name() const { return o_.function_name; }

 private:
  LambdaFunction fn_;
  LambdaOptions o_;
};

/// Registers `fn` under `name` so Lambda layers whose config names it can be rebuilt
/// (replaces an earlier registration of the same name).
void register_lambda(const std::string& name, LambdaFunction fn);
/// Whether a function is registered under `name`.
bool is_lambda_registered(const std::string& name);

/// keras.layers.Lambda: applies `function` to the input.
Ref<LambdaLayer> Lambda(LambdaFunction function, const LambdaOptions& options = {});
///@{
/// The function registered under `function_name` (std::invalid_argument if none).
Ref<LambdaLayer> Lambda(const std::string& function_name, const LambdaOptions& options = {});
Ref<LambdaLayer> Lambda(const char* function_name, const LambdaOptions& options = {});
///@}

}  // namespace keras::layers
