// bounding_boxes.h - keras.utils.bounding_boxes: bounding boxes in Keras 3's formats and
// the functions the image layers and detection models use on them: format conversion,
// clipping to the image, crop and pad offsets, the affine map of the geometric layers,
// anchor deltas (encode / decode) and IoU / CIoU.
//
// Boxes are a floating tensor (..., 4): (num_boxes, 4) or (batch, num_boxes, 4). The
// formats (case-insensitive), as Keras:
//   "xyxy" [left, top, right, bottom]      "yxyx" [top, left, bottom, right]
//   "xywh" [left, top, width, height]      "center_xywh" [center_x, center_y, width, height]
//   "center_yxhw" [center_y, center_x, height, width]
//   "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh": the same divided by the
//   image's width (x) and height (y).
//
//   namespace bb = keras::utils::bounding_boxes;
//   Tensor xywh = bb::convert_format(boxes, "xyxy", "xywh");
//   Tensor rel = bb::convert_format(boxes, "xyxy", "rel_xyxy", {.height = 200, .width = 300});
//   Tensor iou = bb::compute_iou(boxes, boxes, "xyxy");   // (n, n)
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::utils::bounding_boxes {

using core::DType;
using core::Tensor;

/// Boxes and their labels (Keras's {"boxes": ..., "labels": ...} dict): boxes (..., n, 4),
/// labels (..., n) integers, -1 for a padding box.
struct BoundingBoxes {
  Tensor boxes;   ///< (..., n, 4)
  Tensor labels;  ///< (..., n)
};

/// The formats, in Keras's order ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
/// "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh").
const std::vector<std::string>& supported_formats();

/// convert_format's options (Keras's keyword arguments).
struct ConvertOptions {
  ///@{
  /// The image's height and width: needed when either format is relative.
  std::optional<double> height{}, width{};
  ///@}
  DType dtype = DType::float32;  ///< the boxes' dtype after conversion (floating)
};

/// keras.utils.bounding_boxes.convert_format: boxes (..., 4) from `source` to `target`
/// format, as `dtype`. std::invalid_argument for an unknown format (listing the formats),
/// a last axis other than 4, or a relative format without height and width.
Tensor convert_format(const Tensor& boxes, const std::string& source, const std::string& target,
                      const ConvertOptions& options = {});
/// The same for boxes with labels (the labels are kept).
BoundingBoxes convert_format(const BoundingBoxes& boxes, const std::string& source, const std::string& target,
                             const ConvertOptions& options = {});

/// clip_to_image_size's options.
struct ClipOptions {
  ///@{
  /// The image's height and width, needed for "xyxy".
  std::optional<double> height{}, width{};
  ///@}
  std::string bounding_box_format = "xyxy";  ///< "xyxy" or "rel_xyxy" (Keras's two)
};

/// keras.utils.bounding_boxes.clip_to_image_size: each coordinate clipped to [0, width]
/// or [0, height] ("rel_xyxy": [0, 1]); a box whose clipped area is not positive gets the
/// label -1.
BoundingBoxes clip_to_image_size(const BoundingBoxes& boxes, const ClipOptions& options = {});

/// keras.utils.bounding_boxes.affine_transform's transformation, one entry per image of the
/// batch (each a (batch,) tensor): the rotation angle and the shears in degrees, the
/// translations as fractions of the image, the scale, and the centre as fractions (0.5
/// when absent). The boxes move as the image does under the geometric layers' affine map.
struct AffineTransformation {
  ///@{
  /// Each (batch,).
  Tensor angle, translate_x, translate_y, scale, shear_x, shear_y;
  ///@}
  ///@{
  /// Each (batch,), or absent (0.5).
  std::optional<Tensor> center_x{}, center_y{};
  ///@}
};

/// keras.utils.bounding_boxes.affine_transform: xyxy boxes (batch, n, 4) through the
/// transformation (the four corners mapped, then their bounding box); height and width are
/// the image's. Only "xyxy" boxes, as Keras (std::invalid_argument otherwise).
Tensor affine_transform(const Tensor& boxes, const AffineTransformation& transformation, double height, double width,
                        const std::string& bounding_box_format = "xyxy");

/// keras.utils.bounding_boxes.crop: xyxy boxes moved by (-left, -top) and clipped to the
/// crop's [0, width] x [0, height].
Tensor crop(const Tensor& boxes, double top, double left, double height, double width,
            const std::string& bounding_box_format = "xyxy");
/// keras.utils.bounding_boxes.pad: xyxy boxes moved by (left, top).
Tensor pad(const Tensor& boxes, double top, double left, const std::string& bounding_box_format = "xyxy");

/// encode_box_to_deltas's and decode_deltas_to_boxes's options.
struct DeltaOptions {
  /// The format deltas are computed in: "center_yxhw" (default) or "center_xywh".
  std::string encoding_format = "center_yxhw";
  /// 4 factors the deltas are divided by (encode) or multiplied by (decode); empty: none.
  std::vector<double> variance{};
  /// The image's (height, width), needed for relative box or anchor formats.
  std::optional<std::pair<double, double>> image_size{};
};

/// keras.utils.bounding_boxes.encode_box_to_deltas: the offsets of boxes (n, 4) or
/// (batch, n, 4) from anchors (n, 4): centre offsets over the anchor's size and the log
/// of the size ratios (sizes at least epsilon), in options.encoding_format's order.
Tensor encode_box_to_deltas(const Tensor& anchors, const Tensor& boxes, const std::string& anchor_format,
                            const std::string& box_format, const DeltaOptions& options = {});
/// keras.utils.bounding_boxes.decode_deltas_to_boxes: the inverse (boxes in box_format).
Tensor decode_deltas_to_boxes(const Tensor& anchors, const Tensor& deltas, const std::string& anchor_format,
                              const std::string& box_format, const DeltaOptions& options = {});
/// The same per feature-pyramid level (anchors and deltas with the same keys).
std::map<std::string, Tensor> decode_deltas_to_boxes(const std::map<std::string, Tensor>& anchors,
                                                     const std::map<std::string, Tensor>& deltas,
                                                     const std::string& anchor_format, const std::string& box_format,
                                                     const DeltaOptions& options = {});

/// compute_iou's options.
struct IouOptions {
  /// Whether boxes with every coordinate negative (padding) get mask_val.
  bool use_masking = false;
  double mask_val = -1;  ///< the IoU given to masked pairs
  std::optional<std::pair<double, double>> image_size{};  ///< (height, width), for relative formats
};

/// keras.utils.bounding_boxes.compute_iou: the pairwise IoU table of boxes1 (m, 4) or
/// (batch, m, 4) and boxes2 (n, 4) or (batch, n, 4): (m, n) or (batch, m, n).
Tensor compute_iou(const Tensor& boxes1, const Tensor& boxes2, const std::string& bounding_box_format,
                   const IouOptions& options = {});
/// keras.utils.bounding_boxes.compute_ciou: the complete IoU of matching boxes (..., 4),
/// (...): IoU minus the normalized centre distance and the aspect-ratio term.
/// Relative formats raise std::invalid_argument, as in Keras.
Tensor compute_ciou(const Tensor& boxes1, const Tensor& boxes2, const std::string& bounding_box_format);

}  // namespace keras::utils::bounding_boxes
