// operation_table.cpp - the keras.ops operations of functional graphs (operation_table.h):
// each class's module, Keras's config defaults, and its kernel in keras::ops terms.
#include "keras/layers/operation_table.h"

#include <cmath>
#include <optional>
#include <stdexcept>

#include "core/linalg.h"
#include "core/ops.h"

namespace keras::layers::detail {

namespace ops = core::ops;
using core::DType;

Value tensor_marker(int64_t k) {
  Value v = Value::object();
  v["__tensor__"] = static_cast<long long>(k);
  return v;
}

int64_t marker_index(const Value& v) {
  if (!v.is_object() || !v.contains("__tensor__")) return -1;
  const Value& k = v.at("__tensor__");
  return k.type() == Value::Type::integer ? k.as_int() : -1;
}

const Tensor& OpCall::input_of(const Value& v) const {
  const int64_t k = marker_index(v);
  if (k < 0 || size_t(k) >= inputs_.size())
    throw std::invalid_argument(what() + "the call's argument " + v.to_json() + " names tensor input " +
                                std::to_string(k) + ", but the call has " + std::to_string(inputs_.size()));
  return inputs_[size_t(k)];
}

bool OpCall::is_tensor(size_t i) const { return i < args_.size() && marker_index(args_[i]) >= 0; }

const Value& OpCall::constant(size_t i) const {
  static const Value null;
  if (i >= args_.size()) return null;
  if (marker_index(args_[i]) >= 0)
    throw std::invalid_argument(what() + "argument " + std::to_string(i) + " must be a constant, but it is a tensor");
  return args_[i];
}

namespace {
bool is_number(const Value& v) {
  return v.type() == Value::Type::integer || v.type() == Value::Type::number || v.type() == Value::Type::boolean;
}
double number_of(const Value& v) {
  if (v.type() == Value::Type::boolean) return v.as_bool() ? 1.0 : 0.0;
  return v.type() == Value::Type::integer ? double(v.as_int()) : v.as_double();
}
}  // namespace

Tensor OpCall::tensor(size_t i) const {
  if (i >= args_.size())
    throw std::invalid_argument(what() + "expected at least " + std::to_string(i + 1) + " arguments, but received " +
                                std::to_string(args_.size()));
  if (marker_index(args_[i]) >= 0) return input_of(args_[i]);
  if (!is_number(args_[i]))
    throw std::invalid_argument(what() + "argument " + std::to_string(i) + " must be a tensor or a number, but it is " +
                                args_[i].to_json());
  const DType d = args_[i].type() == Value::Type::number ? DType::float32
                  : args_[i].type() == Value::Type::boolean ? DType::bool_ : DType::int32;
  return ops::fill(core::Shape{}, number_of(args_[i]), d);
}

std::vector<Tensor> OpCall::tensors(size_t i) const {
  if (i >= args_.size() || args_[i].type() != Value::Type::list)
    throw std::invalid_argument(what() + "argument " + std::to_string(i) + " must be a list of tensors");
  std::vector<Tensor> out;
  for (const Value& v : args_[i].as_list()) out.push_back(input_of(v));
  return out;
}

DType weak_result_type(const std::vector<Value>& args, size_t first, size_t n,
                       const std::function<DType(int64_t)>& dtype_of) {
  // A Python number takes the tensors' dtype, except that a float with integer (or bool)
  // tensors gives float32.
  std::optional<DType> d;
  bool float_constant = false;
  for (size_t i = first; i < first + n && i < args.size(); ++i) {
    if (const int64_t k = marker_index(args[i]); k >= 0) {
      const DType t = dtype_of(k);
      d = d ? ops::keras_result_type(*d, t) : t;
    } else {
      float_constant = float_constant || args[i].type() == Value::Type::number;
    }
  }
  DType target = d.value_or(float_constant ? DType::float32 : DType::int32);
  if (float_constant && !core::is_floating(target)) target = DType::float32;
  return target;
}

std::vector<Tensor> OpCall::promoted(size_t n, size_t first) const {
  if (first + n > args_.size())
    throw std::invalid_argument(what() + "expected " + std::to_string(first + n) + " arguments, but received " +
                                std::to_string(args_.size()));
  const DType target = weak_result_type(args_, first, n, [&](int64_t k) { return input_of(tensor_marker(k)).dtype(); });
  std::vector<Tensor> out;
  for (size_t i = first; i < first + n; ++i) {
    if (marker_index(args_[i]) >= 0) {
      const Tensor& t = input_of(args_[i]);
      out.push_back(t.dtype() == target ? t : ops::cast(t, target));
    } else {
      if (!is_number(args_[i]))
        throw std::invalid_argument(what() + "argument " + std::to_string(i) + " must be a tensor or a number, but it is " +
                                    args_[i].to_json());
      out.push_back(ops::fill(core::Shape{}, number_of(args_[i]), target));
    }
  }
  return out;
}

int64_t OpCall::int_config(const char* key) const {
  const Value& v = config_.at(key);
  if (v.type() != Value::Type::integer)
    throw std::invalid_argument(what() + "'" + key + "' must be an integer, but it is " + v.to_json());
  return v.as_int();
}
bool OpCall::bool_config(const char* key) const {
  const Value& v = config_.at(key);
  if (v.type() != Value::Type::boolean)
    throw std::invalid_argument(what() + "'" + key + "' must be true or false, but it is " + v.to_json());
  return v.as_bool();
}
double OpCall::number_config(const char* key) const {
  const Value& v = config_.at(key);
  if (!is_number(v)) throw std::invalid_argument(what() + "'" + key + "' must be a number, but it is " + v.to_json());
  return number_of(v);
}
std::vector<int64_t> OpCall::ints_config(const char* key) const {
  const Value& v = config_.at(key);
  std::vector<int64_t> out;
  if (v.type() == Value::Type::integer) return {v.as_int()};
  if (v.type() == Value::Type::list)
    for (const Value& x : v.as_list()) {
      if (x.type() != Value::Type::integer)
        throw std::invalid_argument(what() + "'" + key + "' must hold integers, but it is " + v.to_json());
      out.push_back(x.as_int());
    }
  else
    throw std::invalid_argument(what() + "'" + key + "' must be an integer or a list of them, but it is " + v.to_json());
  return out;
}
std::vector<int64_t> OpCall::axes_config(const char* key) const {
  return config_.at(key).is_null() ? std::vector<int64_t>{} : ints_config(key);
}

namespace {
using Run = std::function<std::vector<Tensor>(const OpCall&)>;
using Unary = Tensor (*)(const Tensor&);
using Binary = Tensor (*)(const Tensor&, const Tensor&);

Run unary(Unary f) {
  return [f](const OpCall& c) { return std::vector<Tensor>{f(c.tensor(0))}; };
}
// An elementwise function of floats: integer inputs are computed in float32 (Keras's
// result of exp, sqrt, sigmoid... on integers).
Run unary_float(Unary f) {
  return [f](const OpCall& c) {
    Tensor x = c.tensor(0);
    if (!core::is_floating(x.dtype())) x = ops::cast(x, DType::float32);
    return std::vector<Tensor>{f(x)};
  };
}
Run binary(Binary f) {
  return [f](const OpCall& c) {
    const auto xs = c.promoted(2);
    return std::vector<Tensor>{f(xs[0], xs[1])};
  };
}
Run binary_float(Binary f) {
  return [f](const OpCall& c) {
    auto xs = c.promoted(2);
    for (Tensor& x : xs)
      if (!core::is_floating(x.dtype())) x = ops::cast(x, DType::float32);
    return std::vector<Tensor>{f(xs[0], xs[1])};
  };
}
using Reduce = Tensor (*)(const Tensor&, const std::vector<int64_t>&, bool);
Run reduction(Reduce f) {
  return [f](const OpCall& c) {
    return std::vector<Tensor>{f(c.tensor(0), c.axes_config("axis"), c.bool_config("keepdims"))};
  };
}
// Max and Min, whose `initial` keras-cpp does not take.
Run no_initial(Reduce f) {
  return [f](const OpCall& c) {
    if (!c.config("initial").is_null())
      throw std::invalid_argument(c.what() + "initial=" + c.config("initial").to_json() + " is not supported (only null)");
    return std::vector<Tensor>{f(c.tensor(0), c.axes_config("axis"), c.bool_config("keepdims"))};
  };
}
Run reduction_float(Reduce f) {
  return [f](const OpCall& c) {
    Tensor x = c.tensor(0);
    if (!core::is_floating(x.dtype())) x = ops::cast(x, DType::float32);
    return std::vector<Tensor>{f(x, c.axes_config("axis"), c.bool_config("keepdims"))};
  };
}
Run arg_reduction(Tensor (*f)(const Tensor&, int64_t, DType)) {
  return [f](const OpCall& c) {
    const Tensor& x = c.tensor(0);
    if (c.config("axis").is_null()) {
      Tensor r = f(ops::reshape(x, {-1}), 0, DType::int32);
      if (c.bool_config("keepdims")) r = ops::reshape(r, std::vector<int64_t>(size_t(x.rank()), 1));
      return std::vector<Tensor>{r};
    }
    const int64_t axis = c.int_config("axis");
    Tensor r = f(x, axis, DType::int32);
    if (c.bool_config("keepdims")) r = ops::expand_dims(r, axis < 0 ? axis + x.rank() : axis);
    return std::vector<Tensor>{r};
  };
}

Config cfg(std::initializer_list<std::pair<const char*, Value>> kv) {
  Config c = Config::object();
  for (const auto& [k, v] : kv) c[k] = v;
  return c;
}
const Config kNone = Config::object();
Config reduce_cfg() { return cfg({{"axis", Value()}, {"keepdims", false}}); }

DType dtype_config(const OpCall& c, const char* key, DType fallback) {
  const Value& v = c.config(key);
  return v.is_null() ? fallback : core::dtype_from_name(v.as_string());
}

core::Index index_of(const OpCall& c, const Value& v) {
  if (v.type() == Value::Type::integer) return core::Index(v.as_int());
  if (v.is_null()) return core::Index(core::NewAxis);
  if (marker_index(v) >= 0) return core::Index(c.input_of(v));
  const std::string cls = v.is_object() && v.contains("class_name") ? v.at("class_name").as_string() : "";
  if (cls == "__ellipsis__") return core::Index(core::Ellipsis);
  if (cls == "__slice__") {
    const Value& s = v.at("config");
    auto part = [&](const char* k) -> std::optional<int64_t> {
      const Value& x = s.get(k, Value());
      if (x.is_null()) return std::nullopt;
      if (x.type() != Value::Type::integer)
        throw std::invalid_argument(c.what() + "a slice's " + k + " must be an integer or null, but it is " + x.to_json());
      return x.as_int();
    };
    return core::Index(core::Slice(part("start"), part("stop"), part("step")));
  }
  throw std::invalid_argument(c.what() + "an index must be an integer, a slice, None, Ellipsis or a tensor, but it is " +
                              v.to_json());
}

std::map<std::string, OpDef> make_table() {
  std::map<std::string, OpDef> t;
  // ---- keras.ops.numpy: elementwise ----
  t["Add"] = {"numpy", kNone, binary(ops::add)};
  t["Subtract"] = {"numpy", kNone, binary(ops::subtract)};
  t["Multiply"] = {"numpy", kNone, binary(ops::multiply)};
  t["Divide"] = {"numpy", kNone, binary_float(ops::divide)};
  t["TrueDivide"] = {"numpy", kNone, binary_float(ops::divide)};
  t["Power"] = {"numpy", kNone, binary(ops::power)};
  t["Maximum"] = {"numpy", kNone, binary(ops::maximum)};
  t["Minimum"] = {"numpy", kNone, binary(ops::minimum)};
  t["Equal"] = {"numpy", kNone, binary(ops::equal)};
  t["NotEqual"] = {"numpy", kNone, binary(ops::not_equal)};
  t["Greater"] = {"numpy", kNone, binary(ops::greater)};
  t["GreaterEqual"] = {"numpy", kNone, binary(ops::greater_equal)};
  t["Less"] = {"numpy", kNone, binary(ops::less)};
  t["LessEqual"] = {"numpy", kNone, binary(ops::less_equal)};
  t["LogicalAnd"] = {"numpy", kNone, [](const OpCall& c) {
                       return std::vector<Tensor>{
                           ops::logical_and(ops::cast(c.tensor(0), DType::bool_), ops::cast(c.tensor(1), DType::bool_))};
                     }};
  t["LogicalOr"] = {"numpy", kNone, [](const OpCall& c) {
                      return std::vector<Tensor>{
                          ops::logical_or(ops::cast(c.tensor(0), DType::bool_), ops::cast(c.tensor(1), DType::bool_))};
                    }};
  t["LogicalNot"] = {"numpy", kNone, [](const OpCall& c) {
                       return std::vector<Tensor>{ops::logical_not(ops::cast(c.tensor(0), DType::bool_))};
                     }};
  t["Where"] = {"numpy", kNone, [](const OpCall& c) {
                  const auto xy = c.promoted(2, 1);
                  return std::vector<Tensor>{ops::where(ops::cast(c.tensor(0), DType::bool_), xy[0], xy[1])};
                }};
  t["Negative"] = {"numpy", kNone, unary(ops::negative)};
  t["Absolute"] = {"numpy", kNone, unary(ops::absolute)};
  t["Sign"] = {"numpy", kNone, unary(ops::sign)};
  t["Square"] = {"numpy", kNone, unary(ops::square)};
  t["Sqrt"] = {"numpy", kNone, unary_float(ops::sqrt)};
  t["Exp"] = {"numpy", kNone, unary_float(ops::exp)};
  t["Expm1"] = {"numpy", kNone, unary_float(ops::expm1)};
  t["Log"] = {"numpy", kNone, unary_float(ops::log)};
  t["Log1p"] = {"numpy", kNone, unary_float(ops::log1p)};
  t["Reciprocal"] = {"numpy", kNone, unary_float(ops::reciprocal)};
  t["Tanh"] = {"numpy", kNone, unary_float(ops::tanh)};
  t["Sin"] = {"numpy", kNone, unary_float(ops::sin)};
  t["Cos"] = {"numpy", kNone, unary_float(ops::cos)};
  t["Floor"] = {"numpy", kNone, unary_float(ops::floor)};
  t["Ceil"] = {"numpy", kNone, unary_float(ops::ceil)};
  t["Round"] = {"numpy", cfg({{"decimals", 0}}), [](const OpCall& c) {
                  const Tensor x = c.tensor(0);
                  const int64_t d = c.int_config("decimals");
                  if (d == 0 || !core::is_floating(x.dtype())) return std::vector<Tensor>{ops::round(x)};
                  const double f = std::pow(10.0, double(d));
                  return std::vector<Tensor>{ops::round(x * f) / f};
                }};
  t["Clip"] = {"numpy", cfg({{"x_min", Value()}, {"x_max", Value()}}), [](const OpCall& c) {
                 return std::vector<Tensor>{ops::clip(c.tensor(0), c.number_config("x_min"), c.number_config("x_max"))};
               }};
  // ---- keras.ops.numpy: reductions ----
  t["Mean"] = {"numpy", reduce_cfg(), reduction_float(ops::mean)};
  t["Sum"] = {"numpy", reduce_cfg(), reduction(ops::sum)};
  t["Max"] = {"numpy", cfg({{"axis", Value()}, {"keepdims", false}, {"initial", Value()}}), no_initial(ops::max)};
  t["Min"] = {"numpy", cfg({{"axis", Value()}, {"keepdims", false}, {"initial", Value()}}), no_initial(ops::min)};
  t["Prod"] = {"numpy", cfg({{"axis", Value()}, {"keepdims", false}, {"dtype", Value()}}), reduction(ops::prod)};
  t["All"] = {"numpy", reduce_cfg(), [](const OpCall& c) {
                return std::vector<Tensor>{
                    ops::all(ops::cast(c.tensor(0), DType::bool_), c.axes_config("axis"), c.bool_config("keepdims"))};
              }};
  t["Any"] = {"numpy", reduce_cfg(), [](const OpCall& c) {
                return std::vector<Tensor>{
                    ops::any(ops::cast(c.tensor(0), DType::bool_), c.axes_config("axis"), c.bool_config("keepdims"))};
              }};
  t["Var"] = {"numpy", reduce_cfg(), reduction_float(ops::variance)};
  t["Std"] = {"numpy", reduce_cfg(), reduction_float(ops::std)};
  t["Argmax"] = {"numpy", reduce_cfg(), arg_reduction(ops::argmax)};
  t["Argmin"] = {"numpy", reduce_cfg(), arg_reduction(ops::argmin)};
  t["Cumsum"] = {"numpy", cfg({{"axis", Value()}, {"dtype", Value()}}), [](const OpCall& c) {
                   const Value& a = c.config("axis");
                   std::optional<DType> d;
                   if (!c.config("dtype").is_null()) d = core::dtype_from_name(c.config("dtype").as_string());
                   return std::vector<Tensor>{
                       ops::cumsum(c.tensor(0), a.is_null() ? std::nullopt : std::optional<int64_t>(c.int_config("axis")), d)};
                 }};
  // ---- keras.ops.numpy: shapes ----
  t["Reshape"] = {"numpy", cfg({{"newshape", Value()}}), [](const OpCall& c) {
                    return std::vector<Tensor>{ops::reshape(c.tensor(0), c.ints_config("newshape"))};
                  }};
  t["Transpose"] = {"numpy", cfg({{"axes", Value()}}), [](const OpCall& c) {
                      return std::vector<Tensor>{ops::transpose(c.tensor(0), c.axes_config("axes"))};
                    }};
  t["ExpandDims"] = {"numpy", cfg({{"axis", Value()}}), [](const OpCall& c) {
                       Tensor x = c.tensor(0);
                       for (int64_t a : c.ints_config("axis")) x = ops::expand_dims(x, a);
                       return std::vector<Tensor>{x};
                     }};
  t["Squeeze"] = {"numpy", cfg({{"axis", Value()}}), [](const OpCall& c) {
                    return std::vector<Tensor>{ops::squeeze(c.tensor(0), c.axes_config("axis"))};
                  }};
  t["Concatenate"] = {"numpy", cfg({{"axis", 0}}), [](const OpCall& c) {
                        return std::vector<Tensor>{ops::concatenate(c.tensors(0), c.int_config("axis"))};
                      }};
  t["Stack"] = {"numpy", cfg({{"axis", 0}}), [](const OpCall& c) {
                  return std::vector<Tensor>{ops::stack(c.tensors(0), c.int_config("axis"))};
                }};
  t["Tile"] = {"numpy", cfg({{"repeats", Value()}}), [](const OpCall& c) {
                 return std::vector<Tensor>{ops::tile(c.tensor(0), c.ints_config("repeats"))};
               }};
  t["Repeat"] = {"numpy", cfg({{"repeats", Value()}, {"axis", Value()}}), [](const OpCall& c) {
                   const Value& a = c.config("axis");
                   return std::vector<Tensor>{ops::repeat(c.tensor(0), c.int_config("repeats"),
                                                          a.is_null() ? std::nullopt : std::optional(c.int_config("axis")))};
                 }};
  t["Flip"] = {"numpy", cfg({{"axis", Value()}}), [](const OpCall& c) {
                 if (c.config("axis").is_null()) return std::vector<Tensor>{ops::flip(c.tensor(0))};
                 return std::vector<Tensor>{ops::flip(c.tensor(0), c.ints_config("axis"))};
               }};
  t["Moveaxis"] = {"numpy", cfg({{"source", Value()}, {"destination", Value()}}), [](const OpCall& c) {
                     return std::vector<Tensor>{
                         ops::moveaxis(c.tensor(0), c.ints_config("source"), c.ints_config("destination"))};
                   }};
  t["Swapaxes"] = {"numpy", cfg({{"axis1", Value()}, {"axis2", Value()}}), [](const OpCall& c) {
                     return std::vector<Tensor>{ops::swapaxes(c.tensor(0), c.int_config("axis1"), c.int_config("axis2"))};
                   }};
  t["Take"] = {"numpy", cfg({{"axis", Value()}}), [](const OpCall& c) {
                 const Value& a = c.config("axis");
                 return std::vector<Tensor>{
                     ops::take(c.tensor(0), c.tensor(1), a.is_null() ? std::nullopt : std::optional(c.int_config("axis")))};
               }};
  t["Split"] = {"numpy", cfg({{"indices_or_sections", Value()}, {"axis", 0}}), [](const OpCall& c) {
                  const Value& s = c.config("indices_or_sections");
                  if (s.type() == Value::Type::integer) return ops::split(c.tensor(0), s.as_int(), c.int_config("axis"));
                  return ops::split(c.tensor(0), c.ints_config("indices_or_sections"), c.int_config("axis"));
                }};
  t["Sort"] = {"numpy", cfg({{"axis", -1}}), [](const OpCall& c) {
                 return std::vector<Tensor>{ops::sort(c.tensor(0), c.int_config("axis"))};
               }};
  t["Pad"] = {"numpy", cfg({{"pad_width", Value()}, {"mode", "constant"}}), [](const OpCall& c) {
                const Value& w = c.config("pad_width");
                std::vector<std::pair<int64_t, int64_t>> pads;
                for (const Value& p : w.type() == Value::Type::list ? w.as_list() : std::vector<Value>{}) {
                  if (p.type() != Value::Type::list || p.as_list().size() != 2)
                    throw std::invalid_argument(c.what() + "pad_width must be a list of [before, after] pairs, but it is " +
                                                w.to_json());
                  pads.emplace_back(p.as_list()[0].as_int(), p.as_list()[1].as_int());
                }
                const Value cv = c.kwargs().get("constant_values", Value());
                const std::string mode = c.config("mode").as_string();
                return std::vector<Tensor>{ops::pad(c.tensor(0), pads, mode, cv.is_null() ? 0.0 : number_of(cv))};
              }};
  t["GetItem"] = {"numpy", kNone, [](const OpCall& c) {
                    const Value& key = c.is_tensor(1) ? Value() : c.constant(1);
                    std::vector<core::Index> idx;
                    if (c.is_tensor(1)) idx.push_back(core::Index(c.tensor(1)));
                    else if (key.type() == Value::Type::list)
                      for (const Value& v : key.as_list()) idx.push_back(index_of(c, v));
                    else
                      idx.push_back(index_of(c, key));
                    return std::vector<Tensor>{ops::get_item(c.tensor(0), idx)};
                  }};
  t["ZerosLike"] = {"numpy", cfg({{"dtype", Value()}}), [](const OpCall& c) {
                      const Tensor x = c.tensor(0);
                      return std::vector<Tensor>{ops::cast(ops::zeros_like(x), dtype_config(c, "dtype", x.dtype()))};
                    }};
  t["OnesLike"] = {"numpy", cfg({{"dtype", Value()}}), [](const OpCall& c) {
                     const Tensor x = c.tensor(0);
                     return std::vector<Tensor>{ops::cast(ops::ones_like(x), dtype_config(c, "dtype", x.dtype()))};
                   }};
  // ---- keras.ops.numpy: products ----
  t["Matmul"] = {"numpy", kNone, binary([](const Tensor& a, const Tensor& b) { return ops::matmul(a, b); })};
  t["Dot"] = {"numpy", kNone, binary(ops::dot)};
  t["Einsum"] = {"numpy", cfg({{"subscripts", Value()}}), [](const OpCall& c) {
                   std::vector<Tensor> xs;
                   for (size_t i = 0; i < c.size(); ++i) xs.push_back(c.tensor(i));
                   return std::vector<Tensor>{ops::einsum(c.config("subscripts").as_string(), xs)};
                 }};
  // ---- keras.ops.nn ----
  t["Relu"] = {"nn", kNone, unary(ops::relu)};
  t["Relu6"] = {"nn", kNone, unary(ops::relu6)};
  t["Sigmoid"] = {"nn", kNone, unary_float(ops::sigmoid)};
  t["HardSigmoid"] = {"nn", kNone, unary_float(ops::hard_sigmoid)};
  t["HardSilu"] = {"nn", kNone, unary_float(ops::hard_silu)};
  t["Silu"] = {"nn", kNone, unary_float(ops::silu)};
  t["Selu"] = {"nn", kNone, unary_float(ops::selu)};
  t["Softplus"] = {"nn", kNone, unary_float(ops::softplus)};
  t["Softsign"] = {"nn", kNone, unary_float(ops::softsign)};
  t["LogSigmoid"] = {"nn", kNone, unary_float(ops::log_sigmoid)};
  t["Gelu"] = {"nn", cfg({{"approximate", true}}), [](const OpCall& c) {
                 return std::vector<Tensor>{ops::gelu(c.tensor(0), c.bool_config("approximate"))};
               }};
  t["Elu"] = {"nn", cfg({{"alpha", 1.0}}), [](const OpCall& c) {
                return std::vector<Tensor>{ops::elu(c.tensor(0), c.number_config("alpha"))};
              }};
  t["LeakyRelu"] = {"nn", cfg({{"negative_slope", 0.2}}), [](const OpCall& c) {
                      return std::vector<Tensor>{ops::leaky_relu(c.tensor(0), c.number_config("negative_slope"))};
                    }};
  t["Softmax"] = {"nn", cfg({{"axis", -1}}), [](const OpCall& c) {
                    return std::vector<Tensor>{ops::softmax(c.tensor(0), c.int_config("axis"))};
                  }};
  t["LogSoftmax"] = {"nn", cfg({{"axis", -1}}), [](const OpCall& c) {
                       return std::vector<Tensor>{ops::log_softmax(c.tensor(0), c.int_config("axis"))};
                     }};
  t["OneHot"] = {"nn", cfg({{"num_classes", Value()}, {"axis", -1}, {"dtype", "float32"}, {"sparse", false}}),
                 [](const OpCall& c) {
                   if (c.bool_config("sparse"))
                     throw std::invalid_argument(c.what() + "sparse=true is not supported in a functional graph");
                   return std::vector<Tensor>{ops::one_hot(
                       c.tensor(0), c.int_config("num_classes"),
                       {.axis = c.int_config("axis"), .dtype = dtype_config(c, "dtype", DType::float32)})};
                 }};
  t["Normalize"] = {"nn", cfg({{"axis", -1}, {"order", 2}, {"epsilon", Value()}}), [](const OpCall& c) {
                      const Value& e = c.config("epsilon");
                      return std::vector<Tensor>{ops::normalize(
                          c.tensor(0), c.int_config("axis"), c.int_config("order"),
                          e.is_null() ? std::nullopt : std::optional(c.number_config("epsilon")))};
                    }};
  // ---- keras.ops.math, keras.ops.core, keras.ops.linalg ----
  t["Erf"] = {"math", kNone, unary_float(ops::erf)};
  t["Rsqrt"] = {"math", kNone, unary_float(ops::rsqrt)};
  t["Logsumexp"] = {"math", reduce_cfg(), reduction_float(ops::logsumexp)};
  t["TopK"] = {"math", cfg({{"k", Value()}, {"sorted", true}}), [](const OpCall& c) {
                 ops::TopK r = ops::top_k(c.tensor(0), c.int_config("k"), c.bool_config("sorted"));
                 return std::vector<Tensor>{r.values, r.indices};
               }};
  t["Cast"] = {"core", cfg({{"dtype", Value()}}), [](const OpCall& c) {
                 if (c.config("dtype").type() != Value::Type::string)
                   throw std::invalid_argument(c.what() + "dtype must be a dtype name, but it is " + c.config("dtype").to_json());
                 return std::vector<Tensor>{ops::cast(c.tensor(0), core::dtype_from_name(c.config("dtype").as_string()))};
               }};
  t["Slice"] = {"core", cfg({{"shape", Value()}}), [](const OpCall& c) {
                  const Value& s = c.constant(1);
                  std::vector<int64_t> begin;
                  for (const Value& v : s.type() == Value::Type::list ? s.as_list() : std::vector<Value>{})
                    begin.push_back(v.as_int());
                  return std::vector<Tensor>{ops::slice(c.tensor(0), begin, c.ints_config("shape"))};
                }};
  t["Norm"] = {"linalg", cfg({{"ord", Value()}, {"axis", Value()}, {"keepdims", false}}), [](const OpCall& c) {
                 const Value& o = c.config("ord");
                 core::ops::NormOrd ord;
                 if (o.type() == Value::Type::string) ord = core::ops::NormOrd(o.as_string());
                 else if (!o.is_null()) ord = core::ops::NormOrd(c.number_config("ord"));
                 Tensor x = c.tensor(0);
                 if (!core::is_floating(x.dtype())) x = ops::cast(x, DType::float32);
                 return std::vector<Tensor>{ops::norm(x, ord, c.axes_config("axis"), c.bool_config("keepdims"))};
               }};
  return t;
}
}  // namespace

const std::map<std::string, OpDef>& op_table() {
  static const std::map<std::string, OpDef> table = make_table();
  return table;
}

}  // namespace keras::layers::detail
