// tensor_impl.h - (engine-internal) what a Tensor handle points to.
// Elements are always dense and row-major; a view (reshape) shares the storage.
#pragma once
#include <memory>

#include "core/storage.h"
#include "core/tensor.h"

namespace keras::core {

class TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, std::size_t offset, Shape shape, DType dtype)
      : storage_(std::move(storage)), offset_(offset), shape_(std::move(shape)), dtype_(dtype) {}

  const std::shared_ptr<Storage>& storage() const { return storage_; }
  std::size_t offset() const { return offset_; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  void* data() const { return static_cast<char*>(storage_->data()) + offset_; }
  // Tensor::keras_mask() (metadata, not part of the value).
  std::shared_ptr<TensorImpl> keras_mask;

 private:
  std::shared_ptr<Storage> storage_;
  std::size_t offset_;
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
