/*
 * json/escape.h — writing strings as JSON (RFC 8259 section 7): the
 * escapes, and the fast path for a document's own strings, inline so the
 * writer's loop can use them without calls.
 */
#ifndef AXLE_JSON_ESCAPE_H
#define AXLE_JSON_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "json/scan.h"

static inline unsigned char *ax__json_put_u_escape(unsigned char *d, unsigned long u)
{
    static const char hex[] = "0123456789abcdef";
    d[0] = '\\';
    d[1] = 'u';
    d[2] = (unsigned char)hex[u >> 12 & 15];
    d[3] = (unsigned char)hex[u >> 8 & 15];
    d[4] = (unsigned char)hex[u >> 4 & 15];
    d[5] = (unsigned char)hex[u & 15];
    return d + 6;
}

/* Writes the escape for the ASCII byte c ('"', '\\' or a control). */
static inline unsigned char *ax__json_put_ascii_escape(unsigned char *d, unsigned c)
{
    static const char short_form[32] = {
        ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
    };
    d[0] = '\\';
    if (c == '"' || c == '\\') {
        d[1] = (unsigned char)c;
        return d + 2;
    }
    if (short_form[c] != 0) {
        d[1] = (unsigned char)short_form[c];
        return d + 2;
    }
    return ax__json_put_u_escape(d, c);
}

/* The code point of the n-byte sequence at s (already validated). */
static inline unsigned long ax__json_decode_utf8(const unsigned char *s, size_t n)
{
    if (n == 2)
        return (unsigned long)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    if (n == 3)
        return (unsigned long)(s[0] & 0x0F) << 12 | (unsigned long)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    return (unsigned long)(s[0] & 0x07) << 18 | (unsigned long)(s[1] & 0x3F) << 12 |
           (unsigned long)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

/* The non-ASCII character at s: its length, and whether it must be written
 * as \u escapes (always for an encoded surrogate, which only a document
 * parsed with allow_lone_surrogates holds). 0 if it is not UTF-8. */
static inline size_t ax__json_non_ascii(const unsigned char *s, size_t avail, bool *surrogate)
{
    size_t prefix;
    *surrogate = false;
    if (s[0] == 0xED && avail >= 3 && s[1] >= 0xA0 && s[1] <= 0xBF && (s[2] & 0xC0) == 0x80) {
        *surrogate = true;
        return 3;
    }
    return ax__json_utf8_len(s, avail, &prefix);
}

/* The most a document string of len bytes can take written (every byte a
 * control character, 6 bytes each), plus the 16 bytes the fast path may
 * store past its end. */
static inline size_t ax__json_string_bound(size_t len)
{
    return len * 6 + 2 + 16;
}

/* Writes a document's string at d, which has string_bound(len) bytes of
 * room. The string is NUL-terminated and readable 16 bytes past its NUL
 * (AX__JSON_SLACK), so it is copied 16 bytes at a time, stores included,
 * and the scan stops at the NUL without a length check; bytes stored past
 * the end are overwritten by what follows. Returns the new end. Always
 * inlined: most keys and values are short, and the call was a third of
 * their cost. */
static inline __attribute__((always_inline)) unsigned char *
ax__json_put_doc_string(unsigned char *d, const unsigned char *s, size_t len, bool ascii_only)
{
    const unsigned char *end = s + len;
    *d++ = '"';
    for (;;) {
#if defined(__SSE2__)
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
        const __m128i ctl = _mm_set1_epi8(0x1f), ed = _mm_set1_epi8((char)0xED);
        unsigned mask;
        for (;;) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
            _mm_storeu_si128((__m128i *)(void *)d, x);
            __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash));
            hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));
            hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, ed));
            mask = (unsigned)_mm_movemask_epi8(hit);
            if (ascii_only)
                mask |= (unsigned)_mm_movemask_epi8(x);
            if (mask != 0)
                break;
            s += 16;
            d += 16;
        }
        unsigned k = (unsigned)__builtin_ctz(mask);
        s += k;
        d += k;
#else
        while (*s != '"' && *s != '\\' && *s >= 0x20 && *s != 0xED && !(ascii_only && *s >= 0x80))
            *d++ = *s++;
#endif
        if (s >= end)
            break;
        unsigned c = *s;
        if (c < 0x80) {
            d = ax__json_put_ascii_escape(d, c);
            s++;
            continue;
        }
        bool surrogate;
        size_t n = ax__json_non_ascii(s, (size_t)(end - s), &surrogate);
        if (n == 0) {
            *d++ = *s++; /* cannot happen in a document; copy and go on */
            continue;
        }
        if (surrogate || ascii_only) {
            unsigned long cp = ax__json_decode_utf8(s, n);
            if (cp >= 0x10000) {
                d = ax__json_put_u_escape(d, 0xD800 + ((cp - 0x10000) >> 10));
                cp = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            }
            d = ax__json_put_u_escape(d, cp);
        } else {
            memcpy(d, s, n);
            d += n;
        }
        s += n;
    }
    *d++ = '"';
    return d;
}

#endif /* AXLE_JSON_ESCAPE_H */
