#!/usr/bin/env python3
"""Writes tests/data/quantize/quantize.npz, Keras 3's numbers for quantize("int8") and LoRA,
read by tests/keras/test_quantize_lora.cpp:

    /work/venv/bin/python tests/data/quantize/make_fixtures.py

- abs_max_*: keras.quantizers.abs_max_quantize over axis -1 and 0 (values and scale);
- dense_*: a Dense layer's float weights, its int8 kernel and kernel_scale after
  quantize("int8"), its outputs, and the gradient of sum(outputs * w) for its inputs;
- emb_*: the same for Embedding (ids, int8 table, per-row scales, outputs);
- lora_*: a Dense layer with LoRA (rank 2, alpha 4) and random factors: outputs, and the
  factors and bias after one SGD step (learning rate 0.1) on mean squared error;
- lora_int8_*: LoRA over an int8 Dense layer: outputs;
- ein<i>_*: EinsumDense int8 for five equations (kernels, scales, outputs, input gradients);
- bf16_*: an int8 Dense layer under mixed_bfloat16 (outputs, as float32).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers, quantizers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "quantize.npz")
rng = np.random.default_rng(23)


def f32(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype("float32")


def main():
    out = {}
    x = f32(4, 6)
    x[1] = 0.0  # an all-zero row: scale 127 / epsilon
    x[2, 3] = 2.5
    for name, axis in [("last", -1), ("first", 0)]:
        v, s = quantizers.abs_max_quantize(x, axis=axis)
        out[f"abs_max_x"] = x
        out[f"abs_max_{name}_values"] = np.asarray(v)
        out[f"abs_max_{name}_scale"] = np.asarray(s)

    # Dense int8 (rank-3 inputs: the matmul over the last axis).
    dense = layers.Dense(5, activation="relu")
    xd = f32(2, 3, 7, lo=-2, hi=2)
    dense.build((None, 3, 7))
    k, b = f32(7, 5), f32(5, lo=-0.2, hi=0.2)
    dense.set_weights([k, b])
    out["dense_kernel"], out["dense_bias"], out["dense_x"] = k, b, xd
    out["dense_float_y"] = np.asarray(dense(xd))
    dense.quantize("int8")
    out["dense_q_kernel"] = np.asarray(dense._kernel)
    out["dense_q_scale"] = np.asarray(dense.kernel_scale)
    w = f32(2, 3, 5)
    xt = tf.constant(xd)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = dense(xt)
        loss = tf.reduce_sum(y * w)
    out["dense_q_y"] = y.numpy()
    out["dense_q_w"] = w
    out["dense_q_dx"] = tape.gradient(loss, xt).numpy()

    # Embedding int8.
    emb = layers.Embedding(6, 4)
    emb.build(None)
    table = f32(6, 4)
    table[2] = 0.0
    emb.set_weights([table])
    ids = rng.integers(0, 6, size=(3, 5)).astype("int32")
    emb.quantize("int8")
    out["emb_table"], out["emb_ids"] = table, ids
    out["emb_q_table"] = np.asarray(emb._embeddings)
    out["emb_q_scale"] = np.asarray(emb.embeddings_scale)
    out["emb_q_y"] = np.asarray(emb(ids))

    # LoRA on a float Dense: one SGD step trains the factors and the bias only.
    ld = layers.Dense(3)
    xl = f32(8, 4)
    yl = f32(8, 3)
    ld.build((None, 4))
    lk, lb = f32(4, 3), f32(3)
    ld.set_weights([lk, lb])
    ld.enable_lora(2, lora_alpha=4)
    la, lbb = f32(4, 2), f32(2, 3)
    ld.lora_kernel_a.assign(la)
    ld.lora_kernel_b.assign(lbb)
    out["lora_kernel"], out["lora_bias"], out["lora_a"], out["lora_b"] = lk, lb, la, lbb
    out["lora_x"], out["lora_target"] = xl, yl
    out["lora_y"] = np.asarray(ld(xl))
    opt = keras.optimizers.SGD(0.1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(ld(xl) - yl))
    grads = tape.gradient(loss, ld.trainable_weights)

    opt.apply_gradients(zip(grads, ld.trainable_weights))
    out["lora_step_a"] = np.asarray(ld.lora_kernel_a)
    out["lora_step_b"] = np.asarray(ld.lora_kernel_b)
    out["lora_step_bias"] = np.asarray(ld.bias)
    out["lora_step_kernel"] = np.asarray(ld._kernel)

    # LoRA over an int8 Dense.
    qd = layers.Dense(3)
    qd.build((None, 4))
    qd.set_weights([lk, lb])
    qd.quantize("int8")
    qd.enable_lora(2, lora_alpha=4)
    qd.lora_kernel_a.assign(la)
    qd.lora_kernel_b.assign(lbb)
    out["lora_int8_y"] = np.asarray(qd(xl))

    # EinsumDense int8: the equations of Dense-like, attention and per-position projections
    # (the kernel scale's layout follows Keras's _analyze_quantization_info).
    for i, (eq, out_shape, bias_axes, in_shape) in enumerate([
            ("ab,bc->ac", (4,), "c", (3, 5)),
            ("abc,cde->abde", (3, 2, 3), "de", (2, 3, 4)),
            ("abcd,cde->abe", (2, 5), "e", (2, 2, 3, 4)),
            ("abc,cd->abd", (2, 3), None, (2, 2, 5)),
            ("abc,bcd->ad", (4,), "d", (3, 2, 5))]):
        ed = layers.EinsumDense(eq, out_shape, bias_axes=bias_axes)
        xe = f32(*in_shape, lo=-2, hi=2)
        ed.build(in_shape)
        ws = [f32(*w.shape) for w in ed.weights]
        ed.set_weights(ws)
        out[f"ein{i}_kernel"] = ws[0]
        if len(ws) > 1:
            out[f"ein{i}_bias"] = ws[1]
        out[f"ein{i}_x"] = xe
        ed.quantize("int8")
        out[f"ein{i}_q_kernel"] = np.asarray(ed._kernel)
        out[f"ein{i}_q_scale"] = np.asarray(ed.kernel_scale)
        xt = tf.constant(xe)
        w = f32(*ed(xt).shape)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = ed(xt)
            loss = tf.reduce_sum(y * w)
        out[f"ein{i}_q_w"] = w
        out[f"ein{i}_q_y"] = y.numpy()
        out[f"ein{i}_q_dx"] = tape.gradient(loss, xt).numpy()

    # int8 Dense under mixed_bfloat16: bfloat16 inputs quantized, float32 weights' scales.
    keras.config.set_dtype_policy("mixed_bfloat16")
    bd = layers.Dense(5)
    bd.build((None, 7))
    bd.set_weights([out["dense_kernel"], out["dense_bias"]])
    bd.quantize("int8")
    assert bd.dtype_policy.name == "int8_from_mixed_bfloat16"
    xb = out["dense_x"].reshape(6, 7)
    out["bf16_x"] = xb
    out["bf16_y"] = np.asarray(bd(xb)).astype("float32")
    keras.config.set_dtype_policy("float32")

    np.savez(OUT, **out)
    print("wrote", OUT, len(out), "arrays; keras", keras.__version__)


if __name__ == "__main__":
    main()
