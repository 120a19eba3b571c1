#include "keras/models/model.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <tuple>
#include <stdexcept>

#include "core/ops.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "keras/layers/args.h"
#include "keras/layers/operation.h"
#include "keras/layers/registry.h"

namespace keras {
namespace ops = core::ops;
using layers::Node;

// ---- InputLayer / Input ---------------------------------------------------------------------
InputLayer::InputLayer(const ShapeSpec& shape, DType dtype, std::string name, int64_t batch_size,
                       bool sparse, bool ragged)
    : Layer("InputLayer", LayerOptions{.name = std::move(name), .dtype = dtype}), sparse_(sparse), ragged_(ragged) {
  if (sparse && ragged) throw std::invalid_argument("Input: sparse and ragged cannot both be true");
  supports_ragged_ = true;
  for (int64_t d : shape)
    if (d < -1)
      throw std::invalid_argument("Input: dimensions must be >= 0 or -1 (None), but received " +
                                  layers::shape_str(shape));
  batch_shape_.push_back(batch_size < 0 ? -1 : batch_size);
  batch_shape_.insert(batch_shape_.end(), shape.begin(), shape.end());
  set_built();
}

KerasTensor InputLayer::output() {
  std::shared_ptr<Node> node = node_.lock();
  if (!node) {
    node = std::make_shared<Node>(Node{shared_from_this(), {}, 1});
    node_ = node;
  }
  return KerasTensor(batch_shape_, dtype(), node, 0, name());
}

Tensor InputLayer::call(const Tensor& x, bool) { return x; }

Tensor InputLayer::convert(const Tensor& x, DType dtype) {
  if (!x.defined() || x.dtype() == dtype) return x;
  if (core::sparse::is_sparse(x)) {
    const core::SparseTensor sp = core::sparse::sparse_of(x);
    return sp.with_values(ops::cast(sp.values(), dtype)).as_tensor();
  }
  if (core::ragged::is_ragged(x)) {
    const core::RaggedTensor rt = core::ragged::ragged_of(x);
    return rt.with_flat_values(ops::cast(rt.flat_values(), dtype)).as_tensor();
  }
  return ops::cast(x, dtype);
}

Config InputLayer::get_config() const {
  Config c = Config::object();
  c["name"] = name();
  c["batch_shape"] = Value(batch_shape_);
  c["dtype"] = core::dtype_name(dtype());
  c["sparse"] = sparse_;
  c["ragged"] = ragged_;
  return c;
}

LayerPtr InputLayer::from_config(const Config& c) {
  ShapeSpec bs = c.at("batch_shape").as_ints();
  if (bs.empty()) throw std::invalid_argument("InputLayer.from_config: batch_shape is empty");
  ShapeSpec shape(bs.begin() + 1, bs.end());
  const Value* d = c.find("dtype");  // a name, or a DTypePolicy's serialized form
  const DType dtype = d && !d->is_null() ? mixed_precision::DTypePolicy::deserialize(*d).variable_dtype() : DType::float32;
  auto l = make<InputLayer>(shape, dtype,
                            c.get("name", "").as_string(), bs[0], c.get("sparse", false).as_bool(),
                            c.get("ragged", false).as_bool());
  l->make_output();
  return l;
}

KerasTensor Input(const ShapeSpec& shape, const InputOptions& o) {
  auto layer = make<InputLayer>(shape, o.dtype, o.name, o.batch_size, o.sparse, o.ragged);
  layer->make_output();
  return layer->output();
}

// ---- Model ----------------------------------------------------------------------------------
Model::Model(const LayerOptions& options, std::string class_name)
    : Layer(std::move(class_name), options), replicas_(distribute::current()) {
  supports_masking_ = true;  // the outputs keep the masks their layers attached
  supports_ragged_ = true;   // ragged inputs go to the layers, which take them or raise
}

std::vector<Tensor> Model::compute_mask(const std::vector<Tensor>&, const std::vector<Tensor>&) { return {}; }

std::vector<Tensor> Model::get_weights() const {
  auto lock = lock_state();  // between steps of a fit in another thread
  return Layer::get_weights();
}

void Model::set_weights(const std::vector<Tensor>& values) {
  auto lock = lock_state();
  Layer::set_weights(values);
}

std::vector<LayerPtr> Model::layers() const {
  std::vector<LayerPtr> out;
  for (const auto& l : sublayers()) out.push_back(l);
  return out;
}

LayerPtr Model::get_layer(const std::string& name) const {
  std::string names;
  for (const LayerPtr& l : layers()) {
    if (l->name() == name) return l;
    names += (names.empty() ? "" : ", ") + l->name();
  }
  throw std::invalid_argument(this->name() + ": no layer named '" + name + "' (layers: " + names + ")");
}

LayerPtr Model::get_layer(int64_t index) const {
  auto ls = layers();
  if (index < 0 || index >= static_cast<int64_t>(ls.size()))
    throw std::invalid_argument(name() + ": layer index " + std::to_string(index) +
                                " is out of range (the model has " + std::to_string(ls.size()) + " layers)");
  return ls[static_cast<size_t>(index)];
}


// ---- Functional -----------------------------------------------------------------------------
namespace {
// Keras 3's Functional does not autocast its inputs (_convert_input_args = False): each
// layer casts what it receives. Its layers open their own autocast scopes.
LayerOptions functional_options(LayerOptions o) {
  o.autocast = false;
  return o;
}
}  // namespace

FunctionalModel::FunctionalModel(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
                                 const LayerOptions& options)
    : Model(functional_options(options), "Functional"), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {
  if (inputs_.empty() || outputs_.empty())
    throw std::invalid_argument(name() + ": a functional model needs at least one input and one output");
  std::set<const Node*> input_nodes;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const KerasTensor& t = inputs_[i];
    if (!t.defined() || !dynamic_cast<InputLayer*>(t.node()->layer.get()))
      throw std::invalid_argument(name() + ": input " + std::to_string(i) +
                                  " is not a keras::Input (the model's inputs must come from keras::Input)");
    input_nodes.insert(t.node().get());
    layers_.push_back(t.node()->layer);
  }
  // Post-order walk from the outputs gives an execution order.
  std::set<const Node*> done;
  std::function<void(const std::shared_ptr<Node>&, const std::string&)> visit =
      [&](const std::shared_ptr<Node>& n, const std::string& needed_by) {
        if (done.count(n.get())) return;
        if (n->inputs.empty()) {
          if (!input_nodes.count(n.get()))
            throw std::invalid_argument(
                name() + ": graph disconnected: cannot obtain a value for input '" + n->layer->name() +
                "' needed by layer '" + needed_by + "'; it is not among the model's inputs");
          done.insert(n.get());
          return;
        }
        for (const KerasTensor& t : n->inputs) visit(t.node(), n->layer->name());
        done.insert(n.get());
        nodes_.push_back(n);
      };
  for (const KerasTensor& o : outputs_) {
    if (!o.defined()) throw std::invalid_argument(name() + ": an output is undefined");
    visit(o.node(), "the model's outputs");
  }
  for (const auto& n : nodes_)
    if (std::find(layers_.begin(), layers_.end(), n->layer) == layers_.end())
      layers_.push_back(n->layer);
  for (const LayerPtr& l : layers_) track_layer(l);
  set_built();
}

std::vector<Tensor> FunctionalModel::call(const std::vector<Tensor>& xs, bool training) {
  if (xs.size() != inputs_.size())
    throw std::invalid_argument(name() + ": expected " + std::to_string(inputs_.size()) +
                                " inputs, but received " + std::to_string(xs.size()));
  std::map<std::pair<const Node*, int>, Tensor> values;
  for (size_t i = 0; i < xs.size(); ++i) {
    const ShapeSpec& want = inputs_[i].shape();
    const Shape& got = xs[i].shape();
    bool ok = static_cast<int64_t>(want.size()) == got.rank();
    for (size_t d = 0; ok && d < want.size(); ++d) ok = want[d] < 0 || want[d] == got[int64_t(d)];
    if (!ok)
      throw std::invalid_argument(name() + ": expected input " + std::to_string(i) + " ('" +
                                  inputs_[i].name() + "') of shape " + layers::shape_str(want) +
                                  ", but received input with shape " + got.str());
    // Keras converts each input to its Input's dtype (uint8 images to float32, say).
    values[{inputs_[i].node().get(), 0}] = InputLayer::convert(xs[i], inputs_[i].dtype());
  }
  for (const auto& n : nodes_) {
    std::vector<Tensor> in;
    for (const KerasTensor& t : n->inputs) in.push_back(values.at({t.node().get(), t.index()}));
    layers::CallArgs args = n->args;  // the keyword arguments of the symbolic call
    args.training = training;          // the model's flag wins, as in Keras
    std::vector<Tensor> out = (*n->layer)(in, args);
    for (size_t i = 0; i < out.size(); ++i) values[{n.get(), static_cast<int>(i)}] = out[i];
  }
  std::vector<Tensor> out;
  for (const KerasTensor& o : outputs_) out.push_back(values.at({o.node().get(), o.index()}));
  return out;
}

Tensor FunctionalModel::call(const Tensor& x, bool training) {
  auto out = call(std::vector<Tensor>{x}, training);
  if (out.size() != 1)
    throw std::invalid_argument(name() + ": the model has " + std::to_string(out.size()) +
                                " outputs; call it with a list to get them all");
  return out[0];
}

std::vector<ShapeSpec> FunctionalModel::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  std::vector<ShapeSpec> out;
  for (const KerasTensor& o : outputs_) {
    ShapeSpec s = o.shape();
    if (!s.empty() && !shapes.empty() && !shapes[0].empty()) s[0] = shapes[0][0];
    out.push_back(s);
  }
  return out;
}

std::vector<LayerPtr> FunctionalModel::layers() const {
  std::vector<LayerPtr> out;
  for (const LayerPtr& l : layers_)
    if (!dynamic_cast<const layers::OperationLayer*>(l.get())) out.push_back(l);
  return out;
}

namespace {
// (layer, call index within this model) of every node, and the triple naming a tensor.
using NodeIndex = std::map<const Node*, int>;
NodeIndex index_nodes(const std::vector<KerasTensor>& inputs, const std::vector<std::shared_ptr<Node>>& nodes) {
  NodeIndex idx;
  std::map<const layers::Layer*, int> count;
  for (const KerasTensor& t : inputs) idx[t.node().get()] = count[t.node()->layer.get()]++;
  for (const auto& n : nodes) idx[n.get()] = count[n->layer.get()]++;
  return idx;
}
Value tensor_ref(const KerasTensor& t, const NodeIndex& idx) {
  return Value::list({Value(t.node()->layer->name()), Value(idx.at(t.node().get())), Value(t.index())});
}
}  // namespace

Config FunctionalModel::get_config() const {
  Config c = base_config();
  NodeIndex idx = index_nodes(inputs_, nodes_);
  std::vector<Value> ls;
  for (const LayerPtr& l : layers_) {
    Config e = layers::serialize(*l);
    e["name"] = l->name();
    std::vector<Value> inbound, inbound_kwargs;
    bool any_kwargs = false;
    for (const auto& n : nodes_) {
      if (n->layer != l) continue;
      std::vector<Value> args;
      for (const KerasTensor& t : n->inputs) args.push_back(tensor_ref(t, idx));
      inbound.push_back(Value(args));
      inbound_kwargs.push_back(n->args.kwargs);  // the call's keyword arguments (use_causal_mask, ...)
      any_kwargs = any_kwargs || !n->args.kwargs.items().empty();
    }
    e["inbound_nodes"] = Value(inbound);
    if (any_kwargs) e["inbound_node_kwargs"] = Value(inbound_kwargs);
    ls.push_back(e);
  }
  c["layers"] = Value(ls);
  std::vector<Value> ins, outs;
  for (const KerasTensor& t : inputs_) ins.push_back(tensor_ref(t, idx));
  for (const KerasTensor& t : outputs_) outs.push_back(tensor_ref(t, idx));
  c["input_layers"] = Value(ins);
  c["output_layers"] = Value(outs);
  return c;
}

LayerPtr FunctionalModel::from_config(const Config& c) {
  using Key = std::tuple<std::string, int64_t, int64_t>;
  std::map<Key, KerasTensor> tensors;
  struct Pending {
    LayerPtr layer;
    int64_t index;
    std::vector<Value> args;
    Config kwargs = Config::object();
  };
  std::vector<Pending> pending;
  std::map<std::string, LayerPtr> by_name;
  for (const Value& e : c.at("layers").as_list()) {
    LayerPtr l = layers::deserialize(e);
    const std::string name = e.get("name", l->name()).as_string();
    if (by_name.count(name)) throw std::invalid_argument("Functional.from_config: duplicate layer name '" + name + "'");
    by_name[name] = l;
    if (auto* in = dynamic_cast<InputLayer*>(l.get())) {
      in->make_output();
      tensors[{name, 0, 0}] = in->output();
      continue;
    }
    int64_t k = 0;
    const Value kw = e.get("inbound_node_kwargs", Value());
    const auto& nodes = e.at("inbound_nodes").as_list();
    if (!kw.is_null() && kw.as_list().size() != nodes.size())
      throw std::invalid_argument("Functional.from_config: layer '" + name + "' has " + std::to_string(nodes.size()) +
                                  " inbound nodes but " + std::to_string(kw.as_list().size()) + " inbound_node_kwargs");
    for (const Value& node : nodes) {
      Config node_kw = kw.is_null() ? Config::object() : kw.as_list()[size_t(k)];
      if (!node_kw.is_object())
        throw std::invalid_argument("Functional.from_config: the inbound_node_kwargs of layer '" + name +
                                    "' must be objects, got " + node_kw.to_json());
      pending.push_back({l, k++, node.as_list(), node_kw});
    }
  }
  auto key_of = [](const Value& ref) {
    const auto& r = ref.as_list();
    if (r.size() != 3) throw std::invalid_argument("Functional.from_config: a tensor reference must be [layer, node, index], got " + ref.to_json());
    return Key{r[0].as_string(), r[1].as_int(), r[2].as_int()};
  };
  // Replay the calls whose inputs exist until none is left.
  while (!pending.empty()) {
    bool progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      std::vector<KerasTensor> ins;
      bool ready = true;
      for (const Value& a : it->args) {
        auto t = tensors.find(key_of(a));
        if (t == tensors.end()) { ready = false; break; }
        ins.push_back(t->second);
      }
      if (!ready) { ++it; continue; }
      layers::KerasTensors outs = (*it->layer)(ins, layers::CallArgs{.kwargs = it->kwargs});
      for (size_t i = 0; i < outs.size(); ++i) tensors[{it->layer->name(), it->index, int64_t(i)}] = outs[i];
      it = pending.erase(it);
      progress = true;
    }
    if (!progress)
      throw std::invalid_argument("Functional.from_config: the inbound nodes of layer '" +
                                  pending.front().layer->name() + "' refer to tensors that no layer produces");
  }
  auto collect = [&](const char* field) {
    std::vector<KerasTensor> out;
    for (const Value& ref : c.at(field).as_list()) {
      auto t = tensors.find(key_of(ref));
      if (t == tensors.end()) throw std::invalid_argument(std::string("Functional.from_config: unknown tensor in ") + field + ": " + ref.to_json());
      out.push_back(t->second);
    }
    return out;
  };
  return make<FunctionalModel>(collect("input_layers"), collect("output_layers"), layers::layer_options_from(c));
}

}  // namespace keras
