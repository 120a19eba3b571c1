#!/usr/bin/env bash
# tests/consumer/run.sh BUILD_DIR - keras-cpp as a C++ library, seen from outside: installs
# the release build BUILD_DIR into a staging folder (DESTDIR) and builds and runs the
# program main.cpp four ways:
#   1. pkg-config: a Meson project (meson.build) that finds keras-cpp.pc;
#   2. CMake: a CMake project (CMakeLists.txt) with find_package(keras-cpp);
#   3. staged install: the compiler alone, the staged headers, and the static archive
#      copied elsewhere (a thin archive would not link), libraries from pkg-config --static;
#   4. subproject: a Meson project (subproject/meson.build) with keras-cpp in its
#      subprojects/ folder and nothing but dependency('keras-cpp').
# Then the README's C++ snippets are compiled against the staged headers
# (tests/readme/snippets.py).
# The installed headers must not include xtensor, BLAS, oneDNN, CUDA, cereal, RE2, MPI or NCCL (except the
# opt-in core/xtensor_interop.h). The work folder is BUILD_DIR-consumers (kept, so that the
# subproject's objects stay in ccache and its build is incremental).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:?usage: tests/consumer/run.sh BUILD_DIR}" && pwd)
work="$build-consumers"
rm -rf "$work/stage" "$work/pkgconfig" "$work/cmake" "$work/static"
mkdir -p "$work"
src="$root/tests/consumer"

echo "consumer: meson install --destdir $work/stage" >&2
meson install -C "$build" --no-rebuild --destdir "$work/stage" >/dev/null
prefix=$(meson introspect "$build" --buildoptions |
         python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
libdir=$(meson introspect "$build" --buildoptions |
         python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["libdir"])')
staged="$work/stage$prefix"
export PKG_CONFIG_PATH="$staged/$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$work/stage"

# Public headers only: nothing heavy leaks into a user's translation units.
if grep -rlE '#\s*include\s*<(xtensor|xtensor-blas|cblas|lapack|dnnl|oneapi|cuda|cublas|cudnn|cereal|re2|mpi|nccl)' \
     "$staged/include/keras-cpp" | grep -v 'core/xtensor_interop.h$'; then
  echo "consumer: the installed headers above include a private dependency" >&2
  exit 1
fi

run() {  # a program of the consumer, with the staged libraries on the loader's path
  LD_LIBRARY_PATH="$staged/$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"
}

echo "consumer 1/4: Meson + pkg-config" >&2
meson setup "$work/pkgconfig" "$src" >/dev/null
ninja -C "$work/pkgconfig" >/dev/null
run "$work/pkgconfig/consumer"

echo "consumer 2/4: CMake + find_package" >&2
cmake -S "$src" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$staged" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/consumer"  # (CMake links with an rpath to the imported library)

echo "consumer 3/4: staged install, static archive copied elsewhere" >&2
mkdir -p "$work/static"
cp "$staged/$libdir/libkeras-cpp.a" "$work/static/"
# (without the sysroot: the private libraries' own -L folders, HDF5's on Debian, are the
# system's, not the stage's)
read -r -a private_libs <<<"$(PKG_CONFIG_SYSROOT_DIR= pkg-config --static --libs keras-cpp | sed 's/-lkeras-cpp\b//')"
c++ $(pkg-config --cflags keras-cpp) -O1 "$src/main.cpp" "$work/static/libkeras-cpp.a" \
  "${private_libs[@]}" -o "$work/static/consumer"
if ldd "$work/static/consumer" | grep -q keras-cpp; then
  echo "consumer: the static program loads a shared keras-cpp" >&2
  exit 1
fi
"$work/static/consumer"

echo "consumer 4/4: Meson subproject" >&2
sub="$work/subproject"
mkdir -p "$sub/subprojects"
cp "$src/main.cpp" "$work/main.cpp"  # (the subproject's meson.build reads ../main.cpp)
cp "$src/subproject/meson.build" "$sub/meson.build"
ln -sfn "$root" "$sub/subprojects/keras-cpp"
if [ ! -f "$sub/build/build.ninja" ]; then
  meson setup "$sub/build" "$sub" -Dkeras-cpp:cuda=disabled >/dev/null
fi
ninja -C "$sub/build" consumer >/dev/null
"$sub/build/consumer"
echo "consumer: all four builds ran" >&2

python3 "$root/tests/readme/snippets.py" "$root/README.md" "$work/snippets" -I "$staged/include/keras-cpp"
