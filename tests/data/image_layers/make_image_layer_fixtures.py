"""Writes image_layers.json: Keras 3's outputs (in training) and configs of Equalization,
RandomGaussianBlur, RandomErasing and RandomColorJitter (fixed draws) and RandomShear (its two possible maps for fixed factors),
for tests/keras/test_image_filter_layers.cpp.
Run with the oracle venv: python make_image_layer_fixtures.py"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import keras

rng = np.random.default_rng(11)
x = np.round(rng.uniform(0, 255, size=(2, 4, 5, 3))).astype("float32")
x[:, :, :, 2] = np.clip(x[:, :, :, 2], 0, 80)  # a narrower channel
const = x.copy()
const[:, :, :, 1] = 17.0  # one bin only: kept


def run(layer, images):
    out = layer(images, training=True)
    return {"input": images.ravel().tolist(), "shape": list(images.shape),
            "output": np.asarray(out).ravel().tolist(), "config": layer.get_config()}


cases = {
    "eq_default": run(keras.layers.Equalization(), x),
    "eq_bins16": run(keras.layers.Equalization(bins=16), x),
    "eq_unit": run(keras.layers.Equalization(value_range=(0, 1)), x / 255.0),
    "eq_constant": run(keras.layers.Equalization(bins=64), const),
    "blur_fixed": run(keras.layers.RandomGaussianBlur(factor=(1, 1), sigma=(0.7, 0.7)), x),
    "blur_k53": run(keras.layers.RandomGaussianBlur(factor=(1.0, 1.0), kernel_size=(5, 3), sigma=(0.45, 0.45),
                                                    value_range=(10, 200), seed=3), x),
    "blur_never": run(keras.layers.RandomGaussianBlur(factor=(0, 0), value_range=(0, 100)), x),
    "erase_all": run(keras.layers.RandomErasing(factor=(1, 1), scale=(1, 1), fill_value=[10, 20, 300]), x),
    "jitter_fixed": run(keras.layers.RandomColorJitter(brightness_factor=(0.1, 0.1), saturation_factor=(0.7, 0.7),
                                                       seed=4), x),
    "jitter_unit": run(keras.layers.RandomColorJitter(value_range=(0, 1), brightness_factor=(-0.2, -0.2),
                                                      saturation_factor=(0.25, 0.25)), x / 255.0),
    "erase_never": run(keras.layers.RandomErasing(factor=(0, 0), fill_value=7.0, value_range=(0, 1), seed=2), x),
}
# RandomShear with one-point factors: each image takes the map with +(sx, sy) or -(sx, sy),
# the sign drawn; Keras's affine_transform gives both, and Keras's layer picks one per image.
shear = keras.layers.RandomShear(x_factor=(0.3, 0.3), y_factor=(0.1, 0.1), seed=5)
out = np.asarray(shear(x, training=True))
both = []
for s in (1.0, -1.0):
    m = np.tile(np.array([[1, 0.3 * s, 0, 0.1 * s, 1, 0, 0, 0]], "float32"), (x.shape[0], 1))
    both.append(np.asarray(keras.ops.image.affine_transform(x, m, fill_mode="reflect")))
for i in range(x.shape[0]):  # (the layer's images are one of the two)
    assert min(np.abs(out[i] - b[i]).max() for b in both) < 1e-3
cases["shear"] = {"input": x.ravel().tolist(), "shape": list(x.shape), "plus": both[0].ravel().tolist(),
                  "minus": both[1].ravel().tolist(), "config": shear.get_config()}
for c in cases.values():
    c["config"] = json.loads(json.dumps(c["config"], default=list))
    c["config"].pop("dtype", None)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "image_layers.json"), "w") as f:
    json.dump(cases, f)
