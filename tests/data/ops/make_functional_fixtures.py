#!/usr/bin/env python3
# make_functional_fixtures.py - writes functional_keras.npz for
# tests/core/test_functional_ops.cpp: seeded inputs and what Keras 3 (TensorFlow backend)
# computes from them with keras.ops.scan, fori_loop, map, vectorized_map, vectorize,
# switch, associative_scan and jvp. Run by hand in a venv with keras and tensorflow-cpu:
#   KERAS_BACKEND=tensorflow /work/venv/bin/python tests/data/ops/make_functional_fixtures.py
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import numpy as np

ops = keras.ops
rng = np.random.default_rng(22)
out = {}


def put(name, value):
    out[name] = np.asarray(value)


xs = rng.uniform(-1, 1, (5, 3)).astype("float32")
init = rng.uniform(-1, 1, (3,)).astype("float32")
put("in_xs", xs)
put("in_init", init)


def step(c, x):  # carry and y of the carry's shape (the TensorFlow backend's rule)
    c2 = c * 0.5 + ops.sin(x)
    return c2, c2 * x


c, ys = ops.scan(step, init, xs)
put("scan_carry", c)
put("scan_ys", ys)
c, ys = ops.scan(step, init, xs, reverse=True)
put("scan_rev_carry", c)
put("scan_rev_ys", ys)
c, ys = ops.scan(lambda c, _: (c + 1.0, c * 2.0), init, None, length=4)
put("scan_len_carry", c)
put("scan_len_ys", ys)
put("fori", ops.fori_loop(2, 7, lambda i, v: v * 1.5 + ops.cast(i, "float32"), init))
put("map", ops.map(lambda r: ops.sum(r * r) + r[0], xs))
put("vmap", ops.vectorized_map(lambda r: ops.sort(r) * 2.0 - ops.max(r), xs))
a = rng.uniform(-1, 1, (4, 3)).astype("float32")
b = rng.uniform(-1, 1, (3,)).astype("float32")
put("in_a", a)
put("in_b", b)
# keras.ops.vectorize's TensorFlow backend refuses inputs that broadcast ("Not supported
# with `vectorize()`", even for one input); numpy.vectorize (whose semantics Keras follows) is the reference.
put("vectorize_dot", np.vectorize(lambda u, v: np.sum(u * v), signature="(n),(n)->()")(a, b))
put("vectorize_elem", np.vectorize(lambda u, v: max(u, v))(a, b))
put("vectorize_outer", np.vectorize(lambda u: np.outer(u, u), signature="(n)->(n,n)")(a))
branches = [lambda x: x + 1.0, lambda x: x * 3.0, lambda x: -x]
for i in (-2, 0, 1, 2, 5):
    put(f"switch_{i}".replace("-", "m"), ops.switch(i, branches, init))
seq = rng.uniform(0.5, 1.5, (6, 2)).astype("float32")
put("in_seq", seq)
put("ascan_add", ops.associative_scan(lambda x, y: x + y, seq))
put("ascan_mul_rev", ops.associative_scan(lambda x, y: x * y, seq, reverse=True))
put("ascan_max_ax1", ops.associative_scan(lambda x, y: ops.maximum(x, y), seq.T, axis=1))
p = rng.uniform(-1, 1, (3,)).astype("float64")
t = rng.uniform(-1, 1, (3,)).astype("float64")
q = rng.uniform(-1, 1, (2, 3)).astype("float64")
tq = rng.uniform(-1, 1, (2, 3)).astype("float64")
put("in_p", p)
put("in_t", t)
put("in_q", q)
put("in_tq", tq)
T = ops.convert_to_tensor
po, to = ops.jvp(lambda x: ops.sin(x) * ops.exp(x), (T(p),), (T(t),))
put("jvp_out", po)
put("jvp_tan", to)
po, to = ops.jvp(lambda x, m: ops.tanh(ops.matmul(m, x)), (T(p), T(q)), (T(t), T(tq)))
put("jvp2_out", po)
put("jvp2_tan", to)

dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functional_keras.npz")
np.savez_compressed(dest, **out)
print("wrote", dest, len(out), "arrays")
