#!/usr/bin/env python3
"""Writes sparse_tf.npz: inputs of the tf.sparse and tf.sets ops and TensorFlow's outputs,
including gradients of the values (tf.GradientTape), for tests/core/test_sparse*.cpp.

Run by hand with TensorFlow from PyPI (the tests read the file; CI needs no Python):
    /work/venv/bin/python tests/data/sparse/make_fixtures.py
A sparse result `name` is stored as name.indices, name.values, name.dense_shape.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

rng = np.random.default_rng(15)
out = {}


def put(name, x):
    out[name] = np.asarray(x)


def put_sparse(name, sp):
    put(name + ".indices", sp.indices.numpy().astype(np.int64))
    put(name + ".values", sp.values.numpy())
    put(name + ".dense_shape", sp.dense_shape.numpy().astype(np.int64))


def sparse(name, indices, values, shape, dtype=np.float64):
    sp = tf.SparseTensor(np.asarray(indices, np.int64).reshape(-1, len(shape)),
                         np.asarray(values, dtype), shape)
    put_sparse(name, sp)
    return sp


# ---- inputs -------------------------------------------------------------------------------
A = sparse("A", [[0, 1], [1, 0], [1, 2], [3, 4]], [1.5, -2.0, 3.0, 4.25], [4, 5])
B = sparse("B", [[2, 3], [0, 1], [3, 0], [1, 2]], [5.0, -1.5, 2.0, -3.0], [4, 5])  # unordered
C = sparse("C", [[1, 2, 3], [0, 0, 1], [1, 0, 0], [0, 2, 1], [1, 2, 0], [0, 1, 3]],
           [-1.0, 2.0, -4.0, 0.5, -0.25, 3.0], [2, 3, 4])  # unordered, rank 3
E = sparse("E", [[1, 1], [1, 0], [3, 2]], [1.0, 2.0, 3.0], [5, 3])  # empty rows 0, 2, 4
D = rng.normal(size=(4, 5))
D[rng.random((4, 5)) < 0.4] = 0.0
put("D", D)
M = rng.normal(size=(5, 3)); put("M", M)
M4 = rng.normal(size=(4, 3)); put("M4", M4)
M3 = rng.normal(size=(3, 5)); put("M3", M3)
L25 = rng.normal(size=(2, 5)); put("L25", L25)
W45 = rng.normal(size=(4, 5)); put("W45", W45)
W43 = rng.normal(size=(4, 3)); put("W43", W43)
W23 = rng.normal(size=(2, 4)); put("W23", W23)  # weights of reduce_sum(C, axis=1): (2, 4)
w8 = rng.normal(size=(8,)); put("w8", w8)
w32 = rng.normal(size=(32,)); put("w32", w32)


def wsum(w, v):
    return tf.reduce_sum(tf.constant(w[: v.shape[0]]) * v)


Bo = tf.sparse.reorder(B)
# ---- conversions ----------------------------------------------------------------------------
put_sparse("reorder_B", Bo)
put_sparse("reorder_C", tf.sparse.reorder(C))
put("to_dense_A", tf.sparse.to_dense(A))
put("to_dense_A_7", tf.sparse.to_dense(A, default_value=7.0))
R = sparse("R", [[0, 1], [0, 1], [1, 0]], [1.0, 2.0, 5.0], [2, 2])  # a repeated index
put("to_dense_R", tf.sparse.to_dense(R, default_value=-1.0, validate_indices=False))
put("to_dense_B", tf.sparse.to_dense(B, validate_indices=False))  # unordered
R22 = rng.normal(size=(2, 2)); put("R22", R22)
put("add_R_dense", tf.sparse.add(R, tf.constant(R22)))  # repeated entries add up here
put("matmul_R", tf.sparse.sparse_dense_matmul(R, R22))
put("reduce_sum_R", tf.sparse.reduce_sum(R, axis=1))
put_sparse("from_dense_D", tf.sparse.from_dense(D))
put_sparse("retain_A", tf.sparse.retain(A, [True, False, True, False]))

# ---- arithmetic ----------------------------------------------------------------------------
put_sparse("add_A_B", tf.sparse.add(A, Bo))  # [1,2]: 3 + -3 = 0, kept at threshold 0
put_sparse("add_A_B_t1", tf.sparse.add(A, Bo, threshold=1.0))
put("add_A_D", tf.sparse.add(A, tf.constant(D)))
put("matmul_A_M", tf.sparse.sparse_dense_matmul(A, M))
put("matmul_At_M4", tf.sparse.sparse_dense_matmul(A, M4, adjoint_a=True))
put("matmul_A_M3t", tf.sparse.sparse_dense_matmul(A, M3, adjoint_b=True))
put("matmul_dense_left", tf.sparse.sparse_dense_matmul(L25, E))  # dense (2, 5) @ sparse (5, 3)
put("reduce_sum_C_all", tf.sparse.reduce_sum(C))
put("reduce_sum_C_1", tf.sparse.reduce_sum(C, axis=1))
put("reduce_sum_C_02k", tf.sparse.reduce_sum(C, axis=[0, 2], keepdims=True))
put("reduce_sum_C_m1", tf.sparse.reduce_sum(C, axis=-1))
put("reduce_max_C_1", tf.sparse.reduce_max(C, axis=1))
put("reduce_max_C_all", tf.sparse.reduce_max(C))
put("reduce_max_C_2k", tf.sparse.reduce_max(C, axis=2, keepdims=True))

# ---- moving entries ------------------------------------------------------------------------
put_sparse("reshape_C", tf.sparse.reshape(C, [6, -1]))
put_sparse("reshape_A", tf.sparse.reshape(A, [2, 10]))
put_sparse("slice_C", tf.sparse.slice(C, [0, 1, 1], [2, 2, 5]))
put_sparse("slice_A_past", tf.sparse.slice(A, [5, 0], [2, 2]))
put_sparse("concat_1", tf.sparse.concat(1, [A, Bo]))
put_sparse("concat_0", tf.sparse.concat(0, [A, Bo]))
put_sparse("concat_expand", tf.sparse.concat(
    1, [A, tf.SparseTensor([[5, 0]], np.array([9.0]), [6, 2])], expand_nonconcat_dims=True))
put_sparse("transpose_C", tf.sparse.transpose(C, [2, 0, 1]))
put_sparse("transpose_A", tf.sparse.transpose(A))
filled, empty = tf.sparse.fill_empty_rows(E, -1.0)
put_sparse("fill_E", filled)
put("fill_E.empty", empty)

# ---- gradients of the values (and of dense operands) ---------------------------------------
def grads(name, f, *xs):
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        loss = f(*xs)
    put(name + ".loss", loss)
    for i, g in enumerate(tape.gradient(loss, xs)):
        put(f"{name}.grad{i}", tf.convert_to_tensor(g))  # IndexedSlices (gather) made dense


Av, Bv, Cv, Ev = A.values.numpy(), B.values.numpy(), C.values.numpy(), E.values.numpy()
grads("g_to_dense", lambda v: tf.reduce_sum(W45 * tf.sparse.to_dense(A.with_values(v))), Av)
grads("g_reorder", lambda v: wsum(w8, tf.sparse.reorder(B.with_values(v)).values), Bv)
grads("g_add_ss", lambda a, b: wsum(w8, tf.sparse.add(A.with_values(a), Bo.with_values(b)).values),
      Av, Bo.values.numpy())
grads("g_add_sd", lambda a, d: tf.reduce_sum(W45 * tf.sparse.add(A.with_values(a), d)), Av, D)
grads("g_matmul", lambda a, m: tf.reduce_sum(W43 * tf.sparse.sparse_dense_matmul(A.with_values(a), m)),
      Av, M)
grads("g_reduce_sum", lambda v: tf.reduce_sum(W23 * tf.sparse.reduce_sum(C.with_values(v), axis=1)), Cv)
grads("g_slice", lambda v: wsum(w8, tf.sparse.slice(C.with_values(v), [0, 1, 1], [2, 2, 5]).values), Cv)
grads("g_transpose", lambda v: wsum(w8, tf.sparse.transpose(C.with_values(v), [2, 0, 1]).values), Cv)
grads("g_retain", lambda v: wsum(w8, tf.sparse.retain(A.with_values(v), [True, False, True, True]).values), Av)
grads("g_from_dense", lambda d: wsum(w32, tf.sparse.from_dense(d).values), D)
grads("g_fill", lambda v, d: wsum(w8, tf.sparse.fill_empty_rows(E.with_values(v), d)[0].values),
      Ev, np.float64(-1.0))

# ---- sets -----------------------------------------------------------------------------------
sa = np.array([[3, 1, 1, 0], [2, 2, 2, 2], [5, 6, 7, 8]], np.int32)
sb = np.array([[1, 5, 3, 3], [7, 0, 0, 2], [9, 9, 9, 9]], np.int32)
put("set_a", sa)
put("set_b", sb)
S = sparse("S", [[0, 0], [0, 3], [2, 1], [2, 2]], [5, 1, 1, 5], [3, 4], dtype=np.int32)
S3 = sparse("S3", [[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 1, 2]], [4, 2, 7, 4], [2, 2, 3], dtype=np.int64)
d3 = np.array([[[1, 2, 4], [7, 7, 7]], [[0, 0, 0], [4, 1, 4]]], np.int64)
put("set_d3", d3)
put("size_S", tf.sets.size(S))
put("size_S3", tf.sets.size(S3))
put_sparse("inter_dd", tf.sets.intersection(sa, sb))
put_sparse("union_dd", tf.sets.union(sa, sb))
put_sparse("diff_dd", tf.sets.difference(sa, sb))
put_sparse("diff_dd_ba", tf.sets.difference(sa, sb, aminusb=False))
put_sparse("inter_sd", tf.sets.intersection(S, sb))
put_sparse("union_ds", tf.sets.union(sa, S))
put_sparse("diff_ds", tf.sets.difference(sa, S))
put_sparse("diff_sd", tf.sets.difference(S, sa))
put_sparse("diff_ss", tf.sets.difference(S, tf.sparse.from_dense(sb)))
put_sparse("inter_empty", tf.sets.intersection(np.array([[1]], np.int32), np.array([[2]], np.int32)))
put_sparse("union_3d", tf.sets.union(S3, d3))
put_sparse("inter_3d", tf.sets.intersection(d3, S3))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sparse_tf.npz")
np.savez(path, **out)
print(f"wrote {len(out)} arrays to {path} (TensorFlow {tf.__version__})")
