#!/usr/bin/env python3
"""Checks keras-cpp's ONNX export with the ONNX tools themselves.

Runs write_onnx_cases (built with the tests: build/tests/write_onnx_cases), which writes
each case model of tests/onnx/onnx_cases.cpp as NAME.onnx with its inputs NAME.in<i>.npy
and keras-cpp's outputs NAME.out<i>.npy; then for every model:
  - onnx.checker.check_model(full_check=True) (which runs ONNX's shape inference too),
  - onnxruntime runs it on the inputs, and its outputs must equal keras-cpp's within
    1e-5 (|ort - keras_cpp| <= 1e-5 * (1 + |keras_cpp|)), with the same shapes and dtypes,
  - and again on the first row alone (batch 1: the batch axis is dynamic).
A case whose output rows are all equal fails too: it would not test the layers before.
Prints one line per model and a summary; exits non-zero on any failure.

Usage: check_onnx.py [--exe build/tests/write_onnx_cases] [--keep DIR]
Needs numpy, onnx and onnxruntime (pip install onnx onnxruntime), nothing else.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

TOL = 1e-5


def compare(got, want):
    """The largest |got - want| / (1 + |want|), or an error string."""
    if got.shape != want.shape:
        return f"shape {got.shape} != {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype} != {want.dtype}"
    if got.size == 0:
        return 0.0
    g, w = got.astype(np.float64), want.astype(np.float64)
    if not np.array_equal(np.isnan(g), np.isnan(w)):
        return "NaN in different places"
    ok = ~np.isnan(w)
    return float(np.max(np.abs(g[ok] - w[ok]) / (1.0 + np.abs(w[ok])))) if ok.any() else 0.0


def check_case(folder, name):
    path = os.path.join(folder, name + ".onnx")
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opset = {o.domain: o.version for o in model.opset_import}[""]
    inputs = [np.load(p) for p in sorted(glob.glob(os.path.join(folder, name + ".in*.npy")), key=_index)]
    wants = [np.load(p) for p in sorted(glob.glob(os.path.join(folder, name + ".out*.npy")), key=_index)]
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = {i.name: x for i, x in zip(sess.get_inputs(), inputs)}
    worst, worst_abs, errors = 0.0, 0.0, []
    for rows in (None, slice(0, 1)):  # the whole batch, then batch 1
        f = feeds if rows is None else {k: v[rows] for k, v in feeds.items()}
        try:
            gots = sess.run(None, f)
        except Exception as e:  # onnxruntime refused to run it
            errors.append(f"onnxruntime: {e}")
            break
        if len(gots) != len(wants):
            errors.append(f"{len(gots)} outputs, expected {len(wants)}")
            continue
        for out, got, want in zip(sess.get_outputs(), gots, wants):
            want = want if rows is None else want[rows]
            r = compare(got, want)
            if isinstance(r, str):
                errors.append(f"{out.name}: {r}")
                continue
            if rows is None and want.shape[0] > 1 and want.size and np.all(want == want[:1]):
                errors.append(f"{out.name}: every row of keras-cpp's output is the same (a degenerate case)")
            worst = max(worst, r)
            if got.size:
                worst_abs = max(worst_abs, float(np.nanmax(np.abs(got.astype(np.float64) - want.astype(np.float64)))))
            if r > TOL:
                errors.append(f"{out.name}: error {r:.3g} > {TOL}")
    n_nodes = len(model.graph.node)
    print(f"{name}: opset {opset}, {n_nodes} nodes, {len(inputs)} inputs, {len(wants)} outputs, "
          f"max |ort - keras-cpp| {worst_abs:.3g} (relative to 1 + |value|: {worst:.3g})"
          + (" FAILED: " + "; ".join(errors) if errors else " ok"))
    return not errors, worst


def _index(path):  # NAME.in<i>.npy / NAME.out<i>.npy -> i
    return int(re.search(r"\.(?:in|out)(\d+)\.npy$", path).group(1))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exe", default=os.path.join(root, "build", "tests", "write_onnx_cases"))
    ap.add_argument("--keep", help="write the cases to this folder (kept) instead of a temporary one")
    args = ap.parse_args()
    print(f"onnx {onnx.__version__}, onnxruntime {ort.__version__}, numpy {np.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or tmp
        subprocess.run([args.exe, folder], check=True, stdout=subprocess.DEVNULL)
        names = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(folder, "*.onnx")))
        if not names:
            sys.exit(f"check_onnx.py: {args.exe} wrote no .onnx files")
        results = [check_case(folder, n) for n in names]
    failed = [n for n, (ok, _) in zip(names, results) if not ok]
    worst = max(w for _, w in results)
    print(f"check_onnx: {len(names) - len(failed)} of {len(names)} models match keras-cpp within {TOL} "
          f"(worst {worst:.3g})" + (f"; failed: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
