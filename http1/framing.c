/*
 * What the header fields say about the message as a whole: how its body is
 * delimited (RFC 9112 section 6.3), whether the connection stays open
 * (section 9.3), Upgrade and Expect. This is where request smuggling is
 * stopped: every way two recipients could disagree on where a message ends is
 * an error here (section 6.3 and section 11.2).
 */
#include <string.h>

#include "http1/parser.h"

/* The fields this file looks at. */
typedef struct fields_seen {
    bool cl, cl_bad, te, te_unknown, te_chunked_last, te_chunked_twice;
    bool close, keep_alive, conn_upgrade, upgrade, expect_continue;
    unsigned hosts;
    uint64_t length;
    size_t bad_at; /* where the first bad framing field started */
} fields_seen;

static bool is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* s equals lit (lower-case letters, digits, '-') ignoring case. OR 0x20 is
 * enough: in a field value it maps onto a letter, a digit or '-' only the
 * byte itself, its other case, and controls the scanner already refused. */
static inline bool eq(ax_slice s, const char *lit, size_t n)
{
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if ((s.ptr[i] | 0x20) != (unsigned char)lit[i])
            return false;
    }
    return true;
}
#define EQ(s, lit) eq(s, lit, sizeof(lit) - 1)

static inline ax_slice trim(const unsigned char *p, size_t n)
{
    while (n > 0 && is_ows(p[n - 1]))
        n--;
    while (n > 0 && is_ows(p[0])) {
        p++;
        n--;
    }
    return ax_slice_make(p, n);
}

/* Calls fn for each element of a comma-separated list (RFC 9110 section 5.6.1),
 * trimmed of OWS. Empty elements are passed too: the caller decides. */
static void each_element(ax_slice v, void (*fn)(fields_seen *, ax_slice), fields_seen *s)
{
    size_t start = 0;
    for (size_t k = 0; k <= v.len; k++) {
        if (k == v.len || v.ptr[k] == ',') {
            fn(s, trim(v.ptr + start, k - start));
            start = k + 1;
        }
    }
}

/* 1*DIGIT into *out; false for anything else or more than 64 bits. */
static inline bool digits_u64(ax_slice e, uint64_t *out)
{
    uint64_t n = 0;
    if (e.len == 0)
        return false;
    for (size_t i = 0; i < e.len; i++) {
        unsigned d = (unsigned)e.ptr[i] - '0';
        if (d > 9)
            return false;
        /* 19 digits always fit in 64 bits; past that, check (rarely runs). */
        if (i >= 19 && n > (UINT64_MAX - d) / 10)
            return false;
        n = n * 10 + d;
    }
    *out = n;
    return true;
}

/* Content-Length = 1*DIGIT. A list of identical values ("42, 42", or the
 * same value in several fields) may be taken as one (RFC 9110 section 8.6);
 * anything else is an error. */
static void content_length(fields_seen *s, ax_slice e)
{
    uint64_t n = 0;
    if (!digits_u64(e, &n) || (s->cl && n != s->length))
        s->cl_bad = true;
    s->cl = true;
    s->length = n;
}

/* transfer-coding = token *( OWS ";" OWS transfer-parameter ). Codings we
 * know: chunked (framing) and the compressions registered for it. */
static void transfer_coding(fields_seen *s, ax_slice e)
{
    if (e.len == 0)
        return; /* empty list elements do not count (RFC 9110 section 5.6.1) */
    size_t n = 0;
    while (n < e.len && e.ptr[n] != ';' && !is_ows(e.ptr[n]))
        n++;
    ax_slice name = ax_slice_make(e.ptr, n);
    bool chunked = EQ(name, "chunked");
    if (s->te_chunked_last && chunked)
        s->te_chunked_twice = true;
    s->te_chunked_last = chunked;
    if (!chunked && !EQ(name, "gzip") && !EQ(name, "x-gzip") && !EQ(name, "deflate") &&
        !EQ(name, "compress") && !EQ(name, "x-compress"))
        s->te_unknown = true;
    if (chunked && n != e.len)
        s->te_unknown = true; /* chunked takes no parameters */
}

static void connection_option(fields_seen *s, ax_slice e)
{
    if (EQ(e, "close"))
        s->close = true;
    else if (EQ(e, "keep-alive"))
        s->keep_alive = true;
    else if (EQ(e, "upgrade"))
        s->conn_upgrade = true;
}

/* Field names are tokens, and in a token only letters change under OR 0x20
 * into another letter of the lower-case literals below ('^' becomes '~',
 * which none of them holds): so one OR per word compares without case. The
 * same holds for field values (see eq() above). The literals are 4 to 17
 * bytes long: overlapping 4- and 8-byte words cover them. */
static inline uint64_t word8(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t word4(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline bool name_is(const unsigned char *n, const char *lit, size_t len)
{
    const unsigned char *l = (const unsigned char *)lit;
    if (len < 8)
        return (word4(n) | 0x20202020u) == word4(l) &&
               (word4(n + len - 4) | 0x20202020u) == word4(l + len - 4);
    for (size_t i = 0; i + 8 <= len; i += 8) {
        if ((word8(n + i) | 0x2020202020202020u) != word8(l + i))
            return false;
    }
    return (word8(n + len - 8) | 0x2020202020202020u) == word8(l + len - 8);
}
#define NAME_IS(n, lit) name_is(n, lit, sizeof(lit) - 1)

static inline __attribute__((always_inline)) void look_at(fields_seen *s, const ax_h1_header *h,
                                                        size_t offset)
{
    const unsigned char *n = h->name.ptr;
    switch (h->name.len) {
    case 4:
        if (NAME_IS(n, "host"))
            s->hosts++;
        break;
    case 6:
        if (NAME_IS(n, "expect") && EQ(h->value, "100-continue"))
            s->expect_continue = true;
        break;
    case 7:
        if (NAME_IS(n, "upgrade"))
            s->upgrade = true;
        break;
    case 10:
        if (!NAME_IS(n, "connection"))
            break;
        /* A single option is by far the usual case. */
        if (h->value.len == 10 && NAME_IS(h->value.ptr, "keep-alive"))
            s->keep_alive = true;
        else if (h->value.len == 5 && NAME_IS(h->value.ptr, "close"))
            s->close = true;
        else
            each_element(h->value, connection_option, s);
        break;
    case 14:
        if (NAME_IS(n, "content-length")) {
            bool was_bad = s->cl_bad;
            if (memchr(h->value.ptr, ',', h->value.len) == NULL)
                content_length(s, h->value); /* one value, no list */
            else
                each_element(h->value, content_length, s);
            if (s->cl_bad && !was_bad)
                s->bad_at = offset;
        }
        break;
    case 17:
        if (NAME_IS(n, "transfer-encoding")) {
            s->te = true;
            if (h->value.len == 7 && NAME_IS(h->value.ptr, "chunked") && !s->te_chunked_last)
                s->te_chunked_last = true; /* the usual case, in short */
            else
                each_element(h->value, transfer_coding, s);
        }
        break;
    default:
        break;
    }
}

/* RFC 9112 section 6.3, for requests: Transfer-Encoding (chunked last, known
 * codings, HTTP/1.1 only, never with Content-Length), else Content-Length,
 * else no body. */
static int request_framing(ax_h1_parser *p, const fields_seen *s)
{
    ax_h1_head *h = &p->head;
    if (h->version == 11 && s->hosts != 1)
        return ax__h1_fail(p, 400, s->hosts == 0 ? "HTTP/1.1 request without Host"
                                                 : "more than one Host field", 0);
    if (s->te) {
        if (h->version == 10)
            return ax__h1_fail(p, 400, "Transfer-Encoding in an HTTP/1.0 request", 0);
        if (s->cl)
            return ax__h1_fail(p, 400, "both Transfer-Encoding and Content-Length", 0);
        if (s->te_unknown)
            return ax__h1_fail(p, 501, "unknown transfer coding", 0);
        if (!s->te_chunked_last || s->te_chunked_twice)
            return ax__h1_fail(p, 400, "chunked is not the final transfer coding, once", 0);
        h->framing = AX_H1_CHUNKED;
        return 0;
    }
    if (s->cl) {
        if (s->cl_bad)
            return ax__h1_fail(p, 400, "invalid Content-Length", s->bad_at);
        h->framing = s->length > 0 ? AX_H1_LENGTH : AX_H1_NO_BODY;
        h->content_length = s->length;
        return 0;
    }
    h->framing = AX_H1_NO_BODY;
    return 0;
}

/* RFC 9112 section 6.3, for responses: no body for HEAD, 1xx, 204, 304; a
 * tunnel after 101 and a 2xx to CONNECT; then Transfer-Encoding (chunked
 * last, else until close; with Content-Length too: chunked, then close),
 * Content-Length, and otherwise until close. */
static int response_framing(ax_h1_parser *p, const fields_seen *s)
{
    ax_h1_head *h = &p->head;
    unsigned st = h->status;
    if (st == 101 || (p->answer_connect && st >= 200 && st < 300)) {
        h->framing = AX_H1_TUNNEL;
        return 0;
    }
    if (st < 200 || st == 204 || st == 304 || p->answer_head) {
        h->framing = AX_H1_NO_BODY;
        return 0;
    }
    if (s->te) {
        if (h->version == 10)
            return ax__h1_fail(p, 502, "Transfer-Encoding in an HTTP/1.0 response", 0);
        if (s->te_chunked_last && !s->te_chunked_twice) {
            h->framing = AX_H1_CHUNKED;
            if (s->cl)
                h->keep_alive = false; /* section 6.3, item 3 */
        } else {
            h->framing = AX_H1_UNTIL_CLOSE;
            h->keep_alive = false;
        }
        return 0;
    }
    if (s->cl) {
        if (s->cl_bad)
            return ax__h1_fail(p, 502, "invalid Content-Length", s->bad_at);
        h->framing = s->length > 0 ? AX_H1_LENGTH : AX_H1_NO_BODY;
        h->content_length = s->length;
        return 0;
    }
    h->framing = AX_H1_UNTIL_CLOSE;
    h->keep_alive = false;
    return 0;
}

int ax__h1_decide_framing_fields(ax_h1_parser *p, const unsigned char *b)
{
    ax_h1_head *h = &p->head;
    fields_seen s;
    memset(&s, 0, sizeof(s));
    if (p->nspecial <= 8) {
        for (size_t k = 0; k < p->nspecial; k++)
            look_at(&s, &h->headers[p->special[k]], (size_t)(h->headers[p->special[k]].name.ptr - b));
    } else {
        for (size_t k = 0; k < h->nheaders; k++)
            look_at(&s, &h->headers[k], (size_t)(h->headers[k].name.ptr - b));
    }
    /* Persistence (RFC 9112 section 9.3): HTTP/1.1 unless "close"; HTTP/1.0
     * only with "keep-alive". */
    h->keep_alive = !s.close && (h->version == 11 || s.keep_alive);
    h->upgrade = s.upgrade && s.conn_upgrade;
    /* RFC 9110 section 10.1.1: ignore 100-continue in an HTTP/1.0 request. */
    h->expect_continue = s.expect_continue && h->version == 11;
    h->content_length = 0;
    if (p->kind == AX_H1_REQUESTS)
        return request_framing(p, &s);
    return response_framing(p, &s);
}
