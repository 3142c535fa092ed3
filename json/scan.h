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

/* Like ax__json_scan_plain, but well-formed UTF-8 is skipped too, 16
 * bytes at a time: stops at '"', '\\', a control character, or where
 * the UTF-8 is in doubt, and then at the start of the character in doubt
 * (so that the byte-wise path that takes over, ax__json_utf8_len, finds the
 * error, or replaces it, exactly where it would alone). s must be at the
 * start of a character; the padding after the text ends the scan.
 *
 * Why: text in most languages but English mixes ASCII and multi-byte
 * characters at every few bytes; stopping at each of them to check it
 * alone cost more than the rest of parsing such a string. */
static inline const unsigned char *ax__json_scan_string(const unsigned char *s)
{
#if defined(__SSE2__)
    const unsigned char *lo = s;
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1f);
    __m128i prev = _mm_setzero_si128(); /* the block before (nothing pending at s) */
    unsigned prev_high = 0;              /* its last three bytes: any >= 0x80? */
    for (;; s += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash));
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));
        unsigned stop = (unsigned)_mm_movemask_epi8(hit);
        unsigned high = (unsigned)_mm_movemask_epi8(x);
        if ((high | prev_high) != 0) {
            /* RFC 3629 section 4, for all 16 bytes at once. p1, p2, p3: the
             * bytes one, two and three places before each byte. */
            __m128i p1 = _mm_or_si128(_mm_slli_si128(x, 1), _mm_srli_si128(prev, 15));
            __m128i p2 = _mm_or_si128(_mm_slli_si128(x, 2), _mm_srli_si128(prev, 14));
            __m128i p3 = _mm_or_si128(_mm_slli_si128(x, 3), _mm_srli_si128(prev, 13));
            /* A byte must be a continuation (80..BF) exactly when a lead
             * byte before it says so: C0.. one place back, E0.. two, F0..
             * three (saturating subtraction leaves non-zero just there). */
            __m128i need = _mm_or_si128(_mm_subs_epu8(p1, _mm_set1_epi8((char)0xBF)),
                                        _mm_subs_epu8(p2, _mm_set1_epi8((char)0xDF)));
            need = _mm_or_si128(need, _mm_subs_epu8(p3, _mm_set1_epi8((char)0xEF)));
            __m128i none = _mm_cmpeq_epi8(need, _mm_setzero_si128()); /* ff: none needed */
            __m128i cont = _mm_cmplt_epi8(x, _mm_set1_epi8((char)0xC0)); /* signed: 80..BF */
            /* wrong where "none needed" and "continuation" agree */
            __m128i bad = _mm_cmpeq_epi8(none, cont);
            /* C0, C1 (overlong two-byte forms) and F5..FF never occur */
            bad = _mm_or_si128(bad, _mm_cmpeq_epi8(_mm_and_si128(x, _mm_set1_epi8((char)0xFE)),
                                                   _mm_set1_epi8((char)0xC0)));
            bad = _mm_or_si128(bad, _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8((char)0xF5)), x));
            /* the second byte's narrower ranges: E0 A0..BF (not overlong),
             * ED 80..9F (no surrogates), F0 90..BF (not overlong), F4
             * 80..8F (not past U+10FFFF); signed compares of 80..BF */
            __m128i below_a0 = _mm_cmplt_epi8(x, _mm_set1_epi8((char)0xA0));
            __m128i below_90 = _mm_cmplt_epi8(x, _mm_set1_epi8((char)0x90));
            __m128i r = _mm_and_si128(_mm_cmpeq_epi8(p1, _mm_set1_epi8((char)0xE0)), below_a0);
            r = _mm_or_si128(r, _mm_andnot_si128(below_a0, _mm_cmpeq_epi8(p1, _mm_set1_epi8((char)0xED))));
            r = _mm_or_si128(r, _mm_and_si128(_mm_cmpeq_epi8(p1, _mm_set1_epi8((char)0xF0)), below_90));
            r = _mm_or_si128(r, _mm_andnot_si128(below_90, _mm_cmpeq_epi8(p1, _mm_set1_epi8((char)0xF4))));
            unsigned err = (unsigned)_mm_movemask_epi8(_mm_or_si128(bad, r));
            /* only what lies before the first stop counts, and the stop
             * itself (a sequence cut by it) */
            if (stop != 0)
                err &= (stop ^ (stop - 1));
            if (err != 0) {
                /* back to the lead of the character the first error is in
                 * (or that it cuts short) */
                const unsigned char *q = s + __builtin_ctz(err);
                for (int i = 0; i < 3 && q > lo && (q[-1] & 0xC0) == 0x80; i++)
                    q--;
                if (q > lo && q[-1] >= 0xC0)
                    q--;
                return q;
            }
        }
        prev = x;
        prev_high = high & 0xE000u;
        if (stop != 0)
            return s + __builtin_ctz(stop);
    }
#else
    return ax__json_scan_plain(s);
#endif
}

/* One block of ax__json_scan_string_short: the stops ('"', '\\', control
 * characters) of the 16 bytes at s, and which bytes are not ASCII. */
#if defined(__SSE2__)
static inline __attribute__((always_inline)) void
ax__json_short_block(const unsigned char *s, unsigned *stop, unsigned *high)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                               _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x1f)),
                                           _mm_set1_epi8(0x1f)));
    *stop = (unsigned)_mm_movemask_epi8(hit);
    *high = (unsigned)_mm_movemask_epi8(x);
}
#endif

/* ax__json_scan_string for the common short ASCII string (a key, a
 * word): when the first 32 bytes hold its end and nothing but ASCII before
 * it, one or two blocks decide, inline; anything else goes to the full
 * scan. Why 32: a quarter of the keys of a typical API response (such as
 * "profile_background_image_url") are 16 to 31 bytes long, and sending
 * them out of line both cost a call and made the choice hard to predict. */
static inline __attribute__((always_inline)) const unsigned char *
ax__json_scan_string_short(const unsigned char *s)
{
#if defined(__SSE2__)
    unsigned stop, high;
    ax__json_short_block(s, &stop, &high);
    if (stop != 0) {
        if ((high & (stop ^ (stop - 1))) == 0)
            return s + __builtin_ctz(stop);
    } else if (high == 0) {
        /* 16 ASCII bytes: s + 16 starts a character */
        s += 16;
        ax__json_short_block(s, &stop, &high);
        if (stop != 0 && (high & (stop ^ (stop - 1))) == 0)
            return s + __builtin_ctz(stop);
    }
#endif
    return ax__json_scan_string(s);
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
