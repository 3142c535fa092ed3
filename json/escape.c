/*
 * json/escape.c — writing any caller's string as JSON, with every byte of
 * room checked (a caller's buffer may end anywhere) and, when asked, UTF-8
 * validated (strings from outside a document have not been checked).
 */
#include <string.h>

#include "json/escape.h"
#include "json/internal.h"

/* Index of the first byte of s[0, len) that cannot be copied as it is:
 * '"', '\\', a control character, 0xED (it may start an encoded surrogate,
 * which is written as \u) and, when high is set, any byte >= 0x80. */
static size_t plain_run(const unsigned char *s, size_t len, bool high)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1f), ed = _mm_set1_epi8((char)0xED);
    for (; i + 16 <= len; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash));
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, ed));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (high)
            mask |= (unsigned)_mm_movemask_epi8(x);
        if (mask != 0)
            return i + (size_t)__builtin_ctz(mask);
    }
#endif
    for (; i < len; i++) {
        unsigned c = s[i];
        if (c == '"' || c == '\\' || c < 0x20 || c == 0xED || (high && c >= 0x80))
            return i;
    }
    return len;
}

int ax__json_write_string(ax__json_out *o, const unsigned char *s, size_t len, bool ascii_only,
                          bool validate)
{
    int rc;
    /* Escaping only lengthens: len + 2 is the least this can take. */
    if ((rc = ax__json_out_need(o, len + 2)) != 0)
        return rc;
    *o->p++ = '"';
    size_t i = 0;
    for (;;) {
        size_t run = plain_run(s + i, len - i, ascii_only || validate);
        if ((rc = ax__json_out_need(o, run + 1)) != 0)
            return rc;
        memcpy(o->p, s + i, run);
        o->p += run;
        i += run;
        if (i == len)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            bool short_form = c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' ||
                              c == '\r' || c == '\t';
            if ((rc = ax__json_out_need(o, short_form ? 2 : 6)) != 0)
                return rc;
            o->p = ax__json_put_ascii_escape(o->p, c);
            i++;
            continue;
        }
        bool surrogate;
        size_t n = ax__json_non_ascii(s + i, len - i, &surrogate);
        if (n == 0)
            return AX_EINVAL;
        if (surrogate || ascii_only) {
            unsigned long cp = ax__json_decode_utf8(s + i, n);
            if ((rc = ax__json_out_need(o, cp >= 0x10000 ? 12 : 6)) != 0)
                return rc;
            if (cp >= 0x10000) {
                o->p = ax__json_put_u_escape(o->p, 0xD800 + ((cp - 0x10000) >> 10));
                cp = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            }
            o->p = ax__json_put_u_escape(o->p, cp);
        } else {
            if ((rc = ax__json_out_need(o, n)) != 0)
                return rc;
            memcpy(o->p, s + i, n);
            o->p += n;
        }
        i += n;
    }
    if ((rc = ax__json_out_need(o, 1)) != 0)
        return rc;
    *o->p++ = '"';
    return 0;
}
