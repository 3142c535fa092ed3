#!/bin/sh
# Every Criterion suite must be declared with AX_SUITE(name) in the file that
# uses it, so that its tests get the leak check (tests/support/suite.h).
set -eu
status=0
for f in tests/*/*.c; do
    for s in $(sed -n 's/^Test(\([A-Za-z0-9_]*\),.*/\1/p' "$f" | sort -u); do
        if ! grep -q "^AX_SUITE($s);" "$f"; then
            echo "$f: suite '$s' is not declared with AX_SUITE($s);" >&2
            status=1
        fi
    done
done
exit $status
