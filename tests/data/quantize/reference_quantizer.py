"""GPTQ's reference quantizer parameters (Frantar et al.'s quantizer.find_params), in
float32 NumPy, for make_gptq_fixtures.py and make_awq_fixtures.py: Keras 3.15's
compute_quantization_parameters with each range widened to hold 0, so the zero point lies
in [0, 2^bits - 1] (Keras's ranges need not hold 0: a group of one sign gets a zero point
outside, which its uint8 cast wraps). Same signature as Keras's function.
"""
import contextlib

import numpy as np


def reference_params(x, *, bits, symmetric=False, per_channel=False, group_size=-1, compute_dtype="float32",
                     epsilon=0.0, signed=False):
    assert not signed and epsilon == 0.0
    x = np.asarray(x, "float32")
    out, n = x.shape
    groups = (n + group_size - 1) // group_size if per_channel and group_size > 0 else 1
    if groups > 1:
        xg = np.zeros((out, groups * group_size), "float32")
        xg[:, :n] = x
        xg = xg.reshape(out, groups, group_size)
        mn, mx = xg.min(axis=2), xg.max(axis=2)
    else:
        xr = x.reshape(out, -1) if per_channel else x.reshape(1, -1)
        mn, mx = xr.min(axis=1), xr.max(axis=1)
    mn, mx = np.minimum(mn, np.float32(0)), np.maximum(mx, np.float32(0))
    if symmetric:
        max_abs = np.maximum(np.abs(mn), mx)
        mn = np.where(mn < 0, -max_abs, mn)
        mx = max_abs
    same = mn == mx
    mn = np.where(same, mn - np.float32(1), mn)
    mx = np.where(same, mx + np.float32(1), mx)
    maxq = np.float32(2 ** bits - 1)
    scale = ((mx - mn) / maxq).astype("float32")
    scale = np.where(scale <= 0, np.float32(1e-8), scale).astype("float32")
    if symmetric:
        zero = np.full_like(scale, (maxq + 1) / 2)
    else:
        zero = np.round((-mn / scale).astype("float32"))
    if groups == 1:
        scale, zero = scale.reshape(-1, 1), zero.reshape(-1, 1)
        if not per_channel:
            scale, zero = np.tile(scale, (out, 1)), np.tile(zero, (out, 1))
    return scale.astype("float32"), zero.astype("uint8"), maxq


def upper_factor(hessian, order=None):
    """GPTQ's factor: the upper Cholesky factor of the inverse of `hessian` (float64, then
    float32); with `order`, that of the permuted matrix, put back in the original order."""
    h = np.asarray(hessian, "float64")
    if order is not None:
        h = h[np.ix_(order, order)]
    u = np.linalg.cholesky(np.linalg.inv(h)).T
    if order is not None:
        back = np.argsort(order)
        u = u[np.ix_(back, back)]
    return np.ascontiguousarray(u.astype("float32"))


@contextlib.contextmanager
def hooked_calls(layers_map, objects, method, update):
    """Keras's stream_hessians / stream_activations, patching `method` (_gptq_call,
    _awq_call: what a layer under a quantized policy runs; Keras 3.15 patches `call`,
    which it never runs): update(objects[name], x as (-1, rows)) before each call."""
    from keras import ops

    saved = {name: getattr(layer, method) for name, layer in layers_map.items()}

    def hook(name, call):
        def f(x, *args, **kwargs):
            update(objects[name], ops.reshape(x, (-1, objects[name].rows)))
            return call(x, *args, **kwargs)
        return f

    try:
        for name, layer in layers_map.items():
            setattr(layer, method, hook(name, saved[name]))
        yield
    finally:
        for name, layer in layers_map.items():
            setattr(layer, method, saved[name])
