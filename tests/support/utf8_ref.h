/*
 * A reference UTF-8 check (RFC 3629 section 4), byte by byte and written
 * apart from the library's vector checker, for tests and fuzz harnesses to
 * hold the library's answers against.
 */
#ifndef AXLE_TESTS_UTF8_REF_H
#define AXLE_TESTS_UTF8_REF_H

#include <stdbool.h>
#include <stddef.h>

/* The offset of the first byte of the first ill-formed sequence in s, or n
 * when all of s is well-formed. With surrogates, the encoded surrogates
 * U+D800..U+DFFF (ED A0..BF xx) count as well-formed. */
static inline size_t ax_test_utf8_first_bad(const unsigned char *s, size_t n, bool surrogates)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : lo;
            hi = c == 0xED && !surrogates ? 0x9F : hi;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            lo = c == 0xF0 ? 0x90 : lo;
            hi = c == 0xF4 ? 0x8F : hi;
        } else {
            return i;
        }
        if (i + len > n || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += len;
    }
    return n;
}

#endif /* AXLE_TESTS_UTF8_REF_H */
