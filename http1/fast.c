/*
 * The fast path: the whole lines of a head, in one straight pass.
 *
 * Most heads arrive in one read. For them the resumable state machine of
 * head.c does work that buys nothing: it keeps its place in memory between
 * tokens and calls out to the scanners. This pass keeps everything in
 * registers, has the 16-byte scanners inlined, and writes the header slices
 * directly. It accepts only the plain, valid shape of a head; at anything
 * else (an error, obs-fold, a bare LF, a limit) it stops and the state
 * machine parses that line, so that every error is found and reported in one
 * place. It also stops at a line that is still arriving, and the next call
 * resumes it there (ax__h1_parse_head): a head in pieces is parsed line by
 * line by this same code.
 */
#include <string.h>

#include "http1/parser.h"
#include "http1/scan.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define FAST __attribute__((target("ssse3")))

/* The same byte classes as scan.c, 16 bytes at a time, inlined here. */
FAST static inline unsigned token_mask(__m128i x)
{
    const __m128i lo_t = _mm_setr_epi8((char)0xe8, (char)0xfc, (char)0xf8, (char)0xfc, (char)0xfc,
                                       (char)0xfc, (char)0xfc, (char)0xfc, (char)0xf8, (char)0xf8,
                                       (char)0xf4, 0x54, (char)0xd0, 0x54, (char)0xf4, 0x70);
    const __m128i hi_t = _mm_setr_epi8(1, 2, 4, 8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i low4 = _mm_set1_epi8(0x0f);
    __m128i lo = _mm_shuffle_epi8(lo_t, _mm_and_si128(x, low4));
    __m128i hi = _mm_shuffle_epi8(hi_t, _mm_and_si128(_mm_srli_epi16(x, 4), low4));
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(lo, hi), _mm_setzero_si128()));
}

FAST static inline unsigned target_mask(__m128i x)
{
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x21)),
                                                    _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))));
}

FAST static inline unsigned value_mask(__m128i x)
{
    __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
    ctl = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\t')), ctl);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))));
}

static inline __m128i load16(const unsigned char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* Index of the first byte in [i, lim) outside the class, or lim. The last
 * few bytes (fewer than 16 left) are looked at through the 16 bytes that end
 * at lim, shifted past the ones already seen: still inside the buffer, and
 * no byte-by-byte loop at the end of a head. */
#define SCAN(name, mask, bit)                                                  \
    FAST static inline size_t name(const unsigned char *b, size_t i, size_t lim) \
    {                                                                          \
        for (; i + 16 <= lim; i += 16) {                                       \
            unsigned m = mask(load16(b + i));                                  \
            if (m != 0)                                                        \
                return i + (size_t)__builtin_ctz(m);                           \
        }                                                                      \
        if (i == lim)                                                          \
            return lim;                                                        \
        if (lim < 16)                                                          \
            return i + ax__h1_scan_class(b + i, lim - i, bit);                 \
        unsigned m = mask(load16(b + lim - 16)) >> (16 - (lim - i));           \
        return m != 0 ? i + (size_t)__builtin_ctz(m) : lim;                    \
    }

SCAN(scan_token, token_mask, AX__H1_TCHAR)
SCAN(scan_target, target_mask, AX__H1_TARGET)

/* Values are often long (cookies, user agents): two vectors per step. */
FAST __attribute__((always_inline)) static inline size_t scan_value(const unsigned char *b, size_t i,
                                                                     size_t lim)
{
    for (; i + 32 <= lim; i += 32) {
        unsigned m = value_mask(load16(b + i)) | value_mask(load16(b + i + 16)) << 16;
        if (m != 0)
            return i + (size_t)__builtin_ctz(m);
    }
    for (; i + 16 <= lim; i += 16) {
        unsigned m = value_mask(load16(b + i));
        if (m != 0)
            return i + (size_t)__builtin_ctz(m);
    }
    if (i == lim)
        return lim;
    if (lim < 16)
        return i + ax__h1_scan_class(b + i, lim - i, AX__H1_VCHAR);
    unsigned m = value_mask(load16(b + lim - 16)) >> (16 - (lim - i)); /* as in SCAN */
    return m != 0 ? i + (size_t)__builtin_ctz(m) : lim;
}

/* "HTTP/1." DIGIT at b (8 bytes available): sets p->version. */
static inline bool version_1x(ax_h1_parser *p, const unsigned char *b)
{
    uint64_t w;
    memcpy(&w, b, 8);
    if (memcmp(&w, "HTTP/1.1", 8) == 0) {
        p->version = 11; /* the usual one, in one compare */
        return true;
    }
    if (memcmp(b, "HTTP/1.", 7) != 0 || b[7] < '0' || b[7] > '9')
        return false;
    p->version = b[7] == '0' ? 10 : 11;
    return true;
}

/* The start line; returns where the field lines begin, 0 to give up, or the
 * error of a request-target that does not fit its method. */
FAST static int start_line(ax_h1_parser *p, const unsigned char *b, size_t lim)
{
    size_t i;
    if (p->kind == AX_H1_REQUESTS) {
        /* Most requests are GETs: four bytes compared at once name the
         * method without a scan (the bytes are the token and its SP). */
        if (lim >= 4 && memcmp(b, "GET ", 4) == 0) {
            i = 3;
        } else {
            i = scan_token(b, 0, lim);
            if (i == 0 || i >= lim || b[i] != ' ')
                return 0;
        }
        size_t m_len = i, t = ++i;
        i = scan_target(b, i, lim);
        if (i == t || i >= lim || b[i] != ' ')
            return 0;
        p->m_off = 0;
        p->m_len = (uint32_t)m_len;
        p->t_off = (uint32_t)t;
        p->t_len = (uint32_t)(i - t);
        i++;
        if (lim - i < 10 || memcmp(b + i + 8, "\r\n", 2) != 0 || !version_1x(p, b + i))
            return 0;
        i += 8;
        if (i > p->opt.max_start_line)
            return 0;
        if (b[t] == '/' && m_len != 7) {
            /* origin-form under a method that is not CONNECT (whose name has
             * 7 letters): what ax__h1_check_target decides first, without the
             * call. */
            p->head.form = AX_H1_ORIGIN_FORM;
        } else {
            int rc = ax__h1_check_target(p, b);
            if (rc < 0)
                return rc; /* the state machine would stop at the same place */
        }
        return (int)(i + 2);
    }
    if (lim < 14 || !version_1x(p, b) || b[8] != ' ' || b[9] < '1' || b[9] > '9' ||
        b[10] < '0' || b[10] > '9' || b[11] < '0' || b[11] > '9')
        return 0;
    p->status = (uint32_t)((b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0'));
    i = b[12] == ' ' ? 13 : 12;
    size_t r = i;
    i = scan_value(b, i, lim);
    if (i + 1 >= lim || b[i] != '\r' || b[i + 1] != '\n')
        return 0;
    p->m_off = (uint32_t)r;
    p->m_len = (uint32_t)(i - r);
    if (i > p->opt.max_start_line)
        return 0;
    return (int)(i + 2);
}

/* The field lines before `line` are accepted: give those from index n0 on
 * (the ones this call found) to the state machine, which resumes at the
 * start of that line. The fast path accepts a field line only where head.c
 * would accept it with the same name and value, so the state machine ends up
 * as if it had read those lines itself. This is what lets a head arriving in
 * pieces be parsed with this code: the call that brings the end of the head
 * resumes here (ax__h1_parse_head_fast again, at HS_FIELD_START). */
static void hand_over(ax_h1_parser *p, const unsigned char *b, size_t line, size_t n0, size_t n,
                      uint32_t nspecial)
{
    for (size_t k = n0; k < n; k++) {
        const ax_h1_header *h = &p->headers[k];
        struct ax__h1_field *f = &p->fields[k];
        f->name = (uint32_t)(h->name.ptr - b);
        f->name_len = (uint32_t)h->name.len;
        f->value = (uint32_t)(h->value.ptr - b);
        f->value_len = (uint32_t)h->value.len;
    }
    p->nfields = (uint32_t)n;
    p->nspecial = nspecial;
    p->hs = AX__HS_FIELD_START;
    p->pos = (uint32_t)line;
}

FAST int ax__h1_parse_head_fast(ax_h1_parser *p, const unsigned char *b, size_t len)
{
    size_t lim = len < p->opt.max_head ? len : p->opt.max_head;
    size_t i, n0 = 0;
    uint32_t nspecial = 0;
    if (p->hs == AX__HS_FIELD_START) {
        /* Resuming at a line start: the lines before it are parsed. */
        i = p->pos;
        n0 = p->nfields;
        nspecial = p->nspecial;
    } else {
        int rc = start_line(p, b, lim);
        if (rc <= 0)
            return rc;
        i = (size_t)rc;
    }
    ax_h1_header *h = p->headers;
    size_t n = n0, max = p->opt.max_headers;
    size_t line;
    for (;;) {
        line = i;
        if (i + 1 >= lim) {
            if (i < lim && b[i] == '\n')
                break; /* a bare LF */
            goto wait;
        }
        if (b[i] == '\r') {
            if (b[i + 1] != '\n')
                break;
            if (n0 > 0)
                ax__h1_fill_headers(p, b, n0); /* the earlier calls' lines */
            p->nfields = (uint32_t)n;
            p->nspecial = nspecial;
            return (int)(i + 2);
        }
        /* Two scans from the line start, independent of each other: the
         * line's end (the first byte outside the value class: a field name
         * and its colon are in that class too) and the name's end. The next
         * line depends only on the first, so a head is one chain of scans,
         * not two per line. */
        size_t name = i;
        i = scan_value(b, i, lim);
        if (i >= lim)
            goto wait;
        size_t colon = scan_token(b, name, i);
        if (b[i] != '\r')
            break;
        if (i + 1 >= lim)
            goto wait;
        if (b[i + 1] != '\n')
            break;
        if (colon == name || colon == i || b[colon] != ':' || n >= max)
            break;
        size_t name_len = colon - name;
        /* The value is the rest of the line, with the whitespace around it
         * (SP and HTAB are in its class) trimmed below. */
        size_t value = colon + 1;
        /* OWS around the value: every byte of it passed the scan, so the
         * only ones at or below SP are SP and HTAB: one compare each. */
        size_t end = i;
        value += b[value] == ' '; /* the usual single space */
        if (b[value] <= ' ') {
            while (value < end && b[value] <= ' ')
                value++; /* more, or an empty value */
        }
        if (b[end - 1] <= ' ') {
            while (end > value && b[end - 1] <= ' ')
                end--;
        }
        if (ax__h1_maybe_special(b + name, name_len)) {
            if (nspecial < 8)
                p->special[nspecial] = (uint16_t)n;
            nspecial++;
        }
        h[n].name = ax_slice_make(b + name, name_len);
        h[n].value = ax_slice_make(b + value, end - value);
        n++;
        i += 2;
    }
    /* A line this path does not take: the state machine will. */
    hand_over(p, b, line, n0, n, nspecial);
    return 0;
wait:
    /* The line at `line` is still arriving, and holds no LF: until one
     * comes there is nothing to do (see ax__h1_parse_head). */
    hand_over(p, b, line, n0, n, nspecial);
    p->scan = (uint32_t)lim;
    p->eol = (uint32_t)line;
    return 0;
}

#else

int ax__h1_parse_head_fast(ax_h1_parser *p, const unsigned char *b, size_t len)
{
    (void)p;
    (void)b;
    (void)len;
    return 0;
}

#endif
