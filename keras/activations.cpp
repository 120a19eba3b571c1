// activations.cpp - Keras 3's activation functions as compositions of core ops, and the
// name registry behind get() / serialize() / deserialize().
#include "keras/activations.h"
#include "keras/remat.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include "core/ops.h"

namespace keras::activations {

namespace ops = core::ops;

namespace {
std::string num(double v) {
  std::string s = keras::Value(v).to_json();
  return s;
}
void check_defined(const Tensor& x, const char* fn) {
  if (!x.defined())
    throw std::invalid_argument(std::string("activations.") + fn +
                                ": expected a tensor, but received an undefined tensor");
}
}  // namespace

namespace detail {

Tensor Relu::operator()(const Tensor& x, double negative_slope, std::optional<double> max_value,
                        double threshold) const {
  check_defined(x, "relu");
  if (max_value && !(*max_value >= 0.0))
    throw std::invalid_argument("activations.relu: expected max_value >= 0, but received " +
                                num(*max_value));
  if (negative_slope == 0.0 && !max_value && threshold == 0.0) return ops::relu(x);
  // Keras 3's composition: the positive part (thresholded, capped), minus
  // negative_slope times the negative part.
  Tensor negative_part;
  if (negative_slope != 0.0) {
    if (!max_value && threshold == 0.0) return ops::leaky_relu(x, negative_slope);
    negative_part = threshold != 0.0 ? ops::relu(threshold - x) : ops::relu(-x);
  }
  bool clip_max = max_value.has_value();
  Tensor y;
  if (threshold != 0.0) {
    // x where x > threshold, else 0; NaN stays NaN and -inf gives 0 (x * mask would not).
    y = ops::where(ops::less_equal(x, ops::scalar_like(x, threshold, "activations.relu: threshold")),
                   ops::zeros_like(x), x);
  } else if (max_value && *max_value == 6.0) {
    y = ops::relu6(x);
    clip_max = false;
  } else {
    y = ops::relu(x);
  }
  if (clip_max) y = ops::clip(y, 0.0, *max_value);
  if (negative_slope != 0.0) y = y - negative_part * negative_slope;
  return y;
}

Tensor Relu6::operator()(const Tensor& x) const { return ops::relu6(x); }
Tensor LeakyRelu::operator()(const Tensor& x, double negative_slope) const {
  return ops::leaky_relu(x, negative_slope);
}
Tensor Elu::operator()(const Tensor& x, double alpha) const { return ops::elu(x, alpha); }
Tensor Selu::operator()(const Tensor& x) const { return ops::selu(x); }
Tensor Gelu::operator()(const Tensor& x, bool approximate) const {
  return ops::gelu(x, approximate);
}
Tensor Silu::operator()(const Tensor& x) const { return ops::silu(x); }
Tensor Sigmoid::operator()(const Tensor& x) const { return ops::sigmoid(x); }
Tensor HardSigmoid::operator()(const Tensor& x) const {
  check_defined(x, "hard_sigmoid");
  return ops::relu6(x + 3.0) / 6.0;
}
Tensor HardSilu::operator()(const Tensor& x) const {
  check_defined(x, "hard_silu");
  return x * (ops::relu6(x + 3.0) / 6.0);
}
Tensor Tanh::operator()(const Tensor& x) const { return ops::tanh(x); }
Tensor Softmax::operator()(const Tensor& x, int64_t axis) const { return ops::softmax(x, axis); }
Tensor LogSoftmax::operator()(const Tensor& x, int64_t axis) const {
  return ops::log_softmax(x, axis);
}
Tensor Softplus::operator()(const Tensor& x) const { return ops::softplus(x); }
Tensor Softsign::operator()(const Tensor& x) const { return ops::softsign(x); }
Tensor Exponential::operator()(const Tensor& x) const { return ops::exp(x); }
Tensor Linear::operator()(const Tensor& x) const {
  check_defined(x, "linear");
  return x;
}
Tensor Mish::operator()(const Tensor& x) const {
  check_defined(x, "mish");
  return x * ops::tanh(ops::softplus(x));
}
Tensor LogSigmoid::operator()(const Tensor& x) const {
  check_defined(x, "log_sigmoid");
  return -ops::softplus(-x);
}
Tensor Celu::operator()(const Tensor& x, double alpha) const {
  check_defined(x, "celu");
  if (alpha == 0.0)
    throw std::invalid_argument("activations.celu: expected a nonzero alpha, but received 0");
  Tensor zero = ops::scalar_like(x, 0.0);
  return ops::maximum(x, zero) + ops::expm1(ops::minimum(x, zero) / alpha) * alpha;
}
Tensor HardTanh::operator()(const Tensor& x) const {
  check_defined(x, "hard_tanh");
  return ops::clip(x, -1.0, 1.0);
}
Tensor TanhShrink::operator()(const Tensor& x) const {
  check_defined(x, "tanh_shrink");
  return x - ops::tanh(x);
}
Tensor Squareplus::operator()(const Tensor& x, double b) const {
  check_defined(x, "squareplus");
  if (!(b >= 0.0))
    throw std::invalid_argument("activations.squareplus: expected b >= 0, but received " + num(b));
  return (x + ops::sqrt(ops::square(x) + b)) / 2.0;
}
Tensor SoftShrink::operator()(const Tensor& x, double threshold) const {
  check_defined(x, "soft_shrink");
  Tensor zero = ops::zeros_like(x);
  return ops::where(x > threshold, x - threshold, ops::where(x < -threshold, x + threshold, zero));
}
Tensor HardShrink::operator()(const Tensor& x, double threshold) const {
  check_defined(x, "hard_shrink");
  return ops::where(ops::abs(x) > threshold, x, ops::zeros_like(x));
}
Tensor SparsePlus::operator()(const Tensor& x) const {
  check_defined(x, "sparse_plus");
  Tensor mid = ops::square(x + 1.0) * 0.25;
  return ops::where(x <= -1.0, ops::zeros_like(x), ops::where(x >= 1.0, x, mid));
}
Tensor SparseSigmoid::operator()(const Tensor& x) const {
  check_defined(x, "sparse_sigmoid");
  return ops::clip((x + 1.0) * 0.5, 0.0, 1.0);
}
Tensor Glu::operator()(const Tensor& x, int64_t axis) const {
  check_defined(x, "glu");
  int64_t a = core::normalize_axis(axis, x.rank(), "activations.glu");
  if (x.shape()[a] % 2 != 0)
    throw std::invalid_argument("activations.glu: expected an even size along axis " +
                                std::to_string(axis) + ", but received input with shape " +
                                x.shape().str());
  std::vector<Tensor> halves = ops::split(x, 2, a);
  return halves[0] * ops::sigmoid(halves[1]);
}

}  // namespace detail

// ---- Activation ------------------------------------------------------------------------

Activation::Activation() : name("linear"), fn(linear) {}
Activation::Activation(std::nullptr_t) : Activation() {}
Activation::Activation(const char* n) : Activation(get(n)) {}
Activation::Activation(const std::string& n) : Activation(get(n)) {}
Activation::Activation(std::string n, Function f) : name(std::move(n)), fn(std::move(f)) {
  if (!fn)
    throw std::invalid_argument("Activation: expected a callable for activation '" + name +
                                "', but received an empty function");
}

Tensor Activation::operator()(const Tensor& x) const {
  if (!fn) return linear(x);
  if (keras::detail::remat_activations()) {  // in the call of a layer made in RematScope("activations")
    const Function f = fn;
    return core::remat_call([f](const std::vector<Tensor>& in) { return std::vector<Tensor>{f(in[0])}; }, {x})[0];
  }
  return fn(x);
}

// ---- registry --------------------------------------------------------------------------

namespace {
const std::map<std::string, Activation>& builtins() {
  static const std::map<std::string, Activation> table = [] {
    std::map<std::string, Activation> t;
    auto add = [&t](const std::string& key, Activation a) { t.emplace(key, std::move(a)); };
    add("relu", relu);
    add("relu6", relu6);
    add("leaky_relu", leaky_relu);
    add("elu", elu);
    add("selu", selu);
    add("gelu", gelu);
    add("silu", silu);
    add("swish", swish);
    add("sigmoid", sigmoid);
    add("hard_sigmoid", hard_sigmoid);
    add("hard_silu", hard_silu);
    add("hard_swish", hard_swish);
    add("tanh", tanh);
    add("softmax", softmax);
    add("log_softmax", log_softmax);
    add("softplus", softplus);
    add("softsign", softsign);
    add("exponential", exponential);
    add("linear", linear);
    add("mish", mish);
    add("log_sigmoid", log_sigmoid);
    add("celu", celu);
    add("hard_tanh", hard_tanh);
    add("tanh_shrink", tanh_shrink);
    add("squareplus", squareplus);
    add("soft_shrink", soft_shrink);
    add("hard_shrink", hard_shrink);
    add("sparse_plus", sparse_plus);
    add("sparse_sigmoid", sparse_sigmoid);
    add("glu", glu);
    // Keras 2's hard_sigmoid, clip(0.2 x + 0.5, 0, 1): what a legacy .h5 file's
    // "hard_sigmoid" computed (Keras 3's has slope 1/6); not a Keras 3 name.
    add("keras2_hard_sigmoid", Activation("keras2_hard_sigmoid", [](const Tensor& x) {
          check_defined(x, "keras2_hard_sigmoid");
          return ops::clip(x * 0.2 + 0.5, 0.0, 1.0);
        }));
    // keras.activations.sparsemax(x, axis = -1), by name (as Keras's configs name it).
    add("sparsemax", Activation("sparsemax", [](const Tensor& x) {
          check_defined(x, "sparsemax");
          return ops::sparsemax(x, -1);
        }));
    return t;
  }();
  return table;
}

struct Custom {
  std::mutex mu;
  std::map<std::string, Function> fns;
};
Custom& custom() {
  static Custom c;
  return c;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}
}  // namespace

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : builtins()) out.push_back(k);
  {
    Custom& c = custom();
    std::lock_guard<std::mutex> lock(c.mu);
    for (const auto& [k, v] : c.fns) out.push_back(k);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Activation get(const std::string& name) {
  if (name.empty() || name == "None" || name == "linear") return Activation();
  const auto& b = builtins();
  if (auto it = b.find(name); it != b.end()) return it->second;
  {
    Custom& c = custom();
    std::lock_guard<std::mutex> lock(c.mu);
    if (auto it = c.fns.find(name); it != c.fns.end()) return Activation(name, it->second);
  }
  throw std::invalid_argument("activations.get: unknown activation function '" + name +
                              "'; expected one of: " + join(names()));
}

Activation get(Function fn, std::string name) { return Activation(std::move(name), std::move(fn)); }

void register_activation(const std::string& name, Function fn) {
  if (name.empty() || name == "None")
    throw std::invalid_argument("activations.register_activation: expected a non-empty name, "
                                "but received '" + name + "'");
  if (builtins().count(name))
    throw std::invalid_argument("activations.register_activation: '" + name +
                                "' is a built-in activation and cannot be replaced");
  if (!fn)
    throw std::invalid_argument("activations.register_activation: expected a callable for '" +
                                name + "', but received an empty function");
  Custom& c = custom();
  std::lock_guard<std::mutex> lock(c.mu);
  c.fns[name] = std::move(fn);
}

keras::Value serialize(const Activation& activation) { return keras::Value(activation.name); }

Activation deserialize(const keras::Value& config) {
  switch (config.type()) {
    case keras::Value::Type::null: return Activation();
    case keras::Value::Type::string: return get(config.as_string());
    case keras::Value::Type::object:
      if (const keras::Value* inner = config.find("config");
          inner && inner->type() == keras::Value::Type::string)
        return get(inner->as_string());
      break;
    default: break;
  }
  throw std::invalid_argument(
      "activations.deserialize: expected an activation name, null or "
      "{\"class_name\": \"function\", \"config\": name}, but received " + config.to_json());
}

}  // namespace keras::activations
