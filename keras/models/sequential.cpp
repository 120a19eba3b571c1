// sequential.cpp - SequentialModel: a stack of layers, traced symbolically as they are
// added once the input shape is known.
#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"

namespace keras {
namespace ops = core::ops;

// ---- Sequential -----------------------------------------------------------------------------
SequentialModel::SequentialModel(std::vector<LayerPtr> ls, const LayerOptions& options)
    : Model(options, "Sequential") {
  if (!options.input_shape.empty()) {
    input_ = make<InputLayer>(options.input_shape);
    input_->make_output();
    last_ = input_->output();
  }
  for (const LayerPtr& l : ls) add(l);
}

void SequentialModel::add(const LayerPtr& layer) {
  if (!layer) throw std::invalid_argument(name() + ": cannot add an undefined layer");
  if (auto* in = dynamic_cast<InputLayer*>(layer.get())) {
    if (!layers_.empty() || input_)
      throw std::invalid_argument(name() + ": an InputLayer can only be the first layer");
    input_ = std::static_pointer_cast<InputLayer>(std::shared_ptr<layers::Layer>(layer));
    in->make_output();
    last_ = in->output();
    return;
  }
  if (layers_.empty() && !input_ && !layer->declared_input_shape().empty()) {
    input_ = make<InputLayer>(layer->declared_input_shape());
    input_->make_output();
    last_ = input_->output();
  }
  layers_.push_back(layer);
  track_layer(layer);
  if (input_) trace_from(layers_.size() - 1);
}

void SequentialModel::trace_from(size_t first) {
  if (first != traced_) return;
  // Keras's Sequential builds its layers inside its build wrapper: under its name scope.
  in_build_scope([&] {
    for (size_t i = first; i < layers_.size(); ++i) last_ = (*layers_[i])(last_);
  });
  traced_ = layers_.size();
  set_built();
}

void SequentialModel::pop() {
  if (layers_.empty()) throw std::invalid_argument(name() + ": pop() on a model without layers");
  untrack_layer(layers_.back());
  layers_.pop_back();
  // Rebuild the symbolic chain for the remaining layers (their weights are kept).
  traced_ = 0;
  if (input_) {
    last_ = input_->output();
    trace_from(0);
  }
}

std::vector<LayerPtr> SequentialModel::layers() const { return layers_; }

void SequentialModel::build(const ShapeSpec& input_shape) {
  if (input_ || layers_.empty()) return;
  ShapeSpec shape(input_shape.begin() + (input_shape.empty() ? 0 : 1), input_shape.end());
  input_ = make<InputLayer>(shape);
  input_->make_output();
  last_ = input_->output();
  trace_from(0);
}

Tensor SequentialModel::call(const Tensor& x, bool training) {
  Tensor h = input_ ? InputLayer::convert(x, input_->dtype()) : x;
  for (const LayerPtr& l : layers_) {
    h = (*l)(h, training);
  }
  return h;
}

std::vector<ShapeSpec> SequentialModel::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  if (input_ && traced_ == layers_.size() && last_.defined()) {
    ShapeSpec s = last_.shape();
    if (!s.empty() && !shapes.empty() && !shapes[0].empty()) s[0] = shapes[0][0];
    return {s};
  }
  return Layer::compute_output_shape(shapes);
}

Config SequentialModel::get_config() const {
  Config c = base_config();
  std::vector<Value> ls;
  for (const LayerPtr& l : layers_) ls.push_back(layers::serialize(*l));
  c["layers"] = Value(ls);
  if (input_) c["build_input_shape"] = Value(input_->batch_shape());
  return c;
}

LayerPtr SequentialModel::from_config(const Config& c) {
  auto m = make<SequentialModel>(std::vector<LayerPtr>{}, layers::layer_options_from(c));
  if (const Value* b = c.find("build_input_shape"); b && !m->input_) {
    ShapeSpec bs = b->as_ints();
    if (bs.empty()) throw std::invalid_argument("Sequential.from_config: build_input_shape is empty");
    m->input_ = make<InputLayer>(ShapeSpec(bs.begin() + 1, bs.end()), DType::float32, "", bs[0]);
    m->input_->make_output();
    m->last_ = m->input_->output();
  }
  for (const Value& e : c.at("layers").as_list()) m->add(layers::deserialize(e));
  return m;
}

Ref<FunctionalModel> Functional(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
                                const LayerOptions& options) {
  return make<FunctionalModel>(std::move(inputs), std::move(outputs), options);
}

Ref<SequentialModel> Sequential(std::vector<LayerPtr> ls, const LayerOptions& options) {
  return make<SequentialModel>(std::move(ls), options);
}

}  // namespace keras
