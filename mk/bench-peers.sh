#!/bin/sh
# Which peer libraries a benchmark can compare against on this machine.
#
#   mk/bench-peers.sh NAME BUILD CC
#
# Prints two lines for bench/NAME.c: compiler flags (-DAX_HAVE_<PEER> and
# include paths), then linker inputs. Peers are optional comparators, never
# linked into the library or the tests; a peer that is not installed is
# simply left out and the benchmark says so. BENCH_PEERS=none (from make)
# leaves every peer out. A peer shipped as C sources (llhttp) is compiled
# here into BUILD/peers/ with its own flags, since it is not our code and is
# not held to our warnings.
set -eu
name=$1 build=$2 cc=$3
cflags= libs=

pkg() { # pkg MACRO PACKAGE
    if pkg-config --exists "$2" 2>/dev/null; then
        cflags="$cflags -D$1 $(pkg-config --cflags "$2")"
        libs="$libs $(pkg-config --libs "$2")"
    fi
}

llhttp() {
    src=/usr/share/llhttp inc=/usr/share/include/llhttp
    [ -f $src/llhttp.c ] && [ -f $src/api.c ] && [ -f $src/http.c ] && [ -f $inc/llhttp.h ] || return 0
    out=$build/peers/llhttp
    mkdir -p "$out"
    for f in llhttp api http; do
        [ "$out/$f.o" -nt "$src/$f.c" ] || $cc -O2 -w -I$inc -c $src/$f.c -o "$out/$f.o" >&2
    done
    cflags="$cflags -DAX_HAVE_LLHTTP -I$inc"
    libs="$libs $out/llhttp.o $out/api.o $out/http.o"
}

http_parser() {
    [ -f /usr/include/http_parser.h ] || return 0
    printf 'int main(void){return 0;}' | $cc -x c - -lhttp_parser -o /dev/null 2>/dev/null || return 0
    cflags="$cflags -DAX_HAVE_HTTP_PARSER"
    libs="$libs -lhttp_parser"
}

if [ "${BENCH_PEERS:-}" != none ]; then
    case $name in
    loop) pkg AX_HAVE_LIBUV libuv ;;
    hpack) pkg AX_HAVE_NGHTTP2 libnghttp2 ;;
    http1) llhttp; http_parser ;;
    json) pkg AX_HAVE_CJSON libcjson; pkg AX_HAVE_JANSSON jansson ;;
    esac
fi
echo "$cflags"
echo "$libs"
