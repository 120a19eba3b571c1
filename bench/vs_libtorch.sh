#!/usr/bin/env bash
# vs_libtorch.sh - bench_<model>_fashion and ../shared/peers/run.sh <model> (libtorch),
# alternately, PAIRS times (default 3), same flags; prints each JSON line and the median
# ratio ours / peer of every field.
#   bench/vs_libtorch.sh mlp|cnn [--epochs 3 --batch 32 --threads 1 ...]   (PAIRS=3, PEER_FLAGS="--blas-threads 1")
# (bench/mlp_vs_libtorch.sh and bench/cnn_vs_libtorch.sh call it with their model.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
model=${1:-}
case "$model" in mlp|cnn) shift ;; *) echo "usage: $0 mlp|cnn [flags]" >&2; exit 2 ;; esac
peers=${PEERS_DIR:-../shared/peers}
./setup.sh build >/dev/null
out=$(mktemp)
for pair in $(seq "${PAIRS:-3}"); do
  "${BUILD_DIR:-build}/bench/bench_${model}_fashion" "$@" 2>/dev/null | tee -a "$out"
  # shellcheck disable=SC2086
  "$peers/run.sh" "$model" "$@" ${PEER_FLAGS:-} 2>/dev/null | tee -a "$out"
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
ours = [r for r in rows if r.get("impl") == "keras-cpp"]
peer = [r for r in rows if r.get("peer") == "libtorch"]
fields = ["train_samples_per_s", "step_ms", "predict_samples_per_s", "test_accuracy", "peak_rss_mb"]
print(json.dumps({"pairs": min(len(ours), len(peer)),
                  **{f + "_ratio": round(statistics.median(r[f] for r in ours) / statistics.median(r[f] for r in peer), 3)
                     for f in fields}}))
PY
rm -f "$out"
