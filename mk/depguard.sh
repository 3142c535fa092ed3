#!/bin/sh
# The dependency guard: axle links against libc and nothing else.
#
#   mk/depguard.sh ARCHIVE [SANITIZERS]
#
# 1. Every symbol the archive needs from outside itself must be defined by
#    libc (or libpthread / libm / libdl / librt, where glibc splits libc up),
#    or by libgcc, the compiler's own runtime (128-bit division and friends).
#    Under SANITIZERS, the sanitizer runtime's symbols are allowed too.
# 2. Only base/alloc.o may call malloc, calloc, realloc or free: everything
#    else goes through an ax_allocator.
# Fails naming every symbol that breaks a rule.
set -eu

archive=$1
sanitizers=${2:-}
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What the archive defines and what it needs.
nm -g --defined-only "$archive" 2>/dev/null | awk 'NF >= 3 { print $3 }' | sort -u > "$tmp/defined"
nm -u "$archive" | awk 'NF >= 2 { print $2 }' | sed 's/@.*//' | sort -u > "$tmp/needed"
comm -23 "$tmp/needed" "$tmp/defined" > "$tmp/external"

# What the system libraries provide.
: > "$tmp/provided"
for lib in libc.so.6 libpthread.so.0 libm.so.6 libdl.so.2 librt.so.1; do
    path=$($cc -print-file-name=$lib)
    [ -f "$path" ] || continue
    nm -D --defined-only "$path" | awk '{ print $NF }' | sed 's/@.*//' >> "$tmp/provided"
done
libgcc=$($cc -print-libgcc-file-name)
[ -f "$libgcc" ] && nm -g --defined-only "$libgcc" 2>/dev/null | awk 'NF >= 3 { print $3 }' >> "$tmp/provided"
# Linker-defined symbols and the weak hook glibc leaves for libc itself.
printf '%s\n' _GLOBAL_OFFSET_TABLE_ __dso_handle >> "$tmp/provided"
sort -u "$tmp/provided" -o "$tmp/provided"

comm -23 "$tmp/external" "$tmp/provided" > "$tmp/foreign"
if [ -n "$sanitizers" ]; then
    grep -v -E '^__(asan|ubsan|tsan|lsan|sanitizer|msan)_' "$tmp/foreign" > "$tmp/foreign.2" || true
    mv "$tmp/foreign.2" "$tmp/foreign"
fi

status=0
if [ -s "$tmp/foreign" ]; then
    echo "depguard: $archive needs symbols that libc does not provide:" >&2
    sed 's/^/    /' "$tmp/foreign" >&2
    status=1
fi

# Rule 2: object by object.
nm -A -u "$archive" 2>/dev/null |
    awk '{ split($1, p, ":"); sym = $NF; sub(/@.*/, "", sym);
           if (sym ~ /^(malloc|calloc|realloc|free|reallocarray|aligned_alloc|posix_memalign|strdup|strndup)$/)
               print p[2], sym }' |
    grep -v '^alloc\.o ' > "$tmp/raw_alloc" || true
if [ -s "$tmp/raw_alloc" ]; then
    echo "depguard: only base/alloc.c may call libc's allocator; found:" >&2
    sed 's/^/    /' "$tmp/raw_alloc" >&2
    status=1
fi

if [ $status = 0 ]; then
    echo "depguard: $archive needs $(wc -l < "$tmp/external") external symbols, all from libc"
fi
exit $status
