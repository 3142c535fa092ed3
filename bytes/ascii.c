/*
 * Byte helpers shared by the parsers. They are locale-independent on
 * purpose: HTTP is ASCII whatever LC_CTYPE says.
 */
#include <stdint.h>
#include <string.h>

#include "axle/bytes.h"

size_t ax_find_byte(const void *p, size_t len, unsigned char c)
{
    if (len == 0)
        return 0;
    /* libc's memchr is vectorised on every platform worth the name. */
    const unsigned char *hit = memchr(p, c, len);
    return hit == NULL ? len : (size_t)(hit - (const unsigned char *)p);
}

bool ax_ascii_case_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    if (alen != blen)
        return false;
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < alen; i++) {
        if (ax_ascii_lower(x[i]) != ax_ascii_lower(y[i]))
            return false;
    }
    return true;
}

/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA     (RFC 9110 5.6.2)
 * One bit per byte value: bit (c & 31) of word (c >> 5). */
static const uint32_t tchar_bits[8] = {
    0x00000000, /* 0x00-0x1f: controls */
    0x03ff6cfa, /* 0x20-0x3f: ! # $ % & ' * + - . 0-9 */
    0xc7fffffe, /* 0x40-0x5f: A-Z ^ _ */
    0x57ffffff, /* 0x60-0x7f: ` a-z | ~ */
    0, 0, 0, 0, /* 0x80-0xff: never */
};

bool ax_is_tchar(unsigned char c)
{
    return (tchar_bits[c >> 5] >> (c & 31)) & 1u;
}

bool ax_is_token(const void *p, size_t len)
{
    const unsigned char *s = p;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!ax_is_tchar(s[i]))
            return false;
    }
    return true;
}

static bool is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

ax_slice ax_trim_ows(ax_slice s)
{
    while (s.len > 0 && is_ows(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && is_ows(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

int ax_parse_u64(const void *p, size_t len, uint64_t *out)
{
    const unsigned char *s = p;
    if (len == 0)
        return AX_EINVAL;
    uint64_t v = 0;
    bool overflow = false;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)s[i] - '0';
        if (d > 9)
            return AX_EINVAL; /* malformed beats too large: keep scanning */
        if (v > (UINT64_MAX - d) / 10)
            overflow = true;
        v = v * 10 + d;
    }
    if (overflow)
        return AX_ERANGE;
    *out = v;
    return 0;
}
