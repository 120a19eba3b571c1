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

using LambdaFunction = std::function<Tensor(const Tensor&)>;
using OutputShapeFunction = std::function<ShapeSpec(const ShapeSpec& input_shape)>;

/// Keras's output_shape argument: a fixed shape without the batch axis ({8}, {4, 2}),
/// or a function of the input shape (with the batch axis, -1 = unknown) returning the
/// output shape with the batch axis. Unset: inferred by running the function.
class LambdaOutputShape {
 public:
  LambdaOutputShape() = default;
  LambdaOutputShape(ShapeSpec shape) : fixed_(std::move(shape)), has_fixed_(true) {}
  LambdaOutputShape(std::initializer_list<int64_t> shape) : fixed_(shape), has_fixed_(true) {}
  template <class F>
    requires(std::is_invocable_r_v<ShapeSpec, const F&, const ShapeSpec&> &&
             !std::is_convertible_v<const F&, ShapeSpec> &&
             !std::same_as<std::remove_cvref_t<F>, LambdaOutputShape>)
  LambdaOutputShape(F f) : fn_(std::move(f)) {}

  bool is_fixed() const { return has_fixed_; }
  bool is_function() const { return static_cast<bool>(fn_); }
  const ShapeSpec& fixed() const { return fixed_; }
  const OutputShapeFunction& function() const { return fn_; }

 private:
  ShapeSpec fixed_{};
  bool has_fixed_ = false;
  OutputShapeFunction fn_{};
};

struct LambdaOptions {
  LambdaOutputShape output_shape{};
  std::string function_name{};  ///< what the config stores (see register_lambda)
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class LambdaLayer : public Layer {
 public:
  LambdaLayer(LambdaFunction function, const LambdaOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// "function": the function's name (null when unnamed), "output_shape": the fixed
  /// shape (null when unset or a function, which cannot be saved).
  Config get_config() const override;
  /// Raises std::invalid_argument unless the config's function name was registered.
  static LayerPtr from_config(const Config& c);

  const std::string& function_name() const { return o_.function_name; }

 private:
  LambdaFunction fn_;
  LambdaOptions o_;
};

/// Registers `fn` under `name` so Lambda layers whose config names it can be rebuilt
/// (replaces an earlier registration of the same name).
void register_lambda(const std::string& name, LambdaFunction fn);
bool is_lambda_registered(const std::string& name);

Ref<LambdaLayer> Lambda(LambdaFunction function, const LambdaOptions& options = {});
/// The function registered under `function_name` (std::invalid_argument if none).
Ref<LambdaLayer> Lambda(const std::string& function_name, const LambdaOptions& options = {});
Ref<LambdaLayer> Lambda(const char* function_name, const LambdaOptions& options = {});

}  // namespace keras::layers
