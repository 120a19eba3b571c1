// device_scope_testing.h - engine-internal, for tests only: a device scope that skips the
// check that its device exists (not part of the public API; keras/keras.h does not reach it).
//
// Inside UncheckedDeviceScope(Device::cuda(0)) on a machine without a GPU, every tensor the
// scope places (fill, zeros, ones, range, linspace, eye, the random ops) fails to allocate,
// while ops that follow their inputs succeed on CPU inputs. tests/core/test_device_following.cpp
// uses it to catch composed ops whose helper tensors land on the current device instead of
// their inputs' device (on a GPU machine: "all inputs must be on one device").
#pragma once
#include "core/device.h"

namespace keras::core::detail {

/// As DeviceScope, without check_device_exists(): current_device() on this thread is
/// `device` while it lives, even when `device` does not exist. Tests only.
class UncheckedDeviceScope {
 public:
  /// Enters the scope of `device`, existing or not.
  explicit UncheckedDeviceScope(Device device);
  /// Leaves it: the enclosing scope (or the default) applies again.
  ~UncheckedDeviceScope();
  UncheckedDeviceScope(const UncheckedDeviceScope&) = delete;             ///< not copyable
  UncheckedDeviceScope& operator=(const UncheckedDeviceScope&) = delete;  ///< not assignable

 private:
  Device previous_;
  bool had_previous_;
};

}  // namespace keras::core::detail
