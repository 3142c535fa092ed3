#!/bin/sh
# Proves the dependency guard can fail: an archive that calls a function libc
# does not have, and one whose object calls malloc directly, must both be
# rejected with the offending symbol named.
set -eu
cc=${1:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf 'int zlib_like_inflate(int);\nint f(int x) { return zlib_like_inflate(x); }\n' > "$tmp/foreign.c"
printf '#include <stdlib.h>\nvoid *g(void) { return malloc(8); }\n' > "$tmp/raw.c"
printf '#include <string.h>\nint h(const char *s) { return (int)strlen(s); }\n' > "$tmp/clean.c"
for f in foreign raw clean; do
    $cc -c "$tmp/$f.c" -o "$tmp/$f.o"
    ar rcs "$tmp/lib$f.a" "$tmp/$f.o"
done

here=$(dirname "$0")
fail() { echo "depguard-selftest: $*" >&2; exit 1; }

CC=$cc sh "$here/depguard.sh" "$tmp/libclean.a" >/dev/null 2>&1 ||
    fail "a libc-only archive was rejected"
if CC=$cc sh "$here/depguard.sh" "$tmp/libforeign.a" > "$tmp/out" 2>&1; then
    fail "an archive needing zlib_like_inflate was accepted"
fi
grep -q zlib_like_inflate "$tmp/out" || fail "the foreign symbol was not named"
if CC=$cc sh "$here/depguard.sh" "$tmp/libraw.a" > "$tmp/out" 2>&1; then
    fail "an object calling malloc directly was accepted"
fi
grep -q 'raw.o malloc' "$tmp/out" || fail "the direct malloc was not named"
echo "depguard-selftest: the guard rejects foreign symbols and direct malloc"
