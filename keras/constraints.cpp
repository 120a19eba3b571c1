// constraints.cpp - Keras 3's weight constraints as compositions of core ops, and the
// name/class registry.
#include "keras/constraints.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/ops.h"
#include "keras/config_reader.h"
#include "keras/family_registry.h"
#include "keras/settings.h"

namespace keras::constraints {

namespace ops = core::ops;

namespace {

std::string num(double v) { return keras::Value(v).to_json(); }
[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

void check_weight(const std::string& cls, const Tensor& w) {
  if (!w.defined()) fail(cls + ": expected a weight tensor, but received an undefined tensor");
  if (!core::is_floating(w.dtype()))
    fail(cls + ": expected a floating-point weight (float32 or float64), but received dtype " +
         core::dtype_name(w.dtype()) + " with shape " + w.shape().str());
}

void check_finite(const std::string& cls, const char* arg, double v) {
  if (!std::isfinite(v)) fail(cls + ": expected a finite " + arg + ", but received " + num(v));
}

// L2 norms of w over the axes, kept as size-1 axes; axes out of range throw naming cls.
Tensor norms(const std::string& cls, const Tensor& w, const Axis& axis) {
  for (int64_t a : axis.axes)
    if (a < -w.rank() || a >= w.rank())
      fail(cls + ": expected axis in [" + std::to_string(-w.rank()) + ", " +
           std::to_string(w.rank()) + ") for a weight of shape " + w.shape().str() +
           ", but received axis " + axis.to_value().to_json());
  return ops::sqrt(ops::sum(ops::square(w), axis.axes, /*keepdims=*/true));
}
}  // namespace

Constraint::~Constraint() = default;
keras::Config Constraint::get_config() const { return keras::Config::object(); }

keras::Value Axis::to_value() const {
  if (axes.size() == 1) return keras::Value(static_cast<long long>(axes[0]));
  return keras::Value(axes);
}

Axis Axis::from_value(const keras::Value& v) {
  if (v.type() == keras::Value::Type::integer) return Axis(v.as_int());
  if (v.type() == keras::Value::Type::list) {
    std::vector<int64_t> a;
    for (const keras::Value& e : v.as_list()) {
      if (e.type() != keras::Value::Type::integer)
        fail("constraints: expected axis to be an integer or a list of integers, but received " +
             v.to_json());
      a.push_back(e.as_int());
    }
    return Axis(std::move(a));
  }
  fail("constraints: expected axis to be an integer or a list of integers, but received " +
       v.to_json());
}

MaxNorm::MaxNorm(const MaxNormOptions& o) : max_value_(o.max_value), axis_(o.axis) {
  check_finite("MaxNorm", "max_value", max_value_);
  if (max_value_ < 0) fail("MaxNorm: expected max_value >= 0, but received " + num(max_value_));
}
Tensor MaxNorm::operator()(const Tensor& w) const {
  check_weight("MaxNorm", w);
  Tensor n = norms("MaxNorm", w, axis_);
  Tensor desired = ops::clip(n, 0.0, max_value_);
  return w * (desired / (n + keras::config::epsilon()));
}
keras::Config MaxNorm::get_config() const {
  keras::Config c = keras::Config::object();
  c["max_value"] = max_value_;
  c["axis"] = axis_.to_value();
  return c;
}

MinMaxNorm::MinMaxNorm(const MinMaxNormOptions& o)
    : min_value_(o.min_value), max_value_(o.max_value), rate_(o.rate), axis_(o.axis) {
  check_finite("MinMaxNorm", "min_value", min_value_);
  check_finite("MinMaxNorm", "max_value", max_value_);
  check_finite("MinMaxNorm", "rate", rate_);
  if (min_value_ > max_value_)
    fail("MinMaxNorm: expected min_value <= max_value, but received min_value=" +
         num(min_value_) + ", max_value=" + num(max_value_));
}
Tensor MinMaxNorm::operator()(const Tensor& w) const {
  check_weight("MinMaxNorm", w);
  Tensor n = norms("MinMaxNorm", w, axis_);
  Tensor desired = ops::clip(n, min_value_, max_value_) * rate_ + n * (1.0 - rate_);
  return w * (desired / (n + keras::config::epsilon()));
}
keras::Config MinMaxNorm::get_config() const {
  keras::Config c = keras::Config::object();
  c["min_value"] = min_value_;
  c["max_value"] = max_value_;
  c["rate"] = rate_;
  c["axis"] = axis_.to_value();
  return c;
}

Tensor NonNeg::operator()(const Tensor& w) const {
  check_weight("NonNeg", w);
  return w * ops::cast(w >= 0.0, w.dtype());
}

UnitNorm::UnitNorm(const UnitNormOptions& o) : axis_(o.axis) {}
Tensor UnitNorm::operator()(const Tensor& w) const {
  check_weight("UnitNorm", w);
  return w / (norms("UnitNorm", w, axis_) + keras::config::epsilon());
}
keras::Config UnitNorm::get_config() const {
  keras::Config c = keras::Config::object();
  c["axis"] = axis_.to_value();
  return c;
}

// ---- callables and registry -------------------------------------------------------------

namespace {
class CallableConstraint : public Constraint {
 public:
  CallableConstraint(Function fn, std::string name) : fn_(std::move(fn)), name_(std::move(name)) {}
  Tensor operator()(const Tensor& w) const override { return fn_(w); }
  std::string class_name() const override { return name_; }

 private:
  Function fn_;
  std::string name_;
};

keras::detail::ConfigReader reader(const std::string& cls, const keras::Config& c, std::set<std::string> allowed) {
  return {"constraints.deserialize", cls, c, std::move(allowed)};
}
Axis axis_of(keras::detail::ConfigReader& r) {
  const keras::Value* v = r.find("axis");
  return v ? Axis::from_value(*v) : Axis(0);
}

using Table = std::map<std::string, Factory>;

const Table& builtin_classes() {
  static const Table table = [] {
    Table t;
    t["MaxNorm"] = [](const keras::Config& c) -> ConstraintPtr {
      auto r = reader("MaxNorm", c, {"max_value", "axis"});
      return std::make_shared<MaxNorm>(
          MaxNormOptions{.max_value = r.number("max_value", 2.0), .axis = axis_of(r)});
    };
    t["MinMaxNorm"] = [](const keras::Config& c) -> ConstraintPtr {
      auto r = reader("MinMaxNorm", c, {"min_value", "max_value", "rate", "axis"});
      return std::make_shared<MinMaxNorm>(MinMaxNormOptions{.min_value = r.number("min_value", 0.0),
                                                            .max_value = r.number("max_value", 1.0),
                                                            .rate = r.number("rate", 1.0),
                                                            .axis = axis_of(r)});
    };
    t["NonNeg"] = [](const keras::Config& c) -> ConstraintPtr {
      reader("NonNeg", c, {});
      return std::make_shared<NonNeg>();
    };
    t["UnitNorm"] = [](const keras::Config& c) -> ConstraintPtr {
      auto r = reader("UnitNorm", c, {"axis"});
      return std::make_shared<UnitNorm>(UnitNormOptions{.axis = axis_of(r)});
    };
    return t;
  }();
  return table;
}

detail::FamilyRegistry<ConstraintPtr>& registry() {
  static auto* r = new detail::FamilyRegistry<ConstraintPtr>(Family::constraint, 
      "constraint", "constraints", builtin_classes(),
      {// the other names of the built-in classes
          {"max_norm", "MaxNorm"},
          {"min_max_norm", "MinMaxNorm"},
          {"non_neg", "NonNeg"},
          {"unit_norm", "UnitNorm"}});
  return *r;
}
}  // namespace

std::vector<std::string> names() { return registry().names(); }

ConstraintPtr get(const std::string& name) { return registry().get(name); }

ConstraintPtr get(Function fn, std::string name) {
  if (!fn) fail("constraints.get: expected a callable, but received an empty function");
  return std::make_shared<CallableConstraint>(std::move(fn), std::move(name));
}

keras::Config serialize(const Constraint& constraint) { return detail::serialize_object(constraint); }

ConstraintPtr deserialize(const keras::Config& config) { return registry().deserialize(config); }

void register_constraint(const std::string& class_name, Factory factory) {
  registry().add(class_name, std::move(factory), "register_constraint");
}

}  // namespace keras::constraints
