#!/usr/bin/env python3
"""Writes tests/data/int_dtypes/keras_unary.npz: keras.ops's unary functions on integer and
bool inputs (their result dtypes and values; an op Keras refuses for a dtype is absent),
read by tests/core/test_keras_int_unary.cpp:

    /work/venv/bin/python tests/data/int_dtypes/make_keras_unary_fixtures.py
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OPS = ["exp", "expm1", "log", "log1p", "sqrt", "sin", "cos", "tanh", "floor", "ceil", "isnan", "isfinite",
       "leaky_relu", "abs", "sign", "square", "relu", "relu6", "negative", "round"]
DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "bool"]


def main():
    out = {}
    for dt in DTYPES:
        if dt == "bool":
            x = np.array([True, False, True, True])
        elif dt.startswith("u"):
            x = np.array([0, 1, 2, 7, 9, 200]).astype(dt)
        else:
            x = np.array([-9, -2, 0, 1, 3, 7, 100]).astype(dt)
        out[f"{dt}/x"] = x
        for op in OPS:
            fn = getattr(keras.ops, op, None) or getattr(keras.ops.nn, op)
            try:
                y = fn(keras.ops.convert_to_tensor(x))
            except Exception:  # Keras refuses this dtype: no entry
                continue
            out[f"{dt}/{op}"] = keras.ops.convert_to_numpy(y)
    np.savez(os.path.join(HERE, "keras_unary.npz"), **out)
    print(len(out), "arrays; keras", keras.__version__)


if __name__ == "__main__":
    main()
