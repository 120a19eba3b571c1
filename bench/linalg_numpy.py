#!/usr/bin/env python3
# linalg_numpy.py - NumPy's counterpart of bench_linalg (bench/linalg.cpp): the same ops,
# shapes, dtypes and timing (median of --reps calls after one untimed call), one JSON line.
# Set the BLAS threads in the environment before NumPy loads (OPENBLAS_NUM_THREADS=1);
# bench/linalg_vs_numpy.sh does. Usage: linalg_numpy.py [--threads N] [--n N] [--reps R]
import argparse, json, os, time

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=0)
p.add_argument("--n", type=int, default=1024)
p.add_argument("--reps", type=int, default=5)
args = p.parse_args()
if args.threads:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
import numpy as np

n, rng, rows = args.n, np.random.default_rng(1), []
for dt in ("float32", "float64"):
    a = rng.uniform(0, 1, (n, n)).astype(dt)
    b = rng.uniform(0, 1, (n, n)).astype(dt)
    v = rng.uniform(0, 1, (n,)).astype(dt)
    spd = (a @ a.T + n * np.eye(n)).astype(dt)
    cases = {
        "solve_vector": lambda: np.linalg.solve(a, v),
        "solve_matrix": lambda: np.linalg.solve(a, b),
        "svd": lambda: np.linalg.svd(a),
        "eigh": lambda: np.linalg.eigh(spd),
        "cholesky": lambda: np.linalg.cholesky(spd),
        "inv": lambda: np.linalg.inv(a),
        "det": lambda: np.linalg.det(a),
    }
    for name, f in cases.items():
        f()
        t = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            f()
            t.append(time.perf_counter() - t0)
        rows.append({"op": name, "dtype": dt, "ms": round(sorted(t)[len(t) // 2] * 1e3, 3)})
print(json.dumps({"bench": "linalg", "impl": "numpy " + np.__version__, "threads": args.threads,
                  "n": n, "results": rows}, separators=(",", ":")))
