/*
 * Fuzzes ax_addr_parse with arbitrary text: it must return 0 or AX_EINVAL,
 * and whatever it accepts must format and parse back to the same address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "axle/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[512];
    if (size >= sizeof(text))
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    ax_addr a, b;
    int rc = ax_addr_parse(text, &a);
    if (rc == AX_EINVAL)
        return 0;
    if (rc != 0)
        abort();
    char out[512];
    if (ax_addr_format(&a, out, sizeof(out)) < 0)
        abort();
    if (ax_addr_parse(out, &b) != 0 || a.len != b.len || memcmp(&a.ss, &b.ss, a.len) != 0)
        abort();
    return 0;
}
