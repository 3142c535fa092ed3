/*
 * The message driver: one head, then the body as its framing says, then END,
 * then the next message (RFC 9112 sections 6 and 7). Heads and trailer
 * sections go to head.c, the framing decision to framing.c; this file walks
 * bodies, chunk framing included, one event per call.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/alloc.h"
#include "http1/parser.h"
#include "http1/scan.h"

void ax_h1_options_init(ax_h1_options *o)
{
    memset(o, 0, sizeof(*o));
    o->max_start_line = 8192;
    o->max_head = 32768;
    o->max_headers = 100;
    o->max_chunk_digits = 16;
    o->max_chunk_ext = 4096;
    o->max_trailers = 8192;
    o->max_pipeline = 64;
}

const char *ax_h1_event_name(ax_h1_event_type t)
{
    static const char *const names[] = {
        "NEED_DATA", "REQUEST", "RESPONSE", "INFORMATIONAL", "DATA",
        "TRAILERS", "END", "CONNECTION_CLOSED", "PAUSED", "H2_PREFACE"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

int ax__h1_fail(ax_h1_parser *p, unsigned status, const char *reason, size_t at)
{
    if (p->kind == AX_H1_RESPONSES && status != 431 && status != 414)
        status = 502;
    p->err.status = status;
    p->err.reason = reason;
    p->err.offset = p->offset + at;
    p->state = AX__P_ERROR;
    p->rc = status == 414 || status == 431 ? AX_ELIMIT : AX_EPROTO;
    return p->rc;
}

/* Ready for the next message's first byte (or, after a 1xx, for the final
 * response to the same request). */
static void start_message(ax_h1_parser *p)
{
    p->state = AX__P_HEAD;
    p->hs = AX__HS_START;
    p->pos = p->scan = p->eol = p->quiet = 0; /* tok and line are set before use */
    p->nfields = p->nspecial = 0;
    p->offset = 0;
}

static void end_message(ax_h1_parser *p)
{
    p->answer_head = p->answer_connect = 0;
    start_message(p);
}

int ax_h1_parser_init(ax_h1_parser *p, ax_h1_kind kind, const ax_h1_options *o)
{
    memset(p, 0, sizeof(*p));
    if (o != NULL)
        p->opt = *o;
    else
        ax_h1_options_init(&p->opt);
    if ((kind != AX_H1_REQUESTS && kind != AX_H1_RESPONSES) || p->opt.max_start_line == 0 ||
        p->opt.max_head == 0 || p->opt.max_headers == 0 || p->opt.max_chunk_digits == 0 ||
        p->opt.max_trailers == 0)
        return AX_EINVAL;
    /* Offsets are 32-bit: a section never gets near 4 GiB. */
    if (p->opt.max_head > UINT32_MAX / 2)
        p->opt.max_head = UINT32_MAX / 2;
    if (p->opt.max_trailers > UINT32_MAX / 2)
        p->opt.max_trailers = UINT32_MAX / 2;
    if (p->opt.max_headers > UINT16_MAX)
        p->opt.max_headers = UINT16_MAX; /* field indexes are 16-bit */
    const ax_allocator *a = ax__allocator_or_default(p->opt.alloc);
    p->opt.alloc = a;
    p->kind = (uint8_t)kind;
    (void)ax__h1_scan_level(); /* choose the scanners before the first scan */
    p->fields = ax__malloc_array(a, p->opt.max_headers, sizeof(*p->fields));
    p->headers = ax__malloc_array(a, p->opt.max_headers, sizeof(*p->headers));
    if (p->fields == NULL || p->headers == NULL) {
        ax_h1_parser_free(p);
        return AX_ENOMEM;
    }
    /* What head_slices leaves alone. */
    p->head.headers = p->headers;
    p->head.method = p->head.target = p->head.reason = ax_slice_make(NULL, 0);
    p->head.status = 0;
    p->head.form = AX_H1_ORIGIN_FORM;
    start_message(p);
    return 0;
}

void ax_h1_parser_free(ax_h1_parser *p)
{
    if (p->opt.alloc != NULL) {
        ax__free(p->opt.alloc, p->fields);
        ax__free(p->opt.alloc, p->headers);
    }
    p->fields = NULL;
    p->headers = NULL;
}

void ax_h1_parser_expect(ax_h1_parser *p, ax_slice method)
{
    p->answer_head = method.len == 4 && memcmp(method.ptr, "HEAD", 4) == 0;
    p->answer_connect = method.len == 7 && memcmp(method.ptr, "CONNECT", 7) == 0;
}

const ax_h1_error *ax_h1_parser_error(const ax_h1_parser *p)
{
    return &p->err;
}

/* ---- heads -------------------------------------------------------------- */

/* The fields of p->head a message sets (the others are set once, by
 * ax_h1_parser_init: the header array, and what the other kind has). */
static void head_slices(ax_h1_parser *p, const unsigned char *b)
{
    ax_h1_head *h = &p->head;
    h->nheaders = p->nfields;
    h->version = p->version;
    if (p->kind == AX_H1_REQUESTS) {
        h->method = ax_slice_make(b + p->m_off, p->m_len);
        h->target = ax_slice_make(b + p->t_off, p->t_len);
    } else {
        h->status = p->status;
        h->reason = ax_slice_make(b + p->m_off, p->m_len);
    }
}

/* Where the body of the head just read takes the parser. */
static void after_head(ax_h1_parser *p, ax_h1_event *ev)
{
    ax_h1_head *h = &p->head;
    if (p->kind == AX_H1_REQUESTS) {
        ev->type = AX_H1_EV_REQUEST;
    } else if (h->status < 200) {
        ev->type = AX_H1_EV_INFORMATIONAL;
        if (h->status != 101) {
            /* The final response to the same request is still to come. */
            start_message(p);
            return;
        }
    } else {
        ev->type = AX_H1_EV_RESPONSE;
    }
    static const uint8_t state_for[] = {
        [AX_H1_NO_BODY] = AX__P_END,
        [AX_H1_LENGTH] = AX__P_LENGTH,
        [AX_H1_CHUNKED] = AX__P_CHUNKED,
        [AX_H1_UNTIL_CLOSE] = AX__P_UNTIL_CLOSE,
        [AX_H1_TUNNEL] = AX__P_SWITCHED,
    };
    p->state = state_for[h->framing];
    if (h->framing == AX_H1_LENGTH || h->framing == AX_H1_CHUNKED) {
        p->remaining = h->framing == AX_H1_LENGTH ? h->content_length : 0;
        p->cs = 0;
        p->digits = 0;
        p->ext_len = 0;
    }
}

/* Kept out of line, as is on_trailers: ax_h1_parser_next then saves fewer
 * registers on the calls that do little (END after a head, NEED_DATA after
 * a DATA event). Chunk framing stays inline: it runs once per chunk. Called
 * from ax_h1_parser_next directly (len at most INT32_MAX); `end`, when not 0,
 * is where ax_h1_parser_next has seen the head end (the start line parsed,
 * no limit near). */
__attribute__((noinline)) static int on_head(ax_h1_parser *p, unsigned char *b, size_t len,
                                             ax_h1_event *ev, size_t end)
{
    int n = 0;
    bool fast = __atomic_load_n(&ax__h1_simd, __ATOMIC_RELAXED) >= 2;
    if (p->scan == 0 && fast) {
        /* A message's first call: usually the whole head is here, and the
         * fast path takes it without looking for line ends first. */
        n = ax__h1_parse_head_fast(p, b, len);
        if (n == 0 && p->scan == 0)
            p->scan = p->eol = p->pos; /* a line it leaves to the machine */
    } else if (end != 0 && fast) {
        /* The usual end of a head that arrived in pieces: the empty line
         * has come, and the fast path resumes once over all field lines. */
        n = ax__h1_parse_head_fast(p, b, end);
    }
    if (n < 0)
        return n; /* a request-target that does not fit its method */
    if (n == 0) {
        n = ax__h1_parse_head(p, b, len);
        if (n >= 0 && p->state == AX__P_H2) {
            ev->type = AX_H1_EV_H2_PREFACE;
            return n;
        }
        if (n <= 0)
            return n;
    }
    head_slices(p, b);
    int rc = ax__h1_decide_framing(p, b);
    if (rc < 0)
        return rc;
    after_head(p, ev);
    ev->head = &p->head;
    if (p->state != AX__P_HEAD)
        p->offset += (uint64_t)n; /* error offsets count from the head's start */
    return n;
}

/* ---- bodies ------------------------------------------------------------- */

static int on_length(ax_h1_parser *p, unsigned char *b, size_t len, ax_h1_event *ev)
{
    if (len == 0)
        return 0;
    size_t n = len < p->remaining ? len : (size_t)p->remaining;
    p->remaining -= n;
    if (p->remaining == 0)
        p->state = AX__P_END;
    ev->type = AX_H1_EV_DATA;
    ev->data = ax_slice_make(b, n);
    return (int)n;
}

__attribute__((noinline)) static int on_trailers(ax_h1_parser *p, unsigned char *b, size_t len,
                                                 ax_h1_event *ev)
{
    int n = ax__h1_parse_section(p, b, len, true);
    if (n <= 0)
        return n;
    ax__h1_fill_headers(p, b, p->nfields);
    p->state = AX__P_END;
    if (p->nfields > 0) {
        ev->type = AX_H1_EV_TRAILERS;
        ev->headers = p->headers;
        ev->nheaders = p->nfields;
    } else {
        ev->type = AX_H1_EV_END;
        end_message(p);
    }
    return n;
}

/* Chunk framing states (p->cs), RFC 9112 section 7.1:
 *   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 * Unlike a head, the framing lines must end in CRLF: nothing in the RFC lets
 * a recipient take a bare LF here, and lenience in chunk framing is a known
 * smuggling vector. */
enum {
    C_SIZE, C_SIZE_LF, C_DATA, C_DATA_CR, C_DATA_LF,
    /* chunk-ext, RFC 9112 section 7.1.1:
     *   chunk-ext      = *( BWS ";" BWS chunk-ext-name
     *                       [ BWS "=" BWS chunk-ext-val ] )
     *   chunk-ext-name = token
     *   chunk-ext-val  = token / quoted-string
     * Nothing is done with extensions, but they are held to the grammar:
     * framing that two parsers read differently is how requests are
     * smuggled. */
    C_BWS,            /* whitespace, then ";" must follow */
    C_EXT_NAME0,      /* after ";": BWS, then the name's first tchar */
    C_EXT_NAME,       /* in the name */
    C_EXT_AFTER_NAME, /* whitespace after the name: "=" or ";" follows */
    C_EXT_VAL0,       /* after "=": BWS, then a token or a quoted-string */
    C_EXT_TOKEN,      /* in a token value */
    C_EXT_QUOTED,     /* in a quoted-string */
    C_EXT_QPAIR,      /* after a backslash in a quoted-string */
    C_EXT_AFTER_QUOTE /* after the closing quote */
};

#define HEX(c)                                                                 \
    (int8_t)((c) >= '0' && (c) <= '9'   ? (c) - '0'                            \
             : (c) >= 'a' && (c) <= 'f' ? (c) - 'a' + 10                       \
             : (c) >= 'A' && (c) <= 'F' ? (c) - 'A' + 10                       \
                                        : -1)
#define HEX4(n) HEX(n), HEX(n + 1), HEX(n + 2), HEX(n + 3)
#define HEX16(n) HEX4(n), HEX4(n + 4), HEX4(n + 8), HEX4(n + 12)
#define HEX64(n) HEX16(n), HEX16(n + 16), HEX16(n + 32), HEX16(n + 48)

/* HEXDIG values, -1 for other bytes. */
static const int8_t hex_values[256] = {HEX64(0), HEX64(64), HEX64(128), HEX64(192)};

static inline int hex_value(unsigned char c)
{
    return hex_values[c];
}

/* The usual chunk boundary in one go: the CRLF that ends the previous
 * chunk's data (when cs is C_DATA_CR), hex digits, CRLF; or the last chunk
 * with no trailer fields ("0" CRLF CRLF), when *end is set. Anything else
 * (an extension, trailers, too few bytes, an error) leaves the state as it
 * was and returns 0, and the state machine below takes the same bytes. */
static size_t chunk_line_fast(ax_h1_parser *p, const unsigned char *b, size_t len, bool *end)
{
    size_t i = 0;
    if (p->cs == C_DATA_CR) {
        if (len < 5 || b[0] != '\r' || b[1] != '\n')
            return 0;
        i = 2;
    } else if (p->cs != C_SIZE || p->digits != 0) {
        return 0;
    }
    size_t start = i, max = p->opt.max_chunk_digits < 16 ? p->opt.max_chunk_digits : 16;
    size_t stop = len - start < max ? len : start + max;
    uint64_t size = 0;
    for (; i < stop; i++) {
        int v = hex_value(b[i]);
        if (v < 0)
            break;
        size = size << 4 | (uint64_t)v;
    }
    if (i == start || i + 2 > len || b[i] != '\r' || b[i + 1] != '\n')
        return 0;
    if (size == 0) {
        if (i + 4 > len || b[i + 2] != '\r' || b[i + 3] != '\n')
            return 0;
        *end = true;
        return i + 4;
    }
    p->remaining = size;
    p->cs = C_DATA;
    return i + 2;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* qdtext and the bytes a quoted-pair may escape (RFC 9110 section 5.6.4),
 * less the quote and the backslash for qdtext. */
static bool is_qdtext(unsigned char c)
{
    return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) ||
           (c >= 0x5D && c <= 0x7E) || c >= 0x80;
}

static bool is_quotable(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c <= 0x7E) || c >= 0x80;
}

/* One byte c of a chunk extension in state cs: the next state (C_SIZE_LF
 * when c is the CR that ends the chunk line), or -1 with *why set. */
static int chunk_ext_byte(int cs, unsigned char c, const char **why)
{
    switch (cs) {
    case C_BWS:
        if (is_ws(c))
            return cs;
        if (c == ';')
            return C_EXT_NAME0;
        *why = c == '\r' ? "whitespace before the end of a chunk line"
                         : "invalid byte in chunk extension";
        return -1;
    case C_EXT_NAME0:
        if (is_ws(c))
            return cs;
        if (ax_is_tchar(c))
            return C_EXT_NAME;
        *why = "chunk extension without a name";
        return -1;
    case C_EXT_NAME:
    case C_EXT_TOKEN:
        if (ax_is_tchar(c))
            return cs;
        if (c == '\r')
            return C_SIZE_LF;
        if (c == ';')
            return C_EXT_NAME0;
        if (c == '=' && cs == C_EXT_NAME)
            return C_EXT_VAL0;
        if (is_ws(c))
            return cs == C_EXT_NAME ? C_EXT_AFTER_NAME : C_BWS;
        break;
    case C_EXT_AFTER_NAME:
        if (is_ws(c))
            return cs;
        if (c == '=')
            return C_EXT_VAL0;
        if (c == ';')
            return C_EXT_NAME0;
        if (c == '\r') {
            *why = "whitespace before the end of a chunk line";
            return -1;
        }
        break;
    case C_EXT_VAL0:
        if (is_ws(c))
            return cs;
        if (c == '"')
            return C_EXT_QUOTED;
        if (ax_is_tchar(c))
            return C_EXT_TOKEN;
        *why = "chunk extension without a value after '='";
        return -1;
    case C_EXT_QUOTED:
        if (c == '"')
            return C_EXT_AFTER_QUOTE;
        if (c == '\\')
            return C_EXT_QPAIR;
        if (is_qdtext(c))
            return cs;
        *why = "invalid byte in a quoted chunk extension value";
        return -1;
    case C_EXT_QPAIR:
        if (is_quotable(c))
            return C_EXT_QUOTED;
        *why = "invalid byte in a quoted chunk extension value";
        return -1;
    default: /* C_EXT_AFTER_QUOTE */
        if (c == '\r')
            return C_SIZE_LF;
        if (c == ';')
            return C_EXT_NAME0;
        if (is_ws(c))
            return C_BWS;
        break;
    }
    *why = "invalid byte in chunk extension";
    return -1;
}

/* The chunk framing state machine, from b[i] on (the bytes before were
 * taken by chunk_line_fast). */
__attribute__((noinline)) static int chunked_step(ax_h1_parser *p, unsigned char *b, size_t len,
                                                  ax_h1_event *ev, size_t i)
{
    for (;;) {
        switch (p->cs) {
        case C_SIZE: {
            /* In locals: the loop runs once per digit. */
            uint64_t size = p->remaining;
            size_t digits = p->digits;
            for (; i < len; i++) {
                int v = hex_value(b[i]);
                if (v < 0)
                    break;
                if (++digits > p->opt.max_chunk_digits || size > (UINT64_MAX >> 4))
                    return ax__h1_fail(p, 400, "chunk size too large", i);
                size = size << 4 | (uint64_t)v;
            }
            p->remaining = size;
            p->digits = (uint32_t)digits;
            if (i == len)
                return (int)i;
            if (p->digits == 0)
                return ax__h1_fail(p, 400, "missing chunk size", i);
            if (b[i] == '\r') {
                p->cs = C_SIZE_LF;
            } else if (b[i] == ';') {
                p->cs = C_EXT_NAME0;
            } else if (b[i] == ' ' || b[i] == '\t') {
                p->cs = C_BWS;
            } else {
                return ax__h1_fail(p, 400, "invalid byte after chunk size", i);
            }
            i++;
            break;
        }
        case C_BWS:
        case C_EXT_NAME0:
        case C_EXT_NAME:
        case C_EXT_AFTER_NAME:
        case C_EXT_VAL0:
        case C_EXT_TOKEN:
        case C_EXT_QUOTED:
        case C_EXT_QPAIR:
        case C_EXT_AFTER_QUOTE: {
            const char *why = NULL;
            size_t room = p->opt.max_chunk_ext - p->ext_len;
            size_t start = i;
            int cs = p->cs;
            for (; i < len && cs != C_SIZE_LF; i++) {
                if (i - start == room && b[i] != '\r')
                    return ax__h1_fail(p, 400, "chunk extension too long", i);
                cs = chunk_ext_byte(cs, b[i], &why);
                if (cs < 0)
                    return ax__h1_fail(p, 400, why, i);
            }
            p->ext_len += (uint32_t)(i - start);
            p->cs = (uint8_t)cs;
            if (i == len)
                return (int)i;
            break;
        }
        case C_SIZE_LF:
            if (i == len)
                return (int)i;
            if (b[i] != '\n')
                return ax__h1_fail(p, 400, "bare CR in chunk framing", i);
            i++;
            p->digits = 0;
            p->ext_len = 0;
            if (p->remaining == 0) {
                /* last-chunk: the trailer section follows. */
                p->state = AX__P_TRAILERS;
                p->hs = AX__HS_FIELD_START;
                p->pos = 0;
                p->nfields = p->nspecial = 0;
                p->offset += i; /* error offsets inside the trailers */
                int n = on_trailers(p, b + i, len - i, ev);
                if (p->state != AX__P_HEAD)
                    p->offset -= i;
                return n < 0 ? n : (int)i + n;
            }
            p->cs = C_DATA;
            break;
        case C_DATA: {
            if (i == len)
                return (int)i;
            size_t n = len - i < p->remaining ? len - i : (size_t)p->remaining;
            p->remaining -= n;
            if (p->remaining == 0)
                p->cs = C_DATA_CR;
            ev->type = AX_H1_EV_DATA;
            ev->data = ax_slice_make(b + i, n);
            return (int)(i + n);
        }
        case C_DATA_CR:
            if (i == len)
                return (int)i;
            if (b[i] != '\r')
                return ax__h1_fail(p, 400, "chunk data longer than its size", i);
            p->cs = C_DATA_LF;
            i++;
            break;
        default: /* C_DATA_LF */
            if (i == len)
                return (int)i;
            if (b[i] != '\n')
                return ax__h1_fail(p, 400, "bare CR in chunk framing", i);
            p->cs = C_SIZE;
            i++;
            break;
        }
    }
}

/* Chunked bodies, called from ax_h1_parser_next directly (len at most
 * INT32_MAX); out of line for the same reason as on_head. */
__attribute__((noinline)) static int on_chunked(ax_h1_parser *p, unsigned char *b, size_t len,
                                                ax_h1_event *ev)
{
    bool end = false;
    size_t i = chunk_line_fast(p, b, len, &end);
    int n;
    if (end) {
        ev->type = AX_H1_EV_END;
        end_message(p);
        return (int)i;
    }
    if (i > 0 && i < len) {
        /* A chunk line, then its data: the usual step, in short. */
        size_t k = len - i < p->remaining ? len - i : (size_t)p->remaining;
        p->remaining -= k;
        if (p->remaining == 0)
            p->cs = C_DATA_CR;
        ev->type = AX_H1_EV_DATA;
        ev->data = ax_slice_make(b + i, k);
        n = (int)(i + k);
    } else {
        n = chunked_step(p, b, len, ev, i);
    }
    if (n > 0 && p->state != AX__P_HEAD)
        p->offset += (uint64_t)n;
    return n;
}

/* ---- the driver --------------------------------------------------------- */

/* Every state, one event. Out of line: the calls ax_h1_parser_next answers
 * itself then do not pay for this function's registers. */
__attribute__((noinline)) static int next_event(ax_h1_parser *p, unsigned char *b, size_t len,
                                                ax_h1_event *ev)
{
    int n;
    if (len > INT32_MAX)
        len = INT32_MAX; /* the count returned is an int */
    switch (p->state) {
    case AX__P_LENGTH:
        n = on_length(p, b, len, ev);
        break;
    case AX__P_TRAILERS:
        n = on_trailers(p, b, len, ev);
        break;
    case AX__P_UNTIL_CLOSE:
        n = (int)len;
        if (len > 0) {
            ev->type = AX_H1_EV_DATA;
            ev->data = ax_slice_make(b, len);
        }
        break;
    case AX__P_SWITCHED:
        ev->type = AX_H1_EV_PAUSED;
        return 0;
    case AX__P_H2:
        ev->type = AX_H1_EV_H2_PREFACE;
        return 0;
    case AX__P_CLOSED:
        ev->type = AX_H1_EV_CONNECTION_CLOSED;
        return 0;
    default:
        return p->rc;
    }
    if (n > 0 && p->state != AX__P_HEAD)
        p->offset += (uint64_t)n;
    return n;
}

/* Just past the last LF in b[from, len) (at most 16 bytes), or 0 when there
 * is none: the end of the start line, while it arrives. */
static inline size_t after_last_lf(const unsigned char *b, size_t from, size_t len)
{
    if (len - from == 1)
        return b[from] == '\n' ? len : 0; /* a sender that writes a byte at a time */
#ifdef __SSE2__
    if (len >= 16) {
        /* The 16 bytes that end at len, those before `from` shifted out. */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + len - 16));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
        m >>= 16 - (len - from);
        return m != 0 ? from + 32 - (size_t)__builtin_clz(m) : 0;
    }
#endif
    for (size_t i = len; i > from; i--) {
        if (b[i - 1] == '\n')
            return i;
    }
    return 0;
}

/* The end of the head in b[from, len) (at most 16 bytes; from is past the
 * start line, so the two bytes before it are there): just past the first LF
 * that ends an empty line, or 0 when there is none (as ax__h1_head_end, with
 * no call, and 16 bytes looked at together). */
static inline size_t head_end_16(const unsigned char *b, size_t from, size_t len)
{
    if (len - from == 1) {
        /* A sender that writes a byte at a time. */
        return b[from] == '\n' && (b[from - 1] == '\n' ||
                                   (b[from - 1] == '\r' && b[from - 2] == '\n'))
                   ? len
                   : 0;
    }
#ifdef __SSE2__
    if (len >= 18) {
        /* Masks over the 16 bytes that end at len, and over the same
         * windows one and two bytes earlier: bit j of lf1 says whether the
         * byte before byte j is an LF. */
        const unsigned char *w = b + len - 16;
        __m128i lf = _mm_set1_epi8('\n');
        __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)w);
        __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(w - 1));
        __m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(w - 2));
        unsigned lf0 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, lf));
        unsigned lf1 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, lf));
        unsigned cr1 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, _mm_set1_epi8('\r')));
        unsigned lf2 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v2, lf));
        unsigned m = lf0 & (lf1 | (cr1 & lf2));
        m >>= 16 - (len - from); /* the bytes before `from` were looked at */
        return m != 0 ? from + (size_t)__builtin_ctz(m) + 1 : 0;
    }
#endif
    for (size_t k = from; k < len; k++) {
        if (b[k] == '\n' && (b[k - 1] == '\n' || (b[k - 1] == '\r' && b[k - 2] == '\n')))
            return k + 1;
    }
    return 0;
}

/* Body bytes of a Content-Length body or of a chunk's data (len at most
 * INT32_MAX): as many as the body or chunk has left. */
static inline int body_bytes(ax_h1_parser *p, const unsigned char *b, size_t len,
                             ax_h1_event *ev)
{
    size_t n = len < p->remaining ? len : (size_t)p->remaining;
    p->remaining -= n;
    if (p->remaining == 0) {
        if (p->state == AX__P_LENGTH)
            p->state = AX__P_END;
        else
            p->cs = C_DATA_CR;
    }
    p->offset += n;
    ev->type = AX_H1_EV_DATA;
    ev->data = ax_slice_make(b, n);
    return (int)n;
}

/* Everything but the calls ax_h1_parser_next answers itself; first the cheap
 * ones: no new bytes, END, and body bytes (ax_h1_parser_next passes them on
 * only when it has no new bytes or more than INT32_MAX). */
__attribute__((noinline)) static int parser_next(ax_h1_parser *p, void *buf, size_t len,
                                                 ax_h1_event *ev)
{
    const unsigned char *b = buf;
    if (len == 0 && p->state <= AX__P_UNTIL_CLOSE) {
        /* Nothing new: the states that read input can only ask for more
         * (the usual call after a DATA event that took everything). */
        return 0;
    }
    if (p->state == AX__P_HEAD)
        return on_head(p, buf, len < INT32_MAX ? len : INT32_MAX, ev, 0);
    if (p->state == AX__P_END) {
        /* After a message without a body, or the end of one. */
        ev->type = AX_H1_EV_END;
        end_message(p);
        return 0;
    } else if (p->state == AX__P_CHUNKED) {
        if (p->cs != C_DATA || len > INT32_MAX)
            return on_chunked(p, buf, len < INT32_MAX ? len : INT32_MAX, ev);
        return body_bytes(p, b, len, ev); /* inside a chunk's data */
    } else if (p->state == AX__P_LENGTH && len <= INT32_MAX) {
        return body_bytes(p, b, len, ev); /* on_length, inline */
    }
    return next_event(p, buf, len, ev);
}

/* The calls that come most often when input arrives in small pieces are
 * answered here, in a few instructions and with no frame to set up: a head
 * arriving while nothing is to be done (no limit near, and the line or head
 * waited for has not ended among the new bytes), and body bytes. */
int ax_h1_parser_next(ax_h1_parser *p, void *buf, size_t len, ax_h1_event *ev)
{
    const unsigned char *b = buf;
    /* Only the fields an event type names are set; the rest are left as
     * they were (the type says which to read). */
    ev->type = AX_H1_EV_NEED_DATA;
    if (p->state == AX__P_HEAD && len <= p->quiet && len - p->scan <= 16) {
        /* Until the start line has ended, an LF in the new bytes is what
         * is waited for; after it, the empty line that ends the head. */
        if (p->hs == AX__HS_FIELD_START) {
            size_t end = head_end_16(b, p->scan, len);
            if (end == 0) {
                p->scan = (uint32_t)len;
                return 0;
            }
            return on_head(p, buf, len, ev, end); /* len <= quiet < max_head */
        }
        if (after_last_lf(b, p->scan, len) == 0) {
            p->scan = (uint32_t)len;
            return 0;
        }
    }
    if (p->state == AX__P_HEAD) {
        if (len == 0)
            return 0;
        return on_head(p, buf, len < INT32_MAX ? len : INT32_MAX, ev, 0);
    } else if (len != 0 && len <= INT32_MAX &&
               (p->state == AX__P_LENGTH || (p->state == AX__P_CHUNKED && p->cs == C_DATA))) {
        return body_bytes(p, b, len, ev); /* body bytes, as in parser_next */
    }
    return parser_next(p, buf, len, ev);
}

int ax_h1_parser_eof(ax_h1_parser *p, ax_h1_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (p->state == AX__P_UNTIL_CLOSE) {
        ev->type = AX_H1_EV_END;
        p->state = AX__P_CLOSED; /* nothing can follow a close */
        return 0;
    }
    if ((p->state == AX__P_HEAD && p->hs == AX__HS_START && p->pos == 0 && p->scan == 0) ||
        p->state == AX__P_CLOSED) {
        p->state = AX__P_CLOSED;
        ev->type = AX_H1_EV_CONNECTION_CLOSED;
        return 0;
    }
    if (p->state == AX__P_ERROR)
        return p->rc;
    return ax__h1_fail(p, 400, "connection closed inside a message", 0);
}
