#!/usr/bin/env python3
"""Writes tests/data/quantize/int4.npz and int4_model.keras, Keras 3's numbers for
quantize("int4"), read by tests/keras/test_quantize_int4.cpp:

    /work/venv/bin/python tests/data/quantize/make_int4_fixtures.py

- pack_*: keras.quantizers.pack_int4 / unpack_int4 of int8 values in [-8, 7] along both
  axes of an odd-sized matrix;
- grouped_*: abs_max_quantize_grouped_with_zero_point (block 4) of a matrix with an
  all-zero and a constant column;
- d<case>_*: a Dense layer quantized to int4 (per channel, "pc", block -1; in blocks of
  128 over 300 inputs, "b128"; in blocks of 4, "b4"): float weights, packed kernel,
  scales, zero points, g_idx, outputs and the gradient of sum(outputs * w) for the inputs;
- e<case>_*: Embedding int4 (per row, "pc"; blocks of 3 columns, "b3");
- lora_*: LoRA (rank 2, alpha 4, random factors) over an int4 Dense in blocks of 4:
  outputs, and the merged kernel, scale and zero Keras saves;
- bf16_*: an int4 Dense (blocks of 4) under mixed_bfloat16 (outputs, as float32);
- model_*: the inputs and outputs of int4_model.keras (Embedding and Dense layers in
  blocks, a Dense per channel), which Keras wrote.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers, quantizers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "int4.npz")
MODEL = os.path.join(HERE, "int4_model.keras")
rng = np.random.default_rng(41)


def f32(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype("float32")


def config(block):
    return keras.quantizers.Int4QuantizationConfig(block_size=block)


def dense_case(out, tag, in_dim, units, block, batch_shape):
    d = layers.Dense(units, activation="relu")
    d.build((None, in_dim))
    k, b = f32(in_dim, units), f32(units, lo=-0.2, hi=0.2)
    k[:, 1] = 0.0  # an all-zero unit
    d.set_weights([k, b])
    x = f32(*batch_shape, in_dim, lo=-2, hi=2)
    d.quantize("int4", config=config(block))
    out[f"d{tag}_kernel"], out[f"d{tag}_bias"], out[f"d{tag}_x"] = k, b, x
    out[f"d{tag}_q_kernel"] = np.asarray(d._kernel)
    out[f"d{tag}_q_scale"] = np.asarray(d.kernel_scale)
    if block != -1:
        out[f"d{tag}_q_zero"] = np.asarray(d.kernel_zero)
        out[f"d{tag}_q_gidx"] = np.asarray(d.g_idx)
    w = f32(*batch_shape, units)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = d(xt)
        loss = tf.reduce_sum(y * w)
    out[f"d{tag}_y"], out[f"d{tag}_w"] = y.numpy(), w
    out[f"d{tag}_dx"] = tape.gradient(loss, xt).numpy()
    assert d.dtype_policy.name == f"int4/{block}_from_float32"


def embedding_case(out, tag, block):
    e = layers.Embedding(6, 7)
    e.build(None)
    table = f32(6, 7)
    table[2] = 0.0
    e.set_weights([table])
    ids = rng.integers(0, 6, size=(3, 5)).astype("int32")
    e.quantize("int4", config=config(block))
    out[f"e{tag}_table"], out[f"e{tag}_ids"] = table, ids
    out[f"e{tag}_q_table"] = np.asarray(e._embeddings)
    out[f"e{tag}_q_scale"] = np.asarray(e.embeddings_scale)
    if block != -1:
        out[f"e{tag}_q_zero"] = np.asarray(e.embeddings_zero)
        out[f"e{tag}_q_gidx"] = np.asarray(e.g_idx)
    out[f"e{tag}_y"] = np.asarray(e(ids))


def main():
    out = {}
    v = rng.integers(-8, 8, size=(5, 7)).astype("int8")
    out["pack_values"] = v
    for axis in (0, 1):
        packed, _, _ = quantizers.pack_int4(v, axis=axis)
        out[f"pack_axis{axis}"] = np.asarray(packed)
        out[f"unpack_axis{axis}"] = np.asarray(quantizers.unpack_int4(packed, v.shape[axis], axis=axis))

    g = f32(10, 4)
    g[:, 1] = 0.0
    g[:, 2] = 0.75
    gv, gs, gz = quantizers.abs_max_quantize_grouped_with_zero_point(g, block_size=4, to_numpy=True)
    out["grouped_x"], out["grouped_values"] = g, np.asarray(gv)
    out["grouped_scale"], out["grouped_zero"] = np.asarray(gs), np.asarray(gz)

    dense_case(out, "pc", 7, 5, -1, (2, 3))
    dense_case(out, "b128", 300, 5, 128, (4,))
    dense_case(out, "b4", 10, 6, 4, (3,))
    embedding_case(out, "pc", -1)
    embedding_case(out, "b3", 3)

    # LoRA over an int4 Dense in blocks of 4.
    ld = layers.Dense(5)
    ld.build((None, 10))
    ld.set_weights([f32(10, 5), f32(5, lo=-0.2, hi=0.2)])
    ld.quantize("int4", config=config(4))
    ld.enable_lora(2, lora_alpha=4)
    a, bb = f32(10, 2, lo=-0.5, hi=0.5), f32(2, 5, lo=-0.5, hi=0.5)
    ld.lora_kernel_a.assign(a)
    ld.lora_kernel_b.assign(bb)
    lx = f32(3, 10)
    out["lora_kernel"], out["lora_bias"] = np.asarray(ld._kernel), np.asarray(ld.bias)
    out["lora_scale"], out["lora_zero"] = np.asarray(ld.kernel_scale), np.asarray(ld.kernel_zero)
    out["lora_a"], out["lora_b"], out["lora_x"] = a, bb, lx
    out["lora_y"] = np.asarray(ld(lx))
    mk, ms, mz = ld._get_kernel_with_merged_lora()
    out["lora_merged_kernel"], out["lora_merged_scale"] = np.asarray(mk), np.asarray(ms)
    out["lora_merged_zero"] = np.asarray(mz)

    # mixed_bfloat16.
    keras.config.set_dtype_policy("mixed_bfloat16")
    bd = layers.Dense(4)
    bd.build((None, 10))
    bk, bbias = f32(10, 4), f32(4)
    bd.set_weights([bk, bbias])
    bd.quantize("int4", config=config(4))
    bx = f32(3, 10)
    out["bf16_kernel"], out["bf16_bias"], out["bf16_x"] = bk, bbias, bx
    out["bf16_y"] = np.asarray(tf.cast(bd(bx), "float32"))
    keras.config.set_dtype_policy("float32")

    # A model Keras saves quantized: Embedding and Dense in blocks (model.quantize's
    # default, 128), a Dense per channel.
    ids = keras.Input((4,), dtype="int32")
    h = layers.Embedding(20, 9, name="emb")(ids)
    h = layers.Flatten()(h)
    h = layers.Dense(150, activation="relu", name="hidden")(h)
    y = layers.Dense(3, name="head")(h)
    model = keras.Model(ids, y)
    model.quantize("int4", filters=["emb", "hidden"])
    model.get_layer("head").quantize("int4", config=config(-1))
    mx = rng.integers(0, 20, size=(5, 4)).astype("int32")
    out["model_x"], out["model_y"] = mx, np.asarray(model(mx))
    model.save(MODEL)
    np.savez(OUT, **out)
    print("wrote", OUT, "and", MODEL)


if __name__ == "__main__":
    main()
