/*
 * The connection state machine, in the manner of h11: each side (us and the
 * peer) has a state, events from the parser move theirs, send_* calls move
 * ours, and a few rules tie the two together.
 *
 *   client (requests)                      server (responses)
 *   IDLE -head-> SEND_BODY -end-> DONE     IDLE -their request-> SEND_RESPONSE
 *     DONE -Upgrade/CONNECT sent->           SEND_RESPONSE -1xx-> SEND_RESPONSE
 *       MIGHT_SWITCH_PROTOCOL                SEND_RESPONSE -final head-> SEND_BODY
 *                                            SEND_BODY -end-> DONE
 *
 * Tied rules: a 101, or a 2xx to CONNECT, while the client is in
 * MIGHT_SWITCH_PROTOCOL puts both sides in SWITCHED_PROTOCOL (the bytes after
 * the head belong to the new protocol); any other final response puts the
 * client back in DONE. When either message says the connection does not
 * persist (RFC 9112 section 9.3: "close", or HTTP/1.0 without keep-alive), a
 * side that reaches DONE goes to MUST_CLOSE instead. Both sides DONE:
 * start_next_cycle returns them to IDLE.
 *
 * Pipelining. A server reads one request at a time: after the request's END,
 * next_event says PAUSED (the next request's bytes stay in the caller's
 * buffer) until the response is done and the cycle restarted. A client may
 * send its next request as soon as the last one is DONE; the methods of the
 * requests in flight wait in a ring so that each response is read with the
 * framing its request implies (HEAD, CONNECT).
 */
#include <string.h>

#include "base/alloc.h"
#include "http1/parser.h"
#include "http1/serialize.h"

struct ax_h1_conn {
    ax_h1_role role;
    ax_h1_state ours, theirs;
    ax_h1_parser parser;
    const ax_allocator *alloc;
    bool keep_alive;        /* no message so far said otherwise */
    bool eof;               /* the peer closed; events follow the bytes */
    bool expect_continue;   /* server: a 100-continue request waits */
    bool switch_proposed;   /* an Upgrade or CONNECT request this cycle */
    bool their_connect;     /* server: the request is CONNECT */
    bool their_head;        /* server: the request is HEAD */
    unsigned their_version; /* server: the request's version */
    /* our message in progress */
    ax_h1_framing send_framing;
    uint64_t send_left;     /* AX_H1_LENGTH bytes still to send */
    /* client: requests in flight, oldest first (bit 0 HEAD, bit 1 CONNECT) */
    uint8_t *ring;
    size_t ring_cap, ring_head, ring_len;
};

const char *ax_h1_state_name(ax_h1_state s)
{
    static const char *const names[] = {
        "IDLE", "SEND_RESPONSE", "SEND_BODY", "DONE", "MUST_CLOSE", "CLOSED",
        "MIGHT_SWITCH_PROTOCOL", "SWITCHED_PROTOCOL", "ERROR"};
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

int ax_h1_conn_new(ax_h1_conn **out, ax_h1_role role, const ax_h1_options *o)
{
    *out = NULL;
    ax_h1_options opt;
    if (o != NULL)
        opt = *o;
    else
        ax_h1_options_init(&opt);
    if ((role != AX_H1_CLIENT && role != AX_H1_SERVER) || opt.max_pipeline == 0 ||
        opt.max_pipeline > 65536)
        return AX_EINVAL;
    const ax_allocator *a = ax__allocator_or_default(opt.alloc);
    opt.alloc = a;
    ax_h1_conn *c = ax__malloc(a, sizeof(*c));
    if (c == NULL)
        return AX_ENOMEM;
    memset(c, 0, sizeof(*c));
    c->role = role;
    c->alloc = a;
    c->keep_alive = true;
    c->ring_cap = role == AX_H1_CLIENT ? opt.max_pipeline : 0;
    int rc = ax_h1_parser_init(&c->parser, role == AX_H1_SERVER ? AX_H1_REQUESTS : AX_H1_RESPONSES,
                               &opt);
    if (rc < 0) {
        ax__free(a, c);
        return rc;
    }
    if (c->ring_cap > 0 && (c->ring = ax__malloc(a, c->ring_cap)) == NULL) {
        ax_h1_parser_free(&c->parser);
        ax__free(a, c);
        return AX_ENOMEM;
    }
    *out = c;
    return 0;
}

void ax_h1_conn_free(ax_h1_conn *c)
{
    if (c == NULL)
        return;
    ax_h1_parser_free(&c->parser);
    ax__free(c->alloc, c->ring);
    ax__free(c->alloc, c);
}

ax_h1_state ax_h1_conn_our_state(const ax_h1_conn *c)
{
    return c->ours;
}

ax_h1_state ax_h1_conn_their_state(const ax_h1_conn *c)
{
    return c->theirs;
}

const ax_h1_error *ax_h1_conn_error(const ax_h1_conn *c)
{
    return ax_h1_parser_error(&c->parser);
}

bool ax_h1_conn_they_expect_continue(const ax_h1_conn *c)
{
    return c->role == AX_H1_SERVER && c->expect_continue && c->ours == AX_H1_SEND_RESPONSE;
}

/* A side that is DONE on a connection that will not persist must close. */
static void apply_keep_alive(ax_h1_conn *c)
{
    if (c->keep_alive)
        return;
    if (c->ours == AX_H1_DONE)
        c->ours = AX_H1_MUST_CLOSE;
    if (c->theirs == AX_H1_DONE)
        c->theirs = AX_H1_MUST_CLOSE;
}

static bool has_token(const ax_h1_header *h, size_t n, const char *name, const char *token)
{
    size_t nl = strlen(name), tl = strlen(token);
    for (size_t k = 0; k < n; k++) {
        if (!ax_ascii_case_equal(h[k].name.ptr, h[k].name.len, name, nl))
            continue;
        ax_slice v = h[k].value;
        size_t start = 0;
        for (size_t i = 0; i <= v.len; i++) {
            if (i == v.len || v.ptr[i] == ',') {
                ax_slice e = ax_trim_ows(ax_slice_make(v.ptr + start, i - start));
                if (token[0] == '\0' || ax_ascii_case_equal(e.ptr, e.len, token, tl))
                    return true;
                start = i + 1;
            }
        }
    }
    return false;
}

static bool slice_is(ax_slice s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* ---- receiving ---------------------------------------------------------- */

static void on_request(ax_h1_conn *c, const ax_h1_head *h)
{
    c->theirs = AX_H1_SEND_BODY;
    c->ours = AX_H1_SEND_RESPONSE;
    c->keep_alive = c->keep_alive && h->keep_alive;
    c->expect_continue = h->expect_continue;
    c->their_connect = slice_is(h->method, "CONNECT");
    c->their_head = slice_is(h->method, "HEAD");
    c->their_version = h->version;
    c->switch_proposed = h->upgrade || c->their_connect;
}

static void switch_protocol(ax_h1_conn *c)
{
    c->ours = c->theirs = AX_H1_SWITCHED_PROTOCOL;
}

static int on_response_head(ax_h1_conn *c, const ax_h1_event *ev)
{
    const ax_h1_head *h = ev->head;
    if (ev->type == AX_H1_EV_INFORMATIONAL) {
        if (h->status != 101)
            return 0;
        if (c->ours != AX_H1_MIGHT_SWITCH_PROTOCOL || !c->switch_proposed)
            return AX_EPROTO;
        switch_protocol(c);
        return 0;
    }
    c->keep_alive = c->keep_alive && h->keep_alive;
    if (h->framing == AX_H1_TUNNEL) {
        if (c->ours != AX_H1_MIGHT_SWITCH_PROTOCOL)
            return AX_EPROTO;
        switch_protocol(c);
        return 0;
    }
    if (c->ours == AX_H1_MIGHT_SWITCH_PROTOCOL && c->ring_len == 1)
        c->ours = AX_H1_DONE; /* the switch was declined */
    c->theirs = AX_H1_SEND_BODY;
    apply_keep_alive(c);
    return 0;
}

static void on_end(ax_h1_conn *c)
{
    if (c->role == AX_H1_SERVER) {
        c->expect_continue = false;
        c->theirs = c->switch_proposed ? AX_H1_MIGHT_SWITCH_PROTOCOL : AX_H1_DONE;
    } else {
        c->ring_head = (c->ring_head + 1) % c->ring_cap;
        c->ring_len--;
        c->theirs = c->ring_len > 0 ? AX_H1_IDLE : AX_H1_DONE;
    }
    apply_keep_alive(c);
}

/* Should the parser be asked at all, or does the peer have to wait? */
static bool their_turn(ax_h1_conn *c, ax_h1_event *ev)
{
    ev->type = AX_H1_EV_PAUSED;
    switch (c->theirs) {
    case AX_H1_IDLE:
    case AX_H1_SEND_BODY:
        break;
    case AX_H1_CLOSED:
        ev->type = AX_H1_EV_CONNECTION_CLOSED;
        return false;
    default:
        /* DONE, MUST_CLOSE, MIGHT_SWITCH_PROTOCOL, SWITCHED_PROTOCOL: only
         * a close can still come, and only once every byte is handled. */
        return false;
    }
    if (c->role == AX_H1_CLIENT && c->ring_len > 0 && c->theirs == AX_H1_IDLE) {
        uint8_t m = c->ring[c->ring_head];
        ax_h1_parser_expect(&c->parser, ax_slice_make(m & 1 ? "HEAD" : m & 2 ? "CONNECT" : "GET",
                                                      m & 1 ? 4 : m & 2 ? 7 : 3));
    }
    return true;
}

/* The peer closed: nothing more comes, so we cannot start another cycle. */
static void their_close(ax_h1_conn *c)
{
    c->theirs = AX_H1_CLOSED;
    if (c->ours == AX_H1_IDLE || c->ours == AX_H1_DONE)
        c->ours = AX_H1_MUST_CLOSE;
}

static int their_error(ax_h1_conn *c, int rc)
{
    c->theirs = AX_H1_ERROR;
    return rc;
}

int ax_h1_conn_next_event(ax_h1_conn *c, void *buf, size_t len, ax_h1_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (c->theirs == AX_H1_ERROR)
        return c->parser.rc < 0 ? c->parser.rc : AX_EPROTO;
    if (!their_turn(c, ev)) {
        if (c->eof && len == 0 && ev->type == AX_H1_EV_PAUSED &&
            c->theirs != AX_H1_SWITCHED_PROTOCOL) {
            their_close(c);
            ev->type = AX_H1_EV_CONNECTION_CLOSED;
        }
        return 0;
    }
    if (c->role == AX_H1_CLIENT && c->ring_len == 0 && c->theirs == AX_H1_IDLE && len > 0) {
        ax__h1_fail(&c->parser, 502, "response without a request", 0);
        return their_error(c, AX_EPROTO);
    }
    int n = ax_h1_parser_next(&c->parser, buf, len, ev);
    if (n < 0)
        return their_error(c, n);
    int rc = 0;
    switch (ev->type) {
    case AX_H1_EV_REQUEST:
        on_request(c, ev->head);
        break;
    case AX_H1_EV_RESPONSE:
    case AX_H1_EV_INFORMATIONAL:
        rc = on_response_head(c, ev);
        break;
    case AX_H1_EV_DATA:
        c->expect_continue = false; /* the client stopped waiting */
        break;
    case AX_H1_EV_END:
        on_end(c);
        break;
    case AX_H1_EV_H2_PREFACE:
        if (c->theirs == AX_H1_IDLE && c->ours == AX_H1_IDLE)
            switch_protocol(c);
        break;
    case AX_H1_EV_NEED_DATA:
        if (c->eof) {
            ax_h1_event e;
            rc = ax_h1_parser_eof(&c->parser, &e);
            if (rc < 0)
                return their_error(c, rc);
            *ev = e;
            if (e.type == AX_H1_EV_END)
                on_end(c); /* and MUST_CLOSE, since eof cleared keep-alive */
            else
                their_close(c);
        }
        break;
    default:
        break;
    }
    if (rc < 0) {
        ax__h1_fail(&c->parser, 502, "unexpected protocol switch", 0);
        return their_error(c, rc);
    }
    return n;
}

void ax_h1_conn_receive_eof(ax_h1_conn *c)
{
    c->eof = true;
    c->keep_alive = false;
    apply_keep_alive(c);
}

/* ---- sending ------------------------------------------------------------ */

/* The framing our message gets from what the caller gave. */
static int64_t choose_length(ax_h1_conn *c, const ax_h1_message *m, bool body_allowed)
{
    if (!body_allowed)
        return AX_H1_LENGTH_NONE;
    if (m->content_length == AX_H1_LENGTH_UNKNOWN && c->role == AX_H1_SERVER &&
        c->their_version == 10)
        return AX_H1_LENGTH_NONE; /* HTTP/1.0 has no chunked: until close */
    return m->content_length;
}

static void start_body(ax_h1_conn *c, int64_t length, bool until_close)
{
    c->ours = AX_H1_SEND_BODY;
    if (length >= 0) {
        c->send_framing = length > 0 ? AX_H1_LENGTH : AX_H1_NO_BODY;
        c->send_left = (uint64_t)length;
    } else if (length == AX_H1_LENGTH_UNKNOWN) {
        c->send_framing = AX_H1_CHUNKED;
    } else {
        c->send_framing = until_close ? AX_H1_UNTIL_CLOSE : AX_H1_NO_BODY;
    }
}

static int send_request(ax_h1_conn *c, const ax_h1_message *m, ax_chain *out)
{
    bool pipelined = c->ours == AX_H1_DONE && c->keep_alive && !c->switch_proposed;
    if (c->ours != AX_H1_IDLE && !pipelined)
        return AX_ESTATE;
    if (c->ring_len == c->ring_cap)
        return AX_ELIMIT;
    bool connect = slice_is(m->method, "CONNECT");
    bool upgrade = has_token(m->headers, m->nheaders, "upgrade", "");
    if ((connect || upgrade) && c->ring_len > 0)
        return AX_ESTATE; /* a switch must be the last request in flight */
    int rc = ax__h1_write_request(out, c->alloc, m, m->content_length, NULL);
    if (rc < 0)
        return rc;
    c->ring[(c->ring_head + c->ring_len++) % c->ring_cap] =
        (uint8_t)((slice_is(m->method, "HEAD") ? 1 : 0) | (connect ? 2 : 0));
    c->switch_proposed = connect || upgrade;
    if (has_token(m->headers, m->nheaders, "connection", "close"))
        c->keep_alive = false;
    if (c->theirs == AX_H1_DONE)
        c->theirs = AX_H1_IDLE; /* a response to this request is to come */
    start_body(c, m->content_length, false);
    return 0;
}

static int send_response(ax_h1_conn *c, const ax_h1_message *m, ax_chain *out)
{
    if (c->ours != AX_H1_SEND_RESPONSE)
        return AX_ESTATE;
    unsigned st = m->status;
    if (st < 100 || st > 999)
        return AX_EINVAL;
    bool info = st < 200;
    bool tunnel = st == 101 || (c->their_connect && st >= 200 && st < 300);
    if (tunnel && (!c->switch_proposed || c->theirs != AX_H1_MIGHT_SWITCH_PROTOCOL))
        return AX_ESTATE; /* a switch needs the whole request first */
    if ((info || st == 204) && m->content_length > 0)
        return AX_EINVAL; /* RFC 9110 section 8.6: no length there */
    bool body_allowed = !info && !tunnel && st != 204 && st != 304 && !c->their_head;
    int64_t length = info || tunnel || st == 204 ? AX_H1_LENGTH_NONE
                     : body_allowed             ? choose_length(c, m, true)
                                                : m->content_length;
    bool until_close = body_allowed && length == AX_H1_LENGTH_NONE;
    if (until_close || has_token(m->headers, m->nheaders, "connection", "close"))
        c->keep_alive = false;
    const char *extra = NULL;
    if (!info && !tunnel && !c->keep_alive &&
        !has_token(m->headers, m->nheaders, "connection", "close"))
        extra = "Connection: close\r\n";
    else if (!info && !tunnel && c->keep_alive && c->their_version == 10)
        extra = "Connection: keep-alive\r\n";
    int rc = ax__h1_write_response(out, c->alloc, 11, m, length, extra);
    if (rc < 0)
        return rc;
    c->expect_continue = false;
    if (tunnel) {
        switch_protocol(c);
        return 0;
    }
    if (info)
        return 0;
    if (c->theirs == AX_H1_MIGHT_SWITCH_PROTOCOL) {
        c->theirs = AX_H1_DONE; /* the switch is declined */
        c->switch_proposed = false;
    }
    start_body(c, body_allowed ? length : AX_H1_LENGTH_NONE, until_close);
    apply_keep_alive(c);
    return 0;
}

int ax_h1_conn_send_head(ax_h1_conn *c, const ax_h1_message *m, ax_chain *out)
{
    return c->role == AX_H1_CLIENT ? send_request(c, m, out) : send_response(c, m, out);
}

int ax_h1_conn_send_data(ax_h1_conn *c, ax_bytes *data, ax_chain *out)
{
    if (c->ours != AX_H1_SEND_BODY)
        return AX_ESTATE;
    switch (c->send_framing) {
    case AX_H1_LENGTH:
        if (data->len > c->send_left)
            return AX_ERANGE;
        break;
    case AX_H1_CHUNKED:
        return ax_h1_serialize_chunk(out, c->alloc, data);
    case AX_H1_UNTIL_CLOSE:
        break;
    default:
        return data->len == 0 ? 0 : AX_ESTATE; /* no body allowed here */
    }
    size_t n = data->len;
    int rc = ax_chain_push(out, data);
    if (rc == 0 && c->send_framing == AX_H1_LENGTH)
        c->send_left -= n;
    return rc;
}

int ax_h1_conn_send_end(ax_h1_conn *c, const ax_h1_header *trailers, size_t ntrailers,
                        ax_chain *out)
{
    if (c->ours != AX_H1_SEND_BODY)
        return AX_ESTATE;
    if (ntrailers > 0 && c->send_framing != AX_H1_CHUNKED)
        return AX_EINVAL;
    if (c->send_framing == AX_H1_LENGTH && c->send_left > 0)
        return AX_ERANGE;
    if (c->send_framing == AX_H1_CHUNKED) {
        int rc = ax_h1_serialize_last_chunk(out, c->alloc, trailers, ntrailers);
        if (rc < 0)
            return rc;
    }
    if (c->role == AX_H1_CLIENT && c->switch_proposed)
        c->ours = AX_H1_MIGHT_SWITCH_PROTOCOL;
    else
        c->ours = c->send_framing == AX_H1_UNTIL_CLOSE ? AX_H1_MUST_CLOSE : AX_H1_DONE;
    apply_keep_alive(c);
    return 0;
}

void ax_h1_conn_send_close(ax_h1_conn *c)
{
    c->ours = AX_H1_CLOSED;
    c->keep_alive = false;
    apply_keep_alive(c);
}

int ax_h1_conn_start_next_cycle(ax_h1_conn *c)
{
    if (c->ours != AX_H1_DONE || c->theirs != AX_H1_DONE || !c->keep_alive)
        return AX_ESTATE;
    c->ours = c->theirs = AX_H1_IDLE;
    c->expect_continue = c->switch_proposed = c->their_connect = c->their_head = false;
    return 0;
}
