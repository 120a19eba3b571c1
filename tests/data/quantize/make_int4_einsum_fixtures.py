#!/usr/bin/env python3
"""Writes tests/data/quantize/int4_einsum.npz, Keras 3's numbers for EinsumDense's
quantize("int4"), read by tests/keras/test_quantize_int4.cpp:

    /work/venv/bin/python tests/data/quantize/make_int4_einsum_fixtures.py

For each case c<i> (an equation, an output shape, bias axes and a block size, -1 per
channel): the float kernel and bias, the input, Keras's packed kernel, scale (zero point
and g_idx in blocks), outputs and the gradient of sum(outputs * w) for the inputs. The
kernels' contracted axes come first, last, in the middle and two at once, so Keras's
flattening to (rows, columns) is a plain reshape in every layout. lora_*: LoRA (rank 2,
alpha 4) over case 1: outputs and the merged kernel, scale and zero Keras saves.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "int4_einsum.npz")
rng = np.random.default_rng(43)

CASES = [
    ("ab,bc->ac", (5,), "c", -1, (3, 7)),
    ("abc,cd->abd", (None, 6), "d", 3, (2, 4, 7)),
    ("abc,cde->abde", (None, 2, 3), "de", 4, (2, 3, 5)),
    ("abcd,cde->abe", (None, 4), None, 4, (2, 3, 2, 5)),
    ("abc,dc->abd", (None, 5), "d", -1, (2, 3, 6)),
    ("abc,dc->abd", (None, 5), "d", 2, (2, 3, 6)),
]


def f32(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype("float32")


def main():
    out = {}
    layers_made = []
    for i, (eq, shape, bias_axes, block, x_shape) in enumerate(CASES):
        t = f"c{i}"
        e = layers.EinsumDense(eq, shape, bias_axes=bias_axes, activation="relu")
        e.build(x_shape)
        ws = [f32(*w.shape) for w in e.get_weights()]
        e.set_weights(ws)
        out[f"{t}_kernel"] = ws[0]
        if bias_axes:
            out[f"{t}_bias"] = ws[1]
        x = f32(*x_shape, lo=-2, hi=2)
        e.quantize("int4", config=keras.quantizers.Int4QuantizationConfig(block_size=block))
        out[f"{t}_x"] = x
        out[f"{t}_q_kernel"] = np.asarray(e._kernel)
        out[f"{t}_q_scale"] = np.asarray(e.kernel_scale)
        if block != -1:
            out[f"{t}_q_zero"] = np.asarray(e.kernel_zero)
            out[f"{t}_q_gidx"] = np.asarray(e.g_idx)
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = e(xt)
            w = f32(*y.shape)
            loss = tf.reduce_sum(y * w)
        out[f"{t}_y"], out[f"{t}_w"] = y.numpy(), w
        out[f"{t}_dx"] = tape.gradient(loss, xt).numpy()
        assert e.dtype_policy.name == f"int4/{block}_from_float32", e.dtype_policy.name
        layers_made.append(e)

    e = layers_made[1]
    e.enable_lora(2, lora_alpha=4)
    a = f32(*e.lora_kernel_a.shape, lo=-0.5, hi=0.5)
    b = f32(*e.lora_kernel_b.shape, lo=-0.5, hi=0.5)
    e.lora_kernel_a.assign(a)
    e.lora_kernel_b.assign(b)
    out["lora_a"], out["lora_b"] = a, b
    out["lora_y"] = np.asarray(e(out["c1_x"]))
    mk, ms, mz = e._get_kernel_with_merged_lora()
    out["lora_merged_kernel"], out["lora_merged_scale"] = np.asarray(mk), np.asarray(ms)
    out["lora_merged_zero"] = np.asarray(mz)
    np.savez(OUT, **out)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
