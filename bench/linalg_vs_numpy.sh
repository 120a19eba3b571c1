#!/bin/sh
# linalg_vs_numpy.sh - runs bench_linalg and bench/linalg_numpy.py alternately ROUNDS times
# (default 3) at the same thread count and prints, per op and dtype, the median
# milliseconds of each and the ratio keras-cpp / NumPy (below 1: keras-cpp is faster).
# Usage: bench/linalg_vs_numpy.sh [--threads T] [--n N] [--rounds R]
# PYTHON (default python3) must have NumPy; BUILD_DIR defaults to build.
set -eu
T=1 N=1024 R=3
while [ $# -gt 0 ]; do
  case "$1" in --threads) T=$2; shift 2 ;; --n) N=$2; shift 2 ;; --rounds) R=$2; shift 2 ;; *) echo "unknown flag $1" >&2; exit 2 ;; esac
done
here=$(dirname "$0")
PY=${PYTHON:-python3}
out=$(mktemp)
i=0
while [ $i -lt "$R" ]; do
  OPENBLAS_NUM_THREADS=$T "${BUILD_DIR:-build}/bench/bench_linalg" --threads "$T" --n "$N" >>"$out"
  OPENBLAS_NUM_THREADS=$T OMP_NUM_THREADS=$T "$PY" "$here/linalg_numpy.py" --threads "$T" --n "$N" >>"$out"
  i=$((i + 1))
done
python3 - "$out" <<'PYEOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ms = {}
for r in runs:
    side = "ours" if r["impl"] == "keras-cpp" else "numpy"
    for x in r["results"]:
        ms.setdefault((x["op"], x["dtype"]), {}).setdefault(side, []).append(x["ms"])
print(f"n={runs[0]['n']} threads={runs[0]['threads']} rounds={len(runs) // 2} (medians)")
print(f"{'op':14} {'dtype':8} {'keras-cpp ms':>13} {'numpy ms':>10} {'ratio':>6}")
for (op, dt), v in ms.items():
    a, b = statistics.median(v["ours"]), statistics.median(v["numpy"])
    print(f"{op:14} {dt:8} {a:13.2f} {b:10.2f} {a / b:6.2f}")
PYEOF
rm -f "$out"
