/*
 * json/parse.c — the RFC 8259 grammar as a resumable state machine.
 *
 *   JSON-text = ws value ws                              (section 2)
 *   value     = false / null / true / object / array / number / string
 *   object    = begin-object [ member *( value-separator member ) ] end-object
 *   member    = string name-separator value              (section 4)
 *   array     = begin-array [ value *( value-separator value ) ] end-array
 *
 * Each label below is one place in that grammar. Control moves between them
 * by goto, not by recursion, so nesting costs no C stack: open containers
 * are frames in an array bounded by max_depth. Values are pushed onto a
 * stack as they are read; when a container closes, its children (now on top
 * of the stack) are copied as one block into the document and replaced by
 * the container's own node. That is what makes arrays indexable in O(1).
 *
 * When the input runs out in the middle of a token (incremental input), the
 * label to resume at is saved with the position of the token's first byte,
 * and the next run starts there: only the cut token is read twice.
 */
#include <string.h>

#include "base/alloc.h"
#include "json/internal.h"
#include "json/num.h"
#include "json/scan.h"

static int fail(ax__json_parser *p, const unsigned char *at, int code, const char *reason)
{
    p->err_code = code;
    p->err_pos = (size_t)(at - p->buf);
    p->err_reason = reason;
    return code;
}

/* ---- memory ------------------------------------------------------------ */

void *ax__json_chunk_alloc(const ax_allocator *a, ax__json_chunk **list, size_t bytes)
{
    bytes = (bytes + 15) & ~(size_t)15;
    if (bytes == 0 || bytes > SIZE_MAX - sizeof(ax__json_chunk) - AX__JSON_SLACK)
        return NULL;
    /* The slack lets the writer load 16 bytes at the end of any string. */
    ax__json_chunk *c = ax__malloc(a, sizeof(*c) + bytes + AX__JSON_SLACK);
    if (c == NULL)
        return NULL;
    c->next = *list;
    c->size = bytes;
    c->used = bytes;
    c->nodes = 0;
    *list = c;
    return c + 1;
}

void ax__json_chunks_free(const ax_allocator *a, ax__json_chunk *list)
{
    while (list != NULL) {
        ax__json_chunk *next = list->next;
        ax__free(a, list);
        list = next;
    }
}

static ax_json_val *alloc_nodes_chunk(ax__json_parser *p, size_t n)
{
    /* A new chunk, growing geometrically so that a large document needs
     * only a few; the rest of the old one is left unused. */
    size_t want = p->next_chunk / sizeof(ax_json_val);
    if (want < n)
        want = n;
    if (want > SIZE_MAX / sizeof(ax_json_val))
        return NULL;
    ax_json_val *v = ax__json_chunk_alloc(p->alloc, &p->chunks, want * sizeof(ax_json_val));
    if (v == NULL)
        return NULL;
    ax__json_note_nodes_used(p);
    p->node_chunk = p->chunks;
    p->node_chunk->nodes = 1;
    if (p->next_chunk < ((size_t)1 << 26))
        p->next_chunk *= 2;
    p->node_cur = v + n;
    p->node_end = v + want;
    return v;
}

void ax__json_note_nodes_used(ax__json_parser *p)
{
    if (p->node_chunk != NULL)
        p->node_chunk->used = (size_t)((unsigned char *)p->node_cur - (unsigned char *)(p->node_chunk + 1));
}

ax_json_val *ax__json_alloc_nodes(ax__json_parser *p, size_t n)
{
    if ((size_t)(p->node_end - p->node_cur) >= n) {
        ax_json_val *v = p->node_cur;
        p->node_cur += n;
        return v;
    }
    return alloc_nodes_chunk(p, n);
}

static int grow_stack(ax__json_parser *p)
{
    ax_json_val *s = ax__array_grow(p->alloc, p->stack, &p->cap, p->top + 1, sizeof(*s), 64);
    if (s == NULL)
        return AX_ENOMEM;
    p->stack = s;
    return 0;
}

/* Pushes the frame of a container whose node is the next stack slot, and
 * reserves that slot. */
static int grow_frames(ax__json_parser *p, const unsigned char *at)
{
    if (p->depth >= p->max_depth)
        return fail(p, at, AX_ELIMIT, "nesting deeper than the limit (max_depth)");
    ax__json_frame *f = ax__array_grow(p->alloc, p->frames, &p->frames_cap, p->depth + 1,
                                       sizeof(*f), 16);
    if (f == NULL)
        return fail(p, at, AX_ENOMEM, "out of memory");
    p->frames = f;
    return 0;
}

static inline int open_container(ax__json_parser *p, const unsigned char *at, bool is_obj)
{
    int rc;
    if ((p->depth >= p->max_depth || p->depth == p->frames_cap) && (rc = grow_frames(p, at)) != 0)
        return rc;
    p->stack[p->top].tag = ax__json_tag(is_obj ? AX_JSON_OBJECT : AX_JSON_ARRAY, 0, 0);
    p->stack[p->top].v.kids = NULL;
    p->top++;
    p->frames[p->depth].start = p->top;
    p->frames[p->depth].is_obj = is_obj;
    p->depth++;
    return 0;
}

/* Moves the children of the innermost container into one block of the
 * document and completes the container's node. */
static inline int close_container(ax__json_parser *p, const unsigned char *at)
{
    ax__json_frame f = p->frames[--p->depth];
    size_t n = p->top - f.start;
    ax_json_val *node = &p->stack[f.start - 1];
    if (n > 0) {
        ax_json_val *kids = p->node_cur;
        if ((size_t)(p->node_end - kids) >= n)
            p->node_cur += n;
        else if ((kids = alloc_nodes_chunk(p, n)) == NULL)
            return fail(p, at, AX_ENOMEM, "out of memory");
        if (n <= 8)
            for (size_t i = 0; i < n; i++)
                kids[i] = node[1 + i];
        else
            memcpy(kids, node + 1, n * sizeof(*kids));
        node->v.kids = kids;
        node->tag = ax__json_tag(f.is_obj ? AX_JSON_OBJECT : AX_JSON_ARRAY, 0, f.is_obj ? n / 2 : n);
    }
    p->top = f.start;
    return 0;
}

/* ---- tokens ------------------------------------------------------------ */

static inline bool is_digit(unsigned c)
{
    return c - '0' <= 9;
}

static inline bool is_ws(unsigned c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Whitespace (section 2). Pretty-printed input has long runs of it (a
 * newline and the indentation), which are skipped 16 bytes at a time; the
 * zero padding after the text ends any run. Always inlined: gcc left it a
 * call, made between almost every two tokens. */
static inline __attribute__((always_inline)) const unsigned char *
skip_ws(const unsigned char *s)
{
    if (*s > ' ')
        return s;
    if (s[1] > ' ' && is_ws(s[0]))
        return s + 1; /* the one space after ':' or ',' */
#if defined(__SSE2__)
    if (is_ws(s[0]) && is_ws(s[1])) {
        const __m128i sp = _mm_set1_epi8(' '), nl = _mm_set1_epi8('\n');
        const __m128i cr = _mm_set1_epi8('\r'), tab = _mm_set1_epi8('\t');
        for (;;) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
            __m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, sp), _mm_cmpeq_epi8(x, nl)),
                                      _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, tab)));
            unsigned other = ~(unsigned)_mm_movemask_epi8(ws) & 0xFFFFu;
            if (other != 0)
                return s + __builtin_ctz(other);
            s += 16;
        }
    }
#endif
    while (is_ws(*s))
        s++;
    return s;
}

/* A string (section 7). Most have nothing to decode: scan to the closing
 * quote (checking any UTF-8 on the way), which becomes the string's NUL,
 * and point into the text. */
static inline int parse_string(ax__json_parser *p, const unsigned char **pp, ax_json_val *out)
{
    unsigned char *start = (unsigned char *)*pp + 1;
    /* When this string was cut by the end of the input last time, the bytes
     * up to resume_scan are known to be plain: do not scan them again. */
    const unsigned char *src = ax__json_scan_string_short(start + p->resume_scan);
    p->resume_scan = 0;
    if (*src != '"')
        return ax__json_parse_string_slow(p, pp, out, src);
    /* done: what was known of this string must not be taken for the next
     * one's (a stale resume_close once sent a later string's search for
     * its closing quote into the middle of an escape) */
    p->resume_close = 0;
    *(unsigned char *)src = '\0';
    /* the scan stopped at nothing but the closing quote: nothing in the
     * string needs an escape when it is written */
    out->tag = ax__json_tag(AX_JSON_STRING, 0, (uint64_t)(src - start)) | AX__JSON_PLAIN;
    out->v.ofs = (uintptr_t)start - p->base;
    *pp = src + 1;
    return 0;
}

/* The length of the number at s by the section 6 grammar, or 0. */
static size_t number_span(const unsigned char *s)
{
    const unsigned char *q = s + (*s == '-');
    if (*q == '0')
        q++;
    else if (*q >= '1' && *q <= '9')
        while (is_digit(*q))
            q++;
    else
        return 0;
    if (*q == '.') {
        if (!is_digit(*++q))
            return 0;
        while (is_digit(*q))
            q++;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        q += *q == '+' || *q == '-';
        if (!is_digit(*q))
            return 0;
        while (is_digit(*q))
            q++;
    }
    return (size_t)(q - s);
}

/* Why the number at s is not one. */
static const char *number_reason(const unsigned char *s)
{
    const unsigned char *q = s + (*s == '-');
    if (q[0] == '0' && is_digit(q[1]))
        return "leading zero in number";
    if (!is_digit(*q))
        return "invalid number: a digit must follow '-'";
    while (is_digit(*q))
        q++;
    if (*q == '.' && !is_digit(q[1]))
        return "invalid number: a digit must follow '.'";
    return "invalid number: a digit must follow the exponent";
}

static inline bool is_number_byte(unsigned c)
{
    return is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

/* Stores the number at s that the conversion returned (n bytes long, or
 * an error) in out and moves *pp past it. */
static int number_done(ax__json_parser *p, const unsigned char **pp, const unsigned char *s, int n,
                       const ax__json_num *num, ax_json_val *out)
{
    if (n == AX_ERANGE)
        return fail(p, s, AX_ERANGE, "number too large for a double");
    if (n <= 0)
        return fail(p, s, AX_EPROTO, number_reason(s));
    out->tag = ax__json_tag(AX_JSON_NUMBER, (unsigned)num->kind, 0);
    if (num->kind == AX__JSON_NUM_DOUBLE)
        out->v.d = num->v.d;
    else
        out->v.u = num->v.u;
    *pp = s + n;
    return 0;
}

/* Reads the number at *pp into out. Returns 0, 1 when the input ends
 * inside it (it may go on), or an error. */
static int parse_number(ax__json_parser *p, const unsigned char **pp, ax_json_val *out)
{
    const unsigned char *s = *pp;
    const unsigned char *end = p->buf + p->end;
    size_t seen = p->resume_num;
    p->resume_num = 0;
    if (!p->raw_numbers && seen == 0) {
        /* Fast path: up to 18 digits, no fraction, no exponent. */
        const unsigned char *d0 = s + (*s == '-'), *q = d0;
        uint64_t v = 0;
        unsigned dig;
        while ((dig = (unsigned)*q - '0') <= 9) {
            v = v * 10 + dig;
            q++;
        }
        size_t nd = (size_t)(q - d0);
        unsigned c = *q;
        if (nd - 1 < 18 && c != '.' && (c | 0x20) != 'e' && (*d0 != '0' || nd == 1) &&
            (q < end || p->final) && (v != 0 || *s != '-')) {
            out->tag = ax__json_tag(AX_JSON_NUMBER, AX_JSON_INT64, 0);
            out->v.i = *s == '-' ? -(int64_t)v : (int64_t)v;
            *pp = q;
            return 0;
        }
        /* A fraction: the integer part just read is handed over, not read
         * again (the whole text is here, so the number cannot be cut). */
        if (c == '.' && p->final && nd > 0 && (*d0 != '0' || nd == 1)) {
            ax__json_num num;
            int n = ax__json_parse_number_after_int((const char *)s, (size_t)(end - s),
                                                    (size_t)(q - s), v, &num);
            return number_done(p, pp, s, n, &num, out);
        }
    }
    if (!p->final) {
        const unsigned char *r = s + seen;
        while (is_number_byte(*r))
            r++;
        if (r >= end) {
            p->resume_num = (size_t)(end - s); /* cut: scan on from here */
            return 1;
        }
    }
    if (p->raw_numbers) {
        size_t n = number_span(s);
        if (n == 0 || (s[n - 1] == '0' && is_digit(s[n]) && n == (size_t)(1 + (*s == '-'))))
            return fail(p, s, AX_EPROTO, number_reason(s));
        out->tag = ax__json_tag(AX_JSON_NUMBER, AX_JSON_RAW, n);
        out->v.ofs = (uintptr_t)s - p->base;
        *pp = s + n;
        return 0;
    }
    ax__json_num num;
    int n = ax__json_parse_number((const char *)s, (size_t)(end - s), &num);
    return number_done(p, pp, s, n, &num, out);
}

/* Reads true, false or null at *pp. Returns 0, 1 when the input ends
 * inside a correct prefix, or an error. */
static int parse_literal(ax__json_parser *p, const unsigned char **pp, ax_json_val *out)
{
    /* text and mask are 8 bytes, compared as one word: the text is
     * followed by AX__JSON_PAD readable bytes, and a call to memcmp cost
     * as much as the rest of the literal. */
    static const struct {
        char text[8];
        unsigned char mask[8];
        size_t len;
        uint64_t tag;
    } lits[3] = {
        {"true", {255, 255, 255, 255}, 4, (uint64_t)AX_JSON_BOOL | 1u << AX__JSON_SUB_SHIFT},
        {"false", {255, 255, 255, 255, 255}, 5, (uint64_t)AX_JSON_BOOL},
        {"null", {255, 255, 255, 255}, 4, (uint64_t)AX_JSON_NULL},
    };
    const unsigned char *s = *pp;
    int i = *s == 't' ? 0 : *s == 'f' ? 1 : 2;
    size_t avail = p->end - (size_t)(s - p->buf);
    uint64_t got, want, mask;
    memcpy(&got, s, 8);
    memcpy(&want, lits[i].text, 8);
    memcpy(&mask, lits[i].mask, 8);
    if ((got & mask) == want) {
        out->tag = lits[i].tag;
        out->v.u = 0;
        *pp = s + lits[i].len;
        return 0;
    }
    if (avail < lits[i].len && !p->final && memcmp(s, lits[i].text, avail) == 0)
        return 1;
    return fail(p, s, AX_EPROTO, "invalid literal (true, false or null expected)");
}

/* ---- the grammar ------------------------------------------------------- */

/* Saves where to resume and returns "need more input". */
#define SUSPEND(st)                                                            \
    do {                                                                       \
        p->state = (st);                                                       \
        p->pos = (size_t)(s - p->buf);                                         \
        return 0;                                                              \
    } while (0)

/* At the end of the input: wait for more, or fail if there is none. */
#define AT_END(st, reason)                                                     \
    do {                                                                       \
        if (!p->final)                                                         \
            SUSPEND(st);                                                       \
        return fail(p, s, AX_EPROTO, (reason));                                \
    } while (0)

static const char *end_reason(const ax__json_parser *p)
{
    if (p->depth == 0)
        return "unexpected end of input: a value was expected";
    return p->frames[p->depth - 1].is_obj ? "unexpected end of input: object not closed"
                                          : "unexpected end of input: array not closed";
}

int ax__json_run(ax__json_parser *p)
{
    const unsigned char *s = p->buf + p->pos;
    const unsigned char *end = p->buf + p->end;
    ax_json_val *v;
    int rc;
    /* the kind of the innermost open container, kept at hand: after every
     * value, "," or the end decides what comes next, and fetching it from
     * the frames was three dependent loads each time */
    bool in_obj = p->depth > 0 && p->frames[p->depth - 1].is_obj;

    switch (p->state) {
    case AX__JSON_ST_VALUE: goto value;
    case AX__JSON_ST_ARRAY_FIRST: goto array_first;
    case AX__JSON_ST_OBJECT_FIRST: goto object_first;
    case AX__JSON_ST_KEY: goto key;
    case AX__JSON_ST_COLON: goto colon;
    case AX__JSON_ST_NEXT: goto next;
    default: return 1;
    }

value:
    s = skip_ws(s);
    if (p->top == p->cap && grow_stack(p) != 0)
        return fail(p, s, AX_ENOMEM, "out of memory");
    v = &p->stack[p->top];
    switch (*s) {
    case '"':
        rc = parse_string(p, &s, v);
        if (rc != 0) {
            if (rc > 0)
                SUSPEND(AX__JSON_ST_VALUE);
            return rc;
        }
        p->top++;
        goto next;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        rc = parse_number(p, &s, v);
        if (rc != 0) {
            if (rc > 0)
                SUSPEND(AX__JSON_ST_VALUE);
            return rc;
        }
        p->top++;
        goto next;
    case '{':
        if ((rc = open_container(p, s, true)) != 0)
            return rc;
        in_obj = true;
        s++;
        goto object_first;
    case '[':
        if ((rc = open_container(p, s, false)) != 0)
            return rc;
        in_obj = false;
        s++;
        goto array_first;
    case 't': case 'f': case 'n':
        rc = parse_literal(p, &s, v);
        if (rc != 0) {
            if (rc > 0)
                SUSPEND(AX__JSON_ST_VALUE);
            return rc;
        }
        p->top++;
        goto next;
    case ']':
        if (p->depth > 0 && !p->frames[p->depth - 1].is_obj)
            return fail(p, s, AX_EPROTO, "trailing comma in array");
        return fail(p, s, AX_EPROTO, "expected a value");
    default:
        if (s >= end)
            AT_END(AX__JSON_ST_VALUE, end_reason(p));
        return fail(p, s, AX_EPROTO, "expected a value");
    }

array_first:
    s = skip_ws(s);
    if (*s == ']') {
        if ((rc = close_container(p, s)) != 0)
            return rc;
        s++;
        goto closed;
    }
    if (s >= end)
        AT_END(AX__JSON_ST_ARRAY_FIRST, end_reason(p));
    goto value;

object_first:
    s = skip_ws(s);
    if (*s == '}') {
        if ((rc = close_container(p, s)) != 0)
            return rc;
        s++;
        goto closed;
    }
    if (s >= end)
        AT_END(AX__JSON_ST_OBJECT_FIRST, end_reason(p));
    goto key;

key:
    s = skip_ws(s);
    if (*s != '"') {
        if (s >= end)
            AT_END(AX__JSON_ST_KEY, end_reason(p));
        if (*s == '}')
            return fail(p, s, AX_EPROTO, "trailing comma in object");
        return fail(p, s, AX_EPROTO, "expected a string as member name");
    }
    if (p->top == p->cap && grow_stack(p) != 0)
        return fail(p, s, AX_ENOMEM, "out of memory");
    rc = parse_string(p, &s, &p->stack[p->top]);
    if (rc != 0) {
        if (rc > 0)
            SUSPEND(AX__JSON_ST_KEY);
        return rc;
    }
    p->top++;
    /* fall into colon */

colon:
    if (*s != ':') {
        s = skip_ws(s);
        if (*s != ':') {
            if (s >= end)
                AT_END(AX__JSON_ST_COLON, end_reason(p));
            return fail(p, s, AX_EPROTO, "expected ':' after member name");
        }
    }
    s++;
    goto value;

next:
    if (p->depth == 0) {
        p->state = AX__JSON_ST_DONE;
        p->pos = (size_t)(s - p->buf);
        return 1;
    }
    if (*s != ',') {
        s = skip_ws(s);
        if (*s != ',') {
            if (*s == (in_obj ? '}' : ']')) {
                if ((rc = close_container(p, s)) != 0)
                    return rc;
                s++;
                goto closed;
            }
            if (s >= end)
                AT_END(AX__JSON_ST_NEXT, end_reason(p));
            return fail(p, s, AX_EPROTO,
                        in_obj ? "expected ',' or '}' after object member"
                               : "expected ',' or ']' after array element");
        }
    }
    s++;
    if (in_obj)
        goto key;
    goto value;

closed:
    /* back in the container around the one just closed */
    in_obj = p->depth > 0 && p->frames[p->depth - 1].is_obj;
    goto next;
}
