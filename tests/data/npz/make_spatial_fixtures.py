"""Writes tests/data/spatial/*.npz: Keras 3's outputs of the spatial, resizing and
augmentation layers and of keras.ops.image.resize / affine_transform on fixed inputs, for
tests/keras/test_spatial_layers.cpp, tests/keras/test_augmentation_layers.cpp and
tests/core/test_image_ops.cpp (which build the same layers and calls in keras-cpp). Run
by hand in a venv with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_spatial_fixtures.py [resample]

(`resample` writes image_ops_resample.npz alone: resize's bicubic, lanczos and area.)

Each layer file holds x (the input) and y (Keras's output, with training as in CASES),
float32; image_ops.npz the inputs and outputs of the op calls; configs.json the class name
and config keys of each layer.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "spatial")

# name -> (layer, input shape with the batch axis, training). Keep these in step with the
# C++ tests. The random layers in training get a one-point factor range, so their output
# is deterministic (a fixed rotation, zoom, translation or contrast).
CASES = {
    "zero_padding1d": (lambda: layers.ZeroPadding1D((1, 2)), (2, 4, 3), False),
    "zero_padding2d": (lambda: layers.ZeroPadding2D(((1, 0), (2, 3))), (1, 3, 4, 2), False),
    "zero_padding3d": (lambda: layers.ZeroPadding3D((1, 0, 2)), (1, 2, 3, 2, 2), False),
    "cropping1d": (lambda: layers.Cropping1D((1, 2)), (2, 6, 3), False),
    "cropping2d": (lambda: layers.Cropping2D(((1, 0), (2, 1))), (1, 5, 6, 2), False),
    "cropping3d": (lambda: layers.Cropping3D(1), (1, 4, 4, 5, 2), False),
    "up_sampling1d": (lambda: layers.UpSampling1D(3), (2, 4, 3), False),
    "up_sampling2d": (lambda: layers.UpSampling2D((2, 3)), (1, 3, 4, 2), False),
    "up_sampling2d_bilinear": (lambda: layers.UpSampling2D((2, 3), interpolation="bilinear"), (1, 3, 4, 2), False),
    "up_sampling3d": (lambda: layers.UpSampling3D((2, 1, 2)), (1, 2, 3, 2, 2), False),
    "spatial_dropout1d": (lambda: layers.SpatialDropout1D(0.5, seed=1), (2, 4, 3), False),
    "spatial_dropout2d": (lambda: layers.SpatialDropout2D(0.5, seed=1), (2, 3, 4, 3), False),
    "spatial_dropout3d": (lambda: layers.SpatialDropout3D(0.5, seed=1), (1, 2, 3, 2, 3), False),
    "resizing_bilinear": (lambda: layers.Resizing(3, 7), (2, 5, 4, 2), False),
    "resizing_nearest": (lambda: layers.Resizing(7, 3, interpolation="nearest"), (2, 4, 5, 2), False),
    "resizing_crop": (lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True), (1, 6, 9, 2), False),
    "center_crop": (lambda: layers.CenterCrop(3, 4), (2, 6, 7, 2), False),
    "center_crop_upsize": (lambda: layers.CenterCrop(8, 5), (1, 6, 7, 2), False),
    "random_flip": (lambda: layers.RandomFlip(seed=1), (2, 4, 5, 3), False),
    "random_crop": (lambda: layers.RandomCrop(3, 4, seed=1), (2, 6, 7, 2), False),
    "random_contrast": (lambda: layers.RandomContrast(0.5, seed=1), (2, 4, 5, 3), False),
    "random_rotation": (lambda: layers.RandomRotation(0.2, seed=1), (2, 5, 6, 2), False),
    "random_zoom": (lambda: layers.RandomZoom(0.3, seed=1), (2, 5, 6, 2), False),
    "random_translation": (lambda: layers.RandomTranslation(0.2, 0.3, seed=1), (2, 5, 6, 2), False),
    "random_contrast_fixed": (lambda: layers.RandomContrast((-0.5, 0.5), value_range=(0, 1)), (2, 4, 5, 3), True),
    "random_rotation_fixed": (lambda: layers.RandomRotation((0.125, 0.125), fill_mode="constant", fill_value=0.5),
                              (2, 5, 6, 2), True),
    "random_rotation_fixed_reflect": (lambda: layers.RandomRotation((-0.1, -0.1)), (2, 5, 6, 2), True),
    "random_zoom_fixed": (lambda: layers.RandomZoom((-0.3, -0.3), (0.2, 0.2), fill_mode="wrap"), (2, 5, 6, 2), True),
    "random_zoom_fixed_nearest": (lambda: layers.RandomZoom((0.4, 0.4), interpolation="nearest"), (1, 6, 5, 2), True),
    "random_translation_fixed": (
        lambda: layers.RandomTranslation((0.2, 0.2), (-0.3, -0.3), fill_mode="nearest", interpolation="nearest"),
        (2, 5, 6, 2), True),
    "random_translation_fixed_constant": (
        lambda: layers.RandomTranslation((-0.25, -0.25), (0.1, 0.1), fill_mode="constant"), (1, 4, 6, 2), True),
}

# Cases added later, drawn from their own generator so the files above stay as they were.
LATER_CASES = {
    "resizing_pad_rows": (lambda: layers.Resizing(4, 4, pad_to_aspect_ratio=True, fill_value=0.5), (1, 6, 9, 2), False),
    "resizing_pad_columns": (lambda: layers.Resizing(5, 8, pad_to_aspect_ratio=True, interpolation="nearest"),
                             (2, 7, 4, 2), False),
    "resizing_antialias_down": (lambda: layers.Resizing(3, 4, antialias=True), (2, 9, 11, 2), False),
    "resizing_antialias_up": (lambda: layers.Resizing(7, 5, antialias=True), (1, 4, 3, 2), False),
    "resizing_antialias_pad": (lambda: layers.Resizing(4, 4, antialias=True, pad_to_aspect_ratio=True), (1, 5, 9, 1),
                               False),
}


def image_ops(rng):
    """keras.ops.image.resize and affine_transform on fixed inputs."""
    out = {}
    x = rng.uniform(-1, 1, (2, 5, 7, 3)).astype(np.float32)
    out["resize_x"] = x
    for i, size in enumerate([(3, 4), (8, 11), (5, 3), (1, 1)]):
        for interp in ("bilinear", "nearest"):
            y = keras.ops.image.resize(x, size, interpolation=interp)
            out[f"resize_{interp}_{i}"] = keras.ops.convert_to_numpy(y).astype(np.float32)
    xt = rng.uniform(0, 1, (2, 6, 7, 3)).astype(np.float32)
    out["affine_x"] = xt
    transforms = {
        # rotation by 30 degrees about the centre, then a shift
        "rotation": np.array([[0.866, -0.5, 2.1, 0.5, 0.866, -1.3, 0, 0],
                              [0.7, 0.2, -1.0, -0.3, 1.4, 0.5, 0, 0]], np.float32),
        # zoom out and far shifts (points far outside: every fill mode's periods)
        "zoom": np.array([[2.5, 0, -4.0, 0, 1.8, -3.0, 0, 0],
                          [-1.5, 0.3, 9.0, 0.1, -2.2, 11.0, 0, 0]], np.float32),
        # projective (c0, c1 set)
        "projective": np.array([[1.1, 0.1, 0.3, -0.2, 0.9, 0.4, 0.02, -0.03],
                                [0.9, 0, 0, 0, 0.9, 0, 0.05, 0.05]], np.float32),
    }
    for tname, t in transforms.items():
        out[f"affine_t_{tname}"] = t
        for fill in ("constant", "nearest", "wrap", "reflect"):
            for interp in ("bilinear", "nearest"):
                y = keras.ops.image.affine_transform(xt, t, interpolation=interp, fill_mode=fill, fill_value=0.25)
                out[f"affine_{tname}_{fill}_{interp}"] = keras.ops.convert_to_numpy(y).astype(np.float32)
    return out


def resample_ops(rng):
    """keras.ops.image.resize's "bicubic", "lanczos3", "lanczos5" and "area", shrinking and
    growing, with and without antialias, float32 and uint8 images."""
    out = {}
    x = rng.uniform(-1, 1, (2, 5, 7, 3)).astype(np.float32)
    out["x"] = x
    ints = rng.integers(0, 256, (1, 6, 5, 2)).astype(np.uint8)
    out["ints"] = ints
    for i, size in enumerate(RESAMPLE_SIZES):
        for interp in RESAMPLE_METHODS:
            for antialias in (False, True):
                y = keras.ops.image.resize(x, size, interpolation=interp, antialias=antialias)
                out[f"{interp}_{i}_{int(antialias)}"] = keras.ops.convert_to_numpy(y).astype(np.float32)
            y = keras.ops.image.resize(ints, size, interpolation=interp)
            out[f"{interp}_{i}_uint8"] = keras.ops.convert_to_numpy(y)
    return out


RESAMPLE_SIZES = [(3, 4), (8, 11), (5, 3), (1, 1), (10, 14)]
RESAMPLE_METHODS = ("bicubic", "lanczos3", "lanczos5", "area")


def main():
    os.makedirs(OUT, exist_ok=True)
    if sys.argv[1:] == ["resample"]:  # only image_ops_resample.npz (the other files keep their bytes)
        np.savez(os.path.join(OUT, "image_ops_resample.npz"), **resample_ops(np.random.default_rng(2027)))
        return
    rng = np.random.default_rng(2025)
    configs = {}

    def write_cases(cases, rng):
        for name, (make, shape, training) in cases.items():
            layer = make()
            x = rng.uniform(0, 1, shape).astype(np.float32)
            y = keras.ops.convert_to_numpy(layer(x, training=training))
            np.savez(os.path.join(OUT, name + ".npz"), x=x, y=y.astype(np.float32))
            configs[name] = {"class_name": layer.__class__.__name__, "config_keys": sorted(layer.get_config())}
            print(name, layer.__class__.__name__, x.shape, "->", y.shape)

    write_cases(CASES, rng)
    np.savez(os.path.join(OUT, "image_ops.npz"), **image_ops(rng))
    write_cases(LATER_CASES, np.random.default_rng(2026))
    with open(os.path.join(OUT, "configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
