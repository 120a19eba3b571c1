#!/usr/bin/env python3
# make_linalg_fixtures.py - writes linalg_keras.npz for tests/core/test_linalg.cpp: seeded
# inputs and what Keras 3 (TensorFlow backend) computes from them with keras.ops.linalg and
# keras.ops (trace, diagonal, diag, outer, norm). Run by hand in a venv with keras and
# tensorflow-cpu (the tests read the committed file, so CI needs no Python ML stack):
#   KERAS_BACKEND=tensorflow /work/venv/bin/python tests/data/npz/make_linalg_fixtures.py
# QR, SVD and eigh factors are unique only up to the signs of their columns: the test
# normalizes the signs of both sides before comparing.
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import numpy as np

ops, L = keras.ops, keras.ops.linalg
rng = np.random.default_rng(20)
out = {}


def put(name, value):
    out[name] = np.asarray(value)


a = rng.uniform(-1, 1, (2, 3, 3)) + 3 * np.eye(3)  # well conditioned, non-symmetric
b = rng.uniform(-1, 1, (2, 3, 2))
bv = rng.uniform(-1, 1, (2, 3))
g = rng.uniform(-1, 1, (2, 3, 3))
spd = g @ np.swapaxes(g, -1, -2) + 3 * np.eye(3)
tall = rng.uniform(-1, 1, (4, 3))
wide = rng.uniform(-1, 1, (3, 5))
rhs = rng.uniform(-1, 1, (4, 2))
v = rng.uniform(-2, 2, (5,))
w = rng.uniform(-2, 2, (4,))
sq4 = rng.uniform(-2, 2, (4, 4))
for k, x in dict(a=a, b=b, bv=bv, spd=spd, tall=tall, wide=wide, rhs=rhs, v=v, w=w, sq4=sq4).items():
    put("in_" + k, x)

for dt in ("float64", "float32"):
    s = "_" + dt[-2:]  # _64, _32
    A, B, SPD = a.astype(dt), b.astype(dt), spd.astype(dt)
    put("inv" + s, L.inv(A))
    put("det" + s, L.det(A))
    put("solve" + s, L.solve(A, B))
    sv = L.svd(tall.astype(dt), full_matrices=False)
    put("svd_s" + s, sv[1])
    put("eigh_w" + s, L.eigh(SPD)[0])
    put("cholesky" + s, L.cholesky(SPD))

sign, logabs = ops.slogdet(a)
put("slogdet_sign", sign)
put("slogdet_logabsdet", logabs)
put("solve_vec", L.solve(a, bv))
put("cholesky_upper", L.cholesky(spd, upper=True))
lu, piv = L.lu_factor(a[0])
put("lu_factor_lu", lu)
put("lu_factor_pivots", piv)
put("solve_triangular_lower", L.solve_triangular(a, b, lower=True))
put("solve_triangular_upper", L.solve_triangular(a, b, lower=False))
for name, x in (("tall", tall), ("wide", wide)):
    for mode in ("reduced", "complete"):
        q, r = L.qr(x, mode=mode)
        put(f"qr_{name}_{mode}_q", q)
        put(f"qr_{name}_{mode}_r", r)
    for full in (True, False):
        u, s_, vh = L.svd(x, full_matrices=full)
        tag = "full" if full else "reduced"
        put(f"svd_{name}_{tag}_u", u)
        put(f"svd_{name}_{tag}_s", s_)
        put(f"svd_{name}_{tag}_vh", vh)
put("svd_wide_s_only", L.svd(wide, compute_uv=False))
ew, ev = L.eigh(spd)
put("eigh_w", ew)
put("eigh_v", ev)
put("lstsq", L.lstsq(tall, rhs))
put("lstsq_vec", L.lstsq(tall, rhs[:, 0]))
put("pinv_tall", L.pinv(tall))
put("cholesky_inverse", L.cholesky_inverse(L.cholesky(spd)))
put("cholesky_inverse_upper", L.cholesky_inverse(L.cholesky(spd, upper=True), upper=True))
deficient = np.stack([tall @ tall.T, np.ones((4, 4)), np.eye(4)])  # ranks 3, 1, 4
put("in_deficient", deficient)
put("matrix_rank", L.matrix_rank(deficient))
put("matrix_rank_tol", L.matrix_rank(deficient, tol=0.5))
put("pinv_batch", L.pinv(a))
for ord_ in (None, 1, -1, 0, 3, np.inf, -np.inf):
    put(f"norm_vec_{ord_}", L.norm(v, ord=ord_))
for ord_ in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
    put(f"norm_mat_{ord_}", L.norm(sq4, ord=ord_))
    put(f"norm_batch_{ord_}", L.norm(a, ord=ord_, axis=(2, 0)))
    # (keepdims with axis=(2, 0) and ord nuc/2/-2 fails in Keras 3.15's TF backend)
    put(f"norm_keep_{ord_}", L.norm(a, ord=ord_, axis=(0, 2), keepdims=True))
put("norm_axis1", L.norm(a, axis=1))
put("trace", ops.trace(a, offset=1, axis1=1, axis2=2))
put("trace_default", ops.trace(a))
put("diagonal", ops.diagonal(a, offset=-1, axis1=0, axis2=2))
put("diagonal_last", ops.diagonal(a, axis1=-2, axis2=-1))
put("diag_vec", ops.diag(v, k=1))
put("diag_vec_neg", ops.diag(w, k=-2))
put("diag_mat", ops.diag(sq4, k=-1))
put("outer", ops.outer(v, w))

here = os.path.dirname(os.path.abspath(__file__))
np.savez_compressed(os.path.join(here, "linalg_keras.npz"), **out)
print(f"wrote {len(out)} arrays, keras {keras.__version__} ({keras.backend.backend()})")
