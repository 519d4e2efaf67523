#!/bin/sh
# Installs what building and testing mmemu needs, from Debian's packages.
# Run as root on Debian 12 (bookworm) or newer.
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential cmake pkg-config clang lld llvm binutils valgrind ca-certificates \
	libunicorn-dev libcapstone-dev libelf-dev libdw-dev libyaml-dev libcmocka-dev \
	liblzma-dev ovmf >/dev/null
