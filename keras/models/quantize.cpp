// quantize.cpp - Model::quantize (Keras's Model.quantize): each leaf layer that takes the
// mode quantizes its own weights (Layer::quantize); the traced steps are dropped.
#include <cstdio>
#include <regex>
#include <stdexcept>

#include "core/errors.h"
#include "keras/layers/quantize_util.h"
#include "keras/mixed_precision.h"
#include "keras/models/model.h"

namespace keras {
namespace {
// Keras's _flatten_layers: the model and every layer under it, each once, parents first.
void flatten(const std::shared_ptr<layers::Layer>& l, std::vector<std::shared_ptr<layers::Layer>>& out) {
  if (!l) return;
  for (const auto& seen : out)
    if (seen == l) return;
  out.push_back(l);
  if (auto* m = dynamic_cast<const Model*>(l.get()))
    for (const auto& c : m->layers()) flatten(c, out);
  for (const auto& c : l->sublayers()) flatten(c, out);
}
}  // namespace

void Model::quantize(const std::string& mode) {
  quantize(mode, std::function<bool(const layers::Layer&)>{});
}

void Model::quantize(const std::string& mode, const std::vector<std::string>& name_patterns) {
  std::vector<std::regex> res;
  for (const std::string& p : name_patterns) {
    try {
      res.emplace_back(p);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument(name() + ".quantize: the filter '" + p + "' is not a valid regular expression (" +
                                  e.what() + ")");
    }
  }
  quantize(mode, [&](const layers::Layer& l) {
    for (const std::regex& re : res)
      if (std::regex_search(l.name(), re)) return true;
    return false;
  });
}

void Model::quantize(const std::string& mode, const std::function<bool(const layers::Layer&)>& filter) {
  (void)mixed_precision::DTypePolicy::quantized(mode, "float32");  // the mode is one this build knows
  auto lock = lock_state();
  std::vector<std::shared_ptr<layers::Layer>> all;
  flatten(shared_from_this(), all);
  bool modified = false;
  for (const auto& l : all) {
    if (l.get() == this || !l->sublayers().empty() || dynamic_cast<const Model*>(l.get())) continue;
    if (filter && !filter(*l)) continue;
    layers::detail::check_quantize_args(*l, mode);  // built, not yet quantized (raises as Keras)
    try {
      l->quantize(mode);
      modified = true;
    } catch (const core::NotImplementedError& e) {
      // (Keras warns for every leaf layer; a layer without weights has nothing to quantize)
      if (!l->weights().empty()) std::fprintf(stderr, "Warning: %s\n", e.what());
    }
  }
  if (modified) {  // the traced steps hold the float weights: they trace again
    train_fn_.reset();
    test_fn_.reset();
    predict_fn_.reset();
  }
}

}  // namespace keras
