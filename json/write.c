/*
 * json/write.c — JSON text from values: strings escaped per RFC 8259
 * section 7, numbers exactly, compact or pretty.
 *
 * Output goes straight into reserved space (an ax_bytes_mut's spare room or
 * the caller's buffer) through a cursor; each run of plain string bytes is
 * one memcpy, found by the same kind of bulk scan the parser uses. Nested
 * containers are walked with an explicit stack of frames, never recursion.
 */
#include <string.h>

#include "base/alloc.h"
#include "json/internal.h"
#include "json/num.h"
#include "json/scan.h"

void ax_json_write_options_init(ax_json_write_options *o)
{
    memset(o, 0, sizeof(*o));
    o->indent = 2;
    o->max_depth = 512;
}

/* ---- the output cursor ------------------------------------------------- */

int ax__json_out_refill(ax__json_out *o, size_t need)
{
    if (o->mut == NULL)
        return AX_ERANGE;
    int rc = ax__json_out_flush(o);
    if (rc != 0)
        return rc;
    /* Reserve generously so that refills are rare; fall back to the exact
     * need when a limit is near. */
    size_t want = need < 65536 ? 65536 : need;
    rc = ax_bytes_mut_reserve(o->mut, want);
    if (rc != 0 && want != need) {
        want = need;
        rc = ax_bytes_mut_reserve(o->mut, need);
    }
    if (rc != 0)
        return rc;
    /* The spare room may be larger than what the writer's limit allows:
     * use only what was reserved. */
    size_t avail;
    o->start = o->p = ax_bytes_mut_spare(o->mut, &avail);
    o->end = o->p + (avail < want ? avail : want);
    return 0;
}

int ax__json_out_flush(ax__json_out *o)
{
    if (o->mut == NULL || o->p == o->start)
        return 0;
    int rc = ax_bytes_mut_commit(o->mut, (size_t)(o->p - o->start));
    o->start = o->p;
    return rc;
}

/* ---- strings ----------------------------------------------------------- */

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

static unsigned char *put_u_escape(unsigned char *d, unsigned long u)
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
static unsigned char *put_ascii_escape(unsigned char *d, unsigned c)
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
    return put_u_escape(d, c);
}

/* The code point of the n-byte sequence at s (already validated). */
static unsigned long decode(const unsigned char *s, size_t n)
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
static size_t non_ascii(const unsigned char *s, size_t avail, bool *surrogate)
{
    size_t prefix;
    *surrogate = false;
    if (s[0] == 0xED && avail >= 3 && s[1] >= 0xA0 && s[1] <= 0xBF && (s[2] & 0xC0) == 0x80) {
        *surrogate = true;
        return 3;
    }
    return ax__json_utf8_len(s, avail, &prefix);
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
            o->p = put_ascii_escape(o->p, c);
            i++;
            continue;
        }
        bool surrogate;
        size_t n = non_ascii(s + i, len - i, &surrogate);
        if (n == 0)
            return AX_EINVAL;
        if (surrogate || ascii_only) {
            unsigned long cp = decode(s + i, n);
            if ((rc = ax__json_out_need(o, cp >= 0x10000 ? 12 : 6)) != 0)
                return rc;
            if (cp >= 0x10000) {
                o->p = put_u_escape(o->p, 0xD800 + ((cp - 0x10000) >> 10));
                cp = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            }
            o->p = put_u_escape(o->p, cp);
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

/* ---- numbers and literals ---------------------------------------------- */

int ax__json_write_number(ax__json_out *o, const ax_json_val *v)
{
    size_t n = ax__json_sub(v) == AX_JSON_RAW ? ax__json_len(v) : 32;
    int rc = ax__json_out_need(o, n);
    if (rc != 0) {
        if (rc != AX_ERANGE || n != 32)
            return rc;
        /* A caller's buffer nearly full: format aside, then check exactly. */
        char tmp[32];
        ax__json_out side = {(unsigned char *)tmp, (unsigned char *)tmp + 32, (unsigned char *)tmp, NULL};
        ax__json_write_number(&side, v);
        n = (size_t)(side.p - side.start);
        if ((rc = ax__json_out_need(o, n)) != 0)
            return rc;
        memcpy(o->p, tmp, n);
        o->p += n;
        return 0;
    }
    char *d = (char *)o->p;
    switch (ax__json_sub(v)) {
    case AX_JSON_INT64: o->p += ax__json_format_i64(v->v.i, d); break;
    case AX_JSON_UINT64: o->p += ax__json_format_u64(v->v.u, d); break;
    case AX_JSON_DOUBLE: o->p += ax__json_format_double(v->v.d, d); break;
    default:
        memcpy(d, v->v.s, n);
        o->p += n;
        break;
    }
    return 0;
}

static int write_scalar(ax__json_out *o, const ax_json_val *v, bool ascii_only)
{
    static const char *const words[3] = {"false", "true", "null"};
    int rc;
    switch (ax__json_type(v)) {
    case AX_JSON_STRING:
        return ax__json_write_string(o, (const unsigned char *)v->v.s, ax__json_len(v), ascii_only,
                                     false);
    case AX_JSON_NUMBER:
        return ax__json_write_number(o, v);
    default: {
        const char *w = ax__json_type(v) == AX_JSON_NULL ? words[2] : words[ax__json_sub(v) & 1];
        size_t n = strlen(w);
        if ((rc = ax__json_out_need(o, n)) != 0)
            return rc;
        memcpy(o->p, w, n);
        o->p += n;
        return 0;
    }
    }
}

/* ---- containers -------------------------------------------------------- */

typedef struct frame {
    const ax_json_val *next; /* the next child node to write */
    size_t left;             /* children still to write (nodes) */
    bool is_obj;
} frame;

static int newline_indent(ax__json_out *o, const ax_json_write_options *opt, size_t depth)
{
    size_t n = opt->indent * depth;
    int rc = ax__json_out_need(o, n + 1);
    if (rc != 0)
        return rc;
    *o->p++ = '\n';
    memset(o->p, ' ', n);
    o->p += n;
    return 0;
}

static int put_byte(ax__json_out *o, unsigned char c)
{
    int rc = ax__json_out_need(o, 1);
    if (rc == 0)
        *o->p++ = c;
    return rc;
}

int ax__json_write_value(ax__json_out *o, const ax_json_val *v, const ax_json_write_options *opt,
                         size_t depth_base)
{
    frame local[64];
    frame *st = local;
    size_t cap = 64, depth = 0;
    const ax_allocator *al = ax_allocator_default();
    bool pretty = opt->pretty, ascii = opt->ascii_only;
    int rc = 0;

    for (;;) {
        /* write v */
        unsigned t = ax__json_type(v);
        if (t != AX_JSON_ARRAY && t != AX_JSON_OBJECT) {
            if ((rc = write_scalar(o, v, ascii)) != 0)
                goto out;
        } else if (ax__json_len(v) == 0) {
            if ((rc = ax__json_out_need(o, 2)) != 0)
                goto out;
            *o->p++ = t == AX_JSON_OBJECT ? '{' : '[';
            *o->p++ = t == AX_JSON_OBJECT ? '}' : ']';
        } else {
            if (depth_base + depth >= opt->max_depth) {
                rc = AX_ELIMIT;
                goto out;
            }
            if (depth == cap) {
                frame *g = ax__malloc_array(al, cap * 2, sizeof(*g));
                if (g == NULL) {
                    rc = AX_ENOMEM;
                    goto out;
                }
                memcpy(g, st, depth * sizeof(*g));
                if (st != local)
                    ax__free(al, st);
                st = g;
                cap *= 2;
            }
            if ((rc = put_byte(o, t == AX_JSON_OBJECT ? '{' : '[')) != 0)
                goto out;
            st[depth++] = (frame){v->v.kids, ax__json_len(v) * (t == AX_JSON_OBJECT ? 2 : 1),
                                  t == AX_JSON_OBJECT};
            goto child;
        }
        /* v is done: close finished containers, then move to the next child */
        for (;;) {
            if (depth == 0)
                goto out;
            frame *f = &st[depth - 1];
            if (f->left > 0)
                break;
            depth--;
            if (pretty && (rc = newline_indent(o, opt, depth_base + depth)) != 0)
                goto out;
            if ((rc = put_byte(o, f->is_obj ? '}' : ']')) != 0)
                goto out;
        }
        if ((rc = put_byte(o, ',')) != 0)
            goto out;
    child: {
        frame *f = &st[depth - 1];
        if (pretty && (rc = newline_indent(o, opt, depth_base + depth)) != 0)
            goto out;
        if (f->is_obj) {
            const ax_json_val *k = f->next++;
            f->left--;
            rc = ax__json_write_string(o, (const unsigned char *)k->v.s, ax__json_len(k), ascii, false);
            if (rc != 0 || (rc = ax__json_out_need(o, 2)) != 0)
                goto out;
            *o->p++ = ':';
            if (pretty)
                *o->p++ = ' ';
        }
        v = f->next++;
        f->left--;
    }
    }
out:
    if (st != local)
        ax__free(al, st);
    return rc;
}

static void fix_options(const ax_json_write_options *o, ax_json_write_options *fixed)
{
    if (o == NULL)
        ax_json_write_options_init(fixed);
    else
        *fixed = *o;
    if (fixed->indent > 16)
        fixed->indent = 16;
}

int ax_json_write(const ax_json_val *v, const ax_json_write_options *o, ax_bytes_mut *out)
{
    ax_json_write_options opt;
    fix_options(o, &opt);
    ax__json_out cur = {NULL, NULL, NULL, out};
    int rc = ax__json_write_value(&cur, v, &opt, 0);
    int frc = ax__json_out_flush(&cur);
    return rc != 0 ? rc : frc;
}

int ax_json_write_buf(const ax_json_val *v, const ax_json_write_options *o, void *buf, size_t cap)
{
    ax_json_write_options opt;
    fix_options(o, &opt);
    if (cap > (size_t)INT32_MAX)
        cap = INT32_MAX;
    ax__json_out cur = {buf, (unsigned char *)buf + cap, buf, NULL};
    int rc = ax__json_write_value(&cur, v, &opt, 0);
    return rc != 0 ? rc : (int)(cur.p - cur.start);
}
