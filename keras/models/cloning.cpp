// cloning.cpp - clone_model (Keras's keras.models.clone_model): Sequential models from their
// cloned layers, Functional models by replaying their calls on cloned layers.
#include "keras/models/cloning.h"

#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "keras/layers/registry.h"
#include "keras/saving/compile_config.h"

namespace keras::models {
namespace {

using Cache = std::map<const layers::Layer*, LayerPtr>;
std::shared_ptr<Model> clone_any(const Model& model, const CloneOptions& o, Cache& cache);

// The clone of each layer, made once (a shared layer stays shared in the clone, nested
// models included: the cache is shared with them, as Keras's).
class LayerCloner {
 public:
  LayerCloner(const CloneOptions& o, Cache& cache) : o_(o), cache_(cache) {}

  LayerPtr operator()(const LayerPtr& layer) {
    if (auto it = cache_.find(layer.get()); it != cache_.end()) return it->second;
    LayerPtr clone;
    const auto* model = dynamic_cast<const Model*>(layer.get());
    const bool nested = model && (model->class_name() == "Sequential" || model->class_name() == "Functional");
    if (o_.recursive && nested) {
      CloneOptions inner = o_;
      inner.input_tensors.clear();
      if (model->class_name() == "Sequential") inner.call_function = nullptr;  // (Keras: not propagated there)
      clone = LayerPtr(clone_any(*model, inner, cache_));
    } else if (o_.clone_function) {
      clone = o_.clone_function(layer);
      if (!clone)
        throw std::invalid_argument("clone_model: clone_function returned no layer for layer '" + layer->name() + "'");
    } else {
      clone = layers::deserialize(layers::serialize(*layer));
    }
    cache_.emplace(layer.get(), clone);
    return clone;
  }

 private:
  const CloneOptions& o_;
  Cache& cache_;
};

// A new Input like an existing model input (shape without the batch axis, dtype, name,
// fixed batch size, sparse or ragged).
KerasTensor input_like(const KerasTensor& t, const InputLayer& in) {
  const ShapeSpec& b = in.batch_shape();
  return Input(ShapeSpec(b.begin() + 1, b.end()), {.dtype = t.dtype(),
                                                    .name = in.name(),
                                                    .batch_size = b.empty() ? -1 : b[0],
                                                    .sparse = in.sparse(),
                                                    .ragged = in.ragged()});
}

// The InputLayer that made a symbolic tensor (null when another layer made it).
std::shared_ptr<InputLayer> input_layer_of(const KerasTensor& t) {
  return t.defined() && t.node() ? std::dynamic_pointer_cast<InputLayer>(t.node()->layer) : nullptr;
}

void compile_like(Model& clone, const Model& model) {
  if (!model.compiled() || !model.optimizer()) return;
  saving::detail::compile_from(clone, saving::detail::compile_config(model), "clone_model");
}

std::shared_ptr<Model> clone_sequential(const SequentialModel& model, const CloneOptions& o, Cache& cache) {
  if (o.call_function)
    throw std::invalid_argument("clone_model: call_function is not supported with Sequential models (in a Sequential "
                                "model, layers aren't called at model-construction time); model '" + model.name() +
                                "' is Sequential");
  LayerCloner clone(o, cache);
  std::vector<LayerPtr> layers;
  if (!o.input_tensors.empty()) {
    if (o.input_tensors.size() != 1)
      throw std::invalid_argument("clone_model: input_tensors must contain a single tensor for Sequential model '" +
                                  model.name() + "', but received " + std::to_string(o.input_tensors.size()));
    std::shared_ptr<InputLayer> in = input_layer_of(o.input_tensors[0]);
    if (!in)
      throw std::invalid_argument("clone_model: the input tensor of Sequential model '" + model.name() +
                                  "' must be a keras::Input");
    layers.push_back(LayerPtr(in));
  } else if (const auto& in = model.input_layer()) {
    layers.push_back(LayerPtr(input_layer_of(input_like(in->output(), *in))));
  }
  for (const LayerPtr& l : model.layers()) layers.push_back(clone(l));
  auto out = std::shared_ptr<Model>(Sequential(std::move(layers), {.name = model.name(), .trainable = model.trainable()}));
  compile_like(*out, model);
  return out;
}

std::shared_ptr<Model> clone_functional(const FunctionalModel& model, const CloneOptions& o, Cache& cache) {
  const std::vector<KerasTensor>& old_inputs = model.inputs();
  std::vector<KerasTensor> inputs = o.input_tensors;
  if (!inputs.empty() && inputs.size() != old_inputs.size())
    throw std::invalid_argument("clone_model: input_tensors must have the same structure as model.input: model '" +
                                model.name() + "' has " + std::to_string(old_inputs.size()) + " inputs, but received " +
                                std::to_string(inputs.size()) + " tensors");
  if (inputs.empty())
    for (const KerasTensor& t : old_inputs) {
      std::shared_ptr<InputLayer> in = input_layer_of(t);
      if (!in) throw std::logic_error("clone_model: an input of model '" + model.name() + "' has no InputLayer");
      inputs.push_back(input_like(t, *in));
    }
  // Each symbolic tensor of the model, by (producing call, output index), to its clone's.
  using Key = std::pair<const layers::Node*, int>;
  std::map<Key, KerasTensor> made;
  for (size_t i = 0; i < old_inputs.size(); ++i) {
    if (!inputs[i].defined())
      throw std::invalid_argument("clone_model: input_tensors[" + std::to_string(i) + "] is undefined");
    made[{old_inputs[i].node().get(), old_inputs[i].index()}] = inputs[i];
  }
  LayerCloner clone(o, cache);
  for (const auto& node : model.nodes()) {
    std::vector<KerasTensor> ins;
    for (const KerasTensor& t : node->inputs) {
      auto it = made.find({t.node().get(), t.index()});
      if (it == made.end())
        throw std::logic_error("clone_model: a call of layer '" + node->layer->name() + "' in model '" + model.name() +
                               "' has an input no earlier call made");
      ins.push_back(it->second);
    }
    const LayerPtr layer = clone(LayerPtr(node->layer));
    const layers::KerasTensors outs = o.call_function ? o.call_function(layer, ins, node->args) : (*layer)(ins, node->args);
    if (int(outs.size()) != node->num_outputs)
      throw std::invalid_argument("clone_model: the clone of layer '" + node->layer->name() + "' returned " +
                                  std::to_string(outs.size()) + " outputs where the original returned " +
                                  std::to_string(node->num_outputs));
    for (int j = 0; j < node->num_outputs; ++j) made[{node.get(), j}] = outs[size_t(j)];
  }
  std::vector<KerasTensor> outputs;
  for (const KerasTensor& t : model.outputs()) outputs.push_back(made.at({t.node().get(), t.index()}));
  auto out = std::shared_ptr<Model>(
      Functional(std::move(inputs), std::move(outputs), {.name = model.name(), .trainable = model.trainable()}));
  compile_like(*out, model);
  return out;
}

std::shared_ptr<Model> clone_any(const Model& model, const CloneOptions& options, Cache& cache) {
  if (const auto* s = dynamic_cast<const SequentialModel*>(&model)) return clone_sequential(*s, options, cache);
  if (const auto* f = dynamic_cast<const FunctionalModel*>(&model)) return clone_functional(*f, options, cache);
  return nullptr;
}

}  // namespace

std::shared_ptr<Model> clone_model(const Model& model, const CloneOptions& options) {
  Cache cache;
  if (auto out = clone_any(model, options, cache)) return out;
  // Another model class: rebuilt from its config (Keras's serialize / deserialize), which
  // takes no per-layer options.
  if (!options.input_tensors.empty() || options.clone_function)
    throw std::invalid_argument("clone_model: input_tensors and clone_function are only supported for Sequential and "
                                "Functional models, but model '" + model.name() + "' is a " + model.class_name());
  if (options.call_function)
    throw std::invalid_argument("clone_model: call_function is only supported for Functional models, but model '" +
                                model.name() + "' is a " + model.class_name());
  auto out = std::dynamic_pointer_cast<Model>(std::shared_ptr<layers::Layer>(layers::deserialize(layers::serialize(model))));
  if (!out) throw std::invalid_argument("clone_model: the config of model '" + model.name() + "' did not rebuild a model");
  compile_like(*out, model);
  return out;
}

}  // namespace keras::models
