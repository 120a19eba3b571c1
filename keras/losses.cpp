// losses.cpp - Keras 3's losses: the functional forms as compositions of core ops, the
// Loss template method (checks, cast, call, sample weights, reduction), the built-in
// classes, and the name registry behind get() / serialize() / deserialize().
#include "keras/losses.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/control_flow.h"
#include "core/function.h"
#include "core/ops.h"

namespace keras::losses {

namespace ops = core::ops;
using core::DType;
using core::Shape;

namespace {

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument(message); }

std::string num(double v) { return keras::Value(v).to_json(); }

std::string describe(const Tensor& t) {
  return std::string("shape ") + t.shape().str() + " and dtype " + core::dtype_name(t.dtype());
}

void check_defined(const std::string& who, const Tensor& t, const char* what) {
  if (!t.defined())
    fail(who + ": expected " + what + " to be a tensor, but received an undefined tensor");
}

void check_pred(const std::string& who, const Tensor& y_pred) {
  check_defined(who, y_pred, "y_pred");
  if (!core::is_floating(y_pred.dtype()))
    fail(who + ": expected y_pred of a floating-point dtype (float32 or float64), but "
               "received y_pred with " + describe(y_pred));
}

void check_label_smoothing(const std::string& who, double ls) {
  if (!(ls >= 0.0 && ls <= 1.0))
    fail(who + ": expected label_smoothing in [0, 1], but received " + num(ls));
}

// Checks y_pred, casts y_true to its dtype, aligns the ranks as Keras does and requires
// the same shape and rank >= 1.
std::pair<Tensor, Tensor> prepare(const std::string& who, const Tensor& y_true,
                                  const Tensor& y_pred) {
  check_pred(who, y_pred);
  check_defined(who, y_true, "y_true");
  Tensor t = y_true.dtype() == y_pred.dtype() ? y_true : ops::cast(y_true, y_pred.dtype());
  auto [a, b] = squeeze_or_expand_to_same_rank(t, y_pred);
  if (a.shape() != b.shape())
    fail(who + ": expected y_true and y_pred to have the same shape, but received "
               "y_true.shape=" + y_true.shape().str() + " and y_pred.shape=" +
         y_pred.shape().str());
  if (b.rank() < 1)
    fail(who + ": expected y_true and y_pred of rank >= 1 (the loss is reduced over an "
               "axis), but received scalars");
  return {a, b};
}

// Elementwise binary crossentropy; from logits: t softplus(-x) + (1 - t) softplus(x).
Tensor bce_elements(const Tensor& t, const Tensor& p, bool from_logits) {
  if (from_logits) return t * ops::softplus(-p) + (1.0 - t) * ops::softplus(p);
  Tensor pc = ops::clip(p, kEpsilon, 1.0 - kEpsilon);
  return -(t * ops::log(pc) + (1.0 - t) * ops::log(1.0 - pc));
}

// Labels all in {0, 1} become {-1, 1} (Keras's convert_binary_labels_to_hinge).
Tensor hinge_labels(const Tensor& t) {
  Tensor is_binary = ops::all(ops::logical_or(ops::equal(t, ops::scalar_like(t, 0.0)),
                                              ops::equal(t, ops::scalar_like(t, 1.0))));
  return ops::where(is_binary, t * 2.0 - 1.0, t);
}

Tensor zero_like_scalar(const Tensor& t) { return ops::scalar_like(t, 0.0); }

struct SparseResult {
  Tensor loss, mask;
};

SparseResult sparse_cce(const std::string& who, const Tensor& y_true, const Tensor& y_pred,
                        bool from_logits, std::optional<int64_t> ignore_class, int64_t axis) {
  check_pred(who, y_pred);
  check_defined(who, y_true, "y_true");
  if (y_pred.rank() < 1)
    fail(who + ": expected y_pred of rank >= 1 (classes on the class axis), but received "
               "y_pred with " + describe(y_pred));
  const int64_t a = core::normalize_axis(axis, y_pred.rank(), who.c_str());
  Tensor p = y_pred;
  if (a != p.rank() - 1) {  // move the class axis last
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < p.rank(); ++i)
      if (i != a) perm.push_back(i);
    perm.push_back(a);
    p = ops::transpose(p, perm);
  }
  const int64_t classes = p.shape()[p.rank() - 1];
  Tensor labels = y_true;
  if (labels.rank() == p.rank() && labels.rank() > 0 && labels.shape()[labels.rank() - 1] == 1)
    labels = ops::squeeze(labels, {-1});
  Shape want(std::vector<int64_t>(p.shape().dims().begin(), p.shape().dims().end() - 1));
  if (labels.shape() != want)
    fail(who + ": expected y_true to have shape " + want.str() + " (the shape of y_pred " +
         y_pred.shape().str() + " without the class axis), but received y_true.shape=" +
         y_true.shape().str());
  if (labels.dtype() == DType::bool_)
    fail(who + ": expected integer class labels, but received y_true of dtype bool");
  // Whole numbers in [0, classes) (or ignore_class), checked by an op: at once when
  // eager, at every run of a traced step.
  const bool floating = core::is_floating(labels.dtype());
  const std::string pred_shape = y_pred.shape().str();
  core::ops::check_elements(
      labels,
      [=](double v) {
        if (floating && v != std::floor(v)) return false;
        return (ignore_class && v == double(*ignore_class)) || (v >= 0 && v < double(classes));
      },
      [=](double v, int64_t i) {
        if (floating && v != std::floor(v))
          return who + ": expected whole-number class labels, but received " + num(v) + " at flat index " +
                 std::to_string(i) + " of y_true";
        return who + ": expected class labels in [0, " + std::to_string(classes) + ")" +
               (ignore_class ? " or ignore_class " + std::to_string(*ignore_class) : "") + " for y_pred with " +
               std::to_string(classes) + " classes (shape " + pred_shape + "), but received label " +
               (std::fabs(v) < 9e18 ? std::to_string(static_cast<long long>(v)) : num(v)) + " at flat index " + std::to_string(i) + " of y_true";
      });
  if (labels.dtype() != DType::int64) labels = ops::cast(labels, DType::int64);
  Tensor mask;
  if (ignore_class) {
    mask = ops::not_equal(labels, ops::scalar_like(labels, double(*ignore_class)));
    labels = ops::where(mask, labels, ops::zeros_like(labels));
  }
  Tensor loss;
  if (from_logits) {
    loss = ops::sparse_softmax_cross_entropy_with_logits(labels, p);
  } else {
    Tensor out = ops::clip(p / ops::sum(p, {-1}, true), kEpsilon, 1.0 - kEpsilon);
    Tensor target = ops::one_hot(labels, classes, {.dtype = p.dtype()});
    loss = -ops::sum(target * ops::log(out), {-1});
  }
  if (mask.defined()) loss = ops::where(mask, loss, ops::zeros_like(loss));
  return {loss, mask};
}

bool broadcastable(const Shape& a, const Shape& b) {
  const int64_t n = std::max(a.rank(), b.rank());
  for (int64_t i = 1; i <= n; ++i) {
    int64_t da = i <= a.rank() ? a[a.rank() - i] : 1;
    int64_t db = i <= b.rank() ? b[b.rank() - i] : 1;
    if (da != db && da != 1 && db != 1) return false;
  }
  return true;
}

// Aligns a weight to x as Keras does, then gives it trailing size-1 axes up to x's rank
// (a per-sample weight scales every element of its sample). Returns (x, weight).
std::pair<Tensor, Tensor> align_weight(const std::string& who, const Tensor& x,
                                       const Tensor& weight, const char* what) {
  auto [a, w] = squeeze_or_expand_to_same_rank(x, weight);
  if (w.rank() < a.rank()) {
    std::vector<int64_t> dims = w.shape().dims();
    dims.resize(static_cast<size_t>(a.rank()), 1);
    w = ops::reshape(w, dims);
  }
  if (!broadcastable(a.shape(), w.shape()))
    fail(who + ": expected " + what + " with a shape broadcastable to the per-sample "
               "losses' shape " + x.shape().str() + ", but received " + what + ".shape=" +
         weight.shape().str());
  return {a, w};
}

std::string to_snake_case(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isupper(c) && i > 0) {
      const unsigned char prev = static_cast<unsigned char>(s[i - 1]);
      const bool next_lower =
          i + 1 < s.size() && std::islower(static_cast<unsigned char>(s[i + 1]));
      if (std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower))
        out += '_';
    }
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

LossOptions named(LossOptions o, const char* default_name) {
  if (o.name.empty()) o.name = default_name;
  return o;
}

const std::vector<std::string>& reductions() {
  static const std::vector<std::string> r = {"sum_over_batch_size", "sum", "mean",
                                             "mean_with_sample_weight", "none"};
  return r;
}

}  // namespace

// ---- helpers ---------------------------------------------------------------------------

std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2) {
  Tensor a = x1, b = x2;
  const int64_t r1 = a.rank(), r2 = b.rank();
  if (r1 == r2 + 1 && a.shape()[r1 - 1] == 1) {
    if (r2 == 1) b = ops::expand_dims(b, -1);
    else a = ops::squeeze(a, {-1});
  } else if (r2 == r1 + 1 && b.shape()[r2 - 1] == 1) {
    if (r1 == 1) a = ops::expand_dims(a, -1);
    else b = ops::squeeze(b, {-1});
  }
  return {a, b};
}

void check_reduction(const std::string& reduction) {
  const auto& r = reductions();
  if (std::find(r.begin(), r.end(), reduction) != r.end()) return;
  std::string list;
  for (const auto& s : r) list += (list.empty() ? "\"" : ", \"") + s + "\"";
  fail("expected reduction to be one of " + list + ", but received \"" + reduction + "\"");
}

Tensor reduce_weighted_values(const Tensor& values_in, const Tensor& sample_weight,
                              const Tensor& mask, const std::string& reduction,
                              const std::string& who) {
  try {
    check_reduction(reduction);
  } catch (const std::invalid_argument& e) {
    fail(who + ": " + e.what());
  }
  check_defined(who, values_in, "the per-sample losses");
  Tensor values = values_in;
  const DType dt = values.dtype();
  if (!core::is_floating(dt))
    fail(who + ": expected per-sample losses of a floating-point dtype, but received " +
         describe(values));
  Tensor weight;
  if (sample_weight.defined())
    weight = sample_weight.dtype() == dt ? sample_weight : ops::cast(sample_weight, dt);
  if (mask.defined()) {
    Tensor m = mask.dtype() == dt ? mask : ops::cast(mask, dt);
    if (reduction == "sum_over_batch_size" || reduction == "mean") {
      // Valid elements weigh total / valid, so the mean divides by the valid count.
      Tensor valid = ops::sum(m);
      Tensor none = ops::equal(valid, zero_like_scalar(valid));
      Tensor safe = ops::where(none, ops::scalar_like(valid, 1.0), valid);
      Tensor factor = ops::where(none, zero_like_scalar(valid), double(m.size()) / safe);
      m = m * factor;
    }
    if (weight.defined()) {
      auto [m2, w2] = align_weight(who, m, weight, "sample_weight");
      weight = w2 * m2;
    } else {
      weight = m;
    }
  }
  if (weight.defined()) {
    auto [v2, w2] = align_weight(who, values, weight, "sample_weight");
    values = v2 * w2;
    weight = w2;
  }
  if (reduction == "none" || values.rank() == 0) return values;
  Tensor loss = ops::sum(values);
  if (reduction == "sum") return loss;
  if (reduction == "mean_with_sample_weight" && weight.defined()) {
    Tensor divisor = ops::sum(weight);
    Tensor none = ops::equal(divisor, zero_like_scalar(divisor));
    Tensor safe = ops::where(none, ops::scalar_like(divisor, 1.0), divisor);
    return ops::where(none, zero_like_scalar(loss), loss / safe);
  }
  if (values.size() == 0) return loss;  // 0
  return loss / double(values.size());
}

// ---- functional forms --------------------------------------------------------------------

namespace detail {

Tensor MeanSquaredErrorFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(ops::square(t - p), {-1});
}

Tensor MeanAbsoluteErrorFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(ops::abs(t - p), {-1});
}

Tensor MeanAbsolutePercentageErrorFn::operator()(const Tensor& y_true,
                                                 const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor denom = ops::maximum(ops::abs(t), ops::scalar_like(t, kEpsilon));
  return ops::mean(ops::abs((t - p) / denom), {-1}) * 100.0;
}

Tensor MeanSquaredLogarithmicErrorFn::operator()(const Tensor& y_true,
                                                 const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor first = ops::log1p(ops::maximum(p, ops::scalar_like(p, kEpsilon)));
  Tensor second = ops::log1p(ops::maximum(t, ops::scalar_like(t, kEpsilon)));
  return ops::mean(ops::square(first - second), {-1});
}

Tensor LogCoshFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor x = p - t;
  return ops::mean(x + ops::softplus(x * -2.0) - std::log(2.0), {-1});
}

Tensor KLDivergenceFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor tc = ops::clip(t, kEpsilon, 1.0), pc = ops::clip(p, kEpsilon, 1.0);
  return ops::sum(tc * ops::log(tc / pc), {-1});
}

Tensor PoissonFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(p - t * ops::log(p + kEpsilon), {-1});
}

Tensor HingeFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(ops::relu(1.0 - hinge_labels(t) * p), {-1});
}

Tensor SquaredHingeFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(ops::square(ops::relu(1.0 - hinge_labels(t) * p)), {-1});
}

Tensor CategoricalHingeFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor pos = ops::sum(t * p, {-1});
  Tensor neg = ops::max((1.0 - t) * p, {-1});
  return ops::relu(neg - pos + 1.0);
}

Tensor HuberFn::operator()(const Tensor& y_true, const Tensor& y_pred, double delta) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor error = p - t;
  Tensor abs_error = ops::abs(error);
  Tensor quadratic = ops::square(error) * 0.5;
  Tensor linear = abs_error * delta - 0.5 * delta * delta;
  return ops::mean(ops::where(abs_error <= delta, quadratic, linear), {-1});
}

Tensor CosineSimilarityFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                      int64_t axis) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  const int64_t a = core::normalize_axis(axis, p.rank(), name);
  // x / max(||x||, eps), written as x * rsqrt(max(sum(x^2), eps^2)).
  auto l2_normalize = [a](const Tensor& x) {
    Tensor s = ops::sum(ops::square(x), {a}, true);
    return x * ops::rsqrt(ops::maximum(s, ops::scalar_like(s, kEpsilon * kEpsilon)));
  };
  return -ops::sum(l2_normalize(t) * l2_normalize(p), {a});
}

Tensor BinaryCrossentropyFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                        bool from_logits, double label_smoothing,
                                        int64_t axis) const {
  check_label_smoothing(name, label_smoothing);
  auto [t, p] = prepare(name, y_true, y_pred);
  const int64_t a = core::normalize_axis(axis, p.rank(), name);
  if (label_smoothing != 0.0) t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  return ops::mean(bce_elements(t, p, from_logits), {a});
}

Tensor CategoricalCrossentropyFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                             bool from_logits, double label_smoothing,
                                             int64_t axis) const {
  check_label_smoothing(name, label_smoothing);
  auto [t, p] = prepare(name, y_true, y_pred);
  const int64_t a = core::normalize_axis(axis, p.rank(), name);
  if (label_smoothing != 0.0) {
    const double classes = double(p.shape()[a]);
    t = t * (1.0 - label_smoothing) + label_smoothing / classes;
  }
  if (from_logits) {
    if (a == p.rank() - 1) return ops::softmax_cross_entropy_with_logits(t, p);
    return -ops::sum(t * ops::log_softmax(p, a), {a});
  }
  Tensor out = ops::clip(p / ops::sum(p, {a}, true), kEpsilon, 1.0 - kEpsilon);
  return -ops::sum(t * ops::log(out), {a});
}

Tensor SparseCategoricalCrossentropyFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                                   bool from_logits,
                                                   std::optional<int64_t> ignore_class,
                                                   int64_t axis) const {
  return sparse_cce(name, y_true, y_pred, from_logits, ignore_class, axis).loss;
}

Tensor BinaryFocalCrossentropyFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                             bool apply_class_balancing, double alpha,
                                             double gamma, bool from_logits,
                                             double label_smoothing, int64_t axis) const {
  check_label_smoothing(name, label_smoothing);
  auto [t, p] = prepare(name, y_true, y_pred);
  const int64_t a = core::normalize_axis(axis, p.rank(), name);
  if (label_smoothing != 0.0) t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  Tensor prob = from_logits ? ops::sigmoid(p) : p;
  Tensor bce = bce_elements(t, p, from_logits);
  Tensor p_t = t * prob + (1.0 - t) * (1.0 - prob);
  Tensor base = 1.0 - p_t;
  Tensor focal;
  if (gamma == 2.0) focal = ops::square(base);
  else if (gamma == 1.0) focal = base;
  else if (gamma == 0.0) focal = ops::ones_like(base);
  else focal = ops::power(base, ops::scalar_like(base, gamma));
  Tensor loss = focal * bce;
  if (apply_class_balancing) loss = (t * alpha + (1.0 - t) * (1.0 - alpha)) * loss;
  return ops::mean(loss, {a});
}

}  // namespace detail

// ---- Loss --------------------------------------------------------------------------------

LossOptions LossOptions::from_config(const keras::Config& config) {
  LossOptions o;
  if (!config.is_object()) return o;
  if (const keras::Value* n = config.find("name"); n && !n->is_null()) o.name = n->as_string();
  if (const keras::Value* r = config.find("reduction"))
    o.reduction = r->is_null() ? std::string("none") : r->as_string();
  return o;
}

Loss::Loss(const LossOptions& options) : name_(options.name), reduction_(options.reduction) {
  try {
    check_reduction(reduction_);
  } catch (const std::invalid_argument& e) {
    fail((name_.empty() ? std::string("Loss") : name_) + ": " + e.what());
  }
}

Loss::~Loss() = default;

std::string Loss::name() const { return name_.empty() ? to_snake_case(class_name()) : name_; }

keras::Config Loss::get_config() const {
  keras::Config c = keras::Config::object();
  c["name"] = name();
  c["reduction"] = reduction_;
  return c;
}

std::pair<Tensor, Tensor> Loss::call_with_mask(const Tensor& y_true, const Tensor& y_pred) const {
  return {call(y_true, y_pred), Tensor()};
}

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred,
                        const Tensor& sample_weight) const {
  const std::string who = name();
  try {
    check_defined(who, y_true, "y_true");
    check_pred(who, y_pred);
    Tensor t = y_true;
    if (casts_y_true() && t.dtype() != y_pred.dtype()) t = ops::cast(t, y_pred.dtype());
    auto [values, mask] = call_with_mask(t, y_pred);
    if (!values.defined())
      fail(who + ": expected call() to return the per-sample losses, but it returned an "
                 "undefined tensor");
    return reduce_weighted_values(values, sample_weight, mask, reduction_, who);
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    if (message.rfind(who + ":", 0) == 0) throw;
    throw std::invalid_argument(who + ": " + message);
  }
}

// ---- LossFunctionWrapper -------------------------------------------------------------------

LossFunctionWrapper::LossFunctionWrapper(LossFunction fn, std::string fn_name,
                                         const LossOptions& options)
    : Loss(named(options, fn_name.c_str())), fn_(std::move(fn)), fn_name_(std::move(fn_name)) {
  if (!fn_)
    fail("LossFunctionWrapper: expected a callable for loss '" + fn_name_ +
         "', but received an empty function");
}

Tensor LossFunctionWrapper::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = squeeze_or_expand_to_same_rank(y_true, y_pred);
  return fn_(t, p);
}

keras::Config LossFunctionWrapper::get_config() const {
  keras::Config c = Loss::get_config();
  c["fn"] = fn_name_;
  return c;
}

// ---- built-in classes ------------------------------------------------------------------------

#define KERAS_SIMPLE_LOSS_IMPL(Name, fn)                                               \
  Name::Name(const LossOptions& options) : Loss(named(options, fn.name)) {}           \
  Tensor Name::call(const Tensor& y_true, const Tensor& y_pred) const {                \
    return fn(y_true, y_pred);                                                         \
  }
KERAS_SIMPLE_LOSS_IMPL(MeanSquaredError, mean_squared_error)
KERAS_SIMPLE_LOSS_IMPL(MeanAbsoluteError, mean_absolute_error)
KERAS_SIMPLE_LOSS_IMPL(MeanAbsolutePercentageError, mean_absolute_percentage_error)
KERAS_SIMPLE_LOSS_IMPL(MeanSquaredLogarithmicError, mean_squared_logarithmic_error)
KERAS_SIMPLE_LOSS_IMPL(LogCosh, log_cosh)
KERAS_SIMPLE_LOSS_IMPL(KLDivergence, kl_divergence)
KERAS_SIMPLE_LOSS_IMPL(Poisson, poisson)
KERAS_SIMPLE_LOSS_IMPL(Hinge, hinge)
KERAS_SIMPLE_LOSS_IMPL(SquaredHinge, squared_hinge)
KERAS_SIMPLE_LOSS_IMPL(CategoricalHinge, categorical_hinge)
#undef KERAS_SIMPLE_LOSS_IMPL

Huber::Huber(const HuberOptions& o)
    : Loss(named({o.name, o.reduction}, "huber_loss")), delta_(o.delta) {}
Tensor Huber::call(const Tensor& y_true, const Tensor& y_pred) const {
  return huber(y_true, y_pred, delta_);
}
keras::Config Huber::get_config() const {
  keras::Config c = Loss::get_config();
  c["delta"] = delta_;
  return c;
}

CosineSimilarity::CosineSimilarity(const CosineSimilarityOptions& o)
    : Loss(named({o.name, o.reduction}, "cosine_similarity")), axis_(o.axis) {}
Tensor CosineSimilarity::call(const Tensor& y_true, const Tensor& y_pred) const {
  return cosine_similarity(y_true, y_pred, axis_);
}
keras::Config CosineSimilarity::get_config() const {
  keras::Config c = Loss::get_config();
  c["axis"] = axis_;
  return c;
}

BinaryCrossentropy::BinaryCrossentropy(const BinaryCrossentropyOptions& o)
    : Loss(named({o.name, o.reduction}, "binary_crossentropy")),
      from_logits_(o.from_logits),
      label_smoothing_(o.label_smoothing),
      axis_(o.axis) {
  check_label_smoothing(name(), label_smoothing_);
}
Tensor BinaryCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return binary_crossentropy(y_true, y_pred, from_logits_, label_smoothing_, axis_);
}
keras::Config BinaryCrossentropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["from_logits"] = from_logits_;
  c["label_smoothing"] = label_smoothing_;
  c["axis"] = axis_;
  return c;
}

CategoricalCrossentropy::CategoricalCrossentropy(const CategoricalCrossentropyOptions& o)
    : Loss(named({o.name, o.reduction}, "categorical_crossentropy")),
      from_logits_(o.from_logits),
      label_smoothing_(o.label_smoothing),
      axis_(o.axis) {
  check_label_smoothing(name(), label_smoothing_);
}
Tensor CategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return categorical_crossentropy(y_true, y_pred, from_logits_, label_smoothing_, axis_);
}
keras::Config CategoricalCrossentropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["from_logits"] = from_logits_;
  c["label_smoothing"] = label_smoothing_;
  c["axis"] = axis_;
  return c;
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(
    const SparseCategoricalCrossentropyOptions& o)
    : Loss(named({o.name, o.reduction}, "sparse_categorical_crossentropy")),
      from_logits_(o.from_logits),
      ignore_class_(o.ignore_class) {}
Tensor SparseCategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return call_with_mask(y_true, y_pred).first;
}
std::pair<Tensor, Tensor> SparseCategoricalCrossentropy::call_with_mask(
    const Tensor& y_true, const Tensor& y_pred) const {
  SparseResult r = sparse_cce(sparse_categorical_crossentropy.name, y_true, y_pred,
                              from_logits_, ignore_class_, -1);
  return {r.loss, r.mask};
}
keras::Config SparseCategoricalCrossentropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["from_logits"] = from_logits_;
  c["ignore_class"] = ignore_class_ ? keras::Value(*ignore_class_) : keras::Value();
  return c;
}

BinaryFocalCrossentropy::BinaryFocalCrossentropy(const BinaryFocalCrossentropyOptions& o)
    : Loss(named({o.name, o.reduction}, "binary_focal_crossentropy")), o_(o) {
  o_.name = name();
  check_label_smoothing(name(), o_.label_smoothing);
}
Tensor BinaryFocalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return binary_focal_crossentropy(y_true, y_pred, o_.apply_class_balancing, o_.alpha,
                                   o_.gamma, o_.from_logits, o_.label_smoothing, o_.axis);
}
keras::Config BinaryFocalCrossentropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["apply_class_balancing"] = o_.apply_class_balancing;
  c["alpha"] = o_.alpha;
  c["gamma"] = o_.gamma;
  c["from_logits"] = o_.from_logits;
  c["label_smoothing"] = o_.label_smoothing;
  c["axis"] = o_.axis;
  return c;
}

// ---- registry ------------------------------------------------------------------------------

namespace {

// Reads a built-in class's config with Keras's defaults; rejects keys it does not take
// ("dtype", which Keras writes, is accepted and ignored).
class ConfigReader {
 public:
  ConfigReader(const std::string& cls, const keras::Config& c, std::set<std::string> extra)
      : cls_(cls), c_(c) {
    if (c.is_null()) return;
    if (!c.is_object())
      fail("losses.deserialize: expected the config of " + cls + " to be an object, but "
           "received " + c.to_json());
    extra.insert({"name", "reduction", "dtype"});
    for (const auto& [k, v] : c.items())
      if (!extra.count(k)) {
        std::string keys;
        for (const auto& a : extra) keys += (keys.empty() ? "" : ", ") + a;
        fail("losses.deserialize: unexpected key '" + k + "' in the config of " + cls +
             " (expected " + keys + ")");
      }
  }
  const keras::Value* find(const std::string& key) const {
    const keras::Value* v = c_.is_object() ? c_.find(key) : nullptr;
    return v && !v->is_null() ? v : nullptr;
  }
  double number(const std::string& key, double fallback) const {
    const keras::Value* v = find(key);
    return v ? v->as_double() : fallback;
  }
  int64_t integer(const std::string& key, int64_t fallback) const {
    const keras::Value* v = find(key);
    return v ? v->as_int() : fallback;
  }
  bool boolean(const std::string& key, bool fallback) const {
    const keras::Value* v = find(key);
    return v ? v->as_bool() : fallback;
  }
  LossOptions options() const { return LossOptions::from_config(c_); }

 private:
  std::string cls_;
  const keras::Config& c_;
};

using Table = std::map<std::string, Factory>;

template <class T>
Factory simple(const char* cls) {
  return [cls](const keras::Config& c) -> LossPtr {
    ConfigReader r(cls, c, {});
    return std::make_shared<T>(r.options());
  };
}

const Table& builtin_classes() {
  static const Table table = [] {
    Table t;
    t["MeanSquaredError"] = simple<MeanSquaredError>("MeanSquaredError");
    t["MeanAbsoluteError"] = simple<MeanAbsoluteError>("MeanAbsoluteError");
    t["MeanAbsolutePercentageError"] =
        simple<MeanAbsolutePercentageError>("MeanAbsolutePercentageError");
    t["MeanSquaredLogarithmicError"] =
        simple<MeanSquaredLogarithmicError>("MeanSquaredLogarithmicError");
    t["LogCosh"] = simple<LogCosh>("LogCosh");
    t["KLDivergence"] = simple<KLDivergence>("KLDivergence");
    t["Poisson"] = simple<Poisson>("Poisson");
    t["Hinge"] = simple<Hinge>("Hinge");
    t["SquaredHinge"] = simple<SquaredHinge>("SquaredHinge");
    t["CategoricalHinge"] = simple<CategoricalHinge>("CategoricalHinge");
    t["Huber"] = [](const keras::Config& c) -> LossPtr {
      ConfigReader r("Huber", c, {"delta"});
      LossOptions o = r.options();
      return std::make_shared<Huber>(
          HuberOptions{.delta = r.number("delta", 1.0), .name = o.name, .reduction = o.reduction});
    };
    t["CosineSimilarity"] = [](const keras::Config& c) -> LossPtr {
      ConfigReader r("CosineSimilarity", c, {"axis"});
      LossOptions o = r.options();
      return std::make_shared<CosineSimilarity>(CosineSimilarityOptions{
          .axis = r.integer("axis", -1), .name = o.name, .reduction = o.reduction});
    };
    t["BinaryCrossentropy"] = [](const keras::Config& c) -> LossPtr {
      ConfigReader r("BinaryCrossentropy", c, {"from_logits", "label_smoothing", "axis"});
      LossOptions o = r.options();
      return std::make_shared<BinaryCrossentropy>(BinaryCrossentropyOptions{
          .from_logits = r.boolean("from_logits", false),
          .label_smoothing = r.number("label_smoothing", 0.0),
          .axis = r.integer("axis", -1),
          .name = o.name,
          .reduction = o.reduction});
    };
    t["CategoricalCrossentropy"] = [](const keras::Config& c) -> LossPtr {
      ConfigReader r("CategoricalCrossentropy", c, {"from_logits", "label_smoothing", "axis"});
      LossOptions o = r.options();
      return std::make_shared<CategoricalCrossentropy>(CategoricalCrossentropyOptions{
          .from_logits = r.boolean("from_logits", false),
          .label_smoothing = r.number("label_smoothing", 0.0),
          .axis = r.integer("axis", -1),
          .name = o.name,
          .reduction = o.reduction});
    };
    t["SparseCategoricalCrossentropy"] = [](const keras::Config& c) -> LossPtr {
      ConfigReader r("SparseCategoricalCrossentropy", c, {"from_logits", "ignore_class"});
      LossOptions o = r.options();
      std::optional<int64_t> ignore;
      if (const keras::Value* v = r.find("ignore_class")) ignore = v->as_int();
      return std::make_shared<SparseCategoricalCrossentropy>(SparseCategoricalCrossentropyOptions{
          .from_logits = r.boolean("from_logits", false),
          .ignore_class = ignore,
          .name = o.name,
          .reduction = o.reduction});
    };
    t["BinaryFocalCrossentropy"] = [](const keras::Config& c) -> LossPtr {
      ConfigReader r("BinaryFocalCrossentropy", c,
                     {"apply_class_balancing", "alpha", "gamma", "from_logits",
                      "label_smoothing", "axis"});
      LossOptions o = r.options();
      return std::make_shared<BinaryFocalCrossentropy>(BinaryFocalCrossentropyOptions{
          .apply_class_balancing = r.boolean("apply_class_balancing", false),
          .alpha = r.number("alpha", 0.25),
          .gamma = r.number("gamma", 2.0),
          .from_logits = r.boolean("from_logits", false),
          .label_smoothing = r.number("label_smoothing", 0.0),
          .axis = r.integer("axis", -1),
          .name = o.name,
          .reduction = o.reduction});
    };
    return t;
  }();
  return table;
}

// Every name get() accepts for a built-in -> its class.
const std::map<std::string, std::string>& builtin_aliases() {
  static const std::map<std::string, std::string> aliases = [] {
    std::map<std::string, std::string> a;
    for (const auto& [cls, f] : builtin_classes()) a[cls] = cls;
    auto add = [&a](std::initializer_list<const char*> names, const char* cls) {
      for (const char* n : names) a[n] = cls;
    };
    add({"mean_squared_error", "mse", "MSE"}, "MeanSquaredError");
    add({"mean_absolute_error", "mae", "MAE"}, "MeanAbsoluteError");
    add({"mean_absolute_percentage_error", "mape", "MAPE"}, "MeanAbsolutePercentageError");
    add({"mean_squared_logarithmic_error", "msle", "MSLE"}, "MeanSquaredLogarithmicError");
    add({"huber", "huber_loss"}, "Huber");
    add({"log_cosh", "logcosh"}, "LogCosh");
    add({"kl_divergence", "kld", "KLD", "kullback_leibler_divergence"}, "KLDivergence");
    add({"poisson"}, "Poisson");
    add({"hinge"}, "Hinge");
    add({"squared_hinge"}, "SquaredHinge");
    add({"categorical_hinge"}, "CategoricalHinge");
    add({"cosine_similarity"}, "CosineSimilarity");
    add({"binary_crossentropy", "bce", "BCE"}, "BinaryCrossentropy");
    add({"categorical_crossentropy"}, "CategoricalCrossentropy");
    add({"sparse_categorical_crossentropy"}, "SparseCategoricalCrossentropy");
    add({"binary_focal_crossentropy"}, "BinaryFocalCrossentropy");
    return a;
  }();
  return aliases;
}

// The functional forms by name (for a serialized LossFunctionWrapper's "fn").
const std::map<std::string, LossFunction>& builtin_functions() {
  static const std::map<std::string, LossFunction> fns = [] {
    std::map<std::string, LossFunction> f;
    auto add = [&f](auto fn) { f[fn.name] = LossFunction(fn); };
    add(mean_squared_error);
    add(mean_absolute_error);
    add(mean_absolute_percentage_error);
    add(mean_squared_logarithmic_error);
    add(huber);
    add(log_cosh);
    add(binary_crossentropy);
    add(categorical_crossentropy);
    add(sparse_categorical_crossentropy);
    add(binary_focal_crossentropy);
    add(kl_divergence);
    add(poisson);
    add(hinge);
    add(squared_hinge);
    add(categorical_hinge);
    add(cosine_similarity);
    return f;
  }();
  return fns;
}

struct Custom {
  std::mutex mu;
  Table factories;
  std::map<std::string, LossFunction> functions;
};
Custom& custom() {
  static Custom c;
  return c;
}

Factory find_factory(const std::string& name) {
  const auto& aliases = builtin_aliases();
  if (auto it = aliases.find(name); it != aliases.end()) return builtin_classes().at(it->second);
  Custom& c = custom();
  std::lock_guard<std::mutex> lock(c.mu);
  if (auto it = c.factories.find(name); it != c.factories.end()) return it->second;
  return {};
}

LossFunction find_function(const std::string& name) {
  {
    Custom& c = custom();
    std::lock_guard<std::mutex> lock(c.mu);
    if (auto it = c.functions.find(name); it != c.functions.end()) return it->second;
  }
  const auto& b = builtin_functions();
  if (auto it = b.find(name); it != b.end()) return it->second;
  return {};
}

std::string joined_names() {
  std::string s;
  for (const auto& n : names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

void check_new_name(const char* fn, const std::string& name) {
  if (name.empty()) fail(std::string("losses.") + fn + ": expected a non-empty name");
  if (builtin_aliases().count(name) || builtin_functions().count(name) ||
      name == "LossFunctionWrapper")
    fail(std::string("losses.") + fn + ": '" + name +
         "' is a built-in loss and cannot be replaced");
}

}  // namespace

std::vector<std::string> names() {
  std::set<std::string> out;
  for (const auto& [k, v] : builtin_aliases()) out.insert(k);
  {
    Custom& c = custom();
    std::lock_guard<std::mutex> lock(c.mu);
    for (const auto& [k, v] : c.factories) out.insert(k);
    for (const auto& [k, v] : c.functions) out.insert(k);
  }
  return {out.begin(), out.end()};
}

LossPtr get(const std::string& name) {
  if (Factory f = find_factory(name)) return f(keras::Config::object());
  {
    Custom& c = custom();
    std::unique_lock<std::mutex> lock(c.mu);
    if (auto it = c.functions.find(name); it != c.functions.end()) {
      LossFunction fn = it->second;
      lock.unlock();
      return std::make_shared<LossFunctionWrapper>(std::move(fn), name);
    }
  }
  fail("losses.get: unknown loss '" + name + "'; expected one of: " + joined_names());
}

LossPtr get(LossFunction fn, std::string name) {
  if (!fn) fail("losses.get: expected a callable, but received an empty function");
  return std::make_shared<LossFunctionWrapper>(std::move(fn), std::move(name));
}

keras::Config serialize(const Loss& loss) {
  keras::Config c = keras::Config::object();
  c["class_name"] = loss.class_name();
  c["config"] = loss.get_config();
  return c;
}

LossPtr deserialize(const keras::Config& config) {
  if (config.type() == keras::Value::Type::string) return get(config.as_string());
  if (!config.is_object() || !config.contains("class_name") ||
      config.at("class_name").type() != keras::Value::Type::string)
    fail("losses.deserialize: expected {\"class_name\": ..., \"config\": {...}} or a name, "
         "but received " + config.to_json());
  const std::string& cls = config.at("class_name").as_string();
  keras::Config inner = config.get("config", keras::Config::object());
  if (cls == "LossFunctionWrapper") {
    ConfigReader r(cls, inner, {"fn"});
    const keras::Value* fn = r.find("fn");
    // Keras writes a function as {"class_name": "function", "config": name}.
    if (fn && fn->is_object()) fn = fn->find("config");
    if (!fn || fn->type() != keras::Value::Type::string)
      fail("losses.deserialize: expected the config of LossFunctionWrapper to name its "
           "function in \"fn\", but received " + inner.to_json());
    LossFunction f = find_function(fn->as_string());
    if (!f)
      fail("losses.deserialize: unknown loss function '" + fn->as_string() +
           "'; register it with register_loss(name, function)");
    return std::make_shared<LossFunctionWrapper>(std::move(f), fn->as_string(), r.options());
  }
  Factory f = find_factory(cls);
  if (!f)
    fail("losses.deserialize: unknown loss class '" + cls + "'; expected one of: " +
         joined_names());
  return f(inner);
}

void register_loss(const std::string& class_name, Factory factory) {
  check_new_name("register_loss", class_name);
  if (!factory)
    fail("losses.register_loss: expected a factory for '" + class_name +
         "', but received an empty function");
  Custom& c = custom();
  std::lock_guard<std::mutex> lock(c.mu);
  c.functions.erase(class_name);
  c.factories[class_name] = std::move(factory);
}

void register_loss(const std::string& name, LossFunction fn) {
  check_new_name("register_loss", name);
  if (!fn)
    fail("losses.register_loss: expected a callable for '" + name +
         "', but received an empty function");
  Custom& c = custom();
  std::lock_guard<std::mutex> lock(c.mu);
  c.factories.erase(name);
  c.functions[name] = std::move(fn);
}

}  // namespace keras::losses
