#!/usr/bin/env bash
# setup.sh - install keras-cpp's Debian packages if missing, build, and run.
#
#   ./setup.sh demo    build, then train the Fashion-MNIST MLP and print its test accuracy
#                      (examples/fashion_mnist_mlp.cpp; flags are passed on, e.g. --epochs 5)
#   ./setup.sh test    build, then run the whole test suite
#   ./setup.sh bench   build, then run the benchmark programs (bench/)
#   ./setup.sh build   install and build only
#   ./setup.sh deps    install the packages only
#
# Idempotent: packages already installed are skipped and the build is incremental.
# As root it installs with apt-get; otherwise through sudo. Build directory: $BUILD_DIR
# (default ./build). The CUDA backend is built when nvcc is found (PATH or
# /usr/local/cuda/bin); set KERAS_CPP_CUDA=disabled to skip it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PACKAGES=(g++ meson ninja-build pkg-config cmake ccache libxtensor-dev libxtensor-blas-dev
          libopenblas-pthread-dev libcereal-dev doctest-dev zlib1g-dev dataset-fashion-mnist)
BUILD_DIR=${BUILD_DIR:-build}

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo=(sudo); else
      echo "setup.sh: missing packages: ${missing[*]}" >&2
      echo "setup.sh: as root, run: apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "setup.sh: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
}

build() {
  install_packages
  if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
    export PATH="/usr/local/cuda/bin:$PATH"
  fi
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    meson setup "$BUILD_DIR" --buildtype=release -Dcuda="${KERAS_CPP_CUDA:-auto}" >&2
  fi
  ninja -C "$BUILD_DIR" >&2
}

# Runs the doctest suite and ends with the plain summary line "N passed, N failed,
# N skipped" (test cases), exiting non-zero on any failure.
run_tests() {
  local log rc=0
  log=$(mktemp)
  "$BUILD_DIR/tests/keras_tests" "$@" 2>&1 | tee "$log" || rc=$?
  local line
  line=$(grep -E '^\[doctest\] test cases:' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "setup.sh: the test binary printed no summary (exit code $rc)" >&2
    return $((rc ? rc : 1))
  fi
  local passed failed skipped
  passed=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$line")
  failed=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$line")
  skipped=$(sed -E 's/.*\| *([0-9]+) skipped.*/\1/' <<<"$line")
  echo "tests: $passed passed, $failed failed, $skipped skipped"
  return "$rc"
}

cmd=${1:-demo}
shift || true
case "$cmd" in
  deps) install_packages ;;
  build) build ;;
  demo) build; "$BUILD_DIR/examples/fashion_mnist_mlp" "$@" ;;
  test) build; run_tests "$@" ;;
  bench)
    build
    for b in matmul elementwise op_overhead mlp_autodiff; do "$BUILD_DIR/bench/bench_$b" "$@"; done ;;
  *) echo "usage: $0 demo|test|bench|build|deps" >&2; exit 2 ;;
esac
