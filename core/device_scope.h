// device_scope.h - where new tensors and variables are placed (TensorFlow's `tf.device`).
#pragma once
#include <utility>

#include "core/device.h"

namespace keras::core {

class Variable;

/// The device new values are placed on when nothing else decides: the innermost live
/// DeviceScope of the calling thread, else default_device(). Ops that make tensors from
/// nothing (fill, zeros, ones, range, linspace, eye, the random ops) allocate there, and a
/// Variable's initial value is moved there, so layers' weights, optimizers' iteration
/// counters and metrics' state follow the scope. Ops with inputs run where their inputs
/// live (inputs on two devices raise naming both), `zeros_like` and optimizer slots follow
/// the tensor they are made like, and `constant()` of host values stays on the CPU.
Device current_device();

/// Whether the calling thread is inside a DeviceScope.
bool in_device_scope();

/// The process's default device: the CPU unless set_default_device() or the environment
/// variable KERAS_CPP_DEVICE ("cpu", "gpu", "gpu:N", read at first use) says otherwise.
Device default_device();

/// Sets the default device for every thread. Throws std::invalid_argument naming the
/// device and the number of CUDA devices visible when `d` does not exist.
void set_default_device(Device d);

/// While it lives, current_device() on this thread is `device` (scopes nest; the
/// innermost wins), as `with tf.device("GPU:0"):`. Throws std::invalid_argument naming the
/// device and the number of CUDA devices visible when `device` does not exist.
class DeviceScope {
 public:
  /// Enters the scope of `device`.
  explicit DeviceScope(Device device);
  /// Leaves it: the enclosing scope (or the default) applies again.
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;             ///< not copyable
  DeviceScope& operator=(const DeviceScope&) = delete;  ///< not assignable

 private:
  Device previous_;
  bool had_previous_;
};

/// Calls f() inside DeviceScope(device) and returns its result (the callable form).
template <class F>
decltype(auto) with_device(Device device, F&& f) {
  DeviceScope scope(device);
  return std::forward<F>(f)();
}

/// Moves the value of `v` to `device` (the same variable, its value copied there), as
/// `model.to(device)` does for every weight; outside any traced function only: graphs
/// traced before keep the devices they were traced with. Throws as DeviceScope for a
/// device that does not exist, and std::invalid_argument inside a trace.
void move_variable(Variable& v, Device device);

/// Throws std::invalid_argument naming `what`, the device and the number of CUDA devices
/// visible unless `d` exists (the CPU always does).
void check_device_exists(Device d, const char* what);

}  // namespace keras::core
