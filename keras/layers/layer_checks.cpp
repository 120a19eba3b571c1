// layer_checks.cpp - Layer::check_inputs: a call's input shapes against the layer's
// InputSpec (Keras's assert_input_compatibility), with Keras's messages.
#include <stdexcept>
#include <string>

#include "keras/layers/layer.h"

namespace keras::layers {

void Layer::check_inputs(const std::vector<ShapeSpec>& shapes) const {
  const InputSpec& s = input_spec;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const ShapeSpec& sh = shapes[i];
    const int64_t r = static_cast<int64_t>(sh.size());
    std::string where = shapes.size() > 1 ? " of input " + std::to_string(i) : "";
    if (s.ndim >= 0 && r != s.ndim)
      throw std::invalid_argument(name_ + ": expected ndim=" + std::to_string(s.ndim) + where +
                                  ", but received input with shape " + shape_str(sh) +
                                  " (ndim=" + std::to_string(r) + ")");
    if (s.min_ndim >= 0 && r < s.min_ndim)
      throw std::invalid_argument(name_ + ": expected min_ndim=" + std::to_string(s.min_ndim) +
                                  where + ", but received input with shape " + shape_str(sh) +
                                  " (ndim=" + std::to_string(r) + ")");
    for (auto [axis, size] : s.axes) {
      int64_t a = axis < 0 ? axis + r : axis;
      if (a < 0 || a >= r) continue;
      int64_t got = sh[static_cast<size_t>(a)];
      if (got >= 0 && got != size)
        throw std::invalid_argument(name_ + ": expected axis " + std::to_string(axis) + where +
                                    " of input shape to have value " + std::to_string(size) +
                                    ", but received input with shape " + shape_str(sh));
    }
  }
}

}  // namespace keras::layers
