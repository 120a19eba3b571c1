// layout.h - Keras 3's device meshes and tensor layouts (keras.distribution.DeviceMesh,
// TensorLayout, LayoutMap), in keras-cpp-distribute:
//
//   keras::distribution::DeviceMesh mesh({2, 1}, {"batch", "model"});   // list_devices()
//   keras::distribution::LayoutMap layouts(mesh);
//   layouts.set(".*dense.*kernel", {std::nullopt, "model"});
//   std::optional<TensorLayout> l = layouts["sequential/dense/kernel"];
//
// A device is named "<type>:<id>" ("cpu:0", "gpu:1"), as list_devices() gives them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace keras::distribution {

/// The mesh axis a DataParallel distribution splits the batch over (Keras's
/// DEFAULT_BATCH_DIM_NAME).
inline const std::string DEFAULT_BATCH_DIM_NAME = "batch";

/// keras.distribution.DeviceMesh: devices arranged in a grid whose axes have names.
class DeviceMesh {
 public:
  /// `devices` (row-major; empty: list_devices()) arranged as `shape`, one name per axis.
  /// std::invalid_argument when shape or axis_names is empty, their sizes differ, an axis
  /// is not positive, the product of the shape is not the number of devices, or a device
  /// or axis name repeats (Keras's messages for the first three).
  DeviceMesh(std::vector<int64_t> shape, std::vector<std::string> axis_names, std::vector<std::string> devices = {});
  /// The grid's shape.
  const std::vector<int64_t>& shape() const { return shape_; }
  /// The axes' names.
  const std::vector<std::string>& axis_names() const { return axis_names_; }
  /// The devices, row-major over shape().
  const std::vector<std::string>& devices() const { return devices_; }
  /// The number of devices.
  int64_t size() const { return int64_t(devices_.size()); }
  /// The position of axis `name`; std::invalid_argument naming the axes when absent.
  size_t axis_index(const std::string& name) const;
  /// The coordinates of `device` in the grid, or nullopt when it is not in the mesh.
  std::optional<std::vector<int64_t>> coordinates(const std::string& device) const;
  /// Keras's repr: "<DeviceMesh shape=(2,), axis_names=['batch']>".
  std::string str() const;
  /// Same shape, axis names and devices.
  bool operator==(const DeviceMesh& other) const;

 private:
  std::vector<int64_t> shape_;
  std::vector<std::string> axis_names_;
  std::vector<std::string> devices_;
};

/// One axis of a TensorLayout: a mesh axis name, or nullopt (not sharded; Keras's None).
using LayoutAxis = std::optional<std::string>;

/// keras.distribution.TensorLayout: for each tensor axis, the mesh axis it is split over
/// (or none), on a device mesh that may be given later.
class TensorLayout {
 public:
  /// std::invalid_argument when `device_mesh` is given and an axis name is not one of its
  /// axes (Keras's message).
  explicit TensorLayout(std::vector<LayoutAxis> axes, std::optional<DeviceMesh> device_mesh = std::nullopt);
  /// The axes.
  const std::vector<LayoutAxis>& axes() const { return axes_; }
  /// The mesh, if set.
  const std::optional<DeviceMesh>& device_mesh() const { return mesh_; }
  /// Sets the mesh (Keras's device_mesh setter): std::invalid_argument when one is set
  /// already ("Cannot override device mesh value") or an axis is not the mesh's.
  void set_device_mesh(DeviceMesh mesh);
  /// Keras's repr: "<TensorLayout axes=('batch', None), device_mesh=<DeviceMesh ...>>".
  std::string str() const;

 private:
  void validate() const;
  std::vector<LayoutAxis> axes_;
  std::optional<DeviceMesh> mesh_;
};

/// keras.distribution.LayoutMap: keys (variable or tensor paths, or regular expressions)
/// to TensorLayouts on one device mesh. A lookup takes the exact key, else the one key
/// that matches the whole path as an ECMAScript regular expression (Keras's
/// re.fullmatch), else nothing.
class LayoutMap {
 public:
  /// Layouts set without a mesh take `device_mesh`.
  explicit LayoutMap(std::optional<DeviceMesh> device_mesh);
  /// The layout of `path` (see above); std::invalid_argument when several keys match it
  /// (Keras's message, naming them).
  std::optional<TensorLayout> operator[](const std::string& path) const;
  /// Adds `key`: std::invalid_argument when it is there already (Keras's message) or is
  /// not a valid regular expression. The layout takes the map's mesh if it has none.
  void set(const std::string& key, TensorLayout layout);
  /// Keras's tuple shortcut: set(key, TensorLayout(axes)).
  void set(const std::string& key, std::vector<LayoutAxis> axes) { set(key, TensorLayout(std::move(axes))); }
  /// Removes `key`; returns whether it was there.
  bool erase(const std::string& key);
  /// Whether `key` is a key (no pattern matching).
  bool contains(const std::string& key) const;
  /// The number of keys.
  size_t size() const { return entries_.size(); }
  /// The keys, in the order they were set.
  std::vector<std::string> keys() const;
  /// The mesh.
  const std::optional<DeviceMesh>& device_mesh() const { return mesh_; }

 private:
  std::optional<DeviceMesh> mesh_;
  std::vector<std::pair<std::string, TensorLayout>> entries_;
};

}  // namespace keras::distribution
