"""TensorFlow's tf.function results for sparse ops whose number of entries depends on the
values (tests/core/test_sparse_entries_function.cpp): the entries of symbolic sparse
tensors read inside the function (values, indices, with_values), retain by a mask computed
from the values, fill_empty_rows, add with a threshold, from_dense.

Run: /work/venv/bin/python tests/data/sparse_function/make_fixtures.py
"""
import os

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))


@tf.function
def entries_fn(sp, x):
    d = tf.sparse.from_dense(x)
    kept = tf.sparse.retain(sp, sp.values > 0)
    doubled = sp.with_values(sp.values * 2)
    filled, _ = tf.sparse.fill_empty_rows(sp, -1.0)
    summed = tf.sparse.add(sp, sp, threshold=0.5)
    return (tf.reduce_sum(d.values), tf.sparse.to_dense(kept), tf.sparse.to_dense(doubled), filled.indices,
            tf.reduce_sum(summed.values), tf.cast(tf.shape(d.values), tf.int64))


def main():
    cases = {
        "c0": (tf.sparse.SparseTensor([[0, 1], [2, 0], [2, 2]], [1.5, -2.0, 0.25], [3, 3]),
               tf.constant([[0., 1.], [2., 0.]])),
        "c1": (tf.sparse.SparseTensor([[1, 1]], [-3.0], [3, 3]), tf.constant([[0., 0.], [0., 5.]])),
        "c2": (tf.sparse.SparseTensor(tf.zeros([0, 2], tf.int64), tf.zeros([0]), [3, 3]), tf.zeros([2, 2])),
    }
    out = {}
    names = ["from_dense_sum", "retained", "doubled", "filled_indices", "add_sum", "nnz"]
    for key, (sp, x) in cases.items():
        out[key + "_indices"] = sp.indices.numpy()
        out[key + "_values"] = sp.values.numpy()
        out[key + "_x"] = x.numpy()
        for name, r in zip(names, entries_fn(sp, x)):
            out[key + "_" + name] = r.numpy()
    out["tracing_count"] = np.array(entries_fn.experimental_get_tracing_count(), np.int64)
    np.savez(os.path.join(HERE, "tf_fixtures.npz"), **out)


if __name__ == "__main__":
    main()
