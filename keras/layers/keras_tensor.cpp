// keras_tensor.cpp - symbolic tensors of the functional API, shape strings, and the
// unique default names of layers.
#include <cctype>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "keras/layers/layer.h"

namespace keras::layers {

std::string shape_str(const ShapeSpec& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r += ", ";
    r += s[i] < 0 ? "None" : std::to_string(s[i]);
  }
  if (s.size() == 1) r += ",";
  return r + ")";
}

ShapeSpec spec_of(const Shape& s) { return s.dims(); }

// ---- names ------------------------------------------------------------------------------
namespace {
std::mutex g_names_mu;
std::unordered_map<std::string, int>& name_counts() {
  static auto* m = new std::unordered_map<std::string, int>();
  return *m;
}
}  // namespace

std::string snake_case(const std::string& c) {
  std::string out;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    if (std::isupper(static_cast<unsigned char>(ch))) {
      // Keras's to_snake_case: "_" before an upper-case letter that follows a lower-case
      // one or starts a capitalized word ("Conv2D" -> conv2d, "PReLU" -> p_re_lu).
      bool prev_lower = i > 0 && std::islower(static_cast<unsigned char>(c[i - 1]));
      bool next_lower = i + 1 < c.size() && std::islower(static_cast<unsigned char>(c[i + 1]));
      if (i > 0 && (prev_lower || next_lower))
        out += '_';
      out += char(std::tolower(static_cast<unsigned char>(ch)));
    } else {
      out += ch;
    }
  }
  return out;
}

std::string unique_name(const std::string& base) {
  std::lock_guard<std::mutex> lock(g_names_mu);
  int n = name_counts()[base]++;
  return n == 0 ? base : base + "_" + std::to_string(n);
}

int64_t next_uid(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(g_names_mu);
  return ++name_counts()[prefix];
}

void reset_uids() {
  std::lock_guard<std::mutex> lock(g_names_mu);
  name_counts().clear();
}

// ---- KerasTensor --------------------------------------------------------------------------
struct KerasTensor::Impl {
  ShapeSpec shape;
  DType dtype;
  std::shared_ptr<Node> node;
  int index;
  std::string name;
};

KerasTensor::KerasTensor(ShapeSpec shape, DType dtype, std::shared_ptr<Node> node, int index,
                         std::string name)
    : impl_(std::make_shared<Impl>(Impl{std::move(shape), dtype, std::move(node), index, std::move(name)})) {}

namespace {
const auto& kt(const std::shared_ptr<KerasTensor::Impl>& p) {
  if (!p) throw std::invalid_argument("KerasTensor: the symbolic tensor is undefined");
  return *p;
}
}  // namespace
const ShapeSpec& KerasTensor::shape() const { return kt(impl_).shape; }
DType KerasTensor::dtype() const { return kt(impl_).dtype; }
const std::string& KerasTensor::name() const { return kt(impl_).name; }
const std::shared_ptr<Node>& KerasTensor::node() const { return kt(impl_).node; }
int KerasTensor::index() const { return kt(impl_).index; }

}  // namespace keras::layers
