"""Writes tests/data/dtype_option/*.npz: Keras 3's outputs of layers made with a `dtype`
policy other than float32 (float64, bfloat16, mixed_float16), on fixed inputs and
weights, for tests/keras/test_layer_dtype_option.cpp (which builds the same layers with
the same policies in keras-cpp). Run by hand in a venv with keras, tensorflow-cpu and
numpy:

    /work/venv/bin/python tests/data/npz/make_dtype_option_fixtures.py

Each file holds x (the input; float32, int32 for token ids), w0, w1, ... (the layer's
weights as Keras holds them, converted to float32 exactly), y (Keras's output in float32)
and, for a layer called in training, a0, a1, ... (its weights after the call).
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dtype_option")

# name -> (layer, input shape with the batch axis, training, integer input). Keep these in
# step with the C++ test.
CASES = {
    "conv2d_float64": (lambda: layers.Conv2D(3, 2, dtype="float64"), (2, 5, 4, 2), False, False),
    "conv2d_bfloat16": (lambda: layers.Conv2D(3, 2, dtype="bfloat16"), (2, 5, 4, 2), False, False),
    "depthwise_conv2d_mixed_float16": (
        lambda: layers.DepthwiseConv2D(2, dtype="mixed_float16"), (2, 4, 4, 3), False, False),
    "batch_norm_bfloat16_training": (
        lambda: layers.BatchNormalization(momentum=0.9, dtype="bfloat16"), (8, 3), True, False),
    "batch_norm_float64_training": (
        lambda: layers.BatchNormalization(momentum=0.9, dtype="float64"), (8, 3), True, False),
    "layer_norm_bfloat16": (lambda: layers.LayerNormalization(dtype="bfloat16"), (3, 6), False, False),
    "embedding_bfloat16": (lambda: layers.Embedding(7, 3, dtype="bfloat16"), (2, 4), False, True),
    "einsum_dense_mixed_float16": (
        lambda: layers.EinsumDense("ab,bc->ac", 4, bias_axes="c", dtype="mixed_float16"), (3, 5), False, False),
    "prelu_float64": (lambda: layers.PReLU(dtype="float64"), (3, 4), False, False),
    "global_average_pooling2d_bfloat16": (
        lambda: layers.GlobalAveragePooling2D(dtype="bfloat16"), (2, 3, 4, 5), False, False),
}


def as_f32(v):
    return np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(v, "float32")))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2027)
    for name, (make, shape, training, ints) in CASES.items():
        layer = make()
        x = rng.integers(0, 7, shape).astype(np.int32) if ints else rng.uniform(-1, 1, shape).astype(np.float32)
        layer.build(shape)
        for v in layer.weights:
            v.assign(keras.ops.cast(rng.uniform(-0.5, 0.5, v.shape).astype(np.float32), v.dtype))
        arrays = {"x": x}
        for i, v in enumerate(layer.weights):
            arrays[f"w{i}"] = as_f32(v)
        arrays["y"] = as_f32(layer(x, training=training))
        if training:
            for i, v in enumerate(layer.weights):
                arrays[f"a{i}"] = as_f32(v)
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
    print("wrote", len(CASES), "files to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
