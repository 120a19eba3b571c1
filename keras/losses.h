// losses.h - Keras 3's losses (keras.losses): the Loss base class, the built-in loss
// classes, their functional forms, and get() / serialize() / deserialize().
//
//   using namespace keras::losses;
//   Tensor per_sample = mean_squared_error(y_true, y_pred);        // shape y_pred[:-1]
//   Tensor l = SparseCategoricalCrossentropy({.from_logits = true})(labels, logits);
//   Tensor w = BinaryCrossentropy({.label_smoothing = 0.1, .reduction = "sum"})(t, p, weights);
//   LossPtr a = get("mse");                                         // MeanSquaredError
//   LossArg b = [](const Tensor& t, const Tensor& p) { return ops::abs(t - p); };  // "custom"
//   keras::Config cfg = serialize(*a);  // {"class_name": "MeanSquaredError", "config": {...}}
//
// Loss::operator() is a template method (Keras's Loss.__call__): it checks the inputs,
// casts y_true to y_pred's dtype, calls the subclass's per-sample call(), then applies
// sample_weight and the reduction. A user loss subclasses Loss and writes call(),
// class_name() and, when it has hyperparameters, get_config(); register_loss() makes
// deserialize() rebuild it.
//
// Reductions (Keras 3): "sum_over_batch_size" (the default: sum(loss * w) divided by the
// number of loss elements), "mean" (the same), "sum", "mean_with_sample_weight"
// (sum(loss * w) / sum(w)), and "none" (the weighted per-sample losses).
//
// Decisions where Keras is silent or Python-specific:
// - Built-in losses require y_true and y_pred to have the same shape after Keras's
//   rank alignment (a trailing size-1 axis is squeezed or added when the ranks differ by
//   one); Keras broadcasts some of them silently. A mismatch raises
//   std::invalid_argument naming the loss and both shapes.
// - Sparse labels stay integers (Keras casts them to floatx first); float labels must
//   hold whole numbers. Labels outside [0, classes) raise an error naming the label.
// - A sample_weight of lower rank than the per-sample losses (after the rank alignment)
//   gets trailing size-1 axes, so a (batch,) weight scales every element of a sample.
// - from_logits paths are computed stably from the logits (log_softmax, softplus), so
//   extreme logits give the exact loss instead of Keras's clipped probabilities.
// - An empty batch reduces to 0.
// - Huber and CosineSimilarity write delta / axis in get_config() (Keras 3 leaves them
//   out, so its saved configs lose them); categorical label smoothing divides by the
//   size of the class axis (Keras: of the last axis; the same unless axis != -1).
#pragma once
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "keras/config.h"

namespace keras::losses {

using core::Tensor;


// ---- functional forms ------------------------------------------------------------------
/// Per-sample losses as keras.losses.<name>(y_true, y_pred, ...): y_true is cast to
/// y_pred's dtype (which must be float32 or float64), and the result has y_pred's shape
/// without the reduced axis (the last one unless `axis` says otherwise). Each is a
/// callable object so that its name travels with it (get(mean_squared_error)).
namespace detail {
#define KERAS_LOSS_FUNCTION(Struct, fn_name)                                 \
  struct Struct {                                                            \
    static constexpr const char* name = fn_name;                             \
    Tensor operator()(const Tensor& y_true, const Tensor& y_pred) const;     \
  };
KERAS_LOSS_FUNCTION(MeanSquaredErrorFn, "mean_squared_error")  // mean((t - p)^2)
KERAS_LOSS_FUNCTION(MeanAbsoluteErrorFn, "mean_absolute_error")  // mean(|t - p|)
/// 100 * mean(|t - p| / max(|t|, eps))
KERAS_LOSS_FUNCTION(MeanAbsolutePercentageErrorFn, "mean_absolute_percentage_error")
/// mean((log(max(p, eps) + 1) - log(max(t, eps) + 1))^2)
KERAS_LOSS_FUNCTION(MeanSquaredLogarithmicErrorFn, "mean_squared_logarithmic_error")
/// mean(log(cosh(p - t))), computed as x + softplus(-2x) - log(2)
KERAS_LOSS_FUNCTION(LogCoshFn, "log_cosh")
/// sum(t * log(t / p)) with t and p clipped to [eps, 1]
KERAS_LOSS_FUNCTION(KLDivergenceFn, "kl_divergence")
KERAS_LOSS_FUNCTION(PoissonFn, "poisson")  // mean(p - t * log(p + eps))
/// mean(max(1 - t p, 0)); labels in {0, 1} are mapped to {-1, 1} first
KERAS_LOSS_FUNCTION(HingeFn, "hinge")
KERAS_LOSS_FUNCTION(SquaredHingeFn, "squared_hinge")  // mean(max(1 - t p, 0)^2), same labels
/// max(max((1 - t) p) - sum(t p) + 1, 0)
KERAS_LOSS_FUNCTION(CategoricalHingeFn, "categorical_hinge")
#undef KERAS_LOSS_FUNCTION

/// mean(0.5 e^2 where |e| <= delta, delta |e| - 0.5 delta^2 elsewhere), e = p - t
struct HuberFn {
  static constexpr const char* name = "huber";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, double delta = 1.0) const;
};
/// -sum(l2_normalize(t) * l2_normalize(p)) along axis
struct CosineSimilarityFn {
  static constexpr const char* name = "cosine_similarity";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, int64_t axis = -1) const;
};
/// mean over axis of -(t log p + (1 - t) log(1 - p)), p clipped to [eps, 1 - eps];
/// label smoothing moves t towards 0.5: t (1 - ls) + 0.5 ls.
struct BinaryCrossentropyFn {
  static constexpr const char* name = "binary_crossentropy";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                    double label_smoothing = 0.0, int64_t axis = -1) const;
};
/// -sum(t log p) along axis, p normalized to sum 1 and clipped to [eps, 1 - eps] (or
/// log_softmax of the logits); label smoothing: t (1 - ls) + ls / classes.
struct CategoricalCrossentropyFn {
  static constexpr const char* name = "categorical_crossentropy";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                    double label_smoothing = 0.0, int64_t axis = -1) const;
};
/// -log p[label] with integer labels of y_pred's shape without the class axis (a trailing
/// size-1 axis of y_true is squeezed). Labels equal to ignore_class give 0.
struct SparseCategoricalCrossentropyFn {
  static constexpr const char* name = "sparse_categorical_crossentropy";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                    std::optional<int64_t> ignore_class = std::nullopt,
                    int64_t axis = -1) const;
};
/// mean over axis of (1 - p_t)^gamma * bce, p_t = t p + (1 - t)(1 - p); with class
/// balancing also times alpha t + (1 - alpha)(1 - t).
struct BinaryFocalCrossentropyFn {
  static constexpr const char* name = "binary_focal_crossentropy";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred,
                    bool apply_class_balancing = false, double alpha = 0.25,
                    double gamma = 2.0, bool from_logits = false,
                    double label_smoothing = 0.0, int64_t axis = -1) const;
};
}  // namespace detail

/// keras.losses.mean_squared_error(y_true, y_pred): mean((t - p)^2) over the last axis.
inline constexpr detail::MeanSquaredErrorFn mean_squared_error{};
/// keras.losses.mean_absolute_error: mean(|t - p|) over the last axis.
inline constexpr detail::MeanAbsoluteErrorFn mean_absolute_error{};
/// keras.losses.mean_absolute_percentage_error: 100 * mean(|t - p| / max(|t|, eps)).
inline constexpr detail::MeanAbsolutePercentageErrorFn mean_absolute_percentage_error{};
/// keras.losses.mean_squared_logarithmic_error: mean((log(p + 1) - log(t + 1))^2), values
/// clipped at eps.
inline constexpr detail::MeanSquaredLogarithmicErrorFn mean_squared_logarithmic_error{};
/// keras.losses.huber(y_true, y_pred, delta=1.0): quadratic up to |p - t| = delta, linear
/// beyond.
inline constexpr detail::HuberFn huber{};
/// keras.losses.log_cosh: mean(log(cosh(p - t))).
inline constexpr detail::LogCoshFn log_cosh{};
/// keras.losses.binary_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis).
inline constexpr detail::BinaryCrossentropyFn binary_crossentropy{};
/// keras.losses.categorical_crossentropy(y_true, y_pred, from_logits, label_smoothing,
/// axis): one-hot (or soft) targets.
inline constexpr detail::CategoricalCrossentropyFn categorical_crossentropy{};
/// keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class,
/// axis): integer class labels.
inline constexpr detail::SparseCategoricalCrossentropyFn sparse_categorical_crossentropy{};
/// keras.losses.binary_focal_crossentropy(y_true, y_pred, apply_class_balancing, alpha,
/// gamma, from_logits, label_smoothing, axis).
inline constexpr detail::BinaryFocalCrossentropyFn binary_focal_crossentropy{};
/// keras.losses.kl_divergence: sum(t log(t / p)), t and p clipped to [eps, 1].
inline constexpr detail::KLDivergenceFn kl_divergence{};
/// keras.losses.poisson: mean(p - t log(p + eps)).
inline constexpr detail::PoissonFn poisson{};
/// keras.losses.hinge: mean(max(1 - t p, 0)), labels {0, 1} mapped to {-1, 1}.
inline constexpr detail::HingeFn hinge{};
/// keras.losses.squared_hinge: mean(max(1 - t p, 0)^2).
inline constexpr detail::SquaredHingeFn squared_hinge{};
/// keras.losses.categorical_hinge: max(max((1 - t) p) - sum(t p) + 1, 0).
inline constexpr detail::CategoricalHingeFn categorical_hinge{};
/// keras.losses.cosine_similarity(y_true, y_pred, axis=-1): minus the cosine similarity
/// along axis.
inline constexpr detail::CosineSimilarityFn cosine_similarity{};

// ---- helpers shared with metrics and the trainer ---------------------------------------

/// Keras's squeeze_or_expand_to_same_rank: when the ranks differ by one and the longer
/// tensor's last axis has size 1, that axis is squeezed (or, when the shorter tensor has
/// rank 1, the shorter one gets a trailing axis instead).
std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2);

/// The reductions above; throws std::invalid_argument listing them for any other value.
void check_reduction(const std::string& reduction);

/// Keras's reduce_weighted_values: multiplies `values` by sample_weight (optional) and a
/// mask of the elements that count (optional; masked-out elements are excluded from the
/// "sum_over_batch_size"/"mean" divisor), then reduces. `who` prefixes error messages.
Tensor reduce_weighted_values(const Tensor& values, const Tensor& sample_weight = Tensor(),
                              const Tensor& mask = Tensor(),
                              const std::string& reduction = "sum_over_batch_size",
                              const std::string& who = "loss");

// ---- the base class --------------------------------------------------------------------

/// The options every loss takes (Keras's `name` and `reduction` arguments).
struct LossOptions {
  std::string name{};  ///< empty: the class's default name
  /// "sum_over_batch_size" (default), "mean", "sum", "mean_with_sample_weight" or "none"
  /// (see above); another value throws std::invalid_argument in the constructor.
  std::string reduction = "sum_over_batch_size";

  /// Reads "name" and "reduction" from a get_config() object (for register_loss
  /// factories); other keys are left to the caller.
  static LossOptions from_config(const keras::Config& config);
};

/// The base of the losses (keras.losses.Loss): operator() runs call() and reduces it.
class Loss {
 public:
  /// Stores the name and reduction; an unknown reduction throws std::invalid_argument.
  explicit Loss(const LossOptions& options = {});
  virtual ~Loss();

  /// Checks y_true and y_pred, casts y_true to y_pred's dtype, computes call() and
  /// reduces it with sample_weight (an undefined tensor: no weights). Errors are
  /// std::invalid_argument messages that start with name().
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) const;

  /// The per-sample (or per-element) losses.
  virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;
  /// The name serialize() writes and deserialize() looks up ("MeanSquaredError").
  virtual std::string class_name() const = 0;
  /// {"name", "reduction"}; subclasses add their hyperparameters.
  virtual keras::Config get_config() const;

  /// The name given in the options, else the class's default name (Keras's: the
  /// snake_case of class_name() for user classes, "mean_squared_error" etc. for built-ins).
  std::string name() const;
  /// The reduction applied by operator().
  const std::string& reduction() const { return reduction_; }

 protected:
  /// call() together with a mask of the loss elements that count (an undefined tensor:
  /// all of them); SparseCategoricalCrossentropy with ignore_class overrides it.
  virtual std::pair<Tensor, Tensor> call_with_mask(const Tensor& y_true,
                                                   const Tensor& y_pred) const;
  /// Whether operator() casts y_true to y_pred's dtype before call() (integer class
  /// labels are kept as they are).
  virtual bool casts_y_true() const { return true; }

 private:
  std::string name_;
  std::string reduction_;
};
/// A shared, immutable loss, as compile() holds them.
using LossPtr = std::shared_ptr<const Loss>;

/// A plain function (y_true, y_pred) -> per-sample losses as a Loss (Keras's
/// LossFunctionWrapper): the ranks are aligned as Keras does, then fn is called.
using LossFunction = std::function<Tensor(const Tensor& y_true, const Tensor& y_pred)>;

/// keras.losses.LossFunctionWrapper: a LossFunction as a Loss (see get(LossFunction)).
class LossFunctionWrapper : public Loss {
 public:
  /// The loss's name defaults to fn_name.
  LossFunctionWrapper(LossFunction fn, std::string fn_name, const LossOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "LossFunctionWrapper"; }
  keras::Config get_config() const override;  ///< {"name", "reduction", "fn": fn_name}
  /// The function's name, written to the config as "fn".
  const std::string& fn_name() const { return fn_name_; }

 private:
  LossFunction fn_;
  std::string fn_name_;
};

// ---- built-in losses -------------------------------------------------------------------

#define KERAS_SIMPLE_LOSS(Name)                                                    \
  class Name : public Loss {                                                        \
   public:                                                                         \
    explicit Name(const LossOptions& options = {});                                \
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;        \
    std::string class_name() const override { return #Name; }                      \
  };
KERAS_SIMPLE_LOSS(MeanSquaredError)             // name "mean_squared_error"
KERAS_SIMPLE_LOSS(MeanAbsoluteError)            // "mean_absolute_error"
KERAS_SIMPLE_LOSS(MeanAbsolutePercentageError)  // "mean_absolute_percentage_error"
KERAS_SIMPLE_LOSS(MeanSquaredLogarithmicError)  // "mean_squared_logarithmic_error"
KERAS_SIMPLE_LOSS(LogCosh)                      // "log_cosh"
KERAS_SIMPLE_LOSS(KLDivergence)                 // "kl_divergence"
KERAS_SIMPLE_LOSS(Poisson)                      // "poisson"
KERAS_SIMPLE_LOSS(Hinge)                        // "hinge"
KERAS_SIMPLE_LOSS(SquaredHinge)                 // "squared_hinge"
KERAS_SIMPLE_LOSS(CategoricalHinge)             // "categorical_hinge"
#undef KERAS_SIMPLE_LOSS

struct HuberOptions {
  double delta = 1.0;
  std::string name{};  ///< "huber_loss"
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.Huber: quadratic for errors up to delta, linear beyond (see huber).
class Huber : public Loss {
 public:
  /// The loss with the given options.
  explicit Huber(const HuberOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "Huber"; }
  keras::Config get_config() const override;  ///< + {"delta"}
  /// The switch point between quadratic and linear.
  double delta() const { return delta_; }

 private:
  double delta_;
};

/// Options of CosineSimilarity (keras.losses.CosineSimilarity's arguments).
struct CosineSimilarityOptions {
  /// The axis the similarity is computed along (Keras `axis`, default -1).
  int64_t axis = -1;
  std::string name{};  ///< "cosine_similarity"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.CosineSimilarity: minus the cosine similarity of y_true and y_pred along
/// axis (-1 is best).
class CosineSimilarity : public Loss {
 public:
  /// The loss with the given options.
  explicit CosineSimilarity(const CosineSimilarityOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "CosineSimilarity"; }
  keras::Config get_config() const override;  ///< + {"axis"}
  /// The axis of the similarity.
  int64_t axis() const { return axis_; }

 private:
  int64_t axis_;
};

/// Options of BinaryCrossentropy (keras.losses.BinaryCrossentropy's arguments).
struct BinaryCrossentropyOptions {
  /// Whether y_pred holds logits rather than probabilities (Keras `from_logits`, default
  /// false).
  bool from_logits = false;
  double label_smoothing = 0.0;  ///< in [0, 1]
  int64_t axis = -1;             ///< the axis the mean is taken over
  std::string name{};  ///< "binary_crossentropy"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.BinaryCrossentropy: binary cross-entropy of 0/1 (or soft) targets, averaged
/// over axis.
class BinaryCrossentropy : public Loss {
 public:
  /// The loss with the given options.
  explicit BinaryCrossentropy(const BinaryCrossentropyOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "BinaryCrossentropy"; }
  keras::Config get_config() const override;  ///< + {"from_logits", "label_smoothing", "axis"}
  /// Whether y_pred holds logits.
  bool from_logits() const { return from_logits_; }
  /// The label smoothing in [0, 1].
  double label_smoothing() const { return label_smoothing_; }
  /// The axis the mean is taken over.
  int64_t axis() const { return axis_; }

 private:
  bool from_logits_;
  double label_smoothing_;
  int64_t axis_;
};

/// Options of CategoricalCrossentropy (keras.losses.CategoricalCrossentropy's arguments).
struct CategoricalCrossentropyOptions {
  /// Whether y_pred holds logits rather than probabilities (Keras `from_logits`, default
  /// false).
  bool from_logits = false;
  double label_smoothing = 0.0;  ///< in [0, 1]
  int64_t axis = -1;             ///< the class axis
  std::string name{};  ///< "categorical_crossentropy"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.CategoricalCrossentropy: cross-entropy of one-hot (or soft) targets along
/// the class axis.
class CategoricalCrossentropy : public Loss {
 public:
  /// The loss with the given options.
  explicit CategoricalCrossentropy(const CategoricalCrossentropyOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  keras::Config get_config() const override;  ///< + {"from_logits", "label_smoothing", "axis"}
  /// Whether y_pred holds logits.
  bool from_logits() const { return from_logits_; }
  /// The label smoothing in [0, 1].
  double label_smoothing() const { return label_smoothing_; }
  /// The class axis.
  int64_t axis() const { return axis_; }

 private:
  bool from_logits_;
  double label_smoothing_;
  int64_t axis_;
};

/// Options of SparseCategoricalCrossentropy (keras.losses.SparseCategoricalCrossentropy's
/// arguments).
struct SparseCategoricalCrossentropyOptions {
  /// Whether y_pred holds logits rather than probabilities (Keras `from_logits`, default
  /// false).
  bool from_logits = false;
  std::optional<int64_t> ignore_class{};  ///< none: every label counts
  std::string name{};  ///< "sparse_categorical_crossentropy"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// Labels equal to ignore_class contribute 0 and are left out of the
/// "sum_over_batch_size" divisor, as Keras's mask does.
class SparseCategoricalCrossentropy : public Loss {
 public:
  /// The loss with the given options.
  explicit SparseCategoricalCrossentropy(const SparseCategoricalCrossentropyOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  keras::Config get_config() const override;  ///< + {"from_logits", "ignore_class"}
  /// Whether y_pred holds logits.
  bool from_logits() const { return from_logits_; }
  /// The label that is ignored, if any.
  std::optional<int64_t> ignore_class() const { return ignore_class_; }

 protected:
  std::pair<Tensor, Tensor> call_with_mask(const Tensor& y_true,
                                           const Tensor& y_pred) const override;
  bool casts_y_true() const override { return false; }

 private:
  bool from_logits_;
  std::optional<int64_t> ignore_class_;
};

/// Options of BinaryFocalCrossentropy (keras.losses.BinaryFocalCrossentropy's arguments).
struct BinaryFocalCrossentropyOptions {
  /// Whether to weight by alpha for 1s and 1 - alpha for 0s (Keras `apply_class_balancing`,
  /// default false).
  bool apply_class_balancing = false;
  /// The weight of the positive class under class balancing (Keras `alpha`, default 0.25).
  double alpha = 0.25;
  /// The focusing exponent of (1 - p_t) (Keras `gamma`, default 2).
  double gamma = 2.0;
  /// Whether y_pred holds logits rather than probabilities (Keras `from_logits`, default
  /// false).
  bool from_logits = false;
  /// Label smoothing in [0, 1]: targets move toward 0.5 (Keras `label_smoothing`, default
  /// 0).
  double label_smoothing = 0.0;
  /// The axis the mean is taken over (default -1).
  int64_t axis = -1;
  std::string name{};  ///< "binary_focal_crossentropy"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.BinaryFocalCrossentropy: binary cross-entropy down-weighting easy examples
/// by (1 - p_t)^gamma.
class BinaryFocalCrossentropy : public Loss {
 public:
  /// The loss with the given options.
  explicit BinaryFocalCrossentropy(const BinaryFocalCrossentropyOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "BinaryFocalCrossentropy"; }
  /// + {"apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing", "axis"}
  keras::Config get_config() const override;
  /// The options it was built with.
  const BinaryFocalCrossentropyOptions& options() const { return o_; }

 private:
  BinaryFocalCrossentropyOptions o_;
};

// ---- lookup and serialization ----------------------------------------------------------

/// By Keras's names: "mse", "mean_squared_error", "mae", "mape", "msle", "huber",
/// "log_cosh", "binary_crossentropy", "categorical_crossentropy",
/// "sparse_categorical_crossentropy", "binary_focal_crossentropy", "kl_divergence",
/// "kld", "poisson", "hinge", "squared_hinge", "categorical_hinge", "cosine_similarity",
/// ..., the class names ("MeanSquaredError", ...) and registered classes and functions,
/// with default arguments. An unknown name throws std::invalid_argument listing the
/// known ones.
LossPtr get(const std::string& name);
/// Wraps a function (y_true, y_pred) -> per-sample losses (a LossFunctionWrapper named
/// `name`, reduced like every loss).
LossPtr get(LossFunction fn, std::string name = "custom");
std::vector<std::string> names();  ///< what get() accepts, sorted

/// {"class_name": "BinaryCrossentropy", "config": {"name": ..., "reduction": ..., ...}}
keras::Config serialize(const Loss& loss);
/// From serialize()'s form or a name as get() takes. A LossFunctionWrapper's "fn" is
/// looked up among the registered functions and the functional forms above.
LossPtr deserialize(const keras::Config& config);

/// Makes deserialize()/get() build a user class from its config (Keras's
/// register_keras_serializable). Built-in names cannot be replaced.
using Factory = std::function<LossPtr(const keras::Config& config)>;
/// Registers a class under class_name; a built-in or empty name throws
/// std::invalid_argument.
void register_loss(const std::string& class_name, Factory factory);
/// Registers a plain function under `name`: get(name) wraps it, and a serialized
/// LossFunctionWrapper with {"fn": name} deserializes to it.
void register_loss(const std::string& name, LossFunction fn);

/// What compile() takes as a loss: a name ("sparse_categorical_crossentropy"), a loss
/// object (BinaryCrossentropy({.from_logits = true})) or pointer, a Config, a callable
/// (y_true, y_pred) -> Tensor (named after a built-in functional form, else "custom"),
/// or nothing (nullptr).
class LossArg {
 public:
  LossArg() = default;
  /// No loss.
  LossArg(std::nullptr_t) {}
  /// By name, as get() (unknown names throw std::invalid_argument).
  LossArg(const char* name) : ptr_(get(name)) {}
  /// By name, as get().
  LossArg(const std::string& name) : ptr_(get(name)) {}
  /// From serialize()'s form, as deserialize().
  LossArg(const keras::Config& config) : ptr_(deserialize(config)) {}
  /// A loss pointer.
  template <class T>
    requires std::derived_from<T, Loss>
  LossArg(std::shared_ptr<T> p) : ptr_(std::move(p)) {}
  /// A loss object (copied).
  template <class T>
    requires std::derived_from<std::remove_cvref_t<T>, Loss>
  LossArg(T&& object)
      : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(object))) {}
  /// A callable (y_true, y_pred) -> per-sample losses, wrapped as get(LossFunction) does.
  template <class F>
    requires(std::is_invocable_r_v<Tensor, const F&, const Tensor&, const Tensor&> &&
             !std::derived_from<std::remove_cvref_t<F>, Loss> &&
             !std::same_as<std::remove_cvref_t<F>, LossArg> &&
             !std::is_convertible_v<const F&, std::string>)
  LossArg(F f) : ptr_(get(LossFunction(std::move(f)), name_of<F>())) {}

  /// The loss, or null for none.
  const LossPtr& ptr() const { return ptr_; }
  /// Converts to the loss pointer (null for none).
  operator const LossPtr&() const { return ptr_; }
  /// Whether a loss was given.
  explicit operator bool() const { return ptr_ != nullptr; }
  /// The loss's members (null for none).
  const Loss* operator->() const { return ptr_.get(); }

 private:
  template <class F> static std::string name_of() {
    if constexpr (requires { F::name; }) return F::name;
    else return "custom";
  }
  LossPtr ptr_;
};

}  // namespace keras::losses

// The losses declared in their own headers (each includes this one).
#include "keras/losses/categorical_focal_crossentropy.h"
#include "keras/losses/circle.h"
#include "keras/losses/ctc.h"
#include "keras/losses/generalized_cross_entropy.h"
#include "keras/losses/overlap.h"
