#!/bin/sh
# The shared library exports exactly the functions the public headers
# declare with AX_API: nothing internal leaks out, nothing promised is
# missing.
#
#   mk/check-exports.sh build/libaxle.so
set -eu
lib=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Declarations may span lines: join each header, then take the name before
# the first '(' of every AX_API declaration.
for h in include/axle/*.h; do
    tr '\n' ' ' < "$h" | grep -o 'AX_API [^(;{]*(' | sed 's/($//; s/.*[ *]//' | grep '^ax_'
done | sort -u > "$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u > "$tmp/exported"

status=0
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
    comm -23 "$tmp/declared" "$tmp/exported" | sed 's/^/check-exports: declared but not exported: /' >&2
    comm -13 "$tmp/declared" "$tmp/exported" | sed 's/^/check-exports: exported but not declared: /' >&2
    status=1
fi
[ $status = 0 ] && echo "check-exports: $(wc -l < "$tmp/exported") functions exported, each declared in include/axle/"
exit $status
