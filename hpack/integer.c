/*
 * Integer representation (RFC 7541 section 5.1): a value that fits the
 * N-bit prefix is stored there; a larger one fills the prefix with ones
 * and continues in octets of seven bits, least significant group first,
 * the high bit saying whether another octet follows. The fast case (the
 * value fits) is inline in hpack_int.h; this is the rest.
 */
#include "hpack/hpack_int.h"

int ax__hpack_int_decode_slow(const unsigned char **p, const unsigned char *end,
                              unsigned prefix_bits, uint32_t *out)
{
    const unsigned char *q = *p;
    uint64_t value = (1u << prefix_bits) - 1;
    unsigned shift = 0;
    q++;
    for (;;) {
        if (q == end)
            return AX__HPACK_INT_TRUNCATED;
        if (q - *p >= AX__HPACK_INT_MAX_OCTETS)
            return AX__HPACK_INT_OVERFLOW;
        unsigned char b = *q++;
        value += (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (value > UINT32_MAX)
            return AX__HPACK_INT_OVERFLOW;
        if ((b & 0x80) == 0)
            break;
    }
    *out = (uint32_t)value;
    *p = q;
    return 0;
}
