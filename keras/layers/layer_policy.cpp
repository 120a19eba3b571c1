// layer_policy.cpp - a layer's dtype policy (a DTypePolicyMap resolved by the layer's
// path), its name scope, and the base options of its config.
#include <stdexcept>
#include <vector>

#include "keras/layers/layer.h"
#include "keras/name_scope.h"
#include "keras/name_scope_internal.h"

namespace keras::layers {

void Layer::set_dtype_policy(const mixed_precision::DTypePolicy& policy) {
  if (!weights_.empty())
    throw std::logic_error(name_ + ": cannot change the dtype policy to '" + policy.name() +
                           "' after the layer has created its weights (policy '" + policy_.name() + "')");
  policy_given_ = policy;
  const auto* map = policy.policy_map();
  if (!map) {
    policy_ = policy;
    return;
  }
  // Not built yet: the path it will have when built here (a parent giving its sublayers
  // the map inside its own build, then calling their build() directly), else the default.
  std::string where = path_;
  if (where.empty()) {
    const std::string scope = current_path();
    if (!scope.empty()) where = scope + "/" + name_;
  }
  policy_ = where.empty() ? map->default_policy() : (*map)[where];
}

void Layer::set_quantized_policy(const mixed_precision::DTypePolicy& policy) {
  policy_ = policy;
  const auto* map = policy_given_.policy_map();
  if (!map || path_.empty()) {
    policy_given_ = policy;
    return;
  }
  // Keras's dtype_policy setter on a layer with a map: the entry of the layer's path.
  mixed_precision::DTypePolicyMap updated = *map;
  updated.erase(path_);
  updated.set(path_, policy);
  policy_given_ = mixed_precision::DTypePolicy(updated);
}

std::string Layer::open_scope_parent() {
  if (!parent_path_) parent_path_ = current_path();  // Keras's _open_name_scope: the first one wins
  return *parent_path_;
}

void Layer::in_build_scope(const std::function<void()>& build) {
  open_scope_parent();
  keras::detail::LayerScope scope(name_, this, &*parent_path_);
  if (!built_) {
    path_ = current_path();
    if (const auto* map = policy_given_.policy_map()) policy_ = (*map)[path_];
  }
  build();
}

Config Layer::base_config() const {
  Config c = Config::object();
  c["name"] = name_;
  c["trainable"] = trainable_;
  c["dtype"] = policy_given_.policy_map() ? policy_given_.serialize() : policy_.serialize();  // Keras 3's form
  c["dynamic"] = dynamic_;
  if (!input_shape_.empty()) {
    std::vector<Value> dims;
    for (int64_t d : input_shape_) dims.push_back(d < 0 ? Value() : Value(static_cast<long long>(d)));
    c["input_shape"] = Value(dims);
  }
  return c;
}

Config Layer::get_config() const { return base_config(); }

}  // namespace keras::layers
