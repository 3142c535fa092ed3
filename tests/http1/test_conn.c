/*
 * The connection state machine: both roles, keep-alive, pipelining,
 * 100-continue, Upgrade and CONNECT hand-off, 1xx, close, errors, and what
 * the serializer refuses.
 */
#include <string.h>

#include "axle/http1.h"
#include "support/suite.h"
#include "support/test_alloc.h"

AX_SUITE(h1_conn);

#define S(lit) ax_slice_make(lit, sizeof(lit) - 1)
#define H(n, v) {S(n), S(v)}

/* The chain's bytes as a string (and the chain emptied). */
static const char *drain(ax_chain *out)
{
    static char text[8192];
    size_t n = ax_chain_copy_out(out, text, sizeof(text) - 1);
    text[n] = '\0';
    ax_chain_clear(out);
    return text;
}

typedef struct peer {
    char buf[4096];
    size_t len;
} peer;

static void give(peer *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p->buf + p->len, s, n);
    p->len += n;
}

static char last_target[256]; /* of the last REQUEST, before its bytes go */

/* Next event, consuming what the connection consumed (so the event's slices
 * are stale afterwards: look at last_target). */
static ax_h1_event_type next(ax_h1_conn *c, peer *p, ax_h1_event *ev)
{
    int rc = ax_h1_conn_next_event(c, p->buf, p->len, ev);
    cr_assert_geq(rc, 0, "next_event: %s", ax_err_name(rc));
    if (ev->type == AX_H1_EV_REQUEST) {
        memcpy(last_target, ev->head->target.ptr, ev->head->target.len);
        last_target[ev->head->target.len] = '\0';
    }
    memmove(p->buf, p->buf + rc, p->len - (size_t)rc);
    p->len -= (size_t)rc;
    return ev->type;
}

static void expect_states(ax_h1_conn *c, ax_h1_state ours, ax_h1_state theirs)
{
    cr_assert_eq(ax_h1_conn_our_state(c), ours, "ours %s, want %s",
                 ax_h1_state_name(ax_h1_conn_our_state(c)), ax_h1_state_name(ours));
    cr_assert_eq(ax_h1_conn_their_state(c), theirs, "theirs %s, want %s",
                 ax_h1_state_name(ax_h1_conn_their_state(c)), ax_h1_state_name(theirs));
}

static ax_h1_message response(unsigned status, int64_t len, const ax_h1_header *h, size_t n)
{
    ax_h1_message m;
    memset(&m, 0, sizeof(m));
    m.status = status;
    m.headers = h;
    m.nheaders = n;
    m.content_length = len;
    return m;
}

static ax_h1_message request(const char *method, const char *target, int64_t len,
                             const ax_h1_header *h, size_t n)
{
    ax_h1_message m;
    memset(&m, 0, sizeof(m));
    m.method = ax_slice_make(method, strlen(method));
    m.target = ax_slice_make(target, strlen(target));
    m.headers = h;
    m.nheaders = n;
    m.content_length = len;
    return m;
}

static void send_body(ax_h1_conn *c, const char *s, ax_chain *out)
{
    ax_bytes b = ax_bytes_static(s, strlen(s));
    cr_assert_eq(ax_h1_conn_send_data(c, &b, out), 0);
    cr_assert_eq(b.len, 0, "the reference moved into the chain");
}

Test(h1_conn, server_request_response_cycle)
{
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    ax_chain out;
    ax_chain_init(&out, NULL);
    peer p = {.len = 0};
    ax_h1_event ev;
    expect_states(c, AX_H1_IDLE, AX_H1_IDLE);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_NEED_DATA);
    give(&p, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_REQUEST);
    expect_states(c, AX_H1_SEND_RESPONSE, AX_H1_SEND_BODY);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
    expect_states(c, AX_H1_SEND_RESPONSE, AX_H1_DONE);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_PAUSED);
    cr_assert_eq(ax_h1_conn_start_next_cycle(c), AX_ESTATE);

    ax_h1_header h[] = {H("Server", "axle")};
    ax_h1_message m = response(200, 5, h, 1);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    expect_states(c, AX_H1_SEND_BODY, AX_H1_DONE);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), AX_ESTATE);
    send_body(c, "hel", &out);
    cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), AX_ERANGE, "two bytes short");
    send_body(c, "lo", &out);
    ax_bytes extra = AX_BYTES_LIT("!");
    cr_assert_eq(ax_h1_conn_send_data(c, &extra, &out), AX_ERANGE);
    cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
    cr_assert_str_eq(drain(&out), "HTTP/1.1 200 OK\r\nServer: axle\r\nContent-Length: 5\r\n\r\nhello");
    expect_states(c, AX_H1_DONE, AX_H1_DONE);
    cr_assert_eq(ax_h1_conn_start_next_cycle(c), 0);
    expect_states(c, AX_H1_IDLE, AX_H1_IDLE);
    ax_chain_free(&out);
    ax_h1_conn_free(c);
}

Test(h1_conn, server_reads_pipelined_requests_one_at_a_time)
{
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    ax_chain out;
    ax_chain_init(&out, NULL);
    peer p = {.len = 0};
    ax_h1_event ev;
    give(&p, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    for (int k = 1; k <= 3; k++) {
        cr_assert_eq(next(c, &p, &ev), AX_H1_EV_REQUEST);
        cr_assert_eq(last_target[1], '0' + k);
        cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
        size_t left = p.len;
        cr_assert_eq(next(c, &p, &ev), AX_H1_EV_PAUSED);
        cr_assert_eq(p.len, left, "pipelined bytes stay with the caller");
        ax_h1_message m = response(204, AX_H1_LENGTH_NONE, NULL, 0);
        cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
        cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
        if (k < 3) {
            cr_assert_str_eq(drain(&out), "HTTP/1.1 204 No Content\r\n\r\n");
            cr_assert_eq(ax_h1_conn_start_next_cycle(c), 0);
        }
    }
    cr_assert_str_eq(drain(&out), "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    expect_states(c, AX_H1_MUST_CLOSE, AX_H1_MUST_CLOSE);
    cr_assert_eq(ax_h1_conn_start_next_cycle(c), AX_ESTATE);
    ax_chain_free(&out);
    ax_h1_conn_free(c);
}

Test(h1_conn, http10_keep_alive_rules)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    const char *reqs[] = {"GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"};
    const char *want[] = {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"};
    ax_h1_state end[] = {AX_H1_MUST_CLOSE, AX_H1_DONE};
    for (int k = 0; k < 2; k++) {
        ax_h1_conn *c;
        cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
        peer p = {.len = 0};
        give(&p, reqs[k]);
        cr_assert_eq(next(c, &p, &ev), AX_H1_EV_REQUEST);
        cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
        ax_h1_message m = response(200, 2, NULL, 0);
        cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
        send_body(c, "ok", &out);
        cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
        cr_assert_str_eq(drain(&out), want[k]);
        expect_states(c, end[k], end[k]);
        ax_h1_conn_free(c);
    }
    ax_chain_free(&out);
}

Test(h1_conn, chunked_response_and_until_close_for_http10)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    peer p = {.len = 0};
    give(&p, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    next(c, &p, &ev);
    next(c, &p, &ev);
    ax_h1_message m = response(200, AX_H1_LENGTH_UNKNOWN, NULL, 0);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    send_body(c, "hello", &out);
    send_body(c, "", &out); /* nothing: an empty chunk would end the body */
    send_body(c, "0123456789abcdef!", &out);
    ax_h1_header t[] = {H("X-Sum", "9")};
    cr_assert_eq(ax_h1_conn_send_end(c, t, 1, &out), 0);
    cr_assert_str_eq(drain(&out), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "5\r\nhello\r\n11\r\n0123456789abcdef!\r\n0\r\nX-Sum: 9\r\n\r\n");
    ax_h1_conn_free(c);

    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    p.len = 0;
    give(&p, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    next(c, &p, &ev);
    next(c, &p, &ev);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    send_body(c, "raw", &out);
    cr_assert_eq(ax_h1_conn_send_end(c, t, 1, &out), AX_EINVAL, "no trailers without chunks");
    cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
    cr_assert_str_eq(drain(&out), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nraw");
    expect_states(c, AX_H1_MUST_CLOSE, AX_H1_MUST_CLOSE);
    ax_h1_conn_free(c);
    ax_chain_free(&out);
}

Test(h1_conn, expect_100_continue)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    peer p = {.len = 0};
    give(&p, "PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_REQUEST);
    cr_assert(ax_h1_conn_they_expect_continue(c));
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_NEED_DATA);
    ax_h1_message m = response(100, AX_H1_LENGTH_NONE, NULL, 0);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    cr_assert_str_eq(drain(&out), "HTTP/1.1 100 Continue\r\n\r\n");
    cr_assert_not(ax_h1_conn_they_expect_continue(c));
    expect_states(c, AX_H1_SEND_RESPONSE, AX_H1_SEND_BODY);
    give(&p, "data");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_DATA);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
    m = response(201, 0, NULL, 0);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
    cr_assert_str_eq(drain(&out), "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    ax_h1_conn_free(c);
    ax_chain_free(&out);
}

Test(h1_conn, server_upgrade_hands_off_the_bytes_after_the_head)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    for (int accept = 0; accept < 2; accept++) {
        ax_h1_conn *c;
        cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
        peer p = {.len = 0};
        give(&p, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi");
        cr_assert_eq(next(c, &p, &ev), AX_H1_EV_REQUEST);
        cr_assert(ev.head->upgrade);
        cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
        expect_states(c, AX_H1_SEND_RESPONSE, AX_H1_MIGHT_SWITCH_PROTOCOL);
        cr_assert_eq(next(c, &p, &ev), AX_H1_EV_PAUSED);
        cr_assert_eq(p.len, 4);
        cr_assert_eq(memcmp(p.buf, "\x81\x02hi", 4), 0);
        if (accept) {
            ax_h1_header h[] = {H("Upgrade", "websocket"), H("Connection", "Upgrade")};
            ax_h1_message m = response(101, AX_H1_LENGTH_NONE, h, 2);
            cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
            cr_assert_str_eq(drain(&out), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            expect_states(c, AX_H1_SWITCHED_PROTOCOL, AX_H1_SWITCHED_PROTOCOL);
            cr_assert_eq(next(c, &p, &ev), AX_H1_EV_PAUSED);
            cr_assert_eq(p.len, 4);
        } else {
            ax_h1_message m = response(200, 0, NULL, 0);
            cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
            expect_states(c, AX_H1_SEND_BODY, AX_H1_DONE);
            cr_assert_str_eq(drain(&out), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }
        ax_h1_conn_free(c);
    }
    ax_chain_free(&out);
}

Test(h1_conn, server_connect_tunnel)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    peer p = {.len = 0};
    give(&p, "CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\n\x16\x03");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_REQUEST);
    cr_assert_eq(ax_h1_conn_send_head(c, &(ax_h1_message){.status = 200}, &out), AX_ESTATE,
                 "not before the request's END");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
    ax_h1_message m = response(200, AX_H1_LENGTH_NONE, NULL, 0);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    cr_assert_str_eq(drain(&out), "HTTP/1.1 200 OK\r\n\r\n");
    expect_states(c, AX_H1_SWITCHED_PROTOCOL, AX_H1_SWITCHED_PROTOCOL);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_PAUSED);
    cr_assert_eq(p.len, 2);
    ax_h1_conn_free(c);
    ax_chain_free(&out);
}

Test(h1_conn, client_cycle_with_1xx)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_CLIENT, NULL), 0);
    peer p = {.len = 0};
    ax_h1_header h[] = {H("Host", "x"), H("Expect", "100-continue")};
    ax_h1_message m = request("POST", "/up", 3, h, 2);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    expect_states(c, AX_H1_SEND_BODY, AX_H1_IDLE);
    cr_assert_str_eq(drain(&out), "POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    give(&p, "HTTP/1.1 100 Continue\r\n\r\n");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_INFORMATIONAL);
    cr_assert_eq(ev.head->status, 100);
    send_body(c, "abc", &out);
    cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
    expect_states(c, AX_H1_DONE, AX_H1_IDLE);
    give(&p, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_RESPONSE);
    expect_states(c, AX_H1_DONE, AX_H1_SEND_BODY);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_DATA);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
    expect_states(c, AX_H1_DONE, AX_H1_DONE);
    cr_assert_eq(ax_h1_conn_start_next_cycle(c), 0);
    ax_h1_conn_free(c);
    ax_chain_free(&out);
}

Test(h1_conn, client_pipelines_and_reads_responses_in_order)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    ax_h1_conn *c;
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.max_pipeline = 3;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_CLIENT, &o), 0);
    peer p = {.len = 0};
    ax_h1_header h[] = {H("Host", "x")};
    const char *methods[] = {"HEAD", "GET", "HEAD"};
    for (int k = 0; k < 3; k++) {
        ax_h1_message m = request(methods[k], "/", AX_H1_LENGTH_NONE, h, 1);
        cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
        cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
    }
    ax_h1_message m4 = request("GET", "/", AX_H1_LENGTH_NONE, h, 1);
    cr_assert_eq(ax_h1_conn_send_head(c, &m4, &out), AX_ELIMIT, "max_pipeline in flight");
    cr_assert_str_eq(drain(&out), "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    give(&p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
             "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
             "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_RESPONSE);
    cr_assert_eq(ev.head->framing, AX_H1_NO_BODY, "a response to HEAD");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
    expect_states(c, AX_H1_DONE, AX_H1_IDLE);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_RESPONSE);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_DATA);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_RESPONSE);
    cr_assert_eq(ev.head->framing, AX_H1_NO_BODY);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
    expect_states(c, AX_H1_DONE, AX_H1_DONE);
    cr_assert_eq(p.len, 0);
    ax_h1_conn_free(c);
    ax_chain_free(&out);
}

Test(h1_conn, client_upgrade_switch_and_trailing_bytes)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_CLIENT, NULL), 0);
    peer p = {.len = 0};
    ax_h1_header h[] = {H("Host", "x"), H("Upgrade", "h2c"), H("Connection", "Upgrade")};
    ax_h1_message m = request("GET", "/", AX_H1_LENGTH_NONE, h, 3);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
    expect_states(c, AX_H1_MIGHT_SWITCH_PROTOCOL, AX_H1_IDLE);
    ax_h1_message m2 = request("GET", "/", AX_H1_LENGTH_NONE, h, 1);
    cr_assert_eq(ax_h1_conn_send_head(c, &m2, &out), AX_ESTATE, "no pipelining after an Upgrade");
    give(&p, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nPRI...");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_INFORMATIONAL);
    expect_states(c, AX_H1_SWITCHED_PROTOCOL, AX_H1_SWITCHED_PROTOCOL);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_PAUSED);
    cr_assert_eq(p.len, 6);
    ax_h1_conn_free(c);

    /* Declined: a final response puts the client back in DONE. */
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_CLIENT, NULL), 0);
    p.len = 0;
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
    give(&p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_RESPONSE);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
    expect_states(c, AX_H1_DONE, AX_H1_DONE);
    ax_h1_conn_free(c);
    ax_chain_free(&out);
}

Test(h1_conn, client_reads_a_body_until_close)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_CLIENT, NULL), 0);
    peer p = {.len = 0};
    ax_h1_header h[] = {H("Host", "x")};
    ax_h1_message m = request("GET", "/", AX_H1_LENGTH_NONE, h, 1);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
    cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
    give(&p, "HTTP/1.0 200 OK\r\n\r\nbody");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_RESPONSE);
    expect_states(c, AX_H1_MUST_CLOSE, AX_H1_SEND_BODY);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_DATA);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_NEED_DATA);
    ax_h1_conn_receive_eof(c);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_END);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_CONNECTION_CLOSED);
    expect_states(c, AX_H1_MUST_CLOSE, AX_H1_CLOSED);
    ax_h1_conn_free(c);
    ax_chain_free(&out);
}

Test(h1_conn, server_sees_clean_close_and_cut_short)
{
    ax_h1_event ev;
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    peer p = {.len = 0};
    ax_h1_conn_receive_eof(c);
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_CONNECTION_CLOSED);
    expect_states(c, AX_H1_MUST_CLOSE, AX_H1_CLOSED);
    ax_h1_conn_free(c);

    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    give(&p, "GET / HTTP/1.1\r\nHo");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_NEED_DATA);
    ax_h1_conn_receive_eof(c);
    cr_assert_eq(ax_h1_conn_next_event(c, p.buf, p.len, &ev), AX_EPROTO);
    cr_assert_eq(ax_h1_conn_their_state(c), AX_H1_ERROR);
    ax_h1_conn_free(c);
}

Test(h1_conn, protocol_error_sets_their_state_and_status)
{
    ax_h1_event ev;
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    peer p = {.len = 0};
    give(&p, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n");
    cr_assert_eq(ax_h1_conn_next_event(c, p.buf, p.len, &ev), AX_EPROTO);
    cr_assert_eq(ax_h1_conn_their_state(c), AX_H1_ERROR);
    cr_assert_eq(ax_h1_conn_error(c)->status, 400);
    cr_assert_eq(ax_h1_conn_next_event(c, p.buf, p.len, &ev), AX_EPROTO, "stays in error");
    ax_h1_conn_free(c);

    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_CLIENT, NULL), 0);
    p.len = 0;
    give(&p, "HTTP/1.1 200 OK\r\n\r\n");
    cr_assert_eq(ax_h1_conn_next_event(c, p.buf, p.len, &ev), AX_EPROTO, "a response to nothing");
    ax_h1_conn_free(c);
}

Test(h1_conn, h2_preface_is_its_own_event)
{
    ax_h1_event ev;
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    peer p = {.len = 0};
    give(&p, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    cr_assert_eq(next(c, &p, &ev), AX_H1_EV_H2_PREFACE);
    cr_assert_eq(p.len, 24, "the preface stays for HTTP/2");
    expect_states(c, AX_H1_SWITCHED_PROTOCOL, AX_H1_SWITCHED_PROTOCOL);
    ax_h1_conn_free(c);
}

Test(h1_conn, serializer_refuses_injection_and_bad_tokens)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    struct {
        ax_h1_header h;
        const char *why;
    } bad[] = {
        {H("X", "a\r\nInjected: 1"), "CRLF in a value"},
        {H("X", "a\rb"), "CR in a value"},
        {H("X", "a\nb"), "LF in a value"},
        {{S("X"), {(const unsigned char *)"a\0b", 3}}, "NUL in a value"},
        {H("X\r\nY", "1"), "CRLF in a name"},
        {H("X Y", "1"), "space in a name"},
        {H("X:", "1"), "colon in a name"},
        {H("", "1"), "empty name"},
        {H("Content-Length", "5"), "framing is the serializer's"},
        {H("transfer-encoding", "chunked"), "framing is the serializer's"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        ax_h1_message m = request("GET", "/", AX_H1_LENGTH_NONE, &bad[k].h, 1);
        cr_assert_eq(ax_h1_serialize_request(&out, NULL, &m), AX_EINVAL, "%s", bad[k].why);
        m = response(200, 0, &bad[k].h, 1);
        cr_assert_eq(ax_h1_serialize_response(&out, NULL, 11, &m), AX_EINVAL, "%s", bad[k].why);
        cr_assert_eq(ax_chain_len(&out), 0, "nothing appended");
    }
    ax_h1_message m = request("GE T", "/", AX_H1_LENGTH_NONE, NULL, 0);
    cr_assert_eq(ax_h1_serialize_request(&out, NULL, &m), AX_EINVAL);
    m = request("GET", "/a b", AX_H1_LENGTH_NONE, NULL, 0);
    cr_assert_eq(ax_h1_serialize_request(&out, NULL, &m), AX_EINVAL);
    m = request("GET", "/a\r\n", AX_H1_LENGTH_NONE, NULL, 0);
    cr_assert_eq(ax_h1_serialize_request(&out, NULL, &m), AX_EINVAL);
    m = response(200, 0, NULL, 0);
    m.reason = S("OK\r\nX: 1");
    cr_assert_eq(ax_h1_serialize_response(&out, NULL, 11, &m), AX_EINVAL);
    m = response(99, 0, NULL, 0);
    cr_assert_eq(ax_h1_serialize_response(&out, NULL, 11, &m), AX_EINVAL);
    ax_h1_header t = H("T", "a\nb");
    cr_assert_eq(ax_h1_serialize_last_chunk(&out, NULL, &t, 1), AX_EINVAL);
    cr_assert_eq(ax_chain_len(&out), 0);
    /* obs-text and HTAB are allowed in values. */
    ax_h1_header ok = H("X", "caf\xc3\xa9\tx");
    m = request("GET", "/", AX_H1_LENGTH_NONE, &ok, 1);
    cr_assert_eq(ax_h1_serialize_request(&out, NULL, &m), 0);
    cr_assert_str_eq(drain(&out), "GET / HTTP/1.1\r\nX: caf\xc3\xa9\tx\r\n\r\n");
    ax_chain_free(&out);
}

Test(h1_conn, no_body_where_none_is_allowed)
{
    ax_chain out;
    ax_chain_init(&out, NULL);
    ax_h1_event ev;
    const char *reqs[] = {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
                          "GET / HTTP/1.1\r\nHost: x\r\n\r\n"};
    unsigned status[] = {204, 200, 304};
    int64_t len[] = {AX_H1_LENGTH_NONE, 42, 42};
    const char *want[] = {"HTTP/1.1 204 No Content\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n",
                          "HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\n\r\n"};
    for (int k = 0; k < 3; k++) {
        ax_h1_conn *c;
        cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
        peer p = {.len = 0};
        give(&p, reqs[k]);
        next(c, &p, &ev);
        next(c, &p, &ev);
        ax_h1_message m = response(status[k], len[k], NULL, 0);
        cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), 0);
        ax_bytes b = AX_BYTES_LIT("x");
        cr_assert_eq(ax_h1_conn_send_data(c, &b, &out), AX_ESTATE, "case %d", k);
        cr_assert_eq(ax_h1_conn_send_end(c, NULL, 0, &out), 0);
        cr_assert_str_eq(drain(&out), want[k]);
        ax_h1_conn_free(c);
    }
    ax_h1_conn *c;
    cr_assert_eq(ax_h1_conn_new(&c, AX_H1_SERVER, NULL), 0);
    peer p = {.len = 0};
    give(&p, reqs[0]);
    next(c, &p, &ev);
    ax_h1_message m = response(204, 5, NULL, 0);
    cr_assert_eq(ax_h1_conn_send_head(c, &m, &out), AX_EINVAL, "no length in a 204");
    ax_h1_conn_free(c);
    ax_chain_free(&out);
}

static int exchange(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.alloc = a;
    ax_h1_conn *c;
    int rc = ax_h1_conn_new(&c, AX_H1_SERVER, &o);
    if (rc < 0)
        return rc;
    ax_chain out;
    ax_chain_init(&out, a);
    peer p = {.len = 0};
    give(&p, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    ax_h1_event ev;
    next(c, &p, &ev);
    next(c, &p, &ev);
    ax_h1_header h[] = {H("Server", "axle")};
    ax_h1_message m = response(200, AX_H1_LENGTH_UNKNOWN, h, 1);
    rc = ax_h1_conn_send_head(c, &m, &out);
    ax_bytes b = AX_BYTES_LIT("chunk");
    if (rc == 0)
        rc = ax_h1_conn_send_data(c, &b, &out);
    if (rc == 0)
        rc = ax_h1_conn_send_end(c, h, 1, &out);
    ax_bytes_free(&b);
    ax_chain_free(&out);
    ax_h1_conn_free(c);
    return rc;
}

Test(h1_conn, allocation_failures)
{
    cr_assert_gt(ax_test_each_failure(exchange, NULL), 4);
}
