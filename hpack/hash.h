/*
 * The one string hash of the hpack module: the encoder's dynamic-table
 * index and the generated static-table index (gen/hpack_gen.c) both use it,
 * so it must give the same value on every host: input words are read as
 * little-endian whatever the machine's byte order.
 */
#ifndef AXLE_HPACK_HASH_H
#define AXLE_HPACK_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t ax__hpack_load_le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
#else
    uint64_t w = 0;
    for (int i = 7; i >= 0; i--)
        w = (w << 8) | p[i];
    return w;
#endif
}

/* A multiply-xorshift over 8-octet words; `seed` chains a second string
 * onto the first (the encoder hashes a value onto its name's hash). */
static inline uint32_t ax__hpack_hash(const void *s, size_t n, uint64_t seed)
{
    const unsigned char *p = s;
    const uint64_t k = 0x9e3779b97f4a7c15u;
    uint64_t h = (seed ^ (uint64_t)n) * k;
    while (n >= 8) {
        h = (h ^ ax__hpack_load_le64(p)) * k;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        uint64_t w = 0;
        for (size_t i = 0; i < n; i++)
            w |= (uint64_t)p[i] << (8 * i);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    return (uint32_t)(h >> 32);
}

#endif /* AXLE_HPACK_HASH_H */
