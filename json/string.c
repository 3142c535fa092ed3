/*
 * json/string.c — strings (RFC 8259 section 7): escapes, UTF-8 validation,
 * decoding in place.
 *
 * A string is decoded where it lies in the document's copy of the text:
 * every escape is at least as long as what it stands for, so the write
 * cursor never overtakes the read cursor, and a string without escapes
 * stays exactly where it is. The closing quote becomes the string's NUL.
 * The one case that can grow is replacing a bad UTF-8 byte by U+FFFD (three
 * bytes); that string moves to a block of its own.
 */
#include <string.h>

#include "base/alloc.h"
#include "json/internal.h"
#include "json/scan.h"

static int fail(ax__json_parser *p, const unsigned char *at, int code, const char *reason)
{
    p->err_code = code;
    p->err_pos = (size_t)(at - p->buf);
    p->err_reason = reason;
    return code;
}

/* Values of hex digits, 0xFF for other bytes. */
static const unsigned char hex_value[256] = {
    ['0'] = 0, ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6,
    ['7'] = 7, ['8'] = 8, ['9'] = 9, ['a'] = 10, ['b'] = 11, ['c'] = 12,
    ['d'] = 13, ['e'] = 14, ['f'] = 15, ['A'] = 10, ['B'] = 11, ['C'] = 12,
    ['D'] = 13, ['E'] = 14, ['F'] = 15,
};

static bool hex4_digit(unsigned c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* The four hex digits at s, or -1. The table is zero for non-digits other
 * than '0', so digits are checked separately. */
static long hex4(const unsigned char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i];
        if (!hex4_digit(c))
            return -1;
        v = v << 4 | hex_value[c];
    }
    return v;
}

static unsigned char *put_utf8(unsigned char *d, unsigned long cp)
{
    if (cp < 0x80) {
        *d++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *d++ = (unsigned char)(0xC0 | cp >> 6);
        *d++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = (unsigned char)(0xE0 | cp >> 12);
        *d++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *d++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *d++ = (unsigned char)(0xF0 | cp >> 18);
        *d++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        *d++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *d++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    return d;
}

/* Copies to d (d <= s, so a forward copy is safe) the run of well-formed
 * two- and three-byte sequences at s, the common non-ASCII text (Latin,
 * Greek, Cyrillic, CJK, ...), checked inline; returns its length, 0 if s
 * starts with anything else, which then takes the general path. The zero
 * padding after the text is no continuation byte, so no bound is needed. */
static size_t utf8_run(const unsigned char *s, unsigned char *d)
{
    size_t i = 0;
    for (;;) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* Three-byte sequences (CJK and most other scripts) tested and
         * moved as one word. Storing all four bytes is safe: the fourth
         * lands on a byte already read (d < s) or on itself (d == s). */
        uint32_t w;
        memcpy(&w, s + i, 4);
        unsigned c = w & 0xFF;
        if ((w & 0xC0C0F0u) == 0x8080E0u && c != 0xE0 && c != 0xED) {
            /* in place (d == s) nothing moves; storing anyway would make
             * the next load overlap this store, which stalls */
            if (d != s)
                memcpy(d + i, &w, 4);
            i += 3;
            continue;
        }
#else
        unsigned c = s[i];
        if (c >= 0xE1 && c <= 0xEF && c != 0xED && (s[i + 1] & 0xC0) == 0x80 &&
            (s[i + 2] & 0xC0) == 0x80) {
            d[i] = (unsigned char)c;
            d[i + 1] = s[i + 1];
            d[i + 2] = s[i + 2];
            i += 3;
            continue;
        }
#endif
        if (c >= 0xC2 && c <= 0xDF && (s[i + 1] & 0xC0) == 0x80) {
            d[i] = (unsigned char)c;
            d[i + 1] = s[i + 1];
            i += 2;
            continue;
        }
        return i;
    }
}

/* Moves the n bytes at src to d <= src (the write cursor of a string being
 * decoded in place, or a block of its own), returns d + n. Whole 16-byte
 * blocks go as one load and one store: the store ends before the next
 * block's load begins (d <= src), so nothing unread is overwritten. The
 * last part goes as two overlapping loads, both made before either store,
 * so no byte past d + n is written (that is where the bytes still to be
 * read may lie). */
static inline unsigned char *move_run(unsigned char *d, const unsigned char *src, size_t n)
{
    if (d == src)
        return d + n; /* nothing decoded yet: the bytes are in place */
    size_t i = 0;
    for (; n - i >= 16; i += 16) {
        unsigned char block[16]; /* the source and destination may overlap */
        memcpy(block, src + i, 16);
        memcpy(d + i, block, 16);
    }
    size_t r = n - i;
    if (r >= 8) {
        uint64_t a, b;
        memcpy(&a, src + i, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(d + i, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (r >= 4) {
        uint32_t a, b;
        memcpy(&a, src + i, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(d + i, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else {
        for (; i < n; i++)
            d[i] = src[i];
    }
    return d + n;
}

/* Where the string whose contents start at s ends: its closing quote, or
 * a control character (which ends it as an error), or NULL if the input
 * ends first. Skips escaped characters. */
static const unsigned char *find_close(const unsigned char *s, const unsigned char *end,
                                      const unsigned char **reached)
{
    while (s < end) {
        if (*s == '"' || *s < 0x20)
            return s;
        s += *s == '\\' ? 2 : 1;
    }
    *reached = s; /* a character boundary: the search can go on from here */
    return NULL;
}

/* Decodes the escape at s ('\\' at s[0]) to d. Returns the bytes consumed
 * (> 0) and advances *d, or a negative error. */
static int unescape(ax__json_parser *p, const unsigned char *s, const unsigned char *end,
                    unsigned char **d)
{
    static const unsigned char simple[128] = {
        ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
        ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
    };
    if (s + 1 >= end)
        return fail(p, s, AX_EPROTO, "unterminated string");
    unsigned c = s[1];
    if (c != 'u') {
        if (c >= 128 || simple[c] == 0)
            return fail(p, s, AX_EPROTO, "invalid escape in string");
        *(*d)++ = simple[c];
        return 2;
    }
    long cp = hex4(s + 2); /* may read into the zero padding, which is no digit */
    if (cp < 0) {
        const unsigned char *q = s + 2;
        while (q < end && hex4_digit(*q))
            q++;
        if (q >= end)
            return fail(p, s, AX_EPROTO, "unterminated string");
        return fail(p, s, AX_EPROTO, "invalid \\u escape: four hex digits expected");
    }
    int used = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && end - s >= 12 && s[6] == '\\' && s[7] == 'u') {
        long lo = hex4(s + 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            used = 12;
        }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF && !p->lone_surrogates)
        return fail(p, s, AX_EPROTO, "lone surrogate in \\u escape");
    *d = put_utf8(*d, (unsigned long)cp);
    return used;
}

/* Moves the decoded part of a string, begun at start and written up to d,
 * into a block of its own big enough for the rest (src..close) to grow by
 * replacement. Returns the new write cursor, or NULL. */
static unsigned char *move_out(ax__json_parser *p, const unsigned char *start, unsigned char *d,
                               const unsigned char *src, const unsigned char *close,
                               unsigned char **block)
{
    size_t done = (size_t)(d - start);
    size_t rest = (size_t)(close - src);
    size_t grow = p->replace_utf8 ? 3 : 1; /* U+FFFD takes 3 bytes for 1 */
    if (rest > (SIZE_MAX - done - 1) / grow)
        return NULL;
    unsigned char *b = ax__json_chunk_alloc(p->alloc, &p->chunks, done + grow * rest + 1);
    if (b == NULL)
        return NULL;
    memcpy(b, start, done);
    *block = b;
    return b + done;
}

int ax__json_parse_string_slow(ax__json_parser *p, const unsigned char **pp, ax_json_val *out,
                               const unsigned char *src)
{
    const unsigned char *quote = *pp;
    const unsigned char *end = p->buf + p->end;
    unsigned char *start = (unsigned char *)quote + 1;
    const unsigned char *close = NULL;
    unsigned char *d = (unsigned char *)src;
    unsigned char *block = NULL; /* set when the string moved out */
    if (p->incremental) {
        /* The reader's text must stay as it came (it may be read again if
         * the string is cut, and error positions are counted on it), so
         * strings that need decoding go to a block of their own. */
        /* A string cut many times is searched once: the search goes on
         * from where the last one stopped (resume_close). */
        const unsigned char *from = src, *reached = end;
        if (p->resume_close > (size_t)(src - start))
            from = start + p->resume_close;
        p->resume_close = 0;
        close = find_close(from, end, &reached);
        if (close == NULL) {
            if (!p->final) {
                p->resume_scan = (size_t)((src < end ? src : end) - start);
                p->resume_close = (size_t)(reached - start);
                return 1;
            }
            close = end; /* decode to the end, to fail where parse would */
        }
        d = move_out(p, start, d, src, close, &block);
        if (d == NULL)
            return fail(p, src, AX_ENOMEM, "out of memory");
        start = block;
    }
    for (;;) {
        unsigned c = *src;
        if (c == '"') {
            break;
        } else if (c == '\\') {
            int n = unescape(p, src, end, &d);
            if (n < 0)
                return n;
            src += n;
        } else if (c < 0x20) {
            if (src >= end)
                return fail(p, quote, AX_EPROTO, "unterminated string");
            return fail(p, src, AX_EPROTO, "control character in string (must be escaped)");
        } else if (c >= 0x80) {
            size_t prefix;
            const unsigned char *run = ax__json_scan_string(src);
            if (run != src) {
                /* well-formed: moved as it is, with any ASCII after it */
                d = move_run(d, src, (size_t)(run - src));
                src = run;
                continue;
            }
            size_t n = utf8_run(src, d);
            if (n != 0) {
                d += n;
                src += n;
                continue;
            }
            n = ax__json_utf8_len(src, (size_t)(end - src), &prefix);
            if (n != 0) {
                for (size_t i = 0; i < n; i++)
                    d[i] = src[i];
                d += n;
                src += n;
            } else if (!p->replace_utf8) {
                return fail(p, src, AX_EPROTO, "invalid UTF-8 in string");
            } else {
                if (block == NULL) {
                    const unsigned char *reached;
                    if (close == NULL)
                        close = find_close(src, end, &reached);
                    if (close == NULL)
                        close = end; /* the loop fails where the string does */
                    d = move_out(p, start, d, src, close, &block);
                    if (d == NULL)
                        return fail(p, src, AX_ENOMEM, "out of memory");
                    start = block;
                }
                memcpy(d, "\xEF\xBF\xBD", 3);
                d += 3;
                src += prefix;
            }
        } else {
            const unsigned char *run = ax__json_scan_string(src);
            d = move_run(d, src, (size_t)(run - src));
            src = run;
        }
    }
    *d = '\0';
    out->tag = ax__json_tag(AX_JSON_STRING, 0, (uint64_t)(d - start));
    if (block != NULL) {
        out->tag |= AX__JSON_ABS;
        out->v.s = (const char *)block;
    } else {
        out->v.ofs = (uintptr_t)start - p->base;
    }
    *pp = src + 1;
    return 0;
}
