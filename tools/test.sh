#!/bin/sh
# Builds mmemu three ways and runs the tests of each: gcc (warnings are
# errors), clang with ASan+UBSan and the libFuzzer targets (warnings are
# errors), and gcc with ASan+UBSan.
set -e
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

run() {
	dir=$1
	shift
	echo "== $dir: $*"
	cmake -S . -B "$dir" -DMMEMU_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j "$jobs"
	ctest --test-dir "$dir" --output-on-failure -j "$jobs"
}

run build/gcc -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo
# clang: ASan+UBSan with libFuzzer instrumentation; also runs the fuzz targets.
run build/clang -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMMEMU_FUZZ=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	run build/asan -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Debug -DMMEMU_SANITIZE=ON
echo "== all builds passed"
