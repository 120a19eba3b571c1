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

class Initializer {
 public:
  virtual ~Initializer();
  virtual Tensor operator()(const Shape& shape, DType dtype = DType::float32) const = 0;
  /// The name serialize() writes and deserialize() looks up ("GlorotUniform").
  virtual std::string class_name() const = 0;
  /// The constructor arguments, as Keras's get_config() ({} here).
  virtual keras::Config get_config() const;
};
using InitializerPtr = std::shared_ptr<const Initializer>;

/// Keras's fan computation: rank 0 -> (1, 1); rank 1 -> (n, n); rank 2 -> (in, out);
/// higher ranks (convolution kernels (..., in, out)) multiply both by the receptive field
/// (the product of the leading dimensions).
struct Fans {
  int64_t fan_in, fan_out;
};
Fans compute_fans(const Shape& shape);

// ---- constants -----------------------------------------------------------------------

class Zeros : public Initializer {
 public:
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Zeros"; }
};

class Ones : public Initializer {
 public:
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Ones"; }
};

class Constant : public Initializer {
 public:
  explicit Constant(double value = 0.0) : value_(value) {}
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Constant"; }
  keras::Config get_config() const override;  ///< {"value": value}
  double value() const { return value_; }

 private:
  double value_;
};

/// gain * the identity matrix (rectangular allowed); 2-D shapes only.
class Identity : public Initializer {
 public:
  explicit Identity(double gain = 1.0) : gain_(gain) {}
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Identity"; }
  keras::Config get_config() const override;  ///< {"gain": gain}
  double gain() const { return gain_; }

 private:
  double gain_;
};

// ---- random ----------------------------------------------------------------------------

/// The base of the seeded initializers: seed >= 0 is fixed, -1 (any negative) is unseeded.
class RandomInitializer : public Initializer {
 public:
  explicit RandomInitializer(int64_t seed) : seed_(seed < 0 ? -1 : seed) {}
  int64_t seed() const { return seed_; }
  keras::Config get_config() const override;  ///< {"seed": seed or null}

 protected:
  /// Throws std::invalid_argument naming class_name() unless dtype is floating-point.
  void check_dtype(DType dtype) const;

 private:
  int64_t seed_;
};

struct RandomNormalOptions {
  double mean = 0.0;
  double stddev = 0.05;
  int64_t seed = -1;
};

class RandomNormal : public RandomInitializer {
 public:
  explicit RandomNormal(const RandomNormalOptions& o = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "RandomNormal"; }
  keras::Config get_config() const override;  ///< {"mean", "stddev", "seed"}
  double mean() const { return mean_; }
  double stddev() const { return stddev_; }

 private:
  double mean_, stddev_;
};

struct RandomUniformOptions {
  double minval = -0.05;
  double maxval = 0.05;
  int64_t seed = -1;
};

class RandomUniform : public RandomInitializer {
 public:
  explicit RandomUniform(const RandomUniformOptions& o = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "RandomUniform"; }
  keras::Config get_config() const override;  ///< {"minval", "maxval", "seed"}
  double minval() const { return minval_; }
  double maxval() const { return maxval_; }

 private:
  double minval_, maxval_;
};

/// Normal values more than two standard deviations from the mean are redrawn.
using TruncatedNormalOptions = RandomNormalOptions;

class TruncatedNormal : public RandomInitializer {
 public:
  explicit TruncatedNormal(const TruncatedNormalOptions& o = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "TruncatedNormal"; }
  keras::Config get_config() const override;  ///< {"mean", "stddev", "seed"}
  double mean() const { return mean_; }
  double stddev() const { return stddev_; }

 private:
  double mean_, stddev_;
};

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
  explicit VarianceScaling(const VarianceScalingOptions& o = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "VarianceScaling"; }
  /// {"scale", "mode", "distribution", "seed"}; the presets below write {"seed"} only.
  keras::Config get_config() const override;
  double scale() const { return scale_; }
  const std::string& mode() const { return mode_; }
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
KERAS_VARIANCE_SCALING_PRESET(GlorotNormal)   // scale 1, fan_avg, truncated_normal
KERAS_VARIANCE_SCALING_PRESET(GlorotUniform)  // scale 1, fan_avg, uniform
KERAS_VARIANCE_SCALING_PRESET(HeNormal)       // scale 2, fan_in, truncated_normal
KERAS_VARIANCE_SCALING_PRESET(HeUniform)      // scale 2, fan_in, uniform
KERAS_VARIANCE_SCALING_PRESET(LecunNormal)    // scale 1, fan_in, truncated_normal
KERAS_VARIANCE_SCALING_PRESET(LecunUniform)   // scale 1, fan_in, uniform
#undef KERAS_VARIANCE_SCALING_PRESET

struct OrthogonalOptions {
  double gain = 1.0;
  int64_t seed = -1;
};

/// gain * an orthogonal matrix from the QR decomposition of a normal random matrix, for
/// shapes of rank >= 2 seen as (prod of all but the last dimension, last dimension):
/// orthonormal columns when rows >= columns, orthonormal rows otherwise.
class Orthogonal : public RandomInitializer {
 public:
  explicit Orthogonal(const OrthogonalOptions& o = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Orthogonal"; }
  keras::Config get_config() const override;  ///< {"gain", "seed"}
  double gain() const { return gain_; }

 private:
  double gain_;
};

// ---- lookup and serialization ----------------------------------------------------------

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
void register_initializer(const std::string& class_name, Factory factory);

/// What a layer option of type "initializer" accepts, as Keras's arguments do: a name
/// ("he_normal"), an initializer object (GlorotUniform(1)) or pointer, a Config, a
/// callable (shape, dtype) -> Tensor, or nothing (nullptr / default: the layer's default).
class InitializerArg {
 public:
  InitializerArg() = default;
  InitializerArg(std::nullptr_t) {}
  InitializerArg(const char* name) : ptr_(get(name)) {}
  InitializerArg(const std::string& name) : ptr_(get(name)) {}
  InitializerArg(const keras::Config& config) : ptr_(deserialize(config)) {}
  template <class T>
    requires std::derived_from<T, Initializer>
  InitializerArg(std::shared_ptr<T> p) : ptr_(std::move(p)) {}
  template <class T>
    requires std::derived_from<std::remove_cvref_t<T>, Initializer>
  InitializerArg(T&& object)
      : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(object))) {}
  template <class F>
    requires(std::is_invocable_r_v<Tensor, const F&, const Shape&, DType> &&
             !std::derived_from<std::remove_cvref_t<F>, Initializer> &&
             !std::same_as<std::remove_cvref_t<F>, InitializerArg>)
  InitializerArg(F f) : ptr_(get(Function(std::move(f)))) {}

  const InitializerPtr& ptr() const { return ptr_; }
  operator const InitializerPtr&() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }
  /// ptr() if set, otherwise `fallback`.
  InitializerPtr value_or(InitializerPtr fallback) const { return ptr_ ? ptr_ : fallback; }

 private:
  InitializerPtr ptr_;
};

}  // namespace keras::initializers
