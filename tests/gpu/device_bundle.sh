#!/usr/bin/env bash
# device_bundle.sh - packs the test suite of a CUDA build for a GPU machine that has CUDA
# but none of keras-cpp's other libraries (the lent device machine: bare, no network).
#
#   tests/gpu/device_bundle.sh [BUILD_DIR]     (default: build; must be a CUDA build)
#
# writes .device/bundle.tar.xz (keras_tests and the shared libraries it needs, except the
# C runtime and CUDA's own, which the GPU machine has) and .device/run.sh, and adds
# .device/ to .git/info/exclude. On the GPU machine, from the repository root:
#   bash .device/run.sh          (the device tool: carry [".device"])
# runs the CUDA tests first (KERAS_CPP_REQUIRE=gpu: they may not skip), then the whole
# suite, with logs in $OUT (gpu_tests.log, suite.log, nvidia-smi.txt).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[ -f "$build/build.ninja" ] || { echo "device_bundle: no build directory $build" >&2; exit 1; }
ninja -C "$build" tests/keras_tests >/dev/null
if ! ldd "$build/tests/keras_tests" | grep -q libcudart; then
  echo "device_bundle: $build is not a CUDA build (configure with -Dcuda=enabled)" >&2
  exit 1
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib" .device
cp "$build/tests/keras_tests" "$stage/"
ldd "$build/tests/keras_tests" | awk '/=> \//{print $3}' |
  grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*|libgcc_s|libstdc\+\+)\.so|/libcuda|/libcudart|/libcublas|/libnvidia' |
  while read -r lib; do cp -L "$lib" "$stage/lib/"; done
tar -C "$stage" -cJf .device/bundle.tar.xz keras_tests lib
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
cat > .device/run.sh <<'RUN'
#!/usr/bin/env bash
# Runs the packed suite on the GPU machine (see tests/gpu/device_bundle.sh).
set -uo pipefail
out=${OUT:-/tmp/out}
mkdir -p "$out" /tmp/kc
tar -C /tmp/kc -xJf .device/bundle.tar.xz
cuda_libs=$(python3 - <<'PY' 2>/dev/null
import glob, os
dirs = set()
for pattern in ["/usr/local/cuda/lib64/libcublas.so*", "/usr/local/cuda*/targets/x86_64-linux/lib/libcublas.so*",
                "/usr/local/cuda/lib64/libcudnn.so*", "/usr/lib/x86_64-linux-gnu/libcudnn.so*"]:
    dirs.update(os.path.dirname(p) for p in glob.glob(pattern))
try:
    import nvidia.cublas, nvidia.cuda_runtime
    for m in (nvidia.cublas, nvidia.cuda_runtime):
        dirs.add(os.path.join(list(m.__path__)[0], "lib"))
except Exception:
    pass
try:
    import nvidia.cudnn
    dirs.add(os.path.join(list(nvidia.cudnn.__path__)[0], "lib"))
except Exception:
    pass
print(":".join(sorted(dirs)))
PY
)
export LD_LIBRARY_PATH="/tmp/kc/lib:${cuda_libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1
ldd /tmp/kc/keras_tests | grep -E "not found|cuda|cublas" > "$out/ldd.txt"
KERAS_CPP_REQUIRE=gpu /tmp/kc/keras_tests -tc='supports*,cuda*,device*,placement*' 2>&1 | tee "$out/gpu_tests.log" | tail -40
# the convolutions again on the direct kernels (cuDNN off; with no libcudnn they ran there already)
KERAS_CPP_CUDNN=0 KERAS_CPP_REQUIRE=gpu /tmp/kc/keras_tests -tc='cuda conv*' 2>&1 | tee "$out/gpu_direct_conv.log" | tail -5
/tmp/kc/keras_tests > "$out/suite.log" 2>&1; echo "suite exit $?"
grep -E "test cases|assertions" "$out/suite.log"
RUN
chmod +x .device/run.sh
ls -la .device
