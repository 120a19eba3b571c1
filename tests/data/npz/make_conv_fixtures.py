"""Writes tests/data/conv/*.npz: Keras 3's outputs of the convolution and pooling layers
on fixed inputs and weights, for tests/keras/test_conv_layers.cpp (which builds the same
layers in keras-cpp). Run by hand in a venv with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_conv_fixtures.py

Each file holds x (the input), w0, w1, ... (the layer's weights, Keras's order and
shapes) and y (Keras's output), float32; configs.json the class name and config keys of each.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conv")

# name -> (layer, input shape with the batch axis). Keep these in step with the C++ test.
CASES = {
    "conv1d_causal_dilated": (lambda: layers.Conv1D(4, 3, padding="causal", dilation_rate=2), (2, 9, 3)),
    "conv1d_same_strides": (lambda: layers.Conv1D(3, 4, strides=2, padding="same"), (2, 9, 2)),
    "conv2d_same_strides_relu": (
        lambda: layers.Conv2D(4, (3, 2), strides=(2, 1), padding="same", activation="relu"), (2, 7, 6, 3)),
    "conv2d_groups_dilated": (lambda: layers.Conv2D(6, 3, groups=3, dilation_rate=(2, 1)), (2, 8, 7, 3)),
    "conv3d_same_no_bias": (lambda: layers.Conv3D(2, 2, padding="same", use_bias=False), (1, 4, 5, 3, 2)),
    "max_pooling1d_same": (lambda: layers.MaxPooling1D(3, strides=2, padding="same"), (2, 9, 3)),
    "max_pooling2d_valid": (lambda: layers.MaxPooling2D((2, 3), strides=(2, 1)), (2, 7, 6, 3)),
    "max_pooling3d_same": (lambda: layers.MaxPooling3D(2, padding="same"), (1, 5, 4, 3, 2)),
    "average_pooling1d_same": (lambda: layers.AveragePooling1D(4, strides=1, padding="same"), (2, 7, 2)),
    "average_pooling2d_same": (lambda: layers.AveragePooling2D(3, strides=2, padding="same"), (2, 7, 6, 3)),
    "average_pooling3d_valid": (lambda: layers.AveragePooling3D((2, 2, 1)), (1, 5, 4, 3, 2)),
    "global_average_pooling2d_keepdims": (lambda: layers.GlobalAveragePooling2D(keepdims=True), (2, 5, 4, 3)),
    "global_max_pooling1d": (lambda: layers.GlobalMaxPooling1D(), (2, 6, 3)),
    "global_max_pooling3d": (lambda: layers.GlobalMaxPooling3D(), (1, 3, 4, 2, 3)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2024)
    configs = {}
    for name, (make, shape) in CASES.items():
        layer = make()
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        layer.build(shape)
        weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()]
        layer.set_weights(weights)
        y = keras.ops.convert_to_numpy(layer(x))
        arrays = {"x": x, "y": y.astype(np.float32)}
        arrays.update({f"w{i}": w for i, w in enumerate(weights)})
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
        configs[name] = {"class_name": layer.__class__.__name__, "config_keys": sorted(layer.get_config())}
        print(name, layer.__class__.__name__, x.shape, "->", y.shape)
    with open(os.path.join(OUT, "configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
