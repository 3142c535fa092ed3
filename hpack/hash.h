/*
 * The string hash of the encoder's dynamic-table index, and word-wise
 * comparison of short strings. Input words are read as little-endian
 * whatever the machine's byte order, so the hash is the same everywhere.
 */
#ifndef AXLE_HPACK_HASH_H
#define AXLE_HPACK_HASH_H

#include <stdbool.h>
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

static inline uint32_t ax__hpack_load_le32(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

/* The last 1..7 octets of a string of n octets (n >= 1) as one word: two
 * overlapping loads rather than a loop (the octets are hashed once or
 * twice, always the same way). */
static inline uint64_t ax__hpack_tail_word(const unsigned char *p, size_t n)
{
    if (n >= 4)
        return (uint64_t)ax__hpack_load_le32(p) << 32 | ax__hpack_load_le32(p + n - 4);
    return (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1];
}

/* A multiply-xorshift over 8-octet words; `seed` chains a second string
 * onto the first (the encoder hashes a value onto its name's hash). */
static inline uint32_t ax__hpack_hash(const void *s, size_t n, uint64_t seed)
{
    const unsigned char *p = s;
    const uint64_t k = 0x9e3779b97f4a7c15u;
    uint64_t h = (seed ^ (uint64_t)n) * k;
    size_t left = n;
    while (left >= 8) {
        h = (h ^ ax__hpack_load_le64(p)) * k;
        h ^= h >> 29;
        p += 8;
        left -= 8;
    }
    if (left > 0) {
        uint64_t w = n >= 8 ? ax__hpack_load_le64(p + left - 8) : ax__hpack_tail_word(p, left);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    return (uint32_t)(h >> 32);
}

/* a[0, n) == b[0, n), for the short strings of headers without a call
 * into libc: words compared, the last one overlapping. */
static inline bool ax__hpack_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 < n; i += 8)
            if (ax__hpack_load_le64(a + i) != ax__hpack_load_le64(b + i))
                return false;
        return ax__hpack_load_le64(a + n - 8) == ax__hpack_load_le64(b + n - 8);
    }
    if (n >= 4)
        return ax__hpack_load_le32(a) == ax__hpack_load_le32(b) &&
               ax__hpack_load_le32(a + n - 4) == ax__hpack_load_le32(b + n - 4);
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

#endif /* AXLE_HPACK_HASH_H */
