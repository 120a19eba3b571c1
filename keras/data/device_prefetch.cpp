// device_prefetch.cpp - Dataset::prefetch_to_device (tf.data.experimental.prefetch_to_device):
// prefetch's producer thread also starts each element's copy to the device
// (core/device_upload.h: pinned staging, the device's copy stream), and the consumer
// receives device tensors whose kernels wait for the copies on the device, not on the host.
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/device_scope.h"
#include "core/device_upload.h"
#include "keras/data/dataset_impl.h"

namespace keras::data {
namespace detail {
namespace {

class DeviceStage : public PrefetchStage {
 public:
  explicit DeviceStage(Device device) : device_(device) {}
  std::shared_ptr<void> produce(Element& e) const override {
    auto upload = std::make_shared<core::DeviceUpload>(e.components(), device_);
    return upload;
  }
  void take(Element& e, const std::shared_ptr<void>& ticket) const override {
    std::vector<Tensor> on_device = static_cast<core::DeviceUpload*>(ticket.get())->take();
    e = e.named() ? Element(std::move(on_device), e.names()) : Element(std::move(on_device));
  }

 private:
  Device device_;
};

}  // namespace

std::shared_ptr<const PrefetchStage> make_device_stage(Device device) { return std::make_shared<DeviceStage>(device); }

}  // namespace detail

Dataset Dataset::prefetch_to_device(Device device, int64_t buffer_size) const {
  if (buffer_size < AUTOTUNE)
    throw std::invalid_argument("prefetch_to_device: expected buffer_size >= 1 or AUTOTUNE (-1), but received " +
                                std::to_string(buffer_size));
  core::check_device_exists(device, "prefetch_to_device");
  const int64_t depth = buffer_size == AUTOTUNE || buffer_size == 0 ? 2 : buffer_size;
  return detail::DatasetAccess::derive(*this, detail::make_prefetch_node(node_, depth, detail::make_device_stage(device)),
                                       [device, buffer_size](const Dataset& d) { return d.prefetch_to_device(device, buffer_size); });
}

}  // namespace keras::data
