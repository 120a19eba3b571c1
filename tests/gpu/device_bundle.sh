#!/usr/bin/env bash
# device_bundle.sh - packs the test suite of a CUDA build for a GPU machine that has CUDA
# but none of keras-cpp's other libraries (the lent device machine: bare, no network).
#
#   tests/gpu/device_bundle.sh [BUILD_DIR]     (default: build; must be a CUDA build)
#
# writes .device/bundle.tar.xz (keras_tests, the example programs its examples test runs,
# run_exported, which its export test runs, all stripped, and the shared libraries they
# need, except the C runtime and CUDA's own, which the GPU machine has: one solid xz
# archive with a large dictionary, since the statically linked programs share most of
# their bytes), .device/bench.tar.xz (the GPU benchmark programs, their libraries and the
# Fashion-MNIST files) and .device/run.sh, and adds .device/ to .git/info/exclude. The two
# archives go in two calls (each under the device tool's 64 MiB carry limit). The test
# binary finds the fixtures, the examples and run_exported through KERAS_CPP_TEST_DATA_DIR,
# KERAS_CPP_EXAMPLES_DIR and KERAS_CPP_RUN_EXPORTED (tests/test_paths.cpp), which run.sh
# sets. On the GPU machine, from the repository root:
#   bash .device/run.sh tests    (carry [".device/run.sh", ".device/bundle.tar.xz"])
# runs the CUDA tests first (KERAS_CPP_REQUIRE=gpu: they may not skip; among them "cuda no
# host sync", the traced train steps that must not read device memory, and "cuda step
# constants", the optimizer constants computed by one device thread), then the whole
# suite, then the suite again with KERAS_CPP_DEVICE=gpu (informational), with logs in
# $OUT (gpu_tests.log, suite.log, suite_gpu_default.log, nvidia-smi.txt; the CUDA tests
# include the fused recurrent ops on cuDNN, tests/gpu/test_cuda_rnn.cpp);
#   bash .device/run.sh bench    (carry [".device/run.sh", ".device/bench.tar.xz"])
# runs bench_gpu_step (the MLP step against its GEMMs, bandwidth against a copy; the
# bandwidth figures again with KERAS_CPP_CUDNN=0, pooling on the direct kernels) and the
# Fashion-MNIST MLP fit at batch 256 on the GPU, on 2 CPU threads, and at batch 1024 in
# float32 and mixed_bfloat16, the Fashion-MNIST LSTM fit at batch 256 on cuDNN, on the
# per-step cell and on 2 CPU threads, with the JSON lines in $OUT/bench.jsonl.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[ -f "$build/build.ninja" ] || { echo "device_bundle: no build directory $build" >&2; exit 1; }
benches="bench_gpu_step bench_mlp_fashion bench_cnn_fashion bench_lstm_fashion"
ninja -C "$build" >/dev/null  # the test binary, run_exported, the examples and the benchmarks
if ! ldd "$build/tests/keras_tests" | grep -q libcudart; then
  echo "device_bundle: $build is not a CUDA build (configure with -Dcuda=enabled)" >&2
  exit 1
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p .device
# pack DIR PROGRAM... : the programs (stripped) into the stage's DIR and the shared
# libraries they need (not the C runtime's, not CUDA's) into its lib/.
pack() {
  local dir=$stage/$1
  shift
  mkdir -p "$dir" "$stage/lib"
  for prog in "$@"; do
    cp "$prog" "$dir/"
    strip "$dir/$(basename "$prog")"
    ldd "$prog" | awk '/=> \//{print $3}' |
      grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*|libgcc_s|libstdc\+\+)\.so|/libcuda|/libcudart|/libcublas|/libcufft|/libnvidia' |
      while read -r lib; do cp -L "$lib" "$stage/lib/"; done
  done
}
# The programs share most of their bytes (each links the library): a dictionary larger than
# the stage lets xz store them about once.
archive() { tar -C "$stage" -cf - . | xz -T1 -9 --lzma2=dict=256MiB > ".device/$1.tar.xz"; rm -rf "${stage:?}"/*; }
examples=$(find "$build/examples" -maxdepth 1 -type f -perm -u+x | sort)
pack . "$build/tests/keras_tests" "$build/tests/run_exported"
pack examples $examples
archive bundle
pack . $(for b in $benches; do echo "$build/bench/$b"; done)
fmnist=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
if [ -f "$fmnist/train-images-idx3-ubyte.gz" ]; then
  mkdir -p "$stage/fashion-mnist" && cp "$fmnist"/*-ubyte.gz "$stage/fashion-mnist/"
else
  echo "device_bundle: no Fashion-MNIST files in $fmnist: the fit benchmarks will not run there" >&2
fi
archive bench
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
cat > .device/run.sh <<'RUN'
#!/usr/bin/env bash
# Runs the packed suite on the GPU machine (see tests/gpu/device_bundle.sh).
set -uo pipefail
what=${1:-tests}
out=${OUT:-/tmp/out}
mkdir -p "$out" /tmp/kc
case $what in
  tests) tar -C /tmp/kc -xJf .device/bundle.tar.xz ;;
  bench) tar -C /tmp/kc -xJf .device/bench.tar.xz ;;
  *) echo "run.sh: tests or bench, not $what" >&2; exit 2 ;;
esac
cuda_libs=$(python3 - <<'PY' 2>/dev/null
import glob, os
dirs = set()
for pattern in ["/usr/local/cuda/lib64/libcublas.so*", "/usr/local/cuda*/targets/x86_64-linux/lib/libcublas.so*",
                "/usr/local/cuda/lib64/libcufft.so*", "/usr/local/cuda*/targets/x86_64-linux/lib/libcufft.so*",
                "/usr/local/cuda/lib64/libcusolver.so*", "/usr/local/cuda*/targets/x86_64-linux/lib/libcusolver.so*",
                "/usr/local/cuda/lib64/libcudnn.so*", "/usr/lib/x86_64-linux-gnu/libcudnn.so*"]:
    dirs.update(os.path.dirname(p) for p in glob.glob(pattern))
try:
    import nvidia.cublas, nvidia.cuda_runtime
    for m in (nvidia.cublas, nvidia.cuda_runtime):
        dirs.add(os.path.join(list(m.__path__)[0], "lib"))
except Exception:
    pass
try:
    import nvidia.cufft
    dirs.add(os.path.join(list(nvidia.cufft.__path__)[0], "lib"))
except Exception:
    pass
try:
    import nvidia.cusolver
    dirs.add(os.path.join(list(nvidia.cusolver.__path__)[0], "lib"))
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
if [ "$what" = bench ]; then
  export FASHION_MNIST_DIR=/tmp/kc/fashion-mnist
  cd /tmp/kc
  {
    ./bench_gpu_step
    KERAS_CPP_CUBLASLT=0 ./bench_gpu_step  # fused_matmul on cuBLAS + the engine's epilogue pass
    KERAS_CPP_CUDNN=0 ./bench_gpu_step --no-mlp
    ./bench_mlp_fashion --device gpu --batch 256 --epochs 3
    ./bench_mlp_fashion --device cpu --threads 2 --batch 256 --epochs 3
    ./bench_mlp_fashion --device gpu --batch 1024 --epochs 10
    ./bench_mlp_fashion --device gpu --batch 1024 --epochs 10 --policy mixed_bfloat16
    ./bench_cnn_fashion --device gpu --batch 256 --epochs 2
    ./bench_lstm_fashion --device gpu --batch 256 --epochs 2  # lstm_sequence on cuDNN
    ./bench_lstm_fashion --device gpu --batch 256 --epochs 2 --use-cudnn false  # the per-step cell
    ./bench_lstm_fashion --device cpu --threads 2 --batch 256 --epochs 2
  } 2> "$out/bench.err" | tee "$out/bench.jsonl"
  tail -5 "$out/bench.err"
  exit 0
fi
ldd /tmp/kc/keras_tests | grep -E "not found|cuda|cublas" > "$out/ldd.txt"
# The fixtures come with the working tree; the examples and run_exported with the bundle.
export KERAS_CPP_TEST_DATA_DIR=$PWD/tests/data KERAS_CPP_EXAMPLES_DIR=/tmp/kc/examples
export KERAS_CPP_RUN_EXPORTED=/tmp/kc/run_exported
KERAS_CPP_REQUIRE=gpu /tmp/kc/keras_tests -tc='supports*,cuda*,device*,placement*' 2>&1 | tee "$out/gpu_tests.log" | tail -40
# the convolutions and poolings again on the direct kernels (cuDNN off; with no libcudnn they ran there already)
KERAS_CPP_CUDNN=0 KERAS_CPP_REQUIRE=gpu /tmp/kc/keras_tests -tc='cuda conv*,cuda pool*' 2>&1 | tee "$out/gpu_direct_window.log" | tail -5
# the fused recurrent ops have no kernel but cuDNN's: with it off they raise naming cuDNN
KERAS_CPP_CUDNN=0 KERAS_CPP_REQUIRE=gpu /tmp/kc/keras_tests -tc='cuda rnn off*' 2>&1 | tee "$out/gpu_rnn_cudnn_off.log" | tail -3
# the fused products again on cuBLAS with the engine's epilogue pass (cuBLASLt off): the
# traced Dense block must then equal its unfused graph bit for bit
KERAS_CPP_CUBLASLT=0 KERAS_CPP_REQUIRE=gpu /tmp/kc/keras_tests -tc='cuda fused*' 2>&1 | tee "$out/gpu_no_cublaslt.log" | tail -5
/tmp/kc/keras_tests > "$out/suite.log" 2>&1; echo "suite exit $?"
grep -E "test cases|assertions" "$out/suite.log"
# Informational: the whole suite with the GPU as the default device (every tensor made
# from nothing, every layer's weights there): how far a GPU default is.
KERAS_CPP_DEVICE=gpu timeout 300 /tmp/kc/keras_tests > "$out/suite_gpu_default.log" 2>&1; echo "suite on GPU default exit $?"
grep -E "test cases|assertions" "$out/suite_gpu_default.log"
RUN
chmod +x .device/run.sh
ls -la .device
