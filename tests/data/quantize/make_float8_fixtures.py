#!/usr/bin/env python3
"""Writes tests/data/quantize/float8.npz and float8_model.keras, Keras 3's numbers for
float8 training (quantize("float8")), read by tests/keras/test_quantize_float8.cpp:

    /work/venv/bin/python tests/data/quantize/make_float8_fixtures.py

- cast_x, cast_e4m3fn, cast_e5m2: values (edges, subnormals, overflow, inf, NaN and
  random magnitudes) and the same cast to each float8 format and back (ml_dtypes, as
  Keras's cast);
- qdq_*: keras.quantizers.quantize_and_dequantize of cast_x's finite values with scale
  0.37 in both formats; scale_*: compute_float8_scale of amax values (0, inf, NaN
  included) with margin 0 and 2; hist_*: compute_float8_amax_history;
- dense_*: a Dense(3, relu) with a float8 policy (amax history of 4) in a Sequential
  model trained with SGD(0.1) on mse by train_on_batch over 4 batches: the initial
  weights, the batches, and every weight after each step (the scales and histories
  included, in Keras's order: inputs_scale, inputs_amax_history, kernel_scale,
  kernel_amax_history, outputs_grad_scale, outputs_grad_amax_history, kernel, bias), then
  the outputs of predict;
- einsum_*: the same for EinsumDense("abc,cd->abd", (None, 3), bias_axes="d") on
  (2, 5, 4) inputs, with Adam(0.01);
- bf16_*: a Dense with policy float8_from_mixed_bfloat16: weights, input, outputs;
- model_*: inputs and outputs of float8_model.keras (a Dense and an EinsumDense
  quantized by model.quantize("float8") after two training steps), which Keras wrote.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers, quantizers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "float8.npz")
MODEL = os.path.join(HERE, "float8_model.keras")
rng = np.random.default_rng(8)


def f32(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype("float32")


def policy(history=4):
    return keras.dtype_policies.QuantizedFloat8DTypePolicy("float8", "float32", amax_history_length=history)


def train_case(out, tag, layer, x_shape, y_shape, optimizer, steps=4):
    model = keras.Sequential([keras.Input(x_shape[1:]), layer])
    ws = model.get_weights()
    ws = [f32(*w.shape) if "kernel" in v.path or v.path.endswith("bias") else w for w, v in zip(ws, model.weights)]
    model.set_weights(ws)
    model.compile(optimizer=optimizer, loss="mse")
    # (Keras's order for a layer built with a float8 policy: the six scales and histories,
    # then kernel and bias.)
    assert [v.path.split("/")[-1] for v in model.weights][-2:] == ["kernel", "bias"]
    for i, w in enumerate(ws):
        out[f"{tag}_w0_{i}"] = w
    for s in range(steps):
        x = f32(*x_shape, lo=-3, hi=3) * (s + 1)
        y = f32(*y_shape)
        out[f"{tag}_x{s}"], out[f"{tag}_y{s}"] = x, y
        out[f"{tag}_loss{s}"] = np.float32(model.train_on_batch(x, y))
        for i, w in enumerate(model.get_weights()):
            out[f"{tag}_w{s + 1}_{i}"] = w
    xp = f32(*x_shape, lo=-2, hi=2)
    out[f"{tag}_xp"], out[f"{tag}_yp"] = xp, model.predict(xp, verbose=0)


def main():
    out = {}
    x = np.concatenate([
        np.array([0.0, -0.0, 1.0, -1.0, 448, 460, 464, 470, 480, 1000, 57344, 60000, 61440, 1e6, np.inf, -np.inf,
                  np.nan, 2**-6, 2**-7, 2**-9, 2**-10, 1.5 * 2**-10, 2**-14, 2**-16, 2**-17, 0.75 * 2**-16,
                  1.0625, 1.1875, -3.3, 0.1, 255, 257, 2**-14 * 1.25], np.float32),
        (rng.standard_normal(200) * np.exp2(rng.integers(-20, 18, 200))).astype(np.float32),
    ])
    out["cast_x"] = x
    out["cast_e4m3fn"] = x.astype(ml_dtypes.float8_e4m3fn).astype(np.float32)
    out["cast_e5m2"] = x.astype(ml_dtypes.float8_e5m2).astype(np.float32)
    finite = x[np.isfinite(x)]
    out["qdq_x"] = finite
    for fmt in ("float8_e4m3fn", "float8_e5m2"):
        out[f"qdq_{fmt}"] = np.asarray(quantizers.quantize_and_dequantize(finite, np.float32(0.37), fmt, "float32"))
    amax = np.array([0.0, 3.5, 1e-3, np.inf, np.nan, 448.0, 1e5], np.float32)
    scale = np.float32(0.25)
    out["scale_amax"] = amax
    for margin in (0, 2):
        out[f"scale_m{margin}"] = np.array([np.asarray(quantizers.compute_float8_scale(a, scale, np.float32(448.0),
                                                                                       margin)) for a in amax])
    hist = np.array([0.5, 2.0, 0.25, 1.0, 3.0], np.float32)
    hx = f32(3, 4, lo=-6, hi=6)
    out["hist_in"], out["hist_x"] = hist, hx
    out["hist_out"] = np.asarray(quantizers.compute_float8_amax_history(hx, hist))

    train_case(out, "dense", layers.Dense(3, activation="relu", dtype=policy()), (6, 4), (6, 3),
               keras.optimizers.SGD(0.1))
    train_case(out, "einsum", layers.EinsumDense("abc,cd->abd", (None, 3), bias_axes="d", dtype=policy()),
               (2, 5, 4), (2, 5, 3), keras.optimizers.Adam(0.01))

    inputs = keras.Input((4,))
    h = layers.Dense(5, activation="tanh", name="hidden")(inputs)
    outputs = layers.EinsumDense("ab,bc->ac", 2, bias_axes="c", name="head")(h)
    model = keras.Model(inputs, outputs)
    model.quantize("float8")
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    for _ in range(2):
        model.train_on_batch(f32(8, 4, lo=-2, hi=2), f32(8, 2))
    mx = f32(5, 4, lo=-2, hi=2)
    out["model_x"], out["model_y"] = mx, model.predict(mx, verbose=0)
    model.save(MODEL)

    # mixed_bfloat16: a Dense's outputs, in training and inference calls.
    bd = layers.Dense(4, dtype=keras.dtype_policies.QuantizedFloat8DTypePolicy("float8", "mixed_bfloat16"))
    bd.build((None, 6))
    bk, bb = f32(6, 4), f32(4)
    bd.kernel.assign(bk)
    bd.bias.assign(bb)
    bx = f32(5, 6, lo=-3, hi=3)
    out["bf16_kernel"], out["bf16_bias"], out["bf16_x"] = bk, bb, bx
    out["bf16_y"] = np.asarray(keras.ops.cast(bd(bx), "float32"))
    np.savez(OUT, **out)
    print("wrote", OUT, "and", MODEL)


if __name__ == "__main__":
    main()
