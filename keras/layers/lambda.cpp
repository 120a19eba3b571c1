#include "keras/layers/lambda.h"
#include "keras/layers/options_base.h"

#include <map>
#include <mutex>
#include <stdexcept>

#include "keras/layers/args.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {

namespace {
std::mutex g_lambda_mu;
std::map<std::string, LambdaFunction>& lambdas() {
  static auto* m = new std::map<std::string, LambdaFunction>();
  return *m;
}
LambdaFunction find_lambda(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_lambda_mu);
  auto it = lambdas().find(name);
  return it == lambdas().end() ? LambdaFunction() : it->second;
}
}  // namespace

void register_lambda(const std::string& name, LambdaFunction fn) {
  if (name.empty()) throw std::invalid_argument("register_lambda: expected a non-empty name");
  if (!fn) throw std::invalid_argument("register_lambda: the function for '" + name + "' is empty");
  std::lock_guard<std::mutex> lock(g_lambda_mu);
  lambdas()[name] = std::move(fn);
}

bool is_lambda_registered(const std::string& name) { return static_cast<bool>(find_lambda(name)); }

LambdaLayer::LambdaLayer(LambdaFunction function, const LambdaOptions& o)
    : Layer("Lambda", detail::layer_options_of(o)),
      fn_(std::move(function)),
      o_(o) {
  if (!fn_) throw std::invalid_argument(name() + ": expected a function, but received an empty one");
  for (int64_t d : o.output_shape.fixed())
    if (d < -1)
      throw std::invalid_argument(name() + ": expected output_shape sizes >= 0 or -1 (None), but received "
                                  "output_shape=" + shape_str(o.output_shape.fixed()));
}

Tensor LambdaLayer::call(const Tensor& x, bool) { return fn_(x); }

std::vector<ShapeSpec> LambdaLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  if (o_.output_shape.is_function()) return {o_.output_shape.function()(shapes.at(0))};
  if (o_.output_shape.is_fixed()) {
    ShapeSpec out{shapes.at(0).empty() ? -1 : shapes[0][0]};
    for (int64_t d : o_.output_shape.fixed()) out.push_back(d);
    return {out};
  }
  return Layer::compute_output_shape(shapes);  // run the function on zeros
}

Config LambdaLayer::get_config() const {
  Config c = base_config();
  c["function"] = o_.function_name.empty() ? Value() : Value(o_.function_name);
  c["output_shape"] = o_.output_shape.is_fixed() ? detail::dims_value(o_.output_shape.fixed()) : Value();
  return c;
}

LayerPtr LambdaLayer::from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  const std::string who = base.name.empty() ? std::string("Lambda") : base.name;
  Value f = c.get("function", Value());
  if (f.is_null())
    throw std::invalid_argument(
        who + ": cannot rebuild a Lambda layer from its config: expected the name of a registered "
        "function in \"function\", but received null (give the layer a .function_name and register the "
        "function with keras::layers::register_lambda(name, fn))");
  const std::string fname = f.as_string();
  LambdaFunction fn = find_lambda(fname);
  if (!fn)
    throw std::invalid_argument(who + ": cannot rebuild a Lambda layer from its config: expected a function "
                                "registered under the name '" + fname + "', but none is; call "
                                "keras::layers::register_lambda(\"" + fname + "\", fn) before loading");
  LambdaOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.input_shape = base.input_shape;
  o.function_name = fname;
  Value os = c.get("output_shape", Value());
  if (!os.is_null()) o.output_shape = os.as_ints();
  return make<LambdaLayer>(std::move(fn), o);
}

Ref<LambdaLayer> Lambda(LambdaFunction function, const LambdaOptions& o) {
  return make<LambdaLayer>(std::move(function), o);
}

Ref<LambdaLayer> Lambda(const std::string& function_name, const LambdaOptions& options) {
  LambdaFunction fn = find_lambda(function_name);
  if (!fn)
    throw std::invalid_argument("Lambda: expected the name of a function registered with "
                                "keras::layers::register_lambda, but received '" + function_name + "'");
  LambdaOptions o = options;
  if (o.function_name.empty()) o.function_name = function_name;
  return make<LambdaLayer>(std::move(fn), o);
}

Ref<LambdaLayer> Lambda(const char* function_name, const LambdaOptions& o) {
  return Lambda(std::string(function_name), o);
}

}  // namespace keras::layers
