// compile_config.cpp - a model's compile options as keras-cpp's own config and back (the
// "compile" section of .kcpp files; clone_model).
#include "keras/saving/compile_config.h"

#include <stdexcept>
#include <utility>
#include <vector>

#include "keras/losses.h"
#include "keras/metrics.h"
#include "keras/optimizers.h"
#include "keras/saving/file_config.h"
#include "keras/saving/format.h"

namespace keras::saving {
using format::FormatError;

Config detail::compile_config(const Model& model) {
  const CompileOptions& o = model.compile_options();
  Config c = Config::object();
  c["optimizer"] = optimizers::serialize(*model.optimizer());
  std::vector<Value> loss;
  for (const auto& l : o.loss) loss.push_back(l.ptr() ? losses::serialize(*l.ptr()) : Value());
  c["loss"] = Value(loss);
  auto metric_list = [](const std::vector<metrics::MetricArg>& list) {
    std::vector<Value> metrics;
    for (const auto& m : list) {
      if (!m.identifier().empty())
        metrics.emplace_back(m.identifier());
      else if (m.ptr())
        metrics.push_back(metrics::serialize(*m.ptr()));
    }
    return Value(metrics);
  };
  c["metrics"] = metric_list(o.metrics);
  c["weighted_metrics"] = metric_list(o.weighted_metrics);
  for (auto [key, per] : {std::pair{"metrics_per_output", &o.metrics_per_output},
                          std::pair{"weighted_metrics_per_output", &o.weighted_metrics_per_output}}) {
    if (per->empty()) continue;  // (files without the key read as before)
    std::vector<Value> lists;
    for (const auto& l : *per) lists.push_back(metric_list(l));
    c[key] = Value(lists);
  }
  std::vector<Value> lw;
  for (double w : o.loss_weights) lw.emplace_back(w);
  c["loss_weights"] = Value(lw);
  c["run_eagerly"] = o.run_eagerly;
  c["auto_scale_loss"] = o.auto_scale_loss;
  return c;
}

void detail::compile_from(Model& model, const Config& c, const std::string& source) {
  if (!c.is_object()) throw FormatError(where(source, "compile") + ": expected a JSON object");
  try {
    CompileOptions o;
    o.optimizer = OptimizerArg(optimizers::deserialize(c.at("optimizer")));
    o.loss.clear();
    for (const Value& l : c.at("loss").as_list()) o.loss.push_back(losses::LossArg(l));
    auto read_list = [](const Value& v, std::vector<metrics::MetricArg>& list) {
      for (const Value& m : v.as_list()) {
        if (m.type() == Value::Type::string)
          list.emplace_back(m.as_string());
        else
          list.emplace_back(m);
      }
    };
    for (auto [key, list] : {std::pair{"metrics", &o.metrics}, std::pair{"weighted_metrics", &o.weighted_metrics}})
      if (c.contains(key)) read_list(c.at(key), *list);
    for (auto [key, per] : {std::pair{"metrics_per_output", &o.metrics_per_output},
                            std::pair{"weighted_metrics_per_output", &o.weighted_metrics_per_output}})
      if (c.contains(key))
        for (const Value& l : c.at(key).as_list()) read_list(l, per->emplace_back());
    for (const Value& w : c.at("loss_weights").as_list()) o.loss_weights.push_back(w.as_double());
    o.run_eagerly = c.get("run_eagerly", false).as_bool();
    o.auto_scale_loss = c.get("auto_scale_loss", true).as_bool();
    model.compile(o);
  } catch (const FormatError&) {
    throw;
  } catch (const std::exception& e) {
    throw std::invalid_argument(source + ": cannot restore the compile configuration: " + e.what() + " (" +
                                kRegisterHint + ", or load with {.compile = false})");
  }
}

}  // namespace keras::saving
