/*
 * Fuzzes ax_parse_u64 against a slow reference: any input, any length, the
 * result and error must match a digit-by-digit computation in 128 bits.
 */
#include <stdint.h>
#include <stdlib.h>

#include "axle/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int reference(const uint8_t *p, size_t n, uint64_t *out)
{
    if (n == 0)
        return AX_EINVAL;
    unsigned __int128 v = 0;
    int big = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return AX_EINVAL;
        if (!big)
            v = v * 10 + (unsigned)(p[i] - '0');
        if (v > UINT64_MAX)
            big = 1;
    }
    if (big)
        return AX_ERANGE;
    *out = (uint64_t)v;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t got = 0, want = 0;
    int rc = ax_parse_u64(data, size, &got);
    int want_rc = reference(data, size, &want);
    if (rc != want_rc || (rc == 0 && got != want))
        abort();
    return 0;
}
