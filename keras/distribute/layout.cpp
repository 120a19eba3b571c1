// layout.cpp - DeviceMesh, TensorLayout and LayoutMap (keras.distribution's), with
// Keras's checks and messages.
#include "keras/distribute/layout.h"

#include <algorithm>
#include <regex>
#include <set>
#include <stdexcept>

#include "keras/distribute/distribution.h"

namespace keras::distribution {
namespace {
// Python's repr of a tuple of ints: "(2,)", "(2, 4)".
std::string tuple_repr(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}
// Python's repr of a list of strings: "['batch', 'model']".
std::string list_repr(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", '" : "'") + v[i] + "'";
  return s + "]";
}
// Python's repr of a set of strings, in the order given: "{'batch', 'model'}".
std::string set_repr(const std::vector<std::string>& v) {
  if (v.empty()) return "set()";
  const std::string l = list_repr(v);
  return "{" + l.substr(1, l.size() - 2) + "}";
}
}  // namespace

// ---- DeviceMesh -------------------------------------------------------------------------
DeviceMesh::DeviceMesh(std::vector<int64_t> shape, std::vector<std::string> axis_names, std::vector<std::string> devices)
    : shape_(std::move(shape)), axis_names_(std::move(axis_names)), devices_(std::move(devices)) {
  const std::string received = "Received: shape=" + tuple_repr(shape_) + ", axis_names=" + list_repr(axis_names_);
  if (shape_.empty() || axis_names_.empty())
    throw std::invalid_argument("Shape and axis_names cannot be empty. " + received);
  if (shape_.size() != axis_names_.size())
    throw std::invalid_argument("Shape and axis_names should have same size. " + received);
  int64_t n = 1;
  for (int64_t d : shape_) {
    if (d < 1) throw std::invalid_argument("DeviceMesh: expected positive axis sizes. " + received);
    n *= d;
  }
  if (devices_.empty()) devices_ = list_devices();
  if (n != int64_t(devices_.size()))
    throw std::invalid_argument("Shape does not match the number of devices. Received: shape=" + tuple_repr(shape_) +
                                "; devices.shape=" + tuple_repr({int64_t(devices_.size())}));
  if (std::set<std::string>(axis_names_.begin(), axis_names_.end()).size() != axis_names_.size())
    throw std::invalid_argument("DeviceMesh: expected distinct axis names, received " + list_repr(axis_names_));
  if (std::set<std::string>(devices_.begin(), devices_.end()).size() != devices_.size())
    throw std::invalid_argument("DeviceMesh: expected distinct devices, received " + list_repr(devices_));
}

size_t DeviceMesh::axis_index(const std::string& name) const {
  auto it = std::find(axis_names_.begin(), axis_names_.end(), name);
  if (it == axis_names_.end())
    throw std::invalid_argument("DeviceMesh: no axis named '" + name + "'; its axes are " + list_repr(axis_names_));
  return size_t(it - axis_names_.begin());
}

std::optional<std::vector<int64_t>> DeviceMesh::coordinates(const std::string& device) const {
  auto it = std::find(devices_.begin(), devices_.end(), device);
  if (it == devices_.end()) return std::nullopt;
  int64_t flat = it - devices_.begin();
  std::vector<int64_t> c(shape_.size());
  for (size_t i = shape_.size(); i-- > 0;) {
    c[i] = flat % shape_[i];
    flat /= shape_[i];
  }
  return c;
}

std::string DeviceMesh::str() const {
  return "<DeviceMesh shape=" + tuple_repr(shape_) + ", axis_names=" + list_repr(axis_names_) + ">";
}

bool DeviceMesh::operator==(const DeviceMesh& o) const {
  return shape_ == o.shape_ && axis_names_ == o.axis_names_ && devices_ == o.devices_;
}

// ---- TensorLayout -----------------------------------------------------------------------
TensorLayout::TensorLayout(std::vector<LayoutAxis> axes, std::optional<DeviceMesh> device_mesh)
    : axes_(std::move(axes)), mesh_(std::move(device_mesh)) {
  validate();
}

void TensorLayout::set_device_mesh(DeviceMesh mesh) {
  if (mesh_) throw std::invalid_argument("Cannot override device mesh value. Existing value is " + mesh_->str());
  mesh_ = std::move(mesh);
  validate();
}

void TensorLayout::validate() const {
  if (!mesh_) return;
  std::vector<std::string> unknown;
  for (const LayoutAxis& a : axes_)
    if (a && std::find(mesh_->axis_names().begin(), mesh_->axis_names().end(), *a) == mesh_->axis_names().end() &&
        std::find(unknown.begin(), unknown.end(), *a) == unknown.end())
      unknown.push_back(*a);
  if (unknown.empty()) return;
  std::vector<std::string> named;
  for (const LayoutAxis& a : axes_)
    if (a && std::find(named.begin(), named.end(), *a) == named.end()) named.push_back(*a);
  throw std::invalid_argument("Invalid axis names for Layout. Valid axis names: " + set_repr(mesh_->axis_names()) +
                              ", Got " + set_repr(named));
}

std::string TensorLayout::str() const {
  std::string s = "<TensorLayout axes=(";
  for (size_t i = 0; i < axes_.size(); ++i) s += (i ? ", " : "") + (axes_[i] ? "'" + *axes_[i] + "'" : "None");
  s += axes_.size() == 1 ? ",)" : ")";
  return s + ", device_mesh=" + (mesh_ ? mesh_->str() : "None") + ">";
}

// ---- LayoutMap --------------------------------------------------------------------------
LayoutMap::LayoutMap(std::optional<DeviceMesh> device_mesh) : mesh_(std::move(device_mesh)) {}

std::optional<TensorLayout> LayoutMap::operator[](const std::string& path) const {
  for (const auto& [key, layout] : entries_)
    if (key == path) return layout;
  std::vector<std::string> matching;
  const TensorLayout* found = nullptr;
  for (const auto& [key, layout] : entries_)
    if (std::regex_match(path, std::regex(key, std::regex::ECMAScript))) {
      matching.push_back(key);
      found = &layout;
    }
  if (matching.size() > 1)
    throw std::invalid_argument("Path '" + path + "' matches multiple layout specification keys: " +
                                list_repr(matching) +
                                ". Please make sure each tensor/variable path only matches at most one layout "
                                "specification key in the LayoutMap.");
  if (found) return *found;
  return std::nullopt;
}

void LayoutMap::set(const std::string& key, TensorLayout layout) {
  for (const auto& [k, existing] : entries_)
    if (k == key)
      throw std::invalid_argument(key + " already exist in the LayoutMap with value " + existing.str() +
                                  ". Please make sure to not use duplicated keys.");
  try {
    std::regex check(key, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("LayoutMap: the key '" + key + "' is not a valid regular expression (" + e.what() +
                                ")");
  }
  if (!layout.device_mesh() && mesh_) layout.set_device_mesh(*mesh_);
  entries_.emplace_back(key, std::move(layout));
}

bool LayoutMap::erase(const std::string& key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->first == key) {
      entries_.erase(it);
      return true;
    }
  return false;
}

bool LayoutMap::contains(const std::string& key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == key; });
}

std::vector<std::string> LayoutMap::keys() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.first);
  return out;
}

}  // namespace keras::distribution
