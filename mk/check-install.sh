#!/bin/sh
# Installs axle into a scratch DESTDIR with PREFIX=/usr, then builds a small
# program with `pkg-config --cflags --libs axle`, linked dynamically and
# statically, and runs both: what a user of `make install` would do.
set -eu
cc=${1:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root

make --no-print-directory -s install DESTDIR="$dest" PREFIX=/usr CC="$cc" >/dev/null

export PKG_CONFIG_PATH="$dest/usr/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$dest"
# Keep -I/usr/include and -L/usr/lib, which pkg-config drops as system paths
# but which the sysroot turns into our scratch tree.
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
cat > "$tmp/prog.c" <<'PROG'
#include <axle.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    if (ax_version() != AX_VERSION_HEX)
        return 2;
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, NULL);
    if (ax_bytes_mut_append(&w, "hello", 5) < 0)
        return 3;
    ax_bytes b;
    ax_bytes_mut_freeze(&w, &b);
    int ok = b.len == 5 && memcmp(b.ptr, "hello", 5) == 0;
    ax_bytes_free(&b);
    ax_bytes_mut_free(&w);
    printf("axle %s: %s\n", ax_version_string(), ax_strerror(AX_ENOMEM));
    return ok ? 0 : 4;
}
PROG

# shellcheck disable=SC2046
$cc -o "$tmp/prog-dyn" "$tmp/prog.c" $(pkg-config --cflags --libs axle)
LD_LIBRARY_PATH="$dest/usr/lib" "$tmp/prog-dyn" > "$tmp/out-dyn"
# shellcheck disable=SC2046
$cc -static -o "$tmp/prog-static" "$tmp/prog.c" $(pkg-config --static --cflags --libs axle)
"$tmp/prog-static" > "$tmp/out-static"
cmp -s "$tmp/out-dyn" "$tmp/out-static"
ldd "$tmp/prog-dyn" | grep -q libaxle.so.0 || { echo "check-install: dynamic binary does not use libaxle.so.0" >&2; exit 1; }
echo "check-install: pkg-config axle links dynamically and statically: $(cat "$tmp/out-dyn")"
