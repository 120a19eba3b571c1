#!/usr/bin/env python3
"""Writes tests/data/int_dtypes/int_ops.npz: NumPy's results (TensorFlow's semantics for
same-dtype integer ops: two's-complement wrapping, floor division and modulo) for int8,
int16, uint16 and uint32 operands, read by tests/core/test_int_dtypes.cpp.

Usage: python3 make_int_dtype_fixtures.py   (NumPy only)
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "int_dtypes", "int_ops.npz")


def operands(dtype, rng):
    info = np.iinfo(dtype)
    lo, hi = int(info.min), int(info.max)
    # Values across the whole range, the extremes included, and small ones.
    a = np.concatenate([rng.integers(lo, hi, 20, endpoint=True), [lo, hi, 0, 1, hi, lo, 7, 3]])
    b = np.concatenate([rng.integers(lo, hi, 20, endpoint=True), [1, hi, 5, 3, 2, 2, 3, 7]])
    b[b == 0] = 1  # (integer division by zero is an error in TensorFlow)
    if info.min < 0:
        b[(a == lo) & (b == -1)] = 2  # (lo // -1 overflows)
    return a.astype(dtype).reshape(4, 7), b.astype(dtype).reshape(4, 7)


def main():
    rng = np.random.default_rng(7)
    out = {}
    for name in ["int8", "int16", "uint16", "uint32"]:
        dt = np.dtype(name)
        a, b = operands(dt, rng)
        with np.errstate(over="ignore"):
            out[name + "_a"] = a
            out[name + "_b"] = b
            out[name + "_add"] = a + b
            out[name + "_subtract"] = a - b
            out[name + "_multiply"] = a * b
            out[name + "_floor_divide"] = a // b
            out[name + "_mod"] = a % b
            out[name + "_maximum"] = np.maximum(a, b)
            out[name + "_minimum"] = np.minimum(a, b)
            out[name + "_sum0"] = np.sum(a, axis=0, dtype=dt)
            out[name + "_max1"] = np.max(a, axis=1)
            out[name + "_min1"] = np.min(a, axis=1)
            out[name + "_argmax1"] = np.argmax(a, axis=1).astype(np.int64)
            out[name + "_cumsum1"] = np.cumsum(a, axis=1, dtype=dt)
            out[name + "_sort1"] = np.sort(a, axis=1)
            out[name + "_matmul"] = np.matmul(a, b.T.copy()).astype(dt)
            out[name + "_less"] = a < b
            out[name + "_to_float32"] = a.astype(np.float32)
    np.savez(OUT, **out)
    print("wrote", OUT, len(out), "arrays")


if __name__ == "__main__":
    main()
