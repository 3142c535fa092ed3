/*
 * The start line and field lines of a head, and the field lines of a trailer
 * section (RFC 9112 sections 2.1, 3, 4 and 5).
 *
 * One routine reads both, as a state machine over the states of parser.h.
 * When the whole section is in the buffer it runs straight through, each
 * token found by a scanner that looks at many bytes per step. When the input
 * stops short it saves the state and the position, and the next call resumes
 * there: nothing already accepted is looked at again.
 *
 * A head arriving in pieces is given to it in two steps (ax__h1_parse_head,
 * at the end of this file): its start line as soon as that has ended, its
 * field lines once the empty line that ends the head has come. The fast path
 * (fast.c) takes the plain lines, and this state machine any line the fast
 * path leaves.
 *
 * Line ends. RFC 9112 section 2.2 lets a recipient take a bare LF as the end
 * of the start line or a field line; axle does (as h11 and most servers do).
 * A CR not followed by LF is an error (the same section allows rejecting it).
 */
#include <string.h>

#include "http1/parser.h"
#include "http1/scan.h"

static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define H2_PREFACE_LEN 24

static bool is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* The input ran out at i: check the limits that more input could only make
 * worse, then save where we are. Inlined: a head arriving in small pieces
 * ends every call here, and the call was a tenth of such a call's cost. */
static inline __attribute__((always_inline)) int need_more(ax_h1_parser *p, int hs, size_t i,
                                                          size_t max, bool start_line)
{
    if (i >= max)
        return ax__h1_fail(p, start_line && p->kind == AX_H1_REQUESTS ? 414 : 431,
                           start_line ? "start line too long" : "header section too long", i);
    if (start_line && i - p->line > p->opt.max_start_line)
        return ax__h1_fail(p, 414, "request line too long", i);
    p->hs = (uint8_t)hs;
    p->pos = (uint32_t)i;
    return 0;
}

static int check_start_line(ax_h1_parser *p, size_t end)
{
    if (end - p->line > p->opt.max_start_line)
        return ax__h1_fail(p, 414, p->kind == AX_H1_REQUESTS ? "request line too long"
                                                              : "status line too long", end);
    return 0;
}

/* A start line longer than the limit is refused (414) before anything in it
 * is looked at, so that the answer is the same however the line arrives: in
 * pieces, the limit is met before the line's end is. The line starts at i;
 * its end is the first LF before lim (a CR before it is not counted), or lim
 * when the line is not complete yet. */
static int start_line_fits(ax_h1_parser *p, const unsigned char *b, size_t i, size_t lim)
{
    const unsigned char *lf = memchr(b + i, '\n', lim - i);
    size_t end = lf != NULL ? (size_t)(lf - b) : lim;
    if (end > i && b[end - 1] == '\r')
        end--;
    if (end - i > p->opt.max_start_line)
        return ax__h1_fail(p, 414, p->kind == AX_H1_REQUESTS ? "request line too long"
                                                              : "status line too long", end);
    return 0;
}

/* "HTTP/" DIGIT "." DIGIT at b (8 bytes available). Sets p->version; returns
 * 0, or a status: 400 malformed, 505 another major version. */
static unsigned parse_version(ax_h1_parser *p, const unsigned char *b)
{
    if (memcmp(b, "HTTP/", 5) != 0 || b[6] != '.' || b[5] < '0' || b[5] > '9' ||
        b[7] < '0' || b[7] > '9')
        return 400;
    if (b[5] != '1')
        return 505;
    /* A higher minor version is processed as the highest we implement
     * (RFC 9110 section 2.5). */
    p->version = b[7] == '0' ? 10 : 11;
    return 0;
}

static inline int add_field(ax_h1_parser *p, const unsigned char *b, size_t name,
                            size_t name_len, size_t value, size_t value_len, size_t at)
{
    if (p->nfields >= p->opt.max_headers)
        return ax__h1_fail(p, 431, "too many header fields", at);
    if (ax__h1_maybe_special(b + name, name_len)) {
        /* More than 8 candidates: framing.c reads every field instead. */
        if (p->nspecial < 8)
            p->special[p->nspecial] = (uint16_t)p->nfields;
        p->nspecial++;
    }
    struct ax__h1_field *f = &p->fields[p->nfields++];
    f->name = (uint32_t)name;
    f->name_len = (uint32_t)name_len;
    f->value = (uint32_t)value;
    f->value_len = (uint32_t)value_len;
    return 0;
}

/* An obs-fold (a field line starting with whitespace) continues the previous
 * field's value. Requests must not carry one (400); in a response it is
 * replaced by spaces (RFC 9112 section 5.2), and parsing goes on inside the
 * previous value. Returns the state to continue in (with the previous field's
 * name in p->line and p->name_end, its value start in p->tok), or an error. */
static int obs_fold(ax_h1_parser *p, unsigned char *b, size_t i, bool trailers)
{
    if (p->nfields == 0)
        return ax__h1_fail(p, 400, "whitespace before the first field line", i);
    if (p->kind == AX_H1_REQUESTS || trailers)
        return ax__h1_fail(p, 400, "obs-fold in a request", i);
    struct ax__h1_field *f = &p->fields[--p->nfields];
    if (ax__h1_maybe_special(b + f->name, f->name_len))
        p->nspecial--; /* it comes back when the folded value ends */
    p->line = f->name;
    p->name_end = f->name + f->name_len;
    size_t from = f->value + f->value_len;
    memset(b + from, ' ', i - from);
    if (f->value_len == 0)
        return AX__HS_OWS;
    p->tok = f->value;
    return AX__HS_VALUE;
}

/* The whole start line has been read. Requests: the target's form must fit
 * the method (RFC 9112 section 3.2). */
int ax__h1_check_target(ax_h1_parser *p, const unsigned char *b)
{
    const unsigned char *m = b + p->m_off, *t = b + p->t_off;
    size_t mlen = p->m_len, tlen = p->t_len;
    bool connect = mlen == 7 && memcmp(m, "CONNECT", 7) == 0;
    if (t[0] == '/' && !connect) {
        p->head.form = AX_H1_ORIGIN_FORM;
        return 0;
    }
    if (tlen == 1 && t[0] == '*') {
        if (mlen == 7 && memcmp(m, "OPTIONS", 7) == 0) {
            p->head.form = AX_H1_ASTERISK_FORM;
            return 0;
        }
        return ax__h1_fail(p, 400, "asterisk-form is for OPTIONS only", p->t_off);
    }
    if (connect) {
        /* authority-form: host ":" port, nothing else. */
        size_t colon = tlen;
        while (colon > 0 && t[colon - 1] >= '0' && t[colon - 1] <= '9')
            colon--;
        if (colon == 0 || colon == tlen || t[colon - 1] != ':' || colon == 1 ||
            memchr(t, '/', tlen) != NULL || memchr(t, '@', tlen) != NULL)
            return ax__h1_fail(p, 400, "CONNECT needs an authority-form target", p->t_off);
        p->head.form = AX_H1_AUTHORITY_FORM;
        return 0;
    }
    /* absolute-form: scheme ":" ...; scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
    size_t k = 0;
    if ((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z') {
        for (k = 1; k < tlen; k++) {
            unsigned char c = t[k];
            bool alnum = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && c != '+' && c != '-' && c != '.')
                break;
        }
    }
    if (k == 0 || k >= tlen || t[k] != ':')
        return ax__h1_fail(p, 400, "request-target is in no known form", p->t_off);
    p->head.form = AX_H1_ABSOLUTE_FORM;
    return 0;
}

int ax__h1_parse_section(ax_h1_parser *p, unsigned char *b, size_t len, bool trailers)
{
    size_t max = trailers ? p->opt.max_trailers : p->opt.max_head;
    size_t lim = len < max ? len : max;
    size_t i = p->pos;
    int rc;
    unsigned st;
    size_t name, name_end, tok; /* field lines: where the name and value start */

    switch (p->hs) {
    case AX__HS_START:
        if (p->kind == AX_H1_RESPONSES) {
            p->line = 0;
            if ((rc = start_line_fits(p, b, 0, lim)) < 0)
                return rc;
            goto resp_version;
        }
        /* RFC 9112 section 2.2: a server SHOULD ignore empty lines before the
         * request-line. */
        while (i < lim) {
            if (b[i] == '\n') {
                i++;
            } else if (b[i] == '\r') {
                if (i + 1 >= lim)
                    break;
                if (b[i + 1] != '\n')
                    return ax__h1_fail(p, 400, "bare CR", i);
                i += 2;
            } else {
                break;
            }
        }
        if (i >= lim || (b[i] == '\r' && i + 1 >= lim))
            return need_more(p, AX__HS_START, i, max, false);
        p->line = p->tok = (uint32_t)i;
        if ((rc = start_line_fits(p, b, i, lim)) < 0)
            return rc;
        goto method;

    case AX__HS_METHOD:
    method:
        i += ax__h1_scan_token(b + i, lim - i);
        if (i >= lim)
            return need_more(p, AX__HS_METHOD, i, max, true);
        if (b[i] != ' ' || i == p->tok)
            return ax__h1_fail(p, 400, "malformed method", i);
        p->m_off = p->tok;
        p->m_len = (uint32_t)(i - p->tok);
        p->tok = (uint32_t)++i;
        goto target;

    case AX__HS_TARGET:
    target:
        i += ax__h1_scan_target(b + i, lim - i);
        if (i >= lim)
            return need_more(p, AX__HS_TARGET, i, max, true);
        if (b[i] != ' ')
            return ax__h1_fail(p, 400, "invalid byte in request-target", i);
        if (i == p->tok)
            return ax__h1_fail(p, 400, "empty request-target", i);
        p->t_off = p->tok;
        p->t_len = (uint32_t)(i - p->tok);
        i++;
        goto req_version;

    case AX__HS_REQ_VERSION:
    req_version:
        if (lim - i < 9)
            return need_more(p, AX__HS_REQ_VERSION, i, max, true);
        st = parse_version(p, b + i);
        if (st == 505 && memcmp(b + i, "HTTP/2.0", 8) == 0 && p->m_len == 3 &&
            memcmp(b + p->m_off, "PRI", 3) == 0 && p->t_len == 1 && b[p->t_off] == '*') {
            if (len - p->line < H2_PREFACE_LEN)
                return need_more(p, AX__HS_REQ_VERSION, i, max, true);
            if (memcmp(b + p->line, h2_preface, H2_PREFACE_LEN) != 0)
                return ax__h1_fail(p, 400, "malformed HTTP/2 preface", p->line);
            p->state = AX__P_H2;
            return (int)p->line; /* the empty lines before it, if any */
        }
        if (st != 0)
            return ax__h1_fail(p, st, st == 505 ? "HTTP version not supported"
                                                : "malformed HTTP-version", i);
        i += 8;
        if ((rc = check_start_line(p, i)) < 0)
            return rc;
        if ((rc = ax__h1_check_target(p, b)) < 0)
            return rc;
        goto line_end;

    case AX__HS_RESP_VERSION:
    resp_version:
        if (lim - i < 13)
            return need_more(p, AX__HS_RESP_VERSION, i, max, true);
        st = parse_version(p, b + i);
        if (st != 0)
            return ax__h1_fail(p, 502, st == 505 ? "HTTP version not supported"
                                                 : "malformed HTTP-version", i);
        if (b[i + 8] != ' ' || b[i + 9] < '1' || b[i + 9] > '9' || b[i + 10] < '0' ||
            b[i + 10] > '9' || b[i + 11] < '0' || b[i + 11] > '9')
            return ax__h1_fail(p, 502, "malformed status code", i + 8);
        p->status = (uint32_t)((b[i + 9] - '0') * 100 + (b[i + 10] - '0') * 10 + (b[i + 11] - '0'));
        i += 12;
        /* status-line = HTTP-version SP status-code SP [ reason-phrase ]; the
         * second SP is required, but a line ending right after the code is
         * common enough to accept as an empty reason. */
        if (b[i] == ' ')
            i++;
        p->tok = (uint32_t)i;
        goto reason;

    case AX__HS_REASON:
    reason:
        i += ax__h1_scan_value(b + i, lim - i);
        if (i >= lim)
            return need_more(p, AX__HS_REASON, i, max, true);
        if (b[i] != '\r' && b[i] != '\n')
            return ax__h1_fail(p, 502, "invalid byte in reason phrase", i);
        p->m_off = p->tok;
        p->m_len = (uint32_t)(i - p->tok);
        if ((rc = check_start_line(p, i)) < 0)
            return rc;
        goto line_end;

    line_end:
        /* At the CR or LF that ends a line. */
        if (b[i] == '\n') {
            i++;
            goto field_start;
        }
        if (b[i] != '\r')
            return ax__h1_fail(p, 400, "expected CRLF", i);
        i++;
        goto line_lf;

    case AX__HS_LINE_LF:
    line_lf:
        if (i >= lim)
            return need_more(p, AX__HS_LINE_LF, i, max, false);
        if (b[i] != '\n')
            return ax__h1_fail(p, 400, "bare CR", i - 1);
        i++;
        goto field_start;

    case AX__HS_FIELD_START:
    field_start:
        /* The field-line loop keeps the name and value starts in locals (the
         * scanners are calls, so fields of *p would go through memory) and
         * stores them in *p only when the input runs out. */
        if (i >= lim)
            return need_more(p, AX__HS_FIELD_START, i, max, false);
        if (b[i] == '\r') {
            i++;
            goto end_lf;
        }
        if (b[i] == '\n')
            return (int)(i + 1);
        if (is_ows(b[i])) {
            int next = obs_fold(p, b, i, trailers);
            if (next < 0)
                return next;
            name = p->line;
            name_end = p->name_end;
            tok = p->tok;
            if (next == AX__HS_OWS)
                goto ows;
            goto value;
        }
        name = i;
        goto name;

    case AX__HS_NAME:
        name = p->line;
    name:
        i += ax__h1_scan_token(b + i, lim - i);
        if (i >= lim) {
            p->line = (uint32_t)name;
            return need_more(p, AX__HS_NAME, i, max, false);
        }
        if (b[i] != ':') {
            if (is_ows(b[i]))
                return ax__h1_fail(p, 400, "whitespace between field name and colon", i);
            return ax__h1_fail(p, 400, "invalid byte in field name", i);
        }
        if (i == name)
            return ax__h1_fail(p, 400, "empty field name", i);
        name_end = i;
        i++;
        goto ows;

    case AX__HS_OWS:
        name = p->line;
        name_end = p->name_end;
    ows:
        while (i < lim && is_ows(b[i]))
            i++;
        if (i >= lim) {
            p->line = (uint32_t)name;
            p->name_end = (uint32_t)name_end;
            return need_more(p, AX__HS_OWS, i, max, false);
        }
        tok = i;
        goto value;

    case AX__HS_VALUE:
        name = p->line;
        name_end = p->name_end;
        tok = p->tok;
    value: {
        i += ax__h1_scan_value(b + i, lim - i);
        if (i >= lim) {
            p->line = (uint32_t)name;
            p->name_end = (uint32_t)name_end;
            p->tok = (uint32_t)tok;
            return need_more(p, AX__HS_VALUE, i, max, false);
        }
        if (b[i] != '\r' && b[i] != '\n')
            return ax__h1_fail(p, 400, "invalid byte in field value", i);
        size_t end = i;
        while (end > tok && is_ows(b[end - 1]))
            end--;
        if ((rc = add_field(p, b, name, name_end - name, tok, end - tok, i)) < 0)
            return rc;
        /* At the CR or LF that ends the line. */
        if (b[i] == '\n') {
            i++;
            goto field_start;
        }
        i++;
        goto line_lf;
    }

    case AX__HS_END_LF:
    end_lf:
        if (i >= lim)
            return need_more(p, AX__HS_END_LF, i, max, false);
        if (b[i] != '\n')
            return ax__h1_fail(p, 400, "bare CR", i - 1);
        return (int)(i + 1);

    default:
        return ax__h1_fail(p, 400, "parser state corrupt", i);
    }
}

void ax__h1_fill_headers(ax_h1_parser *p, const unsigned char *b, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const struct ax__h1_field *f = &p->fields[k];
        p->headers[k].name = ax_slice_make(b + f->name, f->name_len);
        p->headers[k].value = ax_slice_make(b + f->value, f->value_len);
    }
}

/* ---- a head arriving in pieces ------------------------------------------- */

/* What is waited for (the start line's end, then the head's) has not come:
 * all a call does is look at its new bytes for it. The limits that more bytes could only make worse are checked here, so
 * that a line that never ends costs bounded memory and time: the head
 * (431, or 414 while still in a request's start line) and the start line
 * (414). lim is min(len, max_head). */
static inline int head_wait(ax_h1_parser *p, const unsigned char *b, size_t lim)
{
    bool start = p->hs != AX__HS_FIELD_START;
    size_t max = p->opt.max_head, quiet = max - 1;
    if (lim >= max)
        return ax__h1_fail(p, start && p->kind == AX_H1_REQUESTS ? 414 : 431,
                           start ? "start line too long" : "header section too long", lim);
    if (start) {
        size_t line = p->hs == AX__HS_START ? p->eol : p->line;
        int rc = start_line_fits(p, b, line, lim);
        if (rc < 0)
            return rc;
        if (line + p->opt.max_start_line < quiet)
            quiet = line + p->opt.max_start_line;
    }
    /* Up to `quiet` bytes, neither check can fail: ax_h1_parser_next may
     * then just look for an LF in the new bytes. */
    p->quiet = (uint32_t)quiet;
    return 0;
}

int ax__h1_parse_head(ax_h1_parser *p, unsigned char *b, size_t len)
{
    size_t max = p->opt.max_head, lim = len < max ? len : max;
    bool fast = __atomic_load_n(&ax__h1_simd, __ATOMIC_RELAXED) >= 2;
    if (lim < p->scan)
        return 0; /* fewer bytes than last time: not the input contract; wait */
    while (p->hs != AX__HS_FIELD_START) {
        /* The start line (and the empty lines a request may have before
         * it) is parsed as soon as it ends, so that its errors (414, 505, a
         * bad method or target) and the HTTP/2 preface come at once. */
        const unsigned char *q = NULL;
        if (p->scan < lim)
            q = memchr(b + p->scan, '\n', lim - p->scan);
        if (q == NULL) {
            p->scan = (uint32_t)lim;
            return head_wait(p, b, lim);
        }
        size_t eol = (size_t)(q - b) + 1;
        int n = 0;
        if (fast && p->hs == AX__HS_START && p->pos == 0)
            n = ax__h1_parse_head_fast(p, b, eol); /* at most the start line */
        if (n == 0 && p->hs != AX__HS_FIELD_START)
            n = ax__h1_parse_section(p, b, eol, false);
        if (n != 0 || p->state != AX__P_HEAD)
            return n;
        p->scan = p->eol = (uint32_t)eol; /* the fast path may have set them */
    }
    /* The field lines are parsed once the empty line that ends the head is
     * here (see head_end): until then a call only looks for it among its
     * new bytes, and the limits are checked as above. */
    size_t end = ax__h1_head_end(b, p->scan, lim);
    if (end == 0) {
        p->scan = (uint32_t)lim;
        return head_wait(p, b, lim);
    }
    int n = 0;
    if (fast)
        n = ax__h1_parse_head_fast(p, b, end);
    if (n == 0) {
        /* A line the fast path leaves: the state machine, which has the
         * last word on every error, reads the rest of the head. */
        n = ax__h1_parse_section(p, b, end, false);
        if (n > 0 && p->state == AX__P_HEAD)
            ax__h1_fill_headers(p, b, p->nfields);
    }
    if (n == 0) {
        /* Cannot happen (the head ends at `end`); wait as for any head. */
        p->scan = (uint32_t)lim;
        return head_wait(p, b, lim);
    }
    return n;
}
