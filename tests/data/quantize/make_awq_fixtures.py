#!/usr/bin/env python3
"""Writes tests/data/quantize/awq.npz, Keras 3's numbers for AWQ and for
fake_quant_with_min_max_vars, read by tests/keras/test_quantize_awq.cpp:

    /work/venv/bin/python tests/data/quantize/make_awq_fixtures.py

- s<i>_*: awq_search_optimal_scales and awq_quantize_matrix of a (12, 40) weight with
  activation magnitudes (two below 1e-8) per row (-1) and in groups of 16 (a padded last
  group), 20 and 7 grid points: scales, levels, scale, zero, g_idx.
- a_*: an AWQ object's magnitudes after three batches.
- e2e_*: model.quantize("awq") of gptq_float.keras (make_gptq_fixtures.py's model) in
  groups of 8 on the "linspace" windows of 23 tokens; Keras 3.15's stream_activations
  patches layer.call, which a quantized layer does not run, so the fixture patches
  _awq_call (as make_gptq_fixtures.py does for GPTQ): each block layer's stored weights and
  the outputs on e2e_x.

As for GPTQ (make_gptq_fixtures.py), Keras 3.15's ranges need not hold 0, so a group of one
sign gets a wrapped uint8 zero point; keras-cpp's ranges hold 0 (reference_quantizer.py),
and the fixtures run Keras's AWQ with that quantizer patched in.
- fq<i>_*: fake_quant_with_min_max_vars per tensor and per channel (axis 1 and -1),
  narrow range, 4 and 8 bits, min = max = 0: outputs and the gradients of sum(y * w) for
  the inputs, min and max.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import sys  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras.quantizers import AWQConfig  # noqa: E402
from keras.src.quantizers import awq, awq_core, gptq_core  # noqa: E402
from keras.src.quantizers.awq import AWQ, awq_quantize_matrix, awq_search_optimal_scales  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from reference_quantizer import hooked_calls, reference_params  # noqa: E402
OUT = os.path.join(HERE, "awq.npz")
rng = np.random.default_rng(11)


class NoTokenizer:
    def tokenize(self, s):
        raise RuntimeError("not used")


def f32(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype("float32")


def stream_activations(layers_map, objects):
    """The patched stream (see above)."""
    return hooked_calls(layers_map, objects, "_awq_call", lambda o, x: o.update_activation_magnitudes(x))


def main():
    awq.compute_quantization_parameters = reference_params  # (see above)
    out = {}
    w = f32(12, 40)
    mags = np.abs(f32(40, lo=0, hi=3))
    mags[[3, 17]] = 0  # read as 1
    out["s_w"], out["s_mags"] = w, mags
    for i, (points, group) in enumerate([(20, -1), (20, 16), (7, 8)]):
        out[f"s{i}_scales"] = np.asarray(awq_search_optimal_scales(w, mags, num_grid_points=points, group_size=group))
        q, s, z, a, g = awq_quantize_matrix(w, mags, num_grid_points=points, group_size=group)
        out[f"s{i}_q"], out[f"s{i}_scale"], out[f"s{i}_zero"] = np.asarray(q), np.asarray(s), np.asarray(z)
        out[f"s{i}_awq"], out[f"s{i}_gidx"] = np.asarray(a), np.asarray(g)

    d = keras.layers.Dense(5)
    d.build((None, 6))
    cfg = AWQConfig(dataset=None, tokenizer=None, group_size=-1)
    d.quantize("awq", config=cfg)
    a = AWQ(d, cfg)
    for k, n in enumerate((4, 7, 2)):
        b = f32(1, n, 6, lo=-3, hi=3)
        out[f"a_x{k}"] = b
        a.update_activation_magnitudes(b)
    out["a_mags"] = np.asarray(a.activation_magnitudes)

    m = keras.saving.load_model(os.path.join(HERE, "gptq_float.keras"))
    b1, b2 = m.get_layer("block1"), m.get_layer("block2")
    toks = rng.integers(0, 40, size=23).astype("int32")
    ex = rng.integers(0, 40, size=(3, 8)).astype("int32")
    out["e2e_tokens"], out["e2e_x"] = toks, ex
    cfg = AWQConfig(dataset=[toks], tokenizer=NoTokenizer(), num_samples=16, sequence_length=8, group_size=8,
                    quantization_layer_structure={"pre_block_layers": [m.get_layer("emb")],
                                                  "sequential_blocks": [b1, b2]})
    loader, streams = gptq_core.get_dataloader, awq_core.stream_activations
    awq_core.get_dataloader = lambda *a, **kw: loader(*a, **kw, strategy="linspace")
    awq_core.stream_activations = stream_activations
    m.quantize("awq", config=cfg)
    awq_core.get_dataloader, awq_core.stream_activations = loader, streams
    out["e2e_y"] = np.asarray(m(ex))
    for name, l in [("up", b1.layers[0]), ("down", b1.layers[1]), ("qkv", b2.layers[0]), ("out", b2.layers[1])]:
        assert l.is_awq_calibrated and l.dtype_policy.name == "awq/4/8_from_float32", l.dtype_policy.name
        vals = ([l.bias] if l.bias is not None else []) + [l.quantized_kernel, l.kernel_scale, l.kernel_zero,
                                                            l.awq_scales, l.g_idx]
        for k, v in enumerate(vals):
            out[f"e2e_{name}{k}"] = np.asarray(v)

    x = f32(3, 4, 5, lo=-3, hi=3)
    out["fq_x"] = x
    cases = [  # min, max, num_bits, narrow_range, axis
        (np.float32(-1.2), np.float32(2.1), 8, False, None),
        (np.float32(-0.7), np.float32(0.9), 4, True, None),
        (np.float32(0.3), np.float32(1.7), 8, False, None),  # zero below the range: nudged
        (f32(4, lo=-2, hi=-0.5), f32(4, lo=0.5, hi=2), 8, False, 1),
        (f32(5, lo=-2, hi=-0.5), f32(5, lo=0.5, hi=2), 4, True, -1),
        (np.float32(0), np.float32(0), 8, False, None),
    ]
    yw = f32(3, 4, 5)
    out["fq_w"] = yw
    for i, (mn, mx, bits, narrow, axis) in enumerate(cases):
        xt, mnt, mxt = tf.constant(x), tf.constant(mn), tf.constant(mx)
        with tf.GradientTape() as tape:
            tape.watch([xt, mnt, mxt])
            y = keras.quantizers.fake_quant_with_min_max_vars(xt, mnt, mxt, num_bits=bits, narrow_range=narrow,
                                                              axis=axis)
            loss = tf.reduce_sum(y * yw)
        gx, gmin, gmax = tape.gradient(loss, [xt, mnt, mxt])
        out[f"fq{i}_min"], out[f"fq{i}_max"], out[f"fq{i}_y"] = np.asarray(mn), np.asarray(mx), y.numpy()
        out[f"fq{i}_dx"], out[f"fq{i}_dmin"], out[f"fq{i}_dmax"] = gx.numpy(), gmin.numpy(), gmax.numpy()
    np.savez(OUT, **out)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
