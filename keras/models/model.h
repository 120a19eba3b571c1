// model.h - Model (the base of every model, and of user subclasses), Functional models
// built from symbolic tensors, Sequential stacks, keras::Input and summary().
//
//   auto inputs = keras::Input({784});
//   auto h = keras::layers::Dense(300, {.activation = "relu"})(inputs);
//   auto model = keras::Functional({inputs}, {keras::layers::Dense(10)(h)});
//
//   auto seq = keras::Sequential({keras::layers::Dense(300, {.activation = "relu",
//                                                            .input_shape = {784}}),
//                                 keras::layers::Dense(10)});
//
//   class MyModel : public keras::Model { ... call() ... };   // subclassing
//   auto m = keras::make<MyModel>();
#pragma once
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras {
using layers::KerasTensor;
using layers::LayerOptions;
using layers::LayerPtr;
using layers::make;
using layers::Ref;
using layers::ShapeSpec;

// ---- inputs -------------------------------------------------------------------------------
class InputLayer : public layers::Layer {
 public:
  // shape excludes the batch axis; batch_size -1 = None.
  InputLayer(const ShapeSpec& shape, DType dtype = DType::float32, std::string name = "",
             int64_t batch_size = -1);
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);
  const ShapeSpec& batch_shape() const { return batch_shape_; }
  const KerasTensor& output() const { return output_; }
  void make_output();  // creates the symbolic output (needs shared ownership)

 private:
  ShapeSpec batch_shape_;
  KerasTensor output_;
};

struct InputOptions {
  DType dtype = DType::float32;
  std::string name{};
  int64_t batch_size = -1;
};
// keras.Input: a symbolic input of the given shape (without the batch axis).
KerasTensor Input(const ShapeSpec& shape, const InputOptions& options = {});

// ---- Model --------------------------------------------------------------------------------
class Model : public layers::Layer {
 public:
  explicit Model(const LayerOptions& options = {}, std::string class_name = "Model");

  // The layers of the model: for Functional and Sequential models in order, for
  // subclassed models the tracked sublayers.
  virtual std::vector<LayerPtr> layers() const;
  LayerPtr get_layer(const std::string& name) const;  // throws listing the names
  LayerPtr get_layer(int64_t index) const;

  // Keras's summary table; summary() prints it to stdout.
  std::string summary_string(int line_length = 0) const;
  void summary(int line_length = 0) const;
};

class FunctionalModel : public Model {
 public:
  FunctionalModel(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
                  const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  std::vector<LayerPtr> layers() const override;
  // Keras's functional config: every layer's config with the calls feeding it
  // ("inbound_nodes": per call, [layer name, call index, output index] of each input),
  // and the model's input and output tensors in the same form.
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);
  const std::vector<KerasTensor>& inputs() const { return inputs_; }
  const std::vector<KerasTensor>& outputs() const { return outputs_; }
  // Calls in execution order (InputLayers excluded).
  const std::vector<std::shared_ptr<layers::Node>>& nodes() const { return nodes_; }

 private:
  std::vector<KerasTensor> inputs_, outputs_;
  std::vector<std::shared_ptr<layers::Node>> nodes_;
  std::vector<LayerPtr> layers_;  // inputs' layers first, then in execution order
};

class SequentialModel : public Model {
 public:
  explicit SequentialModel(std::vector<LayerPtr> layers = {}, const LayerOptions& options = {});
  void add(const LayerPtr& layer);
  void pop();
  std::vector<LayerPtr> layers() const override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  void build(const ShapeSpec& input_shape) override;
  Config get_config() const override;  // the layers' configs and the input shape
  static LayerPtr from_config(const Config& c);

 private:
  void trace_from(size_t first);  // symbolic shapes through layers [first, n)
  std::vector<LayerPtr> layers_;
  std::shared_ptr<InputLayer> input_;  // when the input shape is known
  KerasTensor last_;                   // symbolic output of the traced prefix
  size_t traced_ = 0;
};

Ref<FunctionalModel> Functional(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
                                const LayerOptions& options = {});
Ref<SequentialModel> Sequential(std::vector<LayerPtr> layers = {}, const LayerOptions& options = {});

}  // namespace keras
