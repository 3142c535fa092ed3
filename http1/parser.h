/*
 * Private pieces shared by the parser's files: the section parser for heads
 * and trailers (head.c), the framing decision (framing.c) and the message
 * driver (parser.c).
 */
#ifndef AXLE_HTTP1_PARSER_H
#define AXLE_HTTP1_PARSER_H

#include <stdbool.h>
#include <string.h>

#include "axle/http1.h"

/* A field while its section is incomplete: offsets from the section start. */
struct ax__h1_field {
    uint32_t name, name_len, value, value_len;
};

/* Parser states (ax_h1_parser.state): where in the message stream. The
 * first five read input; parser.c relies on that order. */
enum {
    AX__P_HEAD,        /* reading a start line and header block */
    AX__P_LENGTH,      /* Content-Length body */
    AX__P_CHUNKED,     /* chunk framing and data (cs says where) */
    AX__P_TRAILERS,    /* the trailer section after the last chunk */
    AX__P_UNTIL_CLOSE, /* a response body that ends when the peer closes */
    AX__P_END,         /* the message is complete: END is next */
    AX__P_SWITCHED,    /* after 101 or a 2xx to CONNECT */
    AX__P_H2,          /* the HTTP/2 preface was seen */
    AX__P_CLOSED,      /* the peer closed */
    AX__P_ERROR
};

/* Head and trailer section states (ax_h1_parser.hs). */
enum {
    AX__HS_START,        /* before the start line (empty lines skipped) */
    AX__HS_METHOD,
    AX__HS_TARGET,
    AX__HS_REQ_VERSION,
    AX__HS_RESP_VERSION, /* "HTTP/1.1 200" */
    AX__HS_REASON,
    AX__HS_LINE_LF,      /* CR seen at a line end: LF must follow */
    AX__HS_FIELD_START,  /* start of a field line, or the empty line */
    AX__HS_NAME,
    AX__HS_OWS,          /* whitespace after the colon */
    AX__HS_VALUE,
    AX__HS_END_LF        /* CR of the empty line seen: LF must follow */
};

/* Might this be one of the fields framing.c reads (Host, Expect, Upgrade,
 * Connection, Content-Length, Transfer-Encoding)? Length and first letter
 * leave few others, so framing.c looks at a handful of fields, not all. */
static inline bool ax__h1_maybe_special(const unsigned char *name, size_t len)
{
    /* The first letter (lower case) each length allows; 0 for none. */
    static const unsigned char first[18] = {[4] = 'h', [6] = 'e', [7] = 'u', [10] = 'c',
                                            [14] = 'c', [17] = 't'};
    return len < sizeof(first) && first[len] == (name[0] | 0x20u);
}

/* Records a protocol error (status for a request; responses get 502 except
 * where noted) at byte `at` of the current buffer, puts the parser in error
 * and returns AX_EPROTO, or AX_ELIMIT for 414 and 431. */
int ax__h1_fail(ax_h1_parser *p, unsigned status, const char *reason, size_t at);

/* Parses a head (trailers false) or a trailer section starting at b[0] with
 * len bytes available. Returns the section's length once it is complete, 0
 * when more bytes are needed (the position is saved), or an error. */
int ax__h1_parse_section(ax_h1_parser *p, unsigned char *b, size_t len, bool trailers);

/* Parses a head in buf[0, len) that may still be arriving: the start line as
 * soon as it has ended, the field lines once the empty line that ends the
 * head is in (the fast path, then the state machine for any line it leaves).
 * A call that brings neither only looks for it in its new bytes (from
 * p->scan) and checks the limits.
 * Returns the head's length with p->headers filled, 0 when more bytes are
 * needed, or an error. For the HTTP/2 preface it sets p->state to AX__P_H2
 * and returns the bytes before it. */
int ax__h1_parse_head(ax_h1_parser *p, unsigned char *b, size_t len);

/* Just past the first LF in b[from, len) that ends an empty line, i.e. the
 * end of a head whose start line is at or before `from`, or 0 when there is
 * none. An LF ends an empty line when an LF (a bare-LF line end, accepted as
 * RFC 9112 section 2.2 allows) or CR LF comes right before it; those two
 * bytes may lie before `from`, which is past the start line. */
static inline size_t ax__h1_head_end(const unsigned char *b, size_t from, size_t len)
{
    while (from < len) {
        const unsigned char *q = memchr(b + from, '\n', len - from);
        if (q == NULL)
            return 0;
        size_t k = (size_t)(q - b);
        if (k >= 1 && (b[k - 1] == '\n' || (b[k - 1] == '\r' && k >= 2 && b[k - 2] == '\n')))
            return k + 1;
        from = k + 1;
    }
    return 0;
}

/* Requests: the request-target's form must fit the method (RFC 9112
 * section 3.2); sets p->head.form. Returns 0 or a 400. */
int ax__h1_check_target(ax_h1_parser *p, const unsigned char *b);

/* The fast path for the whole lines of a head in b[0, len), from the start
 * (hs HS_START) or from the line start p->pos (hs HS_FIELD_START, the fields
 * before it in p->fields), with the vector scanners inlined, writing
 * p->headers directly. Returns the head's length once it is complete, an
 * error only for a request-target that does not fit its method, or 0: it
 * stopped at a line start, with the fields before it handed over as if the
 * state machine had read them (hs HS_FIELD_START, pos there); when the line
 * there is still arriving (no LF in it), p->scan is set to min(len, max_head)
 * and p->eol to that line, else that line is for the state machine. Only for
 * ax__h1_simd >= 2 (SSSE3). */
int ax__h1_parse_head_fast(ax_h1_parser *p, const unsigned char *b, size_t len);

/* Turns the stored offsets of the first n fields into slices over b (the
 * section start). */
void ax__h1_fill_headers(ax_h1_parser *p, const unsigned char *b, size_t n);

/* Decides the framing of the head just parsed (RFC 9112 section 6.3) and fills
 * p->head's framing, keep-alive, upgrade and expect fields from the fields
 * that might matter (p->special). Returns 0 or an error (400, 501 for
 * requests; 502 for responses). */
int ax__h1_decide_framing_fields(ax_h1_parser *p, const unsigned char *b);

/* The same, with the usual request without a body answered inline: of the
 * fields framing.c reads it has only Host. That means no body, kept alive in
 * HTTP/1.1: what ax__h1_decide_framing_fields decides for it. */
static inline int ax__h1_decide_framing(ax_h1_parser *p, const unsigned char *b)
{
    ax_h1_head *h = &p->head;
    if (p->nspecial == 1 && p->kind == AX_H1_REQUESTS) {
        ax_slice name = h->headers[p->special[0]].name;
        uint32_t w, host;
        if (name.len == 4) {
            /* OR 0x20 lowers the case; in a token only 'H' and 'h' become
             * 'h' (and so on), as in framing.c. */
            memcpy(&w, name.ptr, 4);
            memcpy(&host, "host", 4);
            if ((w | 0x20202020u) == host) {
                h->keep_alive = h->version == 11;
                h->upgrade = h->expect_continue = false;
                h->content_length = 0;
                h->framing = AX_H1_NO_BODY;
                return 0;
            }
        }
    }
    return ax__h1_decide_framing_fields(p, b);
}

#endif /* AXLE_HTTP1_PARSER_H */
