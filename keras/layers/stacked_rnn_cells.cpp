#include "keras/layers/stacked_rnn_cells.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "keras/layers/registry.h"

namespace keras::layers {

StackedRNNCellsLayer::StackedRNNCellsLayer(std::vector<RNNCellPtr> cells, const StackedRNNCellsOptions& o)
    : RNNCell("StackedRNNCells", detail::layer_options_of(o)), cells_(std::move(cells)) {
  if (cells_.empty()) throw std::invalid_argument(name() + ": expected at least one cell, but received none");
  for (size_t i = 0; i < cells_.size(); ++i) {
    if (!cells_[i])
      throw std::invalid_argument(name() + ": cell " + std::to_string(i) + " is null; expected a recurrent cell");
    track_layer(cells_[i]);
  }
}

std::vector<int64_t> StackedRNNCellsLayer::state_size() const {
  std::vector<int64_t> out;
  for (const RNNCellPtr& c : cells_)
    for (int64_t s : c->state_size()) out.push_back(s);
  return out;
}

int64_t StackedRNNCellsLayer::output_size() const { return cells_.back()->output_size(); }

std::vector<Tensor> StackedRNNCellsLayer::step(const Tensor& inputs, const std::vector<Tensor>& states, bool training) {
  Tensor x = inputs;
  std::vector<Tensor> out{Tensor()};
  size_t at = 0;
  for (const RNNCellPtr& c : cells_) {
    const size_t n = c->state_size().size();
    if (at + n > states.size())
      throw std::invalid_argument(name() + ": expected " + std::to_string(state_size().size()) +
                                  " states, but received " + std::to_string(states.size()));
    std::vector<Tensor> own(states.begin() + long(at), states.begin() + long(at + n));
    std::vector<Tensor> r = c->step(c->project_inputs(x, training), own, training);
    if (r.size() != n + 1)
      throw std::invalid_argument(name() + ": the cell '" + c->name() + "' returned " + std::to_string(r.size()) +
                                  " tensors from a step; expected its output and " + std::to_string(n) + " states");
    x = r[0];
    out.insert(out.end(), r.begin() + 1, r.end());
    at += n;
  }
  out[0] = x;
  return out;
}

void StackedRNNCellsLayer::reset_sequence() {
  for (const RNNCellPtr& c : cells_) c->reset_sequence();
}

void StackedRNNCellsLayer::build(const ShapeSpec& s) {
  ShapeSpec in = s;
  for (const RNNCellPtr& c : cells_) {
    c->build_if_needed({in});
    in = ShapeSpec{in.empty() ? -1 : in[0], c->output_size()};
  }
}

Config StackedRNNCellsLayer::get_config() const {
  Config c = base_config();
  std::vector<Value> cells;
  for (const RNNCellPtr& cell : cells_) cells.push_back(serialize(*cell));
  c["cells"] = Value(cells);
  return c;
}

LayerPtr StackedRNNCellsLayer::from_config(const Config& c) {
  std::vector<RNNCellPtr> cells;
  const Value& list = c.at("cells");
  for (size_t i = 0; i < list.as_list().size(); ++i) {
    LayerPtr l = deserialize(list.as_list()[i]);
    auto cell = std::dynamic_pointer_cast<RNNCell>(std::shared_ptr<Layer>(l));
    if (!cell)
      throw std::invalid_argument("StackedRNNCells: cell " + std::to_string(i) + " of the config is a " +
                                  l->class_name() + ", not a recurrent cell");
    cells.push_back(RNNCellPtr(cell));
  }
  const LayerOptions base = layer_options_from(c);
  return make<StackedRNNCellsLayer>(std::move(cells), StackedRNNCellsOptions{.name = base.name, .trainable = base.trainable});
}

Ref<StackedRNNCellsLayer> StackedRNNCells(std::vector<RNNCellPtr> cells, const StackedRNNCellsOptions& o) {
  return make<StackedRNNCellsLayer>(std::move(cells), o);
}

}  // namespace keras::layers
