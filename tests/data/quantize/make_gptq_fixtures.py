#!/usr/bin/env python3
"""Writes tests/data/quantize/gptq.npz, gptq_float.keras and gptq_keras315.keras (the
model Keras quantized, as Keras 3.15 saves it), Keras 3's numbers for GPTQ,
read by tests/keras/test_quantize_gptq.cpp:

    /work/venv/bin/python tests/data/quantize/make_gptq_fixtures.py

- qp<i>_*: compute_quantization_parameters of a (6, 10) weight (rows with one value,
  all positive, all negative) for bits, symmetric, per_channel, group_size, signed.
- m<i>_*: gptq_quantize_matrix of a (12, 160) weight with GPTQ's factor of a Hessian
  (m_factor; blocks of 128 where Keras's loop handles them, see M_CASES): levels, scale,
  zero, g_idx.
- h_*: a GPTQ object's running Hessian after three batches, then
  quantize_and_correct_layer of its Dense: the layer's stored weights.

Keras 3.15's GPTQ departs from the algorithm in two places, which keras-cpp corrects and
the fixtures follow (reference_quantizer.py): its quantize_and_correct_layer feeds the loop
the inverse Hessian where GPTQ uses the upper Cholesky factor of the inverse (right for
the first column only), and its ranges need not hold 0 (a group of one sign then gets a
wrapped uint8 zero point). The fixtures run Keras's own loop with GPTQ's factor and
quantizer patched in; compute_quantization_parameters itself (qp<i>) is Keras's.
- lin_*: the "linspace" calibration windows.
- e2e_*: model.quantize("gptq") of gptq_float.keras (an Embedding, then two blocks: a
  Sequential of Dense(160, relu), Dense(16) and one of two EinsumDense, 3-D kernels; a
  head outside the blocks), 4 bits in groups of 32, on 23 tokens cut into 16 windows of 8
  by the "linspace" strategy (Keras's default "strided" one starts at an offset from
  Python's hash, which changes between processes): each block layer's stored weights and
  the model's outputs on e2e_x before and after. Keras 3.15's stream_hessians patches
  each layer's `call`, which a layer under a quantized policy never runs (its __call__
  goes to quantized_call), so its Hessians stay zero; the fixture patches _gptq_call, the
  method the layers do run, so the Hessians hold the calibration inputs as Keras's code
  means them to.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import sys  # noqa: E402
import types  # noqa: E402

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402
from keras.quantizers import GPTQConfig  # noqa: E402
from keras.src.quantizers import gptq, gptq_core  # noqa: E402
from keras.src.quantizers.gptq import GPTQ, gptq_quantize_matrix  # noqa: E402
from keras.src.quantizers.quantizers import GPTQQuantizer, compute_quantization_parameters  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from reference_quantizer import hooked_calls, reference_params, upper_factor  # noqa: E402
OUT = os.path.join(HERE, "gptq.npz")
MODEL = os.path.join(HERE, "gptq_float.keras")
rng = np.random.default_rng(7)


class NoTokenizer:
    """GPTQConfig wants a tokenizer; the datasets here are tokens already."""

    def tokenize(self, s):
        raise RuntimeError("not used")


def f32(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype("float32")


def config(**kw):
    return GPTQConfig(dataset=None, tokenizer=None, **kw)


QP_CASES = [  # bits, symmetric, per_channel, group_size, signed
    (4, False, True, -1, False),
    (4, True, True, -1, False),
    (3, False, True, 4, False),
    (8, False, False, -1, False),
    (4, False, True, 4, True),
    (2, True, False, -1, True),
]

# (config, blocksize). Keras 3.15 forgets a group's parameters at each block, computing a
# group that straddles a block again (and the one group of group_size -1 at every block):
# those cases run in one block of 256 here, where Keras's loop is GPTQ's.
M_CASES = [
    (dict(weight_bits=4, group_size=-1), 256),
    (dict(weight_bits=4, group_size=32), 128),
    (dict(weight_bits=4, group_size=48), 256),
    (dict(weight_bits=4, group_size=32, activation_order=True), 128),
    (dict(weight_bits=8, group_size=-1, symmetric=True), 256),
    (dict(weight_bits=3, group_size=-1, per_channel=False), 256),
    (dict(weight_bits=2, group_size=64, activation_order=True), 128),
]


def stream_hessians(layers_map, objects):
    """The patched stream (see above)."""
    return hooked_calls(layers_map, objects, "_gptq_call", lambda o, x: o.update_hessian_with_batch(x))


def stored(layer):
    return [np.asarray(v) for v in ([layer.bias] if layer.bias is not None else []) +
            [layer.quantized_kernel, layer.kernel_scale, layer.kernel_zero, layer.g_idx]]


def main():
    # GPTQ's factor and quantizer in Keras's loop (see above).
    gptq.linalg = types.SimpleNamespace(inv=lambda h: upper_factor(np.asarray(h)))
    GPTQQuantizer.find_params = lambda self, x: reference_params(
        x, bits=self.weight_bits, symmetric=self.symmetric, per_channel=self.per_channel, group_size=self.group_size)
    out = {}
    # compute_quantization_parameters
    w = f32(6, 10)
    w[1] = 0.25  # one value: the range widened by 1
    w[2] = np.abs(w[2]) + 0.1  # all positive: a negative zero point, cast to uint8
    w[3] = -np.abs(w[3]) - 0.1  # all negative
    out["qp_w"] = w
    for i, (bits, sym, pc, gs, signed) in enumerate(QP_CASES):
        s, z, maxq = compute_quantization_parameters(w, bits=bits, symmetric=sym, per_channel=pc, group_size=gs,
                                                     signed=signed)
        out[f"qp{i}_scale"], out[f"qp{i}_zero"] = np.asarray(s), np.asarray(z)
        out[f"qp{i}_maxq"] = np.float32(maxq)

    # gptq_quantize_matrix
    x = f32(300, 160, lo=-2, hi=2)
    x[:, 5] = 0  # a dead feature
    h = 2.0 / 300 * (x.T @ x)
    diag = np.diag(h).copy()
    diag[diag == 0] = 1
    h[np.diag_indices(160)] = diag + 0.01 * diag.mean()
    h = h.astype("float32")
    metric = np.diag(h) + (np.arange(160, dtype="float32") / np.float32(160)) * np.float32(1e-12)
    order = np.argsort(-metric, kind="stable")  # Keras's activation order
    wt = f32(12, 160)
    out["m_wt"], out["m_metric"] = wt, np.diag(h)
    out["m_factor"], out["m_factor_act"] = upper_factor(h), upper_factor(h, order)
    for i, (kw, blocksize) in enumerate(M_CASES):
        cfg = config(**kw)
        factor = out["m_factor_act"] if cfg.activation_order else out["m_factor"]
        q, s, z, g = gptq_quantize_matrix(wt, factor, blocksize=blocksize, group_size=cfg.group_size,
                                          activation_order=cfg.activation_order, order_metric=np.diag(h),
                                          compute_scale_zero=GPTQQuantizer(cfg).find_params)
        out[f"m{i}_q"], out[f"m{i}_scale"] = np.asarray(q), np.asarray(s)
        out[f"m{i}_zero"], out[f"m{i}_gidx"] = np.asarray(z), np.asarray(g)

    # the running Hessian and quantize_and_correct_layer of a Dense
    d = layers.Dense(7)
    d.build((None, 20))
    d.set_weights([f32(20, 7), f32(7)])
    out["h_kernel"], out["h_bias"] = np.asarray(d.kernel), np.asarray(d.bias)
    cfg = config(weight_bits=4, group_size=8)
    d.quantize("gptq", config=cfg)
    g = GPTQ(d, cfg)
    for k, n in enumerate((5, 9, 3)):
        b = f32(1, n, 20, lo=-3, hi=3)
        out[f"h_x{k}"] = b
        g.update_hessian_with_batch(b)
    out["h_hessian"] = np.asarray(g.hessian)
    g.quantize_and_correct_layer()
    for k, v in enumerate(stored(d)):
        out[f"h_stored{k}"] = v

    # calibration windows
    toks = rng.integers(0, 1000, size=37).astype("int32")
    out["lin_tokens"] = toks
    out["lin_samples"] = gptq_core.get_dataloader(NoTokenizer(), 8, [toks], num_samples=5, strategy="linspace")
    out["lin_short"] = gptq_core.get_dataloader(NoTokenizer(), 8, [toks[:11]], num_samples=6, strategy="linspace")

    # a model, block by block
    V, L, D = 40, 8, 16
    inp = keras.Input((L,), dtype="int32")
    emb = layers.Embedding(V, D, name="emb")
    b1 = keras.Sequential([layers.Dense(160, activation="relu", name="up"), layers.Dense(D, name="down")],
                          name="block1")
    b2 = keras.Sequential([layers.EinsumDense("abc,cde->abde", (L, 2, 8), bias_axes="de", name="qkv"),
                           layers.EinsumDense("abde,def->abf", (L, D), name="out")], name="block2")
    head = layers.Dense(5, name="head")
    m = keras.Model(inp, head(b2(b1(emb(inp)))), name="gptq_model")
    m.set_weights([f32(*v.shape) * 0.5 for v in m.weights])
    m.save(MODEL)
    toks = rng.integers(0, V, size=23).astype("int32")
    out["e2e_tokens"] = toks
    ex = rng.integers(0, V, size=(3, L)).astype("int32")
    out["e2e_x"] = ex
    out["e2e_y_float"] = np.asarray(m(ex))
    cfg = GPTQConfig(dataset=[toks], tokenizer=NoTokenizer(), weight_bits=4, num_samples=16, sequence_length=L,
                     group_size=32, quantization_layer_structure={"pre_block_layers": [emb],
                                                                  "sequential_blocks": [b1, b2]})
    loader, streams = gptq_core.get_dataloader, gptq_core.stream_hessians
    gptq_core.get_dataloader = lambda *a, **kw: loader(*a, **kw, strategy="linspace")
    gptq_core.stream_hessians = stream_hessians
    m.quantize("gptq", config=cfg)
    gptq_core.get_dataloader, gptq_core.stream_hessians = loader, streams
    out["e2e_y"] = np.asarray(m(ex))
    for name, l in [("up", b1.layers[0]), ("down", b1.layers[1]), ("qkv", b2.layers[0]), ("out", b2.layers[1])]:
        assert l.is_gptq_calibrated and l.dtype_policy.name == "gptq/4/32_from_float32"
        for k, v in enumerate(stored(l)):
            out[f"e2e_{name}{k}"] = v
    # Keras 3.15 saves a GPTQ Dense without its kernel_zero (and cannot load the file back):
    # keras-cpp must refuse it by name.
    cfg.quantization_layer_structure = None  # (layers in the config do not serialize)
    m.save(os.path.join(HERE, "gptq_keras315.keras"))
    np.savez(OUT, **out)
    print("wrote", OUT, "and", MODEL)


if __name__ == "__main__":
    main()
