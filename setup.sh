#!/usr/bin/env bash
# setup.sh - install keras-cpp's Debian packages if missing, build, and run.
#
#   ./setup.sh demo    build, then train the Fashion-MNIST MLP and print its test accuracy
#                      (examples/fashion_mnist_mlp.cpp; flags are passed on, e.g. --epochs 5)
#   ./setup.sh test    build, then run the whole test suite (doctest flags are passed on,
#                      e.g. -tc='*Dense*'); it is stopped after $KERAS_CPP_TEST_TIMEOUT
#                      seconds (default 900) and then fails
#   ./setup.sh asan    the same under AddressSanitizer + UndefinedBehaviorSanitizer (build
#                      dir $ASAN_BUILD_DIR, default ./build-asan; any finding fails the run)
#   ./setup.sh tsan    the thread, data-pipeline and queue tests under ThreadSanitizer
#                      (build dir $TSAN_BUILD_DIR, default ./build-tsan; flags replace the
#                      default selection of test suites)
#   ./setup.sh bench   build, then run the benchmark programs (bench/)
#   ./setup.sh distribute
#                      build, then run the distributed-training checks under mpirun
#                      (tests/distribute/run.sh: 2 ranks; equivalence with one process,
#                      a killed rank and the resumed run, the NCCL path)
#   ./setup.sh build   install and build only
#   ./setup.sh deps    install the packages only
#   ./setup.sh fuzz [SECONDS] [TARGET...]
#                      build the libFuzzer targets of tests/fuzz with clang, ASan and UBSan
#                      (in $FUZZ_BUILD_DIR, default ./build-fuzz) and run each for SECONDS
#                      (default 60) on one core, printing executions, coverage and findings
#   ./setup.sh docs    the API reference: Doxygen (docs/Doxyfile) over the public headers
#                      (keras/package/public_headers.py), HTML in $DOCS_DIR (default
#                      ./build-docs/html); fails, listing them, when a public class,
#                      function, enum, variable or member has no doc comment
#
# Idempotent: packages already installed are skipped and the build is incremental.
# As root it installs with apt-get; otherwise through sudo. Build directory: $BUILD_DIR
# (default ./build). The CUDA backend is built when nvcc is found (PATH or
# /usr/local/cuda/bin); set KERAS_CPP_CUDA=disabled to skip it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PACKAGES=(g++ meson ninja-build pkg-config cmake ccache libxtensor-dev libxtensor-blas-dev libxsimd-dev
          libopenblas-pthread-dev libdnnl-dev libcereal-dev doctest-dev zlib1g-dev libhdf5-dev libzip-dev
          nlohmann-json3-dev libre2-dev libpng-dev libjpeg62-turbo-dev libgif-dev dataset-fashion-mnist
          python3-sklearn libopenmpi-dev openmpi-bin iproute2)
BUILD_DIR=${BUILD_DIR:-build}
# The debug builds (sanitizers, fuzzing) record the build folder in their debug info, so
# ccache would key them on it and a fresh clone (CI) would never hit the cache; the
# sources are named by relative paths, so the folder does not change the objects' code.
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
# Absolute paths under the checkout (a generated header's include path, a dependency file)
# are hashed relative to it, so a clone elsewhere hits the objects this one left; and the
# cache holds the release, CUDA, sanitizer and fuzzing builds together (about 10 GiB),
# which ccache's default 5 GiB would evict between CI stages.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-25G}

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

# A sanitizer build in $BUILD_DIR: $1 is meson's b_sanitize (address,undefined or
# thread), the other arguments the ninja targets (default: all). CPU only; no recovery:
# the first finding ends the process with an error.
sanitizer_build() {
  local sanitize=$1
  shift
  install_packages
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    meson setup "$BUILD_DIR" -Db_sanitize="$sanitize" --buildtype=debugoptimized -Dcuda=disabled \
      -Dcpp_args="-fno-sanitize-recover=all -fno-omit-frame-pointer" >&2
  fi
  ninja -C "$BUILD_DIR" "$@" >&2
}

# Runs the doctest suite and ends with the plain summary line "N passed, N failed,
# N skipped" (test cases), exiting non-zero on any failure.
run_tests() {
  local log rc=0 limit=${KERAS_CPP_TEST_TIMEOUT:-900}
  log=$(mktemp)
  timeout -k 10 "$limit" "$BUILD_DIR/tests/keras_tests" "$@" 2>&1 | tee "$log" || rc=$?
  local line
  line=$(grep -E '^\[doctest\] test cases:' "$log" | tail -n 1)
  rm -f "$log"
  if ((rc == 124 || rc == 137)); then
    echo "setup.sh: the tests did not finish within $limit s (KERAS_CPP_TEST_TIMEOUT)" >&2
    return 124
  fi
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

# The test suites (doctest's TEST_SUITE names) that run under ThreadSanitizer: code that
# starts threads (thread pool, data pipeline, queues, parallel graph runs). The TSan build's
# test binary holds only the files of these suites (tests/meson.build): a suite added here
# needs its file added there.
TSAN_SUITES=${TSAN_SUITES:-threads,data_pipeline,queues}

# Builds the fuzz targets (tests/fuzz/fuzz_<name>.cpp) and runs each for $1 seconds
# (default 60), starting from the seeds in tests/fuzz/corpus/<name>/; the inputs it finds
# go to $FUZZ_BUILD_DIR/corpus/<name>, crashing inputs to $FUZZ_BUILD_DIR/findings/.
# Exits non-zero when a target finds a crash.
run_fuzz() {
  local seconds=${1:-60}
  shift || true
  PACKAGES+=(clang-14 libclang-rt-14-dev)
  install_packages
  local dir=${FUZZ_BUILD_DIR:-build-fuzz}
  if [ ! -f "$dir/build.ninja" ]; then
    local cxx=clang++-14
    if command -v ccache >/dev/null; then cxx="ccache clang++-14"; fi
    CXX=$cxx meson setup "$dir" -Dfuzz=true -Dtests=disabled -Dcuda=disabled \
      --buildtype=debugoptimized >&2
  fi
  local targets=("$@")
  if ((${#targets[@]} == 0)); then  # every target tests/fuzz/meson.build defines
    ninja -C "$dir" build.ninja >&2  # (regenerated first if meson.build files changed)
    mapfile -t targets < <(ninja -C "$dir" -t targets all |
                           sed -nE 's#^tests/fuzz/fuzz_([A-Za-z0-9_]+): .*#\1#p')
  fi
  ninja -C "$dir" "${targets[@]/#/tests/fuzz/fuzz_}" >&2
  local failed=0 t log
  mkdir -p "$dir/findings"
  for t in "${targets[@]}"; do
    mkdir -p "$dir/corpus/$t"
    log="$dir/fuzz_$t.log"
    local rc=0
    "$dir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$dir/findings/$t-" "$dir/corpus/$t" "tests/fuzz/corpus/$t" \
      >"$log" 2>&1 || rc=$?
    local execs cov ft units findings
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
    units=$(find "$dir/corpus/$t" -type f | wc -l)
    findings=$(find "$dir/findings" -name "$t-*" -type f | wc -l)
    echo "fuzz_$t: ${execs:-?} executions in ${seconds} s, coverage ${cov:-?} edges" \
         "(${ft:-?} features), corpus $units inputs, findings $findings (exit $rc; log $log)"
    if ((rc != 0 || findings > 0)); then
      failed=1
      # Each finding's kind (crash-, leak-, timeout-, slow-unit-, oom-) and its bytes, so
      # that a CI log alone reproduces it (base64, the first 4 KiB).
      local f
      while IFS= read -r f; do
        echo "  $(basename "$f") ($(stat -c %s "$f") bytes): $(head -c 4096 "$f" | base64 -w 0)"
      done < <(find "$dir/findings" -name "$t-*" -type f)
      tail -n 20 "$log" | sed 's/^/  | /'
    fi
  done
  return "$failed"
}

# The API reference: Doxygen over the public headers (and docs/api.dox, the main page and
# the namespaces). Doxygen writes every warning (an undocumented entity, a malformed doc
# comment) to $DOCS_DIR/warnings.log; any warning fails the run, and the undocumented
# names are listed as FILE:LINE: NAME (KIND).
run_docs() {
  PACKAGES+=(doxygen)
  install_packages
  local out=${DOCS_DIR:-build-docs}
  rm -rf "$out"
  mkdir -p "$out"
  local headers rc=0
  headers=$(python3 keras/package/public_headers.py . | tr '\n' ' ')
  KERAS_DOCS_INPUT="$headers" KERAS_DOCS_OUTPUT="$out" doxygen docs/Doxyfile \
    >"$out/doxygen.log" 2>&1 || rc=$?
  local log="$out/warnings.log" undocumented other
  if [ ! -f "$log" ] || [ ! -f "$out/html/index.html" ]; then
    cat "$out/doxygen.log" >&2
    echo "setup.sh: doxygen wrote no reference (exit $rc)" >&2
    return 1
  fi
  # one line per entity (Doxygen repeats a member for each class that inherits it)
  undocumented=$(sed -nE "s#^($PWD/)?([^:]+:[0-9]+): (warning|error): (Member|Compound) (.*) is not documented\.\$#\2: \5#p" \
                   "$log" | sort -u -t: -k1,1 -k2,2n -k3)
  other=$(grep -v ' is not documented\.$' "$log" | sed "s#^$PWD/##" | sort -u || true)
  if [ -n "$undocumented" ]; then
    echo "$undocumented" >&2
    echo "setup.sh: $(wc -l <<<"$undocumented") undocumented public entities (above; a /// comment" \
         "above each, or ///< after a member)" >&2
  fi
  if [ -n "$other" ]; then
    echo "$other" >&2
    echo "setup.sh: $(wc -l <<<"$other") other Doxygen warnings (above)" >&2
  fi
  if [ -n "$undocumented" ] || [ -n "$other" ] || ((rc != 0)); then
    return 1
  fi
  echo "docs: $(wc -w <<<"$headers") public headers, every public entity documented;" \
       "HTML in $out/html/index.html"
}

cmd=${1:-demo}
shift || true
case "$cmd" in
  deps) install_packages ;;
  build) build ;;
  demo) build; "$BUILD_DIR/examples/fashion_mnist_mlp" "$@" ;;
  test) build; run_tests "$@" ;;
  asan)
    BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
    sanitizer_build address,undefined
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
    KERAS_CPP_TEST_TIMEOUT=${KERAS_CPP_TEST_TIMEOUT:-2400} run_tests "$@" ;;
  tsan)
    BUILD_DIR=${TSAN_BUILD_DIR:-build-tsan}
    sanitizer_build thread tests/keras_tests  # (the selected suites run no example)
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
    (($#)) || set -- --test-suite="$TSAN_SUITES"
    KERAS_CPP_TEST_TIMEOUT=${KERAS_CPP_TEST_TIMEOUT:-1200} run_tests "$@" ;;
  bench)
    build
    for b in matmul elementwise op_overhead mlp_autodiff data_pipeline; do "$BUILD_DIR/bench/bench_$b" "$@"; done ;;
  distribute) build; BUILD_DIR="$BUILD_DIR" tests/distribute/run.sh ;;
  fuzz) run_fuzz "$@" ;;
  docs) run_docs ;;
  *) echo "usage: $0 demo|test|asan|tsan|bench|build|deps|distribute|fuzz|docs" >&2; exit 2 ;;
esac
