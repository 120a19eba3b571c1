// activations.h - Keras 3's activation functions (keras.activations) and the Activation
// value that layers hold.
//
//   Tensor y = keras::activations::relu(x);
//   Tensor z = keras::activations::leaky_relu(x, 0.1);     // Keras's keyword defaults
//   keras::activations::Activation a = "gelu";             // by name, as Keras's get()
//   keras::activations::Activation b = keras::activations::silu;  // a built-in keeps its name
//   keras::activations::Activation c = [](const Tensor& t) { return t * 2.0; };  // "custom"
//   keras::Value cfg = keras::activations::serialize(a);  // "gelu"
//
// Each activation is a callable object (a function usable as a value): `relu(x)` reads
// as a free function, Keras's optional arguments are trailing parameters with Keras's
// defaults, and the object converts to an Activation that remembers its name. All are
// compositions of core ops, so gradients flow through them.
#pragma once
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/tensor.h"
#include "keras/config.h"

namespace keras::activations {

using core::Tensor;

namespace detail {
/// relu(x, negative_slope = 0, max_value = None, threshold = 0), as keras.activations.relu:
/// x for x > threshold, otherwise negative_slope * (x - threshold); capped at max_value.
struct Relu {
  static constexpr const char* name = "relu";
  Tensor operator()(const Tensor& x, double negative_slope = 0.0,
                    std::optional<double> max_value = std::nullopt, double threshold = 0.0) const;
};
struct Relu6 {  ///< min(max(x, 0), 6)
  static constexpr const char* name = "relu6";
  Tensor operator()(const Tensor& x) const;
};
struct LeakyRelu {  ///< x for x > 0, negative_slope * x otherwise
  static constexpr const char* name = "leaky_relu";
  Tensor operator()(const Tensor& x, double negative_slope = 0.2) const;
};
struct Elu {  ///< x for x > 0, alpha * (exp(x) - 1) otherwise
  static constexpr const char* name = "elu";
  Tensor operator()(const Tensor& x, double alpha = 1.0) const;
};
struct Selu {  ///< scale * elu(x, alpha), alpha = 1.67326324, scale = 1.05070098
  static constexpr const char* name = "selu";
  Tensor operator()(const Tensor& x) const;
};
struct Gelu {  ///< x * Phi(x); the tanh approximation when approximate is true
  static constexpr const char* name = "gelu";
  Tensor operator()(const Tensor& x, bool approximate = false) const;
};
struct Silu {  ///< x * sigmoid(x) (also known as swish)
  static constexpr const char* name = "silu";
  Tensor operator()(const Tensor& x) const;
};
struct Sigmoid {  ///< 1 / (1 + exp(-x))
  static constexpr const char* name = "sigmoid";
  Tensor operator()(const Tensor& x) const;
};
struct HardSigmoid {  ///< relu6(x + 3) / 6
  static constexpr const char* name = "hard_sigmoid";
  Tensor operator()(const Tensor& x) const;
};
struct HardSilu {  ///< x * relu6(x + 3) / 6 (also known as hard_swish)
  static constexpr const char* name = "hard_silu";
  Tensor operator()(const Tensor& x) const;
};
struct Tanh {
  static constexpr const char* name = "tanh";
  Tensor operator()(const Tensor& x) const;
};
struct Softmax {  ///< exp(x) / sum(exp(x)) along axis
  static constexpr const char* name = "softmax";
  Tensor operator()(const Tensor& x, int64_t axis = -1) const;
};
struct LogSoftmax {  ///< x - logsumexp(x) along axis
  static constexpr const char* name = "log_softmax";
  Tensor operator()(const Tensor& x, int64_t axis = -1) const;
};
struct Softplus {  ///< log(1 + exp(x))
  static constexpr const char* name = "softplus";
  Tensor operator()(const Tensor& x) const;
};
struct Softsign {  ///< x / (1 + |x|)
  static constexpr const char* name = "softsign";
  Tensor operator()(const Tensor& x) const;
};
struct Exponential {  ///< exp(x)
  static constexpr const char* name = "exponential";
  Tensor operator()(const Tensor& x) const;
};
struct Linear {  ///< the identity
  static constexpr const char* name = "linear";
  Tensor operator()(const Tensor& x) const;
};
struct Mish {  ///< x * tanh(softplus(x))
  static constexpr const char* name = "mish";
  Tensor operator()(const Tensor& x) const;
};
struct LogSigmoid {  ///< log(sigmoid(x)) = -softplus(-x)
  static constexpr const char* name = "log_sigmoid";
  Tensor operator()(const Tensor& x) const;
};
struct Celu {  ///< x for x >= 0, alpha * (exp(x / alpha) - 1) otherwise
  static constexpr const char* name = "celu";
  Tensor operator()(const Tensor& x, double alpha = 1.0) const;
};
struct HardTanh {  ///< clip(x, -1, 1)
  static constexpr const char* name = "hard_tanh";
  Tensor operator()(const Tensor& x) const;
};
struct TanhShrink {  ///< x - tanh(x)
  static constexpr const char* name = "tanh_shrink";
  Tensor operator()(const Tensor& x) const;
};
struct Squareplus {  ///< (x + sqrt(x^2 + b)) / 2
  static constexpr const char* name = "squareplus";
  Tensor operator()(const Tensor& x, double b = 4.0) const;
};
struct SoftShrink {  ///< x - threshold for x > threshold, x + threshold for x < -threshold, else 0
  static constexpr const char* name = "soft_shrink";
  Tensor operator()(const Tensor& x, double threshold = 0.5) const;
};
struct HardShrink {  ///< x for |x| > threshold, else 0
  static constexpr const char* name = "hard_shrink";
  Tensor operator()(const Tensor& x, double threshold = 0.5) const;
};
struct SparsePlus {  ///< 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1
  static constexpr const char* name = "sparse_plus";
  Tensor operator()(const Tensor& x) const;
};
struct SparseSigmoid {  ///< 0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1
  static constexpr const char* name = "sparse_sigmoid";
  Tensor operator()(const Tensor& x) const;
};
struct Glu {  ///< a * sigmoid(b) where a, b are the two halves of x along axis
  static constexpr const char* name = "glu";
  Tensor operator()(const Tensor& x, int64_t axis = -1) const;
};
}  // namespace detail

/// keras.activations.relu(x, negative_slope = 0, max_value = nullopt, threshold = 0): x
/// above threshold, else negative_slope * (x - threshold); capped at max_value (max_value <
/// 0 throws std::invalid_argument).
inline constexpr detail::Relu relu{};
/// keras.activations.relu6(x): min(max(x, 0), 6).
inline constexpr detail::Relu6 relu6{};
/// keras.activations.leaky_relu(x, negative_slope = 0.2): x for x > 0, negative_slope * x
/// otherwise.
inline constexpr detail::LeakyRelu leaky_relu{};
/// keras.activations.elu(x, alpha = 1.0): x for x > 0, alpha * (exp(x) - 1) otherwise.
inline constexpr detail::Elu elu{};
/// keras.activations.selu(x): scale * elu(x, alpha) with alpha = 1.67326324, scale =
/// 1.05070098.
inline constexpr detail::Selu selu{};
/// keras.activations.gelu(x, approximate = false): x * Phi(x) (Phi the standard normal
/// CDF); the tanh approximation when approximate is true.
inline constexpr detail::Gelu gelu{};
/// keras.activations.silu(x): x * sigmoid(x); serializes as "silu" (swish is an alias).
inline constexpr detail::Silu silu{};
inline constexpr detail::Silu swish{};  ///< an alias: serializes as "silu", as in Keras
/// keras.activations.sigmoid(x): 1 / (1 + exp(-x)).
inline constexpr detail::Sigmoid sigmoid{};
/// keras.activations.hard_sigmoid(x): relu6(x + 3) / 6, a piecewise-linear sigmoid.
inline constexpr detail::HardSigmoid hard_sigmoid{};
/// keras.activations.hard_silu(x): x * relu6(x + 3) / 6 (hard_swish is an alias).
inline constexpr detail::HardSilu hard_silu{};
inline constexpr detail::HardSilu hard_swish{};  ///< an alias: serializes as "hard_silu"
/// keras.activations.tanh(x): the hyperbolic tangent.
inline constexpr detail::Tanh tanh{};
/// keras.activations.softmax(x, axis = -1): exp(x) / sum(exp(x)) along axis.
inline constexpr detail::Softmax softmax{};
/// keras.activations.log_softmax(x, axis = -1): x - logsumexp(x) along axis.
inline constexpr detail::LogSoftmax log_softmax{};
/// keras.activations.softplus(x): log(1 + exp(x)).
inline constexpr detail::Softplus softplus{};
/// keras.activations.softsign(x): x / (1 + |x|).
inline constexpr detail::Softsign softsign{};
/// keras.activations.exponential(x): exp(x).
inline constexpr detail::Exponential exponential{};
/// keras.activations.linear(x): the identity (what a layer with no activation applies).
inline constexpr detail::Linear linear{};
/// keras.activations.mish(x): x * tanh(softplus(x)).
inline constexpr detail::Mish mish{};
/// keras.activations.log_sigmoid(x): log(sigmoid(x)), computed as -softplus(-x).
inline constexpr detail::LogSigmoid log_sigmoid{};
/// keras.activations.celu(x, alpha = 1.0): x for x >= 0, alpha * (exp(x / alpha) - 1)
/// otherwise; alpha = 0 throws std::invalid_argument.
inline constexpr detail::Celu celu{};
/// keras.activations.hard_tanh(x): clip(x, -1, 1).
inline constexpr detail::HardTanh hard_tanh{};
/// keras.activations.tanh_shrink(x): x - tanh(x).
inline constexpr detail::TanhShrink tanh_shrink{};
/// keras.activations.squareplus(x, b = 4): (x + sqrt(x^2 + b)) / 2; b < 0 throws
/// std::invalid_argument.
inline constexpr detail::Squareplus squareplus{};
/// keras.activations.soft_shrink(x, threshold = 0.5): x - threshold above threshold, x +
/// threshold below -threshold, 0 between.
inline constexpr detail::SoftShrink soft_shrink{};
/// keras.activations.hard_shrink(x, threshold = 0.5): x where |x| > threshold, else 0.
inline constexpr detail::HardShrink hard_shrink{};
/// keras.activations.sparse_plus(x): 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x
/// >= 1.
inline constexpr detail::SparsePlus sparse_plus{};
/// keras.activations.sparse_sigmoid(x): clip((x + 1) / 2, 0, 1).
inline constexpr detail::SparseSigmoid sparse_sigmoid{};
/// keras.activations.glu(x, axis = -1): a * sigmoid(b), a and b the two halves of x along
/// axis; an odd size there throws std::invalid_argument.
inline constexpr detail::Glu glu{};

/// The function an Activation wraps: one tensor in, one tensor out.
using Function = std::function<Tensor(const Tensor&)>;

/// An activation as layers hold it: a name (what serialize() writes) and the function.
/// Converts implicitly from a name ("relu"; "", "linear" and "None" are the identity),
/// from nullptr (Python's None: the identity), from a built-in above (keeping its name)
/// and from any callable Tensor(const Tensor&) (named "custom").
struct Activation {
  std::string name = "linear";  ///< What serialize() writes ("custom" for a lambda).
  Function fn;  ///< The function applied; empty acts as the identity.

  Activation();  ///< linear
  /// The identity, as Python's None (activation=None).
  Activation(std::nullptr_t);
  ///@{
  /// The built-in or registered activation of that name, as get(name); "" and "None" are
  /// the identity; an unknown name throws std::invalid_argument.
  Activation(const char* name);
  Activation(const std::string& name);
  ///@}
  /// A function under a given name (what serialize() writes); an empty fn throws
  /// std::invalid_argument.
  Activation(std::string name, Function fn);
  /// Any callable Tensor(const Tensor&): a built-in above keeps its name, anything else is
  /// named "custom".
  template <class F>
    requires(std::is_invocable_r_v<Tensor, const F&, const Tensor&> &&
             !std::is_convertible_v<const F&, std::string> &&
             !std::same_as<std::remove_cvref_t<F>, Activation>)
  Activation(F f) : name(name_of<F>()), fn(std::move(f)) {}

  /// Applies the function (the identity when fn is empty).
  Tensor operator()(const Tensor& x) const;
  /// Whether this is the identity (named "linear").
  bool is_linear() const { return name == "linear"; }

 private:
  template <class F> static std::string name_of() {
    if constexpr (requires { F::name; }) return F::name;
    else return "custom";
  }
};

/// The activation named `name` (the names above, plus any registered with
/// register_activation); an unknown name throws std::invalid_argument listing them.
Activation get(const std::string& name);
/// Wraps a callable (Keras's get(callable)).
Activation get(Function fn, std::string name = "custom");
/// The names get() accepts, sorted.
std::vector<std::string> names();

/// Makes get(name) / deserialize(name) return `fn` (for models that use a custom
/// activation). Built-in names cannot be replaced (std::invalid_argument).
void register_activation(const std::string& name, Function fn);

/// The activation's name, as Keras serializes activations.
keras::Value serialize(const Activation& activation);
/// Accepts a name, null (linear), or Keras's {"class_name": "function", "config": name}.
Activation deserialize(const keras::Value& config);

}  // namespace keras::activations
