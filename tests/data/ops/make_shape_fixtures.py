#!/usr/bin/env python3
# make_shape_fixtures.py - writes shape_keras.npz for tests/core/test_ops_numpy.cpp: seeded
# inputs and what Keras 3 (TensorFlow backend) computes from them with keras.ops's
# creation, shape-manipulation and indexing functions. Run by hand in a venv with keras
# and tensorflow-cpu (the tests read the committed file, so CI needs no Python ML stack):
#   KERAS_BACKEND=tensorflow /work/venv/bin/python tests/data/ops/make_shape_fixtures.py
# Each output is stored under its name, in the dtype keras.ops gave it.
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import numpy as np

ops = keras.ops
rng = np.random.default_rng(20)
out = {}


def put(name, value):
    v = ops.convert_to_numpy(value) if not isinstance(value, np.ndarray) else value
    out[name] = np.asarray(v)  # in keras.ops's result dtype, which the test checks


x34 = rng.uniform(-2, 2, (3, 4))
x234 = rng.uniform(-2, 2, (2, 3, 4))
i6 = np.arange(6, dtype="int32")
v5 = rng.uniform(-2, 2, (5,))
b = rng.uniform(-2, 2, (4, 2))
c3a, c3b = rng.uniform(-2, 2, (2, 3)), rng.uniform(-2, 2, (2, 3))
for k, x in dict(x34=x34, x234=x234, i6=i6, v5=v5, b=b, c3a=c3a, c3b=c3b).items():
    out["in_" + k] = x

# creation
put("arange_int", ops.arange(2, 11, 3))
put("arange_float", ops.arange(0, 1, 0.25))
put("arange_neg", ops.arange(5.0, 1.0, -1.5))
put("full", ops.full((2, 3), 7))
put("identity", ops.identity(3))
put("logspace", ops.logspace(0.0, 2.0, 5))
put("logspace_base2_open", ops.logspace(1.0, 4.0, 3, endpoint=False, base=2.0))
put("geomspace", ops.geomspace(1.0, 1000.0, 4))
put("geomspace_neg", ops.geomspace(-1.0, -16.0, 5))
put("tri", ops.tri(3, 4, 1))
put("tril", ops.tril(x234, -1))
put("triu", ops.triu(x234, 1))
put("tril_int", ops.tril(np.ones((3, 3), "int32")))
put("diagflat", ops.diagflat(np.array([[1, 2], [3, 4]], "int32"), -1))
put("vander", ops.vander(v5))
put("vander_inc", ops.vander(v5, 3, increasing=True))
for w in ("bartlett", "blackman", "hamming", "hanning"):
    for m in (1, 6, 7):
        put(f"{w}_{m}", getattr(ops, w)(m))
put("kaiser_7", ops.kaiser(7, 5.0))
put("kaiser_6", ops.kaiser(6, 0.5))

# shape manipulation
put("diff", ops.diff(x34))
put("diff2_axis0", ops.diff(x234, n=2, axis=0))
put("diff_int", ops.diff(i6))
put("diff_bool", ops.diff(np.array([True, False, False, True])))
put("roll_flat", ops.roll(x34, 5))
put("roll_axis", ops.roll(x34, -1, axis=1))
put("flip", ops.flip(x234))
put("flip_axis", ops.flip(x234, axis=-1))
put("fliplr", ops.fliplr(x34))
put("flipud", ops.flipud(x34))
put("rot90", ops.rot90(x34))
put("rot90_k3_axes12", ops.rot90(x234, k=3, axes=(1, 2)))
# Keras 3.15's TensorFlow backend scrambles k=2 on a non-square plane (it reshapes
# (w, h) to (h, w) where a rotation is meant); keras-cpp follows NumPy there, and Keras on
# a square plane.
put("rot90_k2", np.rot90(x34, k=2))
put("rot90_k2_square", ops.rot90(x234[:, :, :3], k=2, axes=(1, 2)))
assert not np.allclose(ops.convert_to_numpy(ops.rot90(x34, k=2)), np.rot90(x34, k=2))
put("repeat_flat", ops.repeat(x34, 2))
put("repeat_axis", ops.repeat(x34, 3, axis=1))
put("repeat_list", ops.repeat(x34, [1, 0, 2], axis=0))
put("kron", ops.kron(x34, b))
put("kron_int", ops.kron(np.array([1, 2], "int32"), np.array([[1, 10], [100, 1000]], "int32")))
mx = ops.meshgrid(np.arange(3, dtype="float32"), np.arange(4, dtype="float32"), np.arange(2, dtype="float32"))
for i, t in enumerate(mx):
    put(f"meshgrid_xy_{i}", t)
mi = ops.meshgrid(np.arange(3, dtype="float32"), np.arange(4, dtype="float32"), indexing="ij")
for i, t in enumerate(mi):
    put(f"meshgrid_ij_{i}", t)
put("moveaxis", ops.moveaxis(x234, [0, 1], [-1, 0]))
put("swapaxes", ops.swapaxes(x234, 0, -1))
put("ravel", ops.ravel(x234))
for name, parts in (("split_int", ops.split(x34, 2, axis=1)),
                    ("split_idx", ops.split(i6, [2, 2, 5])),
                    ("array_split", ops.array_split(i6, 4)),
                    ("hsplit", ops.hsplit(x34, 2)),
                    ("vsplit", ops.vsplit(x34, [1])),
                    ("dsplit", ops.dsplit(x234, 2))):
    out[name + "_n"] = np.array(len(parts), "int32")
    for i, t in enumerate(parts):
        put(f"{name}_{i}", t)
put("hstack", ops.hstack([x34, b[:3]]))
put("vstack", ops.vstack([x34, b.T]))
put("dstack", ops.dstack([x34, x34]))
put("concatenate_mixed", ops.concatenate([np.array([1, 2], "int32"), np.array([0.5], "float32")]))
put("append", ops.append(np.array([[1, 2]], "int32"), np.array([3.5], "float32")))
put("append_axis", ops.append(x34, x34[:1], axis=0))
put("pad_reflect", ops.pad(x34, [[2, 1], [1, 3]], mode="reflect"))
put("pad_symmetric", ops.pad(x34, [[3, 0], [2, 4]], mode="symmetric"))
put("pad_constant", ops.pad(x34, [[1, 0], [0, 2]], constant_values=1.5))

# indexing
put("take_flat", ops.take(x34, np.array([[0, -1], [5, 2]], "int32")))
put("take_axis", ops.take(x234, np.array([2, -3], "int64"), axis=-1))
cond = [x34 > 1, x34 < -1]
put("select", ops.select(cond, [x34 * 10, -x34], default=0.5))
for i, t in enumerate(ops.unravel_index(np.array([0, 7, 23], "int32"), (2, 3, 4))):
    put(f"unravel_{i}", t)
put("getitem_basic", x234[1:, 0, None, ::-2])
put("getitem_ellipsis", x234[..., 1:3])
put("getitem_ellipsis_mid", x234[-1, ..., None])
put("getitem_ints", ops.get_item(x234, (1, -1)))
put("getitem_indices", ops.take(x234, np.array([2, 0]), axis=1))
put("getitem_mask", x34[x34 > 0.5])
put("rearrange_merge", ops.rearrange(x234, "b h w -> b (h w)"))
put("rearrange_split", ops.rearrange(x234, "b h (w c) -> c b w h", c=2))
put("rearrange_both", ops.rearrange(x234, "(b1 b2) h w -> h (w b2) b1", b1=1))

# products
put("inner", ops.inner(x34, x234))
put("dot_mv", ops.dot(x234, v5[:4]))
put("dot_nd", ops.dot(x234, b))
put("dot_int", ops.dot(np.array([[1, 2], [3, 4]], "int32"), np.array([5, 6], "int32")))
put("vdot", ops.vdot(x34, x34 * 2))
put("cross", ops.cross(c3a, c3b))
put("cross_axes", ops.cross(c3a.T, c3b, axisa=0, axisc=0))
put("cross_2d", ops.cross(c3a[:, :2], c3b[:, :2]))
put("cross_23", ops.cross(c3a[:, :2], c3b))

# NaN and infinities pass through as NumPy's arithmetic says
xnan = np.array([1.0, np.nan, 3.0, np.inf, -np.inf], "float32")
out["in_xnan"] = xnan
put("diff_nan", ops.diff(xnan))
put("kron_nan", ops.kron(xnan, np.array([2.0, -1.0], "float32")))
put("select_nan", ops.select([xnan > 2, xnan < 2], [xnan, -xnan], default=7.0))
put("pad_reflect_nan", ops.pad(xnan, [[2, 2]], mode="reflect"))

# dtypes and casts
put("saturate_u8", ops.saturate_cast(np.array([300.0, -5.0, 2.7, 255.4], "float32"), "uint8"))
put("saturate_i32", ops.saturate_cast(np.array([3e9, -3e9, 7.9], "float64"), "int32"))
put("saturate_i64_to_i32", ops.saturate_cast(np.array([2**40, -(2**40), 5], "int64"), "int32"))
put("view_f32_i32", ops.view(np.array([1.0, -2.5], "float32"), "int32"))
put("view_i32_u8", ops.view(np.array([[1, 258]], "int32"), "uint8"))

np.savez_compressed(os.path.join(os.path.dirname(os.path.abspath(__file__)), "shape_keras.npz"), **out)
print(f"wrote {len(out)} arrays")
