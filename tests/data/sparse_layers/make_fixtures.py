#!/usr/bin/env python3
"""Writes sparse_layers.npz: Keras 3's layers called on tf.SparseTensor inputs (the
TensorFlow backend, the one with sparse tensors), for tests/keras/test_sparse_layers.cpp.

Run by hand with TensorFlow and Keras from PyPI (the tests read the file; CI needs no Python):
    KERAS_BACKEND=tensorflow /work/venv/bin/python tests/data/sparse_layers/make_fixtures.py
A sparse result `name` is stored as name.indices, name.values, name.dense_shape; a dense
one as name.
"""
import os

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

rng = np.random.default_rng(23)
out = {}


def put(name, x):
    if isinstance(x, tf.SparseTensor):
        out[name + ".indices"] = x.indices.numpy().astype(np.int64)
        out[name + ".values"] = x.values.numpy()
        out[name + ".dense_shape"] = x.dense_shape.numpy().astype(np.int64)
    else:
        out[name] = np.asarray(x)


def sparse_input(name, shape, density):
    dense = rng.uniform(-2, 2, size=shape).astype("float32")
    dense[rng.uniform(size=shape) > density] = 0
    sp = tf.sparse.from_dense(dense)
    put(name, sp)
    return sp


P = sparse_input("P", (3, 6), 0.4)
Q = sparse_input("Q", (3, 6), 0.4)
R = sparse_input("R", (3, 2, 3), 0.5)
S = sparse_input("S", (3, 2, 3), 0.5)
D = rng.uniform(-2, 2, size=(3, 6)).astype("float32")
put("D", D)

put("reshape", L.Reshape((2, 3))(P))
put("reshape_neg", L.Reshape((-1, 2))(P))
put("flatten", L.Flatten()(R))
put("flatten_cf", L.Flatten(data_format="channels_first")(R))
put("permute", L.Permute((2, 1))(R))
put("identity", L.Identity()(P))
for name, layer in [("add", L.Add()), ("subtract", L.Subtract()), ("average", L.Average()),
                    ("multiply", L.Multiply()), ("maximum", L.Maximum()), ("minimum", L.Minimum())]:
    put(name + "_ss", layer([P, Q]))
    put(name + "_sd", layer([P, D]))
    put(name + "_ds", layer([D, P]))
put("add_sss", L.Add()([P, Q, P]))
put("average_sss", L.Average()([P, Q, P]))
put("multiply_sss", L.Multiply()([P, Q, P]))
put("concatenate_ss", L.Concatenate()([P, Q]))
put("concatenate_sd", L.Concatenate()([P, D]))
put("concatenate_axis1", L.Concatenate(axis=1)([R, S]))

# A model: two sparse inputs, concatenated and flattened into Dense layers.
a = keras.Input((6,), sparse=True, name="a")
b = keras.Input((2, 3), sparse=True, name="b")
h = L.Concatenate()([a, L.Flatten()(b)])
h = L.Dense(4, activation="relu")(h)
model = keras.Model([a, b], L.Dense(2)(h))
for i, w in enumerate(model.weights):
    v = rng.uniform(-0.5, 0.5, size=w.shape).astype("float32")
    w.assign(v)
    put(f"model.w{i}", v)
put("model.pred", model.predict([P, R], verbose=0))

np.savez(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sparse_layers.npz"), **out)
print(f"{len(out)} arrays (keras {keras.__version__}, tensorflow {tf.__version__})")
