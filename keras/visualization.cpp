// visualization.cpp - draw_segmentation_masks on the host: Keras 3's palette, one-hot range,
// float32 blend and truncating cast to uint8.
#include "keras/visualization.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "core/ops.h"
#include "keras/settings.h"

namespace keras::visualization {
namespace ops = core::ops;

Tensor draw_segmentation_masks(const Tensor& images, const Tensor& segmentation_masks,
                               const DrawSegmentationMasksOptions& o) {
  if (images.rank() != 4)
    throw std::invalid_argument("draw_segmentation_masks: `images` must be batched 4D tensor. Received: images.shape=" +
                                images.shape().str());
  if (!core::is_integer(segmentation_masks.dtype()))
    throw std::invalid_argument(
        "draw_segmentation_masks: `segmentation_masks` must be in integer dtype. Received: segmentation_masks.dtype=" +
        std::string(core::dtype_name(segmentation_masks.dtype())));
  const std::string format = o.data_format.empty() ? config::image_data_format() : o.data_format;
  const bool first = ops::is_channels_first(format, "draw_segmentation_masks");
  Tensor img = first ? ops::transpose(images, {0, 2, 3, 1}) : images;
  Tensor masks = segmentation_masks;
  if (masks.rank() == 4 && first) masks = ops::transpose(masks, {0, 2, 3, 1});
  const Shape s = img.shape();
  const int64_t b = s[0], h = s[1], w = s[2];
  if (s[3] != 3)
    throw std::invalid_argument("draw_segmentation_masks: expected RGB images (3 channels), but received images of "
                                "shape " + images.shape().str());
  const bool mask_ok = (masks.rank() == 4 && masks.shape()[3] == 1) || masks.rank() == 3;
  if (!mask_ok || masks.shape()[0] != b || masks.shape()[1] != h || masks.shape()[2] != w)
    throw std::invalid_argument("draw_segmentation_masks: expected segmentation_masks of shape (" + std::to_string(b) +
                                ", " + std::to_string(h) + ", " + std::to_string(w) + ", 1) for images of shape " +
                                images.shape().str() + ", but received " + segmentation_masks.shape().str());

  const std::vector<int64_t> m = ops::cast(masks, DType::int64).to_vector<int64_t>();
  int64_t num_classes = 0;
  if (o.num_classes) {
    num_classes = *o.num_classes;
  } else {
    if (m.empty()) throw std::invalid_argument("draw_segmentation_masks: cannot infer num_classes from empty masks");
    num_classes = *std::max_element(m.begin(), m.end());
  }
  std::vector<std::array<float, 3>> colors;
  for (int64_t i = 0; i < num_classes; ++i) {
    std::array<float, 3> c{};
    if (o.color_mapping.empty()) {
      const int64_t palette[3] = {(int64_t{1} << 25) - 1, (int64_t{1} << 15) - 1, (int64_t{1} << 21) - 1};
      for (int k = 0; k < 3; ++k) c[size_t(k)] = float((i * palette[k]) % 255);
    } else {
      auto it = o.color_mapping.find(i);
      if (it == o.color_mapping.end())
        throw std::invalid_argument("draw_segmentation_masks: color_mapping has no color for class " +
                                    std::to_string(i) + " (it needs one for each class 0 .. num_classes - 1 = " +
                                    std::to_string(num_classes - 1) + ")");
      for (int k = 0; k < 3; ++k) c[size_t(k)] = float(it->second[size_t(k)]);
    }
    colors.push_back(c);
  }

  const std::vector<float> px = ops::cast(img, DType::float32).to_vector<float>();
  const float keep = float(1.0 - o.alpha), over = float(o.alpha);
  std::vector<float> drawn(px);
  std::vector<uint8_t> blended(o.blend ? px.size() : 0);
  for (size_t p = 0; p < m.size(); ++p) {
    const int64_t c = m[p];
    const bool colored = c >= 0 && c < num_classes;
    for (size_t k = 0; k < 3; ++k) {
      const size_t i = p * 3 + k;
      if (colored) drawn[i] = colors[size_t(c)][k];
      if (o.blend) {
        const float v = c != o.ignore_index ? px[i] * keep + drawn[i] * over : px[i];
        blended[i] = uint8_t(std::clamp(v, 0.0f, 255.0f));  // a truncating cast, as Keras's
      }
    }
  }
  const Shape out{b, h, w, 3};
  return o.blend ? core::from_buffer(blended.data(), out, DType::uint8) : core::from_buffer(drawn.data(), out, DType::float32);
}

}  // namespace keras::visualization
