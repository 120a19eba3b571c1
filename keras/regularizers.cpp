// regularizers.cpp - Keras 3's regularizers as compositions of core ops, and the
// name/class registry.
#include "keras/regularizers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/ops.h"
#include "keras/config_reader.h"
#include "keras/family_registry.h"

namespace keras::regularizers {

namespace ops = core::ops;

namespace {
std::string num(double v) { return keras::Value(v).to_json(); }
[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

// Keras's validate_float_arg: a non-negative, finite number.
double non_negative(const std::string& cls, const char* arg, double v) {
  if (!std::isfinite(v) || v < 0)
    fail(cls + ": expected " + arg + " to be a non-negative finite number, but received " +
         arg + "=" + num(v));
  return v;
}

void check_weight(const std::string& cls, const Tensor& w) {
  if (!w.defined()) fail(cls + ": expected a weight tensor, but received an undefined tensor");
  if (!core::is_floating(w.dtype()))
    fail(cls + ": expected a floating-point weight (float32 or float64), but received dtype " +
         core::dtype_name(w.dtype()) + " with shape " + w.shape().str());
}
}  // namespace

Regularizer::~Regularizer() = default;
keras::Config Regularizer::get_config() const { return keras::Config::object(); }

L1::L1(double l1) : l1_(non_negative("L1", "l1", l1)) {}
Tensor L1::operator()(const Tensor& w) const {
  check_weight("L1", w);
  return ops::sum(ops::abs(w)) * l1_;
}
keras::Config L1::get_config() const {
  keras::Config c = keras::Config::object();
  c["l1"] = l1_;
  return c;
}

L2::L2(double l2) : l2_(non_negative("L2", "l2", l2)) {}
Tensor L2::operator()(const Tensor& w) const {
  check_weight("L2", w);
  return ops::sum(ops::square(w)) * l2_;
}
keras::Config L2::get_config() const {
  keras::Config c = keras::Config::object();
  c["l2"] = l2_;
  return c;
}

L1L2::L1L2(double l1, double l2)
    : l1_(non_negative("L1L2", "l1", l1)), l2_(non_negative("L1L2", "l2", l2)) {}
Tensor L1L2::operator()(const Tensor& w) const {
  check_weight("L1L2", w);
  Tensor r = ops::zeros(core::Shape{}, w.dtype()).to(w.device());
  if (l1_ != 0) r = r + ops::sum(ops::abs(w)) * l1_;
  if (l2_ != 0) r = r + ops::sum(ops::square(w)) * l2_;
  return r;
}
keras::Config L1L2::get_config() const {
  keras::Config c = keras::Config::object();
  c["l1"] = l1_;
  c["l2"] = l2_;
  return c;
}

OrthogonalRegularizer::OrthogonalRegularizer(const OrthogonalRegularizerOptions& o)
    : factor_(non_negative("OrthogonalRegularizer", "factor", o.factor)), mode_(o.mode) {
  if (mode_ != "rows" && mode_ != "columns")
    fail("OrthogonalRegularizer: expected mode to be 'rows' or 'columns', but received '" +
         mode_ + "'");
}
Tensor OrthogonalRegularizer::operator()(const Tensor& w) const {
  check_weight("OrthogonalRegularizer", w);
  if (w.rank() != 2)
    fail("OrthogonalRegularizer: expected a weight of rank 2, but received shape " +
         w.shape().str());
  const bool rows = mode_ == "rows";
  const int64_t axis = rows ? 1 : 0;
  // Unit L2 norm along axis (norms below Keras's epsilon 1e-7 are raised to it).
  Tensor norm = ops::sqrt(ops::sum(ops::square(w), {axis}, /*keepdims=*/true));
  Tensor unit = w / ops::maximum(norm, ops::scalar_like(w, 1e-7));
  Tensor gram = rows ? ops::matmul(unit, unit, false, true) : ops::matmul(unit, unit, true, false);
  const int64_t size = gram.shape()[0];
  Tensor off_diagonal = gram * (1.0 - ops::eye(size, size, w.dtype()).to(w.device()));
  const double pairs = double(size) * (double(size) - 1.0) / 2.0;
  return ops::sum(ops::abs(off_diagonal)) * (factor_ * 0.5) / pairs;
}
keras::Config OrthogonalRegularizer::get_config() const {
  keras::Config c = keras::Config::object();
  c["factor"] = factor_;
  c["mode"] = mode_;
  return c;
}

// ---- callables and registry -------------------------------------------------------------

namespace {
class CallableRegularizer : public Regularizer {
 public:
  CallableRegularizer(Function fn, std::string name) : fn_(std::move(fn)), name_(std::move(name)) {}
  Tensor operator()(const Tensor& w) const override { return fn_(w); }
  std::string class_name() const override { return name_; }

 private:
  Function fn_;
  std::string name_;
};

keras::detail::ConfigReader reader(const std::string& cls, const keras::Config& c, std::set<std::string> allowed) {
  return {"regularizers.deserialize", cls, c, std::move(allowed)};
}

using Table = std::map<std::string, Factory>;

const Table& builtin_classes() {
  static const Table table = [] {
    Table t;
    t["L1"] = [](const keras::Config& c) -> RegularizerPtr {
      auto r = reader("L1", c, {"l1"});
      return std::make_shared<L1>(r.number("l1", 0.01));
    };
    t["L2"] = [](const keras::Config& c) -> RegularizerPtr {
      auto r = reader("L2", c, {"l2"});
      return std::make_shared<L2>(r.number("l2", 0.01));
    };
    t["L1L2"] = [](const keras::Config& c) -> RegularizerPtr {
      auto r = reader("L1L2", c, {"l1", "l2"});
      return std::make_shared<L1L2>(r.number("l1", 0.0), r.number("l2", 0.0));
    };
    t["OrthogonalRegularizer"] = [](const keras::Config& c) -> RegularizerPtr {
      auto r = reader("OrthogonalRegularizer", c, {"factor", "mode"});
      return std::make_shared<OrthogonalRegularizer>(OrthogonalRegularizerOptions{
          .factor = r.number("factor", 0.01), .mode = r.string("mode", "rows")});
    };
    return t;
  }();
  return table;
}

detail::FamilyRegistry<RegularizerPtr>& registry() {
  static auto* r = new detail::FamilyRegistry<RegularizerPtr>(Family::regularizer, 
      "regularizer", "regularizers", builtin_classes(),
      {// the other names of the built-in classes
          {"l1", "L1"},
          {"l2", "L2"},
          {"l1_l2", "L1L2"},
          {"l1l2", "L1L2"},
          {"orthogonal_regularizer", "OrthogonalRegularizer"}});
  return *r;
}
}  // namespace

std::vector<std::string> names() { return registry().names(); }

RegularizerPtr get(const std::string& name) { return registry().get(name); }

RegularizerPtr get(Function fn, std::string name) {
  if (!fn) fail("regularizers.get: expected a callable, but received an empty function");
  return std::make_shared<CallableRegularizer>(std::move(fn), std::move(name));
}

keras::Config serialize(const Regularizer& regularizer) { return detail::serialize_object(regularizer); }

RegularizerPtr deserialize(const keras::Config& config) { return registry().deserialize(config); }

void register_regularizer(const std::string& class_name, Factory factory) {
  registry().add(class_name, std::move(factory), "register_regularizer");
}

}  // namespace keras::regularizers
