#!/usr/bin/env python3
# make_fixtures.py - writes tf_fixtures.npz for tests/core/test_ragged_function.cpp: what a
# tf.function with a RaggedTensorSpec signature (ragged_rank 1, float32, open numbers of
# values and rows) returns for several row-length patterns, empty rows and zero rows
# included. Run by hand in a venv with tensorflow-cpu from PyPI:
#   /work/venv/bin/python tests/data/ragged_function/make_fixtures.py
# A ragged result NAME is stored as NAME_values and NAME_splits0.
import os

import numpy as np
import tensorflow as tf

here = os.path.dirname(os.path.abspath(__file__))
out = {}

patterns = {
    "p0": [[1.5, -2.0, 3.25], [], [4.0, 0.5]],
    "p1": [[6.0], [7.0, -8.0, 9.0, 10.0], [11.0], [], [12.0, -13.0]],
    "p2": [[], [], []],
    "p3": [],
}


@tf.function(input_signature=[tf.RaggedTensorSpec(shape=[None, None], dtype=tf.float32, ragged_rank=1)])
def f(rt):
    return {
        "to_tensor": rt.to_tensor(default_value=-1.0),
        "to_tensor_shape": rt.to_tensor(shape=[None, 3]),
        "sum": tf.reduce_sum(rt, axis=1),
        "mean": tf.reduce_mean(rt, axis=1),
        "max": tf.reduce_max(rt, axis=1),
        "row_lengths": rt.row_lengths(),
        "mapped": tf.ragged.map_flat_values(lambda v: v * 2.0 + 1.0, rt),
        "masked": tf.ragged.boolean_mask(rt, rt > 2.0),
        "sum_axis0": tf.reduce_sum(rt, axis=0),
    }


print("traces before:", f.experimental_get_tracing_count())
for name, rows in patterns.items():
    rt = tf.RaggedTensor.from_row_lengths(
        tf.constant([v for r in rows for v in r], dtype=tf.float32), tf.constant([len(r) for r in rows], dtype=tf.int64))
    out[name + "_values"] = rt.flat_values.numpy()
    out[name + "_splits0"] = rt.row_splits.numpy()
    for key, value in f(rt).items():
        if isinstance(value, tf.RaggedTensor):
            out[name + "_" + key + "_values"] = value.flat_values.numpy()
            out[name + "_" + key + "_splits0"] = value.row_splits.numpy()
        else:
            out[name + "_" + key] = value.numpy()
print("traces after:", f.experimental_get_tracing_count())

np.savez(os.path.join(here, "tf_fixtures.npz"), **out)
