#!/usr/bin/env python3
# make_reduce_fixtures.py - writes reduce_keras.npz for tests/core/test_ops_reduce.cpp:
# seeded inputs (in_*) and what Keras 3 (TensorFlow backend) computes from them with
# keras.ops: reductions, nan* reductions, scans, quantiles, argpartition, segment and
# scatter ops, search and sets, trapezoid, corrcoef, correlate, cdist, logdet. Each
# output keeps Keras's dtype (the test checks it). Run by hand in a venv with keras and
# tensorflow-cpu (the tests read the committed file, so CI needs no Python ML stack):
#   KERAS_BACKEND=tensorflow /work/venv/bin/python tests/data/ops/make_reduce_fixtures.py
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import numpy as np

ops = keras.ops
rng = np.random.default_rng(20)
out = {}


def put(name, value):
    out[name] = np.asarray(value)


a = rng.uniform(-2, 2, (3, 4))
an = a.copy()
an[0, 1] = np.nan
an[2, :] = np.nan
ai = rng.integers(-3, 4, (3, 4)).astype(np.int32)
b3 = rng.uniform(-1, 1, (2, 3, 4))
bp = rng.uniform(0.5, 1.5, (2, 3, 4))  # positive, for cumprod
w4 = rng.uniform(0.5, 2, (4,))
e = np.zeros((0, 3))
for k, x in dict(a=a, an=an, ai=ai, b3=b3, bp=bp, w4=w4).items():
    put("in_" + k, x)

# ---- reductions
put("amax_a_ax1", ops.amax(a, axis=1))
put("amin_a_ax0_keep", ops.amin(a, axis=0, keepdims=True))
put("ptp_a", ops.ptp(a))
put("ptp_ai_ax1", ops.ptp(ai, axis=1))
put("var_a_ax1", ops.var(a, axis=1))
put("var_ai", ops.var(ai))
put("var_b3_ax02_keep", ops.var(b3, axis=(0, 2), keepdims=True))
put("average_a", ops.average(a))
put("average_ai_ax0", ops.average(ai, axis=0))
put("average_a_w_ax1", ops.average(a, axis=1, weights=w4))
put("average_a_wfull_ax0", ops.average(a, axis=0, weights=np.abs(a)))
put("count_nonzero_ai_ax0", ops.count_nonzero(ai, axis=0))
put("count_nonzero_ai", ops.count_nonzero(ai))
for f in ("nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin"):
    fn = getattr(ops, f)
    put(f + "_an_ax1", fn(an, axis=1))
    put(f + "_an", fn(an))
    put(f + "_an_ax0_keep", fn(an, axis=0, keepdims=True))
    put(f + "_ai_ax1", fn(ai, axis=1))
put("nansum_empty_ax0", ops.nansum(e, axis=0))
put("nanargmax_an_ax1", ops.nanargmax(an, axis=1))
put("nanargmin_an_ax1", ops.nanargmin(an, axis=1))
put("nanargmax_an", ops.nanargmax(an))
put("nanargmin_an_ax0_keep", ops.nanargmin(an, axis=0, keepdims=True))

# ---- scans
put("cumsum_b3_ax1", ops.cumsum(b3, axis=1))
put("cumsum_b3", ops.cumsum(b3))
put("cumsum_ai_axm1", ops.cumsum(ai, axis=-1))
put("cumsum_bool_ax0", ops.cumsum(ai > 0, axis=0))
put("cumsum_ai_f32", ops.cumsum(ai, axis=0, dtype="float32"))
put("cumprod_bp_ax2", ops.cumprod(bp, axis=2))
put("cumprod_bp_ax0", ops.cumprod(bp, axis=0))
put("cumprod_ai_ax0", ops.cumprod(ai, axis=0))
put("cumsum_empty_ax0", ops.cumsum(e, axis=0))
put("nancumsum_an_ax1", ops.nancumsum(an, axis=1))
put("nancumprod_an_ax0", ops.nancumprod(an, axis=0))

# ---- quantiles
q3 = np.array([0.0, 0.3, 0.75])
put("in_q3", q3)
for m in ("linear", "lower", "higher", "midpoint", "nearest"):
    put("quantile_a_q3_ax1_" + m, ops.quantile(a, q3, axis=1, method=m))
    # (Keras fails on an all-NaN slice with a 1-d q: its rows are the first two of an)
    put("nanquantile_an2_q3_ax1_" + m, ops.nanquantile(an[:2], q3, axis=1, method=m))
put("quantile_b3_q3_ax02_keep", ops.quantile(b3, q3, axis=(0, 2), keepdims=True))
put("quantile_ai_03", ops.quantile(ai, 0.3))
put("quantile_a_04_keep", ops.quantile(a, 0.4, keepdims=True))
put("median_a_ax0", ops.median(a, axis=0))
put("median_an_ax1", ops.median(an, axis=1))
put("median_b3_axm1_keep", ops.median(b3, axis=-1, keepdims=True))
put("nanmedian_an_ax1", ops.nanmedian(an, axis=1))
put("nanmedian_an", ops.nanmedian(an))
put("percentile_a_ax1", ops.percentile(a, np.array([10.0, 50.0, 90.0]), axis=1))
put("percentile_ai_25", ops.percentile(ai, 25.0))
put("nanpercentile_an_ax1", ops.nanpercentile(an, 60.0, axis=1))
xp = np.array([[7, 2, 9, 4, 0, 5], [3, 8, 1, 6, 2, 4]], dtype=np.int32)
put("in_xp", xp)
# (Keras's TensorFlow argpartition is only right for 1-d x: the tests check the 2-d case
# against a partition property instead)
put("argpartition_xp0_2", ops.argpartition(xp[0], 2))
put("argpartition_xp1_0", ops.argpartition(xp[1], 0))
put("argpartition_xp_4_none", ops.argpartition(xp, 4, axis=None))

# ---- segment and scatter ops
data = rng.uniform(-2, 2, (5, 3))
ids = np.array([0, 0, 2, 3, 3], dtype=np.int32)
put("in_data", data)
put("in_ids", ids)
for f in ("segment_sum", "segment_max", "segment_min", "segment_prod"):
    put(f + "_5", getattr(ops, f)(data, ids, num_segments=5))
    put(f + "_sorted", getattr(ops, f)(data, ids, sorted=True))
put("segment_max_int_5", ops.segment_max(ai[0], np.array([1, 1, 3, 3], np.int32), num_segments=5))
put("segment_min_int_5", ops.segment_min(ai[0], np.array([1, 1, 3, 3], np.int32), num_segments=5))
sidx = np.array([[0, 1], [2, 3], [0, 1], [1, 0]], dtype=np.int32)
svals = rng.uniform(-2, 2, (4,))
put("in_sidx", sidx)
put("in_svals", svals)
put("scatter_elems", ops.scatter(sidx, svals, (3, 4)))
ridx = np.array([[2], [0], [2]], dtype=np.int32)
rvals = rng.uniform(-2, 2, (3, 4))
put("in_ridx", ridx)
put("in_rvals", rvals)
put("scatter_rows", ops.scatter(ridx, rvals, (3, 4)))
uidx = np.array([[0, 1], [2, 3], [1, 0]], dtype=np.int32)
uvals = np.array([10.0, -3.0, 0.5])
put("in_uidx", uidx)
put("in_uvals", uvals)
put("scatter_update_a", ops.scatter_update(a, uidx, uvals))
put("scatter_update_rows", ops.scatter_update(a, np.array([[1]], np.int32), rvals[:1]))
for red in ("add", "max", "min", "mul"):
    put("scatter_update_" + red, ops.scatter_update(a, sidx, svals, reduction=red))
big = rng.uniform(-1, 1, (4, 5))
upd = rng.uniform(-1, 1, (2, 3))
put("in_big", big)
put("in_upd", upd)
put("slice_update_12", ops.slice_update(big, (1, 2), upd))
put("slice_update_00", ops.slice_update(big, (0, 0), upd))

# ---- search and sets
seq = np.array([-1.0, 0.0, 0.5, 0.5, 2.0, 3.0])
vals = np.array([-2.0, 0.0, 0.5, 0.7, 3.0, 9.0, 1.0])
put("in_seq", seq)
put("in_vals", vals)
put("searchsorted_left", ops.searchsorted(seq, vals))
put("searchsorted_right", ops.searchsorted(seq, vals, side="right"))
put("digitize_a", ops.digitize(a, [-1.0, 0.0, 0.5, 1.5]))
put("digitize_ai", ops.digitize(ai, [-1, 0, 2]))
put("isin_ai", ops.isin(ai, np.array([0, 2, -3], np.int32)))
put("isin_ai_invert", ops.isin(ai, np.array([0, 2, -3], np.int32), invert=True))
ux = np.array([3, 1, 3, 2, 1, 7, 3], dtype=np.int32)
put("in_ux", ux)
uv, ui, uinv, uc = ops.unique(ux, return_index=True, return_inverse=True, return_counts=True)
put("unique_values", uv)
put("unique_index", ui)
put("unique_inverse", uinv)
put("unique_counts", uc)
uv2, uinv2 = ops.unique(ux, sorted=False, return_inverse=True)
put("unique_unsorted_values", uv2)
put("unique_unsorted_inverse", uinv2)
put("unique_size", ops.unique(ux, size=6, fill_value=-1))
u2 = np.array([[1, 2], [0, 5], [1, 2], [0, 1]], dtype=np.int32)
put("in_u2", u2)
put("unique_axis0", ops.unique(u2, axis=0))
bx = np.array([0, 1, 1, 3, 1], dtype=np.int32)
put("in_bx", bx)
put("bincount_bx", ops.bincount(bx))
put("bincount_bx_w", ops.bincount(bx, weights=np.array([0.5, 1, 2, 3, 4], np.float32), minlength=6))
hx = rng.uniform(-1, 3, (20,))
put("in_hx", hx)
hc, he = ops.histogram(hx, bins=5)
put("histogram_counts", hc)
put("histogram_edges", he)
hc, he = ops.histogram(hx, bins=4, range=(0.0, 2.0))
put("histogram_range_counts", hc)
put("histogram_range_edges", he)
nz = ops.nonzero(ai)
put("nonzero_0", nz[0])
put("nonzero_1", nz[1])

# ---- statistics and signals
put("trapezoid_a", ops.trapezoid(a))
put("trapezoid_ai", ops.trapezoid(ai))
put("trapezoid_a_x", ops.trapezoid(a, x=np.array([0.0, 0.5, 2.0, 2.5])))
put("trapezoid_a_ax0_dx", ops.trapezoid(a, dx=0.5, axis=0))
c5 = rng.uniform(-1, 1, (3, 5))
put("in_c5", c5)
put("corrcoef_c5", ops.corrcoef(c5))
put("corrcoef_ai", ops.corrcoef(ai))
k1 = rng.uniform(-1, 1, (6,))
k2 = rng.uniform(-1, 1, (3,))
put("in_k1", k1)
put("in_k2", k2)
for m in ("valid", "same", "full"):
    put("correlate_" + m, ops.correlate(k1, k2, mode=m))
put("correlate_int_full", ops.correlate(np.array([1, 2, 3], np.int32), np.array([0, 1, 2, 5], np.int32), mode="full"))
put("correlate_int_same", ops.correlate(np.array([1, 2, 3], np.int32), np.array([0, 1, 2, 5], np.int32), mode="same"))
cx = rng.uniform(-1, 1, (2, 3, 4))
cy = rng.uniform(-1, 1, (2, 5, 4))
put("in_cx", cx)
put("in_cy", cy)
put("cdist_b", ops.cdist(cx, cy))
g = rng.uniform(-1, 1, (2, 3, 3))
spd = g @ np.swapaxes(g, -1, -2) + 3 * np.eye(3)
put("in_spd", spd)
put("logdet_spd", ops.logdet(spd))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reduce_keras.npz")
np.savez(path, **out)
print("wrote", path, len(out), "arrays")
