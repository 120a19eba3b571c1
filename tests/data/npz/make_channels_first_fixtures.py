"""Writes tests/data/channels_first/*.npz: Keras 3's outputs of the layers that take a
`data_format`, built with data_format="channels_first", on fixed inputs and weights, for
tests/keras/test_channels_first.cpp (which builds the same layers in keras-cpp). Run by
hand in a venv with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_channels_first_fixtures.py

Each file holds x (the input, channels first), w0, w1, ... (the layer's weights, Keras's
order and shapes) and y (Keras's output), float32; for layers with several outputs y0,
y1, ... instead of y.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "channels_first")
CF = {"data_format": "channels_first"}

# name -> (layer, input shape with the batch axis, channels second). Keep these in step
# with the C++ test.
CASES = {
    "conv1d_same_strides": (lambda: layers.Conv1D(3, 4, strides=2, padding="same", **CF), (2, 2, 9)),
    "conv2d_softmax": (lambda: layers.Conv2D(4, (3, 2), padding="same", activation="softmax", **CF), (2, 3, 7, 6)),
    "conv3d_groups": (lambda: layers.Conv3D(4, 2, groups=2, **CF), (1, 2, 4, 5, 3)),
    "conv2d_transpose": (lambda: layers.Conv2DTranspose(2, 3, strides=2, padding="same", **CF), (2, 3, 4, 5)),
    "depthwise_conv2d": (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, **CF), (2, 3, 6, 5)),
    "separable_conv1d": (lambda: layers.SeparableConv1D(4, 3, padding="same", **CF), (2, 3, 8)),
    "max_pooling2d": (lambda: layers.MaxPooling2D((2, 3), strides=(2, 1), **CF), (2, 3, 7, 6)),
    "average_pooling3d_same": (lambda: layers.AveragePooling3D(2, padding="same", **CF), (1, 2, 5, 4, 3)),
    "average_pooling1d": (lambda: layers.AveragePooling1D(2, **CF), (2, 3, 7)),
    "global_average_pooling2d_keepdims": (lambda: layers.GlobalAveragePooling2D(keepdims=True, **CF), (2, 3, 5, 4)),
    "global_max_pooling1d": (lambda: layers.GlobalMaxPooling1D(**CF), (2, 3, 6)),
    "cropping2d": (lambda: layers.Cropping2D(((1, 2), (0, 1)), **CF), (2, 3, 6, 5)),
    "cropping3d": (lambda: layers.Cropping3D(1, **CF), (1, 2, 4, 5, 3)),
    "zero_padding2d": (lambda: layers.ZeroPadding2D(((1, 0), (2, 1)), **CF), (2, 3, 3, 4)),
    "zero_padding1d": (lambda: layers.ZeroPadding1D(2, **CF), (2, 3, 4)),
    "up_sampling2d_bilinear": (lambda: layers.UpSampling2D((2, 3), interpolation="bilinear", **CF), (2, 3, 3, 4)),
    "up_sampling3d": (lambda: layers.UpSampling3D((1, 2, 2), **CF), (1, 2, 2, 3, 2)),
    "conv_lstm2d_sequences": (
        lambda: layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, **CF), (2, 3, 2, 5, 4)),
    "conv_lstm1d_state": (lambda: layers.ConvLSTM1D(3, 2, return_state=True, **CF), (2, 4, 2, 6)),
    "resizing_crop": (lambda: layers.Resizing(4, 6, crop_to_aspect_ratio=True, **CF), (2, 3, 7, 5)),
    "center_crop": (lambda: layers.CenterCrop(3, 4, **CF), (2, 3, 6, 7)),
    "flatten": (lambda: layers.Flatten(**CF), (2, 3, 2, 4)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2026)
    for name, (make, shape) in CASES.items():
        layer = make()
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        layer.build(shape)
        weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()]
        layer.set_weights(weights)
        out = layer(x)
        arrays = {"x": x}
        if isinstance(out, (list, tuple)):
            for i, o in enumerate(out):
                arrays[f"y{i}"] = keras.ops.convert_to_numpy(o).astype(np.float32)
        else:
            arrays["y"] = keras.ops.convert_to_numpy(out).astype(np.float32)
        arrays.update({f"w{i}": w for i, w in enumerate(weights)})
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
        print(name, layer.__class__.__name__, x.shape, "->", [a.shape for k, a in arrays.items() if k[0] == "y"])


if __name__ == "__main__":
    main()
