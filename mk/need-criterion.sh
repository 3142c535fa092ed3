#!/bin/sh
# Makes sure Criterion (and pkg-config, which finds it) is installed before the
# tests are built. Installs the Debian packages when we are root or have
# passwordless sudo; otherwise prints the command to run and fails.
set -eu

if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists criterion; then
    exit 0
fi

pkgs="libcriterion-dev pkg-config"
if [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "make test needs Criterion. Install it with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y $pkgs" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "make test needs Criterion (https://github.com/Snaipe/Criterion) and pkg-config;" >&2
    echo "this is not a Debian system, so install them with its package manager." >&2
    exit 1
fi

echo "Criterion is missing: installing $pkgs" >&2
$as_root apt-get update
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y --no-install-recommends $pkgs
pkg-config --exists criterion
