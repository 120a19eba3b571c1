// initializers.h - Keras 3's weight initializers (keras.initializers).
//
//   using namespace keras::initializers;
//   Tensor w = GlorotUniform()({784, 64});
//   Tensor b = RandomNormal({.mean = 0, .stddev = 0.01, .seed = 1})({64}, DType::float64);
//   InitializerPtr init = get("he_normal");
//   keras::Config cfg = serialize(*init);  // {"class_name": "HeNormal", "config": {"seed": null}}
//   InitializerPtr again = deserialize(cfg);
//
// Seeds follow Keras 3: a seeded initializer (seed >= 0) returns the same values on every
// call; an unseeded one (seed -1, the default) draws a fresh seed from core::ops' global
// generator on each call (core::ops::set_random_seed makes a program reproducible).
// Random initializers need a floating-point dtype; Zeros, Ones, Constant and Identity
// accept any dtype.
#pragma once
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dtype.h"
#include "core/shape.h"
#include "core/tensor.h"
#include "keras/config.h"

namespace keras::initializers {

using core::DType;
using core::Shape;
using core::Tensor;

/// keras.initializers.Initializer: the base of weight initializers; call it with a shape
/// (and dtype) to get the initial values.
class Initializer {
 public:
  virtual ~Initializer();
  /// A new tensor of `shape` and `dtype` with the initial values (see the class for the
  /// distribution).
  virtual Tensor operator()(const Shape& shape, DType dtype = DType::float32) const = 0;
  /// The name serialize() writes and deserialize() looks up ("GlorotUniform").
  virtual std::string class_name() const = 0;
  /// The constructor arguments, as Keras's get_config() ({} here).
  virtual keras::Config get_config() const;
};
/// Shared ownership of an initializer, as layers and get() hold them.
using InitializerPtr = std::shared_ptr<const Initializer>;

/// Keras's fan computation: rank 0 -> (1, 1); rank 1 -> (n, n); rank 2 -> (in, out);
/// higher ranks (convolution kernels (..., in, out)) multiply both by the receptive field
/// (the product of the leading dimensions).
struct Fans {
  ///@{
  /// fan_in: the inputs of a unit (receptive field times input channels); fan_out: its
  /// outputs (receptive field times output channels).
  int64_t fan_in, fan_out;
  ///@}
};
/// The fans of a weight of `shape` (see Fans).
Fans compute_fans(const Shape& shape);

// ---- constants -----------------------------------------------------------------------

/// keras.initializers.Zeros ("zeros"): all zeros, in any dtype.
class Zeros : public Initializer {
 public:
  /// Zeros of `shape` and `dtype`.
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Zeros"; }
};

/// keras.initializers.Ones ("ones"): all ones, in any dtype.
class Ones : public Initializer {
 public:
  /// Ones of `shape` and `dtype`.
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Ones"; }
};

/// keras.initializers.Constant ("constant"): every value `value`, in any dtype.
class Constant : public Initializer {
 public:
  /// Every value `value` (Keras's default 0).
  explicit Constant(double value = 0.0) : value_(value) {}
  /// `value` everywhere, in `dtype`.
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Constant"; }
  keras::Config get_config() const override;  ///< {"value": value}
  /// The value filled in.
  double value() const { return value_; }

 private:
  double value_;
};

/// gain * the identity matrix (rectangular allowed); 2-D shapes only.
class Identity : public Initializer {
 public:
  /// gain times the identity (Keras's default gain 1).
  explicit Identity(double gain = 1.0) : gain_(gain) {}
  /// Throws std::invalid_argument unless shape has rank 2.
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Identity"; }
  keras::Config get_config() const override;  ///< {"gain": gain}
  /// The factor the identity is multiplied by.
  double gain() const { return gain_; }

 private:
  double gain_;
};

// ---- random ----------------------------------------------------------------------------

/// The base of the seeded initializers: seed >= 0 is fixed, -1 (any negative) is unseeded.
class RandomInitializer : public Initializer {
 public:
  /// seed >= 0: the same values at every call; negative: unseeded (stored as -1).
  explicit RandomInitializer(int64_t seed) : seed_(seed < 0 ? -1 : seed) {}
  /// The seed, or -1 when unseeded.
  int64_t seed() const { return seed_; }
  keras::Config get_config() const override;  ///< {"seed": seed or null}

 protected:
  /// Throws std::invalid_argument naming class_name() unless dtype is floating-point.
  void check_dtype(DType dtype) const;

 private:
  int64_t seed_;
};

/// RandomNormal's and TruncatedNormal's options (Keras's arguments and defaults).
struct RandomNormalOptions {
  double mean = 0.0;  ///< The mean of the normal distribution (Keras's default 0).
  double stddev = 0.05;  ///< The standard deviation (Keras's default 0.05); must be >= 0.
  int64_t seed = -1;  ///< >= 0: fixed values; -1: a fresh seed at each call.
};

/// keras.initializers.RandomNormal ("random_normal", "normal"): normal values of the given
/// mean and stddev.
class RandomNormal : public RandomInitializer {
 public:
  /// Throws std::invalid_argument on a non-finite mean or stddev, or stddev < 0.
  explicit RandomNormal(const RandomNormalOptions& o = {});
  /// Normal samples of `shape` in a floating-point `dtype` (std::invalid_argument
  /// otherwise).
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "RandomNormal"; }
  keras::Config get_config() const override;  ///< {"mean", "stddev", "seed"}
  /// The mean of the distribution.
  double mean() const { return mean_; }
  /// The standard deviation of the distribution.
  double stddev() const { return stddev_; }

 private:
  double mean_, stddev_;
};

/// RandomUniform's options (Keras's arguments and defaults).
struct RandomUniformOptions {
  double minval = -0.05;  ///< The lower bound, included (Keras's default -0.05).
  double maxval = 0.05;  ///< The upper bound, excluded (Keras's default 0.05).
  int64_t seed = -1;  ///< >= 0: fixed values; -1: a fresh seed at each call.
};

/// keras.initializers.RandomUniform ("random_uniform", "uniform"): uniform values in
/// [minval, maxval).
class RandomUniform : public RandomInitializer {
 public:
  /// Throws std::invalid_argument on non-finite bounds or minval > maxval.
  explicit RandomUniform(const RandomUniformOptions& o = {});
  /// Uniform samples of `shape` in a floating-point `dtype` (std::invalid_argument
  /// otherwise).
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "RandomUniform"; }
  keras::Config get_config() const override;  ///< {"minval", "maxval", "seed"}
  /// The lower bound (included).
  double minval() const { return minval_; }
  /// The upper bound (excluded).
  double maxval() const { return maxval_; }

 private:
  double minval_, maxval_;
};

/// Normal values more than two standard deviations from the mean are redrawn.
using TruncatedNormalOptions = RandomNormalOptions;

/// keras.initializers.TruncatedNormal ("truncated_normal"): normal values, those beyond two
/// standard deviations redrawn.
class TruncatedNormal : public RandomInitializer {
 public:
  /// Throws std::invalid_argument on a non-finite mean or stddev, or stddev < 0.
  explicit TruncatedNormal(const TruncatedNormalOptions& o = {});
  /// Truncated normal samples of `shape` in a floating-point `dtype` (std::invalid_argument
  /// otherwise).
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "TruncatedNormal"; }
  keras::Config get_config() const override;  ///< {"mean", "stddev", "seed"}
  /// The mean of the distribution.
  double mean() const { return mean_; }
  /// The standard deviation before truncation.
  double stddev() const { return stddev_; }

 private:
  double mean_, stddev_;
};

/// VarianceScaling's options (keras.initializers.VarianceScaling's arguments and defaults).
struct VarianceScalingOptions {
  double scale = 1.0;                          ///< > 0
  std::string mode = "fan_in";                 ///< "fan_in", "fan_out", "fan_avg"
  std::string distribution = "truncated_normal";  ///< "truncated_normal",
                                               /// "untruncated_normal", "uniform"
                                               /// ("normal" means "truncated_normal")
  int64_t seed = -1;
};

/// With n = fan_in, fan_out or (fan_in + fan_out) / 2 (at least 1) as mode says:
/// truncated normal with stddev sqrt(scale / n) / 0.87962566103423978, normal with stddev
/// sqrt(scale / n), or uniform in [-sqrt(3 scale / n), sqrt(3 scale / n)].
class VarianceScaling : public RandomInitializer {
 public:
  /// Throws std::invalid_argument on an unknown mode or distribution, or a scale that is
  /// not positive and finite.
  explicit VarianceScaling(const VarianceScalingOptions& o = {});
  /// Samples of `shape` in a floating-point `dtype` (std::invalid_argument otherwise),
  /// scaled to the fans of `shape`.
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "VarianceScaling"; }
  /// {"scale", "mode", "distribution", "seed"}; the presets below write {"seed"} only.
  keras::Config get_config() const override;
  /// The variance scale.
  double scale() const { return scale_; }
  /// "fan_in", "fan_out" or "fan_avg".
  const std::string& mode() const { return mode_; }
  /// "truncated_normal", "untruncated_normal" or "uniform".
  const std::string& distribution() const { return distribution_; }

 private:
  double scale_;
  std::string mode_, distribution_;
};

// The VarianceScaling presets (Keras's GlorotNormal etc.), each with a seed only.
#define KERAS_VARIANCE_SCALING_PRESET(Name)                                             \
  class Name : public VarianceScaling {                                                 \
   public:                                                                              \
    explicit Name(int64_t seed = -1);                                                   \
    std::string class_name() const override { return #Name; }                           \
    keras::Config get_config() const override { return RandomInitializer::get_config(); } \
  };
/// \class keras::initializers::GlorotNormal
/// \extends keras::initializers::VarianceScaling
/// keras.initializers.GlorotNormal (get("glorot_normal")): VarianceScaling with scale 1, mode
/// "fan_avg", distribution "truncated_normal". Constructor: `GlorotNormal(int64_t seed = -1)`.

/// \class keras::initializers::GlorotUniform
/// \extends keras::initializers::VarianceScaling
/// keras.initializers.GlorotUniform (get("glorot_uniform")): VarianceScaling with scale 1, mode
/// "fan_avg", distribution "uniform". Constructor: `GlorotUniform(int64_t seed = -1)`.

/// \class keras::initializers::HeNormal
/// \extends keras::initializers::VarianceScaling
/// keras.initializers.HeNormal (get("he_normal")): VarianceScaling with scale 2, mode
/// "fan_in", distribution "truncated_normal". Constructor: `HeNormal(int64_t seed = -1)`.

/// \class keras::initializers::HeUniform
/// \extends keras::initializers::VarianceScaling
/// keras.initializers.HeUniform (get("he_uniform")): VarianceScaling with scale 2, mode
/// "fan_in", distribution "uniform". Constructor: `HeUniform(int64_t seed = -1)`.

/// \class keras::initializers::LecunNormal
/// \extends keras::initializers::VarianceScaling
/// keras.initializers.LecunNormal (get("lecun_normal")): VarianceScaling with scale 1, mode
/// "fan_in", distribution "truncated_normal". Constructor: `LecunNormal(int64_t seed = -1)`.

/// \class keras::initializers::LecunUniform
/// \extends keras::initializers::VarianceScaling
/// keras.initializers.LecunUniform (get("lecun_uniform")): VarianceScaling with scale 1, mode
/// "fan_in", distribution "uniform". Constructor: `LecunUniform(int64_t seed = -1)`.

/// @cond
KERAS_VARIANCE_SCALING_PRESET(GlorotNormal)   // scale 1, fan_avg, truncated_normal
KERAS_VARIANCE_SCALING_PRESET(GlorotUniform)  // scale 1, fan_avg, uniform
KERAS_VARIANCE_SCALING_PRESET(HeNormal)       // scale 2, fan_in, truncated_normal
KERAS_VARIANCE_SCALING_PRESET(HeUniform)      // scale 2, fan_in, uniform
KERAS_VARIANCE_SCALING_PRESET(LecunNormal)    // scale 1, fan_in, truncated_normal
KERAS_VARIANCE_SCALING_PRESET(LecunUniform)   // scale 1, fan_in, uniform
/// @endcond
#undef KERAS_VARIANCE_SCALING_PRESET

/// Orthogonal's options (keras.initializers.Orthogonal's arguments).
struct OrthogonalOptions {
  double gain = 1.0;  ///< Multiplies the orthogonal matrix (Keras's default 1).
  int64_t seed = -1;  ///< >= 0: fixed; -1: a fresh seed at each call.
};

/// gain * an orthogonal matrix from the QR decomposition of a normal random matrix, for
/// shapes of rank >= 2 seen as (prod of all but the last dimension, last dimension):
/// orthonormal columns when rows >= columns, orthonormal rows otherwise.
class Orthogonal : public RandomInitializer {
 public:
  /// Throws std::invalid_argument on a non-finite gain.
  explicit Orthogonal(const OrthogonalOptions& o = {});
  /// Throws std::invalid_argument for a rank below 2 or a non-floating dtype; an empty
  /// shape gives zeros.
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Orthogonal"; }
  keras::Config get_config() const override;  ///< {"gain", "seed"}
  /// The factor the orthogonal matrix is multiplied by.
  double gain() const { return gain_; }

 private:
  double gain_;
};

// ---- lookup and serialization ----------------------------------------------------------

/// A callable initializer: (shape, dtype) -> Tensor.
using Function = std::function<Tensor(const Shape&, DType)>;

/// By name: Keras's snake_case names ("glorot_uniform", "zeros", "he_normal",
/// "orthogonal", "identity", "random_normal", "normal", "uniform", ...), the class names
/// ("GlorotUniform", ...) and registered classes, with default arguments. An unknown name
/// throws std::invalid_argument listing the known ones.
InitializerPtr get(const std::string& name);
/// Wraps a callable (shape, dtype) -> Tensor; class_name() is `name`, the config {}.
InitializerPtr get(Function fn, std::string name = "custom");
std::vector<std::string> names();  ///< what get() accepts, sorted

/// {"class_name": "GlorotUniform", "config": {"seed": null}}
keras::Config serialize(const Initializer& initializer);
/// From serialize()'s form (unknown class names and unexpected config keys throw
/// std::invalid_argument naming them), or from a name as get() takes.
InitializerPtr deserialize(const keras::Config& config);

/// Makes deserialize()/get() build a user class from its config (Keras's
/// register_keras_serializable). Built-in class names cannot be replaced.
using Factory = std::function<InitializerPtr(const keras::Config& config)>;
/// Registers a user class for deserialize()/get(); an empty name or factory, or a built-in
/// class name, throws std::invalid_argument. Replaces an earlier registration of the name.
void register_initializer(const std::string& class_name, Factory factory);

/// What a layer option of type "initializer" accepts, as Keras's arguments do: a name
/// ("he_normal"), an initializer object (GlorotUniform(1)) or pointer, a Config, a
/// callable (shape, dtype) -> Tensor, or nothing (nullptr / default: the layer's default).
class InitializerArg {
 public:
  InitializerArg() = default;
  /// None: the layer's default initializer.
  InitializerArg(std::nullptr_t) {}
  ///@{
  /// The initializer get(name) gives ("he_normal", "GlorotUniform", a registered class).
  InitializerArg(const char* name) : ptr_(get(name)) {}
  InitializerArg(const std::string& name) : ptr_(get(name)) {}
  ///@}
  /// The initializer deserialize(config) gives.
  InitializerArg(const keras::Config& config) : ptr_(deserialize(config)) {}
  /// Shares an initializer object held elsewhere.
  template <class T>
    requires std::derived_from<T, Initializer>
  InitializerArg(std::shared_ptr<T> p) : ptr_(std::move(p)) {}
  /// Copies or moves an initializer object into shared ownership: GlorotUniform(1).
  template <class T>
    requires std::derived_from<std::remove_cvref_t<T>, Initializer>
  InitializerArg(T&& object)
      : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(object))) {}
  /// A callable (shape, dtype) -> Tensor, wrapped as get(fn) does (class name "custom").
  template <class F>
    requires(std::is_invocable_r_v<Tensor, const F&, const Shape&, DType> &&
             !std::derived_from<std::remove_cvref_t<F>, Initializer> &&
             !std::same_as<std::remove_cvref_t<F>, InitializerArg>)
  InitializerArg(F f) : ptr_(get(Function(std::move(f)))) {}

  /// The initializer held; null when none was given.
  const InitializerPtr& ptr() const { return ptr_; }
  /// The initializer held, as an InitializerPtr.
  operator const InitializerPtr&() const { return ptr_; }
  /// Whether an initializer was given.
  explicit operator bool() const { return ptr_ != nullptr; }
  /// ptr() if set, otherwise `fallback`.
  InitializerPtr value_or(InitializerPtr fallback) const { return ptr_ ? ptr_ : fallback; }

 private:
  InitializerPtr ptr_;
};

}  // namespace keras::initializers
