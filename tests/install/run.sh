#!/bin/sh
# Installs the mmemu build in $1 into a scratch prefix, then configures,
# builds and runs tests/install/consumer against it (find_package(mmemu)),
# and checks the pkg-config file.
set -e
build=$1
src=$(cd "$(dirname "$0")" && pwd)
scratch=$build/install-test
rm -rf "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
PKG_CONFIG_PATH=$scratch/prefix/lib/pkgconfig pkg-config --cflags --libs mmemu | grep -q -- "-lmmemu"
cmake -S "$src/consumer" -B "$scratch/build" -DCMAKE_PREFIX_PATH="$scratch/prefix" \
	-DCMAKE_C_COMPILER="${MMEMU_CONSUMER_CC:-cc}" \
	-DCMAKE_C_FLAGS="${MMEMU_CONSUMER_CFLAGS:-}" >/dev/null
cmake --build "$scratch/build" >/dev/null
"$scratch/build/consumer" "$scratch/build/consumer-driver.so"
