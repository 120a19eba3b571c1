#!/usr/bin/env bash
# autodiff_vs_libtorch.sh - forward and forward+backward of the MLP 784-300-100-10 in
# keras-cpp and in libtorch, alternately (3 pairs per batch size), same threads, same
# machine; prints each JSON line and the ratios keras-cpp / libtorch.
#   bench/autodiff_vs_libtorch.sh [--threads T]   (default 1)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
threads=1
[ "${1:-}" = --threads ] && threads=$2
./setup.sh build >/dev/null
if ! dpkg-query -W -f='${Status}' libtorch-dev 2>/dev/null | grep -q 'install ok installed'; then
  sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libtorch-dev >&2
fi
tb=${TORCH_BUILD_DIR:-build-torch}
[ -f "$tb/build.ninja" ] || meson setup "$tb" bench/torch >&2
ninja -C "$tb" >&2
out=$(mktemp)
for batch in 32 256; do
  for pair in 1 2 3; do
    "${BUILD_DIR:-build}/bench/bench_mlp_autodiff" --batch "$batch" --threads "$threads" | tee -a "$out"
    "$tb/mlp_autodiff_libtorch" --batch "$batch" --threads "$threads" | tee -a "$out"
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for batch in sorted({r["batch"] for r in rows}):
    med = {}
    for impl in ("keras-cpp", "libtorch"):
        rs = [r for r in rows if r["batch"] == batch and r["impl"] == impl]
        med[impl] = {k: statistics.median(r[k] for r in rs) for k in ("forward_ms", "forward_backward_ms")}
    k, t = med["keras-cpp"], med["libtorch"]
    print(json.dumps({"batch": batch, "keras_forward_ms": k["forward_ms"], "torch_forward_ms": t["forward_ms"],
                      "keras_fb_ms": k["forward_backward_ms"], "torch_fb_ms": t["forward_backward_ms"],
                      "keras_fb_over_f": round(k["forward_backward_ms"] / k["forward_ms"], 3),
                      "torch_fb_over_f": round(t["forward_backward_ms"] / t["forward_ms"], 3),
                      "fb_time_ratio_keras_over_torch": round(k["forward_backward_ms"] / t["forward_backward_ms"], 3)}))
PY
rm -f "$out"
