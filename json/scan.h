/*
 * json/scan.h — the bulk scanner for string contents and the UTF-8 rules.
 *
 * Most string bytes are printable ASCII that needs no work at all. The
 * scanner skips them 16 bytes at a time (SSE2) or 8 at a time (any 64-bit
 * little-endian machine, by bit tricks on a word) and stops at the first
 * byte that does: '"', '\\', a control character (< 0x20, which includes
 * the zero padding after the text) or a non-ASCII byte (>= 0x80).
 */
#ifndef AXLE_JSON_SCAN_H
#define AXLE_JSON_SCAN_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* s may be read up to 15 bytes past the byte returned: the text's padding
 * (AX__JSON_PAD zero bytes) guarantees a stop before its end. */
static inline const unsigned char *ax__json_scan_plain(const unsigned char *s)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1f);
    for (;;) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash));
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));
        /* movemask of x itself flags the bytes >= 0x80 */
        unsigned mask = (unsigned)(_mm_movemask_epi8(hit) | _mm_movemask_epi8(x));
        if (mask != 0)
            return s + __builtin_ctz(mask);
        s += 16;
    }
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && UINTPTR_MAX > 0xffffffffu
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (;;) {
        uint64_t x;
        memcpy(&x, s, 8);
        uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
        /* (y - 1) & ~y has the high bit of every zero byte of y set (and
         * possibly of bytes after the first zero, which do not matter) */
        uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x;
        hit &= highs;
        if (hit != 0)
            return s + (__builtin_ctzll(hit) >> 3);
        s += 8;
    }
#else
    for (;;) {
        unsigned c = *s;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            return s;
        s++;
    }
#endif
}

/* The length of the well-formed UTF-8 sequence (RFC 3629 section 4) that
 * starts with the non-ASCII byte s[0] within s[0, avail), or 0 if it is
 * not one; *prefix is then the length of its longest well-formed prefix
 * (at least 1): the bytes one U+FFFD replaces. */
static inline size_t ax__json_utf8_len(const unsigned char *s, size_t avail, size_t *prefix)
{
    unsigned c = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* shorter forms are overlong */
        else if (c == 0xED)
            hi = 0x9F; /* ED A0..BF would encode the surrogates U+D800..DFFF */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* past U+10FFFF */
    } else {
        *prefix = 1; /* 80..C1 (continuation or overlong lead), F5..FF */
        return 0;
    }
    size_t i = 1;
    if (i < avail && s[i] >= lo && s[i] <= hi) {
        for (i = 2; i < n && i < avail && (s[i] & 0xC0) == 0x80; i++)
            ;
    }
    if (i == n)
        return n;
    *prefix = i;
    return 0;
}

#endif /* AXLE_JSON_SCAN_H */
