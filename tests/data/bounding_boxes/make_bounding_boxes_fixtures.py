"""Writes bounding_boxes.json: keras.utils.bounding_boxes (Keras 3) on small box sets, and
MaxNumBoundingBoxes / RandomFlip on {"images", "bounding_boxes"} data, for
tests/keras/test_bounding_boxes.cpp. Run with the oracle venv:
python make_bounding_boxes_fixtures.py"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import keras
from keras.utils import bounding_boxes as bb

FORMATS = ["xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh"]
H, W = 40.0, 60.0
boxes = np.array([[[4, 6, 30, 22], [10, 0, 59, 39], [-5, 12, 20, 50]],
                  [[0, 0, 10, 10], [25, 5, 35, 45], [50, 30, 70, 44]]], dtype="float32")


def arr(x):
    x = np.asarray(keras.ops.convert_to_numpy(x))
    return {"shape": list(x.shape), "values": [float(v) for v in x.reshape(-1)]}


out = {"height": H, "width": W, "boxes": arr(boxes)}
conv = {}
for src in FORMATS:
    # the boxes written in src (from xyxy), then to every target
    b_src = bb.convert_format(boxes.copy(), source="xyxy", target=src, height=H, width=W)
    conv[src] = {"input": arr(b_src)}
    for tgt in FORMATS:
        conv[src][tgt] = arr(bb.convert_format(b_src, source=src, target=tgt, height=H, width=W))
out["convert"] = conv

labels = np.array([[1, 2, 3], [4, 5, 6]], dtype="int32")
clipped = bb.clip_to_image_size({"boxes": boxes.copy(), "labels": labels.copy()}, height=H, width=W)
out["clip"] = {"boxes": arr(clipped["boxes"]), "labels": arr(clipped["labels"])}
degenerate = np.array([[[-10, -10, -2, 5], [70, 0, 80, 10], [5, 5, 5, 9]]], dtype="float32")
clipped = bb.clip_to_image_size({"boxes": degenerate, "labels": np.array([[7, 8, 9]], "int32")}, height=H, width=W)
out["clip_degenerate"] = {"boxes": arr(degenerate), "out_boxes": arr(clipped["boxes"]), "labels": arr(clipped["labels"])}
rel = bb.convert_format(boxes.copy(), "xyxy", "rel_xyxy", height=H, width=W)
clipped = bb.clip_to_image_size({"boxes": rel, "labels": labels.copy()}, bounding_box_format="rel_xyxy")
out["clip_rel"] = {"boxes": arr(rel), "out_boxes": arr(clipped["boxes"]), "labels": arr(clipped["labels"])}

f = lambda v: np.array(v, dtype="float32")
aff = dict(angle=f([30.0, -12.5]), translate_x=f([0.1, -0.2]), translate_y=f([0.05, 0.0]), scale=f([1.2, 0.8]),
           shear_x=f([0.0, 10.0]), shear_y=f([5.0, -3.0]))
out["affine"] = {k: [float(x) for x in v] for k, v in aff.items()}
out["affine"]["out"] = arr(bb.affine_transform(boxes.copy(), height=H, width=W, **aff))
out["affine"]["center_x"] = [0.25, 0.75]
out["affine"]["center_y"] = [0.5, 0.3]
out["affine"]["out_center"] = arr(bb.affine_transform(boxes.copy(), height=H, width=W, center_x=f([0.25, 0.75]),
                                                      center_y=f([0.5, 0.3]), **aff))
out["crop"] = arr(bb.crop(boxes.copy(), top=5, left=8, height=30, width=40))
out["pad"] = arr(bb.pad(boxes.copy(), top=5, left=8))

anchors = np.array([[0, 0, 20, 20], [10, 10, 40, 30], [30, 5, 60, 35]], dtype="float32")
gt = boxes
for name, kw in [("default", {}), ("variance", {"variance": [0.1, 0.1, 0.2, 0.2]}),
                 ("xywh", {"encoding_format": "center_xywh"})]:
    d = bb.encode_box_to_deltas(anchors, gt, anchor_format="xyxy", box_format="xyxy", **kw)
    dec_kw = dict(kw)
    if "encoding_format" in dec_kw:
        dec_kw["encoded_format"] = dec_kw.pop("encoding_format")
    back = bb.decode_deltas_to_boxes(anchors, d, anchor_format="xyxy", box_format="xywh", **dec_kw)
    out["deltas_" + name] = {"deltas": arr(d), "decoded_xywh": arr(back)}
out["anchors"] = arr(anchors)
d = bb.encode_box_to_deltas(anchors / 100.0, gt / 100.0, anchor_format="rel_xyxy", box_format="rel_yxyx",
                            image_shape=(H, W, 3))
out["deltas_rel"] = arr(d)

b1 = boxes[0]
b2 = np.array([[5, 5, 25, 25], [-1, -1, -1, -1], [10, 0, 59, 39], [0, 0, 1, 1]], dtype="float32")
out["iou"] = {"boxes2": arr(b2), "plain": arr(bb.compute_iou(b1, b2, "xyxy")),
              "masked": arr(bb.compute_iou(b1, b2, "xyxy", use_masking=True, mask_val=-1)),
              "batched": arr(bb.compute_iou(boxes, boxes, "xyxy")),
              "mixed": arr(bb.compute_iou(boxes, b2, "xyxy")),
              "yxyx": arr(bb.compute_iou(b1, b2, "yxyx"))}
pairs2 = np.array([[[5, 7, 28, 20], [12, 3, 50, 39], [0, 10, 25, 45]],
                   [[1, 1, 11, 9], [20, 5, 40, 40], [55, 31, 65, 44]]], dtype="float32")
out["ciou"] = {"boxes2": arr(pairs2), "out": arr(bb.compute_ciou(boxes, pairs2, "xyxy")),
               "xywh": arr(bb.compute_ciou(bb.convert_format(boxes, "xyxy", "xywh"),
                                           bb.convert_format(pairs2, "xyxy", "xywh"), "xywh"))}

# MaxNumBoundingBoxes: cut to 2 and padded to 5.
images = np.random.RandomState(0).randint(0, 255, (2, 8, 8, 3)).astype("float32")
for n in (2, 5):
    layer = keras.layers.MaxNumBoundingBoxes(max_number=n, fill_value=-1, bounding_box_format="xyxy")
    r = layer({"images": images, "bounding_boxes": {"boxes": boxes.copy(), "labels": labels.copy()}})
    out["max_num_%d" % n] = {"boxes": arr(r["bounding_boxes"]["boxes"]), "labels": arr(r["bounding_boxes"]["labels"])}
    out["max_num_%d" % n]["config"] = {k: v for k, v in layer.get_config().items() if k in ("max_number", "fill_value")}


# RandomFlip's box rule for a flipped image (the layer's transform_bounding_boxes with every
# flip on), in each mode, through the xyxy format.
def flip_boxes(mode, fmt, on=True):
    layer = keras.layers.RandomFlip(mode, bounding_box_format=fmt)
    flips = np.ones((2, 1, 1, 1), dtype=bool) if on else np.zeros((2, 1, 1, 1), dtype=bool)
    t = {"flips": flips, "input_shape": (2, int(H), int(W), 3)}
    src = bb.convert_format(boxes.copy(), "xyxy", fmt, height=H, width=W)
    r = layer.transform_bounding_boxes({"boxes": src, "labels": labels.copy()}, t, training=True)
    return {"input": arr(src), "boxes": arr(r["boxes"]), "labels": arr(r["labels"])}


out["flip"] = {m + "/" + fmt: flip_boxes(m, fmt) for m in ("horizontal", "vertical", "horizontal_and_vertical")
               for fmt in ("xyxy", "rel_xywh")}
out["noflip"] = {m + "/" + fmt: flip_boxes(m, fmt, on=False) for m in ("horizontal", "vertical", "horizontal_and_vertical")
                 for fmt in ("xyxy", "rel_xywh")}

# The affine layers with one-point factor ranges (a fixed transformation), xyxy boxes.
# (RandomShear's box rule in Keras shears the x and y edges one after the other, which is
# not the image's map; keras-cpp's boxes are the map's, checked against moved masks.)
def affine_boxes(layer, transformation=None):
    data = {"images": np.zeros((2, int(H), int(W), 3), "float32"),
            "bounding_boxes": {"boxes": boxes.copy(), "labels": labels.copy()}}
    if transformation is None:
        transformation = layer.get_random_transformation(data, training=True)
    r = layer.transform_bounding_boxes({"boxes": boxes.copy(), "labels": labels.copy()}, transformation, training=True)
    return {"boxes": arr(r["boxes"]), "labels": arr(r["labels"])}


out["affine_layers"] = {
    "rotation": affine_boxes(keras.layers.RandomRotation((0.1, 0.1), bounding_box_format="xyxy")),
    "translation": affine_boxes(keras.layers.RandomTranslation((0.1, 0.1), (-0.2, -0.2), bounding_box_format="xyxy")),
    "zoom": affine_boxes(keras.layers.RandomZoom((0.2, 0.2), (-0.1, -0.1), bounding_box_format="xyxy")),
}

# Resizing and CenterCrop on {"images", "bounding_boxes"} (deterministic layers).
def resized(layer):
    data = {"images": np.zeros((2, int(H), int(W), 3), "float32"),
            "bounding_boxes": {"boxes": boxes.copy(), "labels": labels.copy()}}
    r = layer(data)
    return {"boxes": arr(r["bounding_boxes"]["boxes"]), "labels": arr(r["bounding_boxes"]["labels"])}


out["resize_layers"] = {
    "stretch": resized(keras.layers.Resizing(30, 50, bounding_box_format="xyxy")),
    "crop": resized(keras.layers.Resizing(30, 30, crop_to_aspect_ratio=True, bounding_box_format="xyxy")),
    "pad": resized(keras.layers.Resizing(30, 30, pad_to_aspect_ratio=True, bounding_box_format="xyxy")),
    "pad_tall": resized(keras.layers.Resizing(40, 10, pad_to_aspect_ratio=True, bounding_box_format="xyxy")),
    "center_crop": resized(keras.layers.CenterCrop(30, 40, bounding_box_format="xyxy")),
    "center_crop_small": resized(keras.layers.CenterCrop(50, 50, bounding_box_format="xyxy")),
}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bounding_boxes.json"), "w") as fh:
    json.dump(out, fh, indent=None, separators=(",", ":"))
print("wrote bounding_boxes.json")
