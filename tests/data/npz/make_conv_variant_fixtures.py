"""Writes tests/data/conv_variants/*.npz: Keras 3's outputs of the transposed, depthwise
and separable convolution layers on fixed inputs and weights, for
tests/keras/test_conv_variant_layers.cpp (which builds the same layers in keras-cpp).
Run by hand in a venv with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_conv_variant_fixtures.py

Each file holds x (the input), w0, w1, ... (the layer's weights, Keras's order and
shapes), y (Keras's output) and, for the training check, g0, g1, ... (the gradients of
sum(y * r) with respect to each weight, r = a fixed random tensor also stored) and gx
(with respect to x), float32; configs.json the class name, config keys and weight names
of each.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conv_variants")

# name -> (layer, input shape with the batch axis). Keep these in step with the C++ test.
CASES = {
    "conv1d_transpose_valid_strides": (lambda: layers.Conv1DTranspose(4, 3, strides=2), (2, 5, 3)),
    "conv1d_transpose_same_output_padding": (
        lambda: layers.Conv1DTranspose(3, 4, strides=3, padding="same", output_padding=1), (2, 5, 2)),
    "conv1d_transpose_dilated": (lambda: layers.Conv1DTranspose(2, 3, padding="same", dilation_rate=2), (2, 6, 3)),
    "conv2d_transpose_same_strides_relu": (
        lambda: layers.Conv2DTranspose(4, (3, 2), strides=(2, 1), padding="same", activation="relu"), (2, 4, 5, 3)),
    "conv2d_transpose_same_even_kernel": (
        lambda: layers.Conv2DTranspose(2, 4, strides=2, padding="same"), (1, 3, 3, 2)),
    "conv2d_transpose_valid_output_padding": (
        lambda: layers.Conv2DTranspose(3, 3, strides=(3, 2), output_padding=(2, 1)), (2, 3, 4, 2)),
    "conv2d_transpose_dilated_no_bias": (
        lambda: layers.Conv2DTranspose(2, 2, dilation_rate=(2, 1), use_bias=False), (1, 4, 4, 3)),
    "conv3d_transpose_same": (lambda: layers.Conv3DTranspose(2, 2, strides=2, padding="same"), (1, 2, 3, 2, 2)),
    "conv3d_transpose_valid_output_padding": (
        lambda: layers.Conv3DTranspose(3, (2, 3, 1), strides=(1, 2, 2), output_padding=(0, 1, 1)), (1, 3, 2, 2, 2)),
    "depthwise_conv1d_same_strides_multiplier": (
        lambda: layers.DepthwiseConv1D(3, strides=2, padding="same", depth_multiplier=2), (2, 9, 3)),
    "depthwise_conv1d_dilated": (lambda: layers.DepthwiseConv1D(3, dilation_rate=2), (2, 9, 2)),
    "depthwise_conv2d_valid_relu": (
        lambda: layers.DepthwiseConv2D((3, 2), depth_multiplier=3, activation="relu"), (2, 6, 5, 2)),
    "depthwise_conv2d_strided_dilated": (
        lambda: layers.DepthwiseConv2D(3, strides=2, padding="same", dilation_rate=2, use_bias=False), (1, 9, 8, 3)),
    "separable_conv1d_same_multiplier": (
        lambda: layers.SeparableConv1D(4, 3, padding="same", depth_multiplier=2), (2, 8, 3)),
    "separable_conv2d_strides_relu": (
        lambda: layers.SeparableConv2D(5, 3, strides=(2, 1), activation="relu"), (2, 7, 6, 3)),
    "separable_conv2d_dilated_no_bias": (
        lambda: layers.SeparableConv2D(3, 2, padding="same", dilation_rate=2, depth_multiplier=2, use_bias=False),
        (1, 6, 6, 2)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2025)
    configs = {}
    for name, (make, shape) in CASES.items():
        layer = make()
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        layer.build(shape)
        weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()]
        layer.set_weights(weights)
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = layer(xt)
            r = rng.uniform(0.5, 1.5, y.shape).astype(np.float32)
            loss = tf.reduce_sum(y * r)
        grads = tape.gradient(loss, [xt] + [w.value for w in layer.weights])
        arrays = {"x": x, "y": keras.ops.convert_to_numpy(y).astype(np.float32), "r": r,
                  "gx": grads[0].numpy().astype(np.float32)}
        arrays.update({f"w{i}": w for i, w in enumerate(weights)})
        arrays.update({f"g{i}": g.numpy().astype(np.float32) for i, g in enumerate(grads[1:])})
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
        configs[name] = {"class_name": layer.__class__.__name__, "config_keys": sorted(layer.get_config()),
                         "weights": [w.name for w in layer.weights], "default_name": make().name.rstrip("_0123456789")}
        print(name, layer.__class__.__name__, x.shape, "->", arrays["y"].shape)
    with open(os.path.join(OUT, "configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
