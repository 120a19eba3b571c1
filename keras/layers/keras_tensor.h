// keras_tensor.h - the values of the functional API and of layer calls: ShapeSpec (shapes
// with unknown dimensions), KerasTensor (a symbolic tensor) and the lists of outputs a
// call returns (Tensors, KerasTensors), CallArgs / CallContext (a call's arguments
// besides the inputs), and Node (one recorded symbolic call). Included by layer.h.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "keras/config.h"

namespace keras {
using core::DType;
using core::Shape;
using core::Tensor;

namespace layers {

/// A shape whose dimensions may be unknown (-1, printed None), like Keras shape tuples.
using ShapeSpec = std::vector<int64_t>;
std::string shape_str(const ShapeSpec& s);  ///< "(None, 784)"
/// The ShapeSpec of a concrete shape (every dimension known).
ShapeSpec spec_of(const Shape& s);

class Layer;
struct Node;

/// A symbolic tensor of the functional API: a shape (batch usually None), a dtype and
/// the layer call that produced it.
class KerasTensor {
 public:
  KerasTensor() = default;
  /// A symbolic tensor of the given shape and dtype, output `index` of the call `node`;
  /// engine-internal (Input() and layer calls make them).
  KerasTensor(ShapeSpec shape, DType dtype, std::shared_ptr<Node> node, int index, std::string name = "");
  /// False for a default-constructed (empty) KerasTensor.
  bool defined() const { return impl_ != nullptr; }
  /// The shape, with -1 for unknown dimensions (the batch axis usually).
  const ShapeSpec& shape() const;
  /// The element type.
  DType dtype() const;
  /// Its name (an Input's name; empty otherwise).
  const std::string& name() const;
  const std::shared_ptr<Node>& node() const;  ///< the producing call (InputLayer for inputs)
  int index() const;                          ///< which output of that call
  /// Whether both refer to the same symbolic tensor (not a value comparison).
  bool same_as(const KerasTensor& o) const { return impl_ == o.impl_; }
  /// An identity for maps and sets of symbolic tensors (the shared state's address).
  const void* id() const { return impl_.get(); }

  struct Impl;  ///< engine-internal

 private:
  std::shared_ptr<Impl> impl_;
};

/// What a layer (a merge layer, a model) called on a list of tensors returns: its outputs,
/// which read as a Tensor too when there is exactly one (Keras returns the tensor itself:
/// `Tensor y = keras::layers::Add()({a, b});`, `Tensor y = model({a, b});`); with several,
/// index them.
class Tensors : public std::vector<Tensor> {
 public:
  using std::vector<Tensor>::vector;
  /// Wraps a list of tensors (implicit, so call() results convert).
  Tensors(std::vector<Tensor> v) : std::vector<Tensor>(std::move(v)) {}  // NOLINT
  const Tensor& single() const;  ///< throws std::invalid_argument unless there is exactly one
  /// Reads the single output as a Tensor; throws std::invalid_argument unless there is
  /// exactly one.
  operator const Tensor&() const { return single(); }  // NOLINT
  /// The shape of the single output (throws unless there is exactly one).
  const Shape& shape() const { return single().shape(); }
  /// The dtype of the single output (throws unless there is exactly one).
  DType dtype() const { return single().dtype(); }
};

/// The outputs of a symbolic call: a list that also acts as its single element when
/// the layer has one output (so `Dense(1)(Concatenate()({a, b}))` reads like Keras).
class KerasTensors : public std::vector<KerasTensor> {
 public:
  using std::vector<KerasTensor>::vector;
  /// Wraps a list of symbolic tensors.
  KerasTensors(std::vector<KerasTensor> v) : std::vector<KerasTensor>(std::move(v)) {}
  const KerasTensor& single() const;  ///< throws unless there is exactly one
  /// Reads the single output as a KerasTensor; throws unless there is exactly one.
  operator const KerasTensor&() const { return single(); }
  /// The shape of the single output (throws unless there is exactly one).
  const ShapeSpec& shape() const { return single().shape(); }
  /// The dtype of the single output (throws unless there is exactly one).
  DType dtype() const { return single().dtype(); }
};

/// How a layer is called: Keras's call arguments besides the inputs.
///   layer(x)                                  training inherited from the enclosing call
///   layer(x, true)                            training given
///   layer(x, {.mask = m, .kwargs = {...}})    a mask and extra keyword arguments
struct CallArgs {
  /// Unset: the enclosing layer call's value (a layer called from a model's call() sees
  /// the model's flag), else false.
  std::optional<bool> training{};
  /// One mask per input (undefined: none). Empty: each input's own keras_mask().
  std::vector<Tensor> masks{};
  /// Extra keyword arguments of the layer's call (scalars, strings, lists).
  Config kwargs = Config::object();
};

/// What a layer's call receives besides its inputs (see Layer::call).
struct CallContext {
  /// Whether the call is in training mode (resolved from CallArgs::training).
  bool training = false;
  std::vector<Tensor> masks{};  ///< one per input; undefined where the input has none
  /// The call's extra keyword arguments (CallArgs::kwargs).
  Config kwargs = Config::object();
  /// The mask of input i (undefined when none).
  Tensor mask(size_t i = 0) const { return i < masks.size() ? masks[i] : Tensor(); }
};

/// One call of a layer on symbolic inputs (with the arguments it was given, replayed
/// when the functional model runs).
struct Node {
  /// The layer that was called.
  std::shared_ptr<Layer> layer;
  /// Its symbolic inputs.
  std::vector<KerasTensor> inputs;
  /// How many outputs the call produced.
  int num_outputs = 1;
  /// The call arguments, given again when the graph is replayed.
  CallArgs args{};
};

}  // namespace layers
}  // namespace keras
