// tensor_impl.h - (engine-internal) what a Tensor handle points to.
// Elements are always dense and row-major; a view (reshape) shares the storage.
// A string tensor keeps its elements as std::string in a host vector of its own (shared
// by its views); its Storage is an empty block that only names the device (the CPU).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/storage.h"
#include "core/tensor.h"

namespace keras::core {

class TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, std::size_t offset, Shape shape, DType dtype)
      : storage_(std::move(storage)), offset_(offset), shape_(std::move(shape)), dtype_(dtype) {}
  // A string tensor: elements [offset, offset + shape.num_elements()) of `strings`.
  TensorImpl(std::shared_ptr<std::vector<std::string>> strings, std::size_t offset, Shape shape)
      : storage_(std::make_shared<Storage>(0, Device::cpu())),
        strings_(std::move(strings)),
        offset_(offset),
        shape_(std::move(shape)),
        dtype_(DType::string) {}

  const std::shared_ptr<Storage>& storage() const { return storage_; }
  std::size_t offset() const { return offset_; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  // The first element: for a string tensor, a std::string* (null for a placeholder).
  void* data() const {
    if (strings_) return strings_->data() + offset_;
    return static_cast<char*>(storage_->data()) + offset_;
  }
  const std::shared_ptr<std::vector<std::string>>& strings() const { return strings_; }
  // Tensor::keras_mask() (metadata, not part of the value).
  std::shared_ptr<TensorImpl> keras_mask;

 private:
  std::shared_ptr<Storage> storage_;
  std::shared_ptr<std::vector<std::string>> strings_;  // string tensors only
  std::size_t offset_;  // bytes; elements for a string tensor
  Shape shape_;
  DType dtype_;
};

// A new, uninitialized tensor.
Tensor empty(const Shape& shape, DType dtype, Device device = Device::cpu());
// A tensor with a shape and a dtype but no memory: what a traced op returns (its kernel
// does not run while tracing). Its data must never be read.
Tensor placeholder(const Shape& shape, DType dtype, Device device = Device::cpu());
// A tensor of `shape` sharing t's storage (same element count required).
Tensor view_as(const Tensor& t, const Shape& shape);

}  // namespace keras::core
