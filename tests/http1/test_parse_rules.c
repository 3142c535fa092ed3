/*
 * Parser behaviour the transcript table does not show: limits and their
 * statuses, what a head says about framing and persistence, error offsets,
 * allocation failure, and the corpus messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axle/http1.h"
#include "http1/feed.h"
#include "support/files.h"
#include "http1/parser.h"
#include "http1/scan.h"
#include "support/suite.h"
#include "support/test_alloc.h"

AX_SUITE(h1_rules);

/* Parses one head from s (whole) and returns the parser's return code. */
static int parse_head(ax_h1_parser *p, ax_h1_kind kind, const ax_h1_options *o,
                      const char *s, ax_h1_event *ev)
{
    cr_assert_eq(ax_h1_parser_init(p, kind, o), 0);
    size_t n = strlen(s);
    char *copy = malloc(n + 1);
    memcpy(copy, s, n + 1);
    int rc = ax_h1_parser_next(p, copy, n, ev);
    free(copy); /* the tests below look at flags, not slices */
    return rc;
}

static unsigned status_of(ax_h1_kind kind, const ax_h1_options *o, const char *s, int *rc)
{
    ax_h1_parser p;
    ax_h1_event ev;
    *rc = parse_head(&p, kind, o, s, &ev);
    unsigned st = *rc < 0 ? ax_h1_parser_error(&p)->status : 0;
    ax_h1_parser_free(&p);
    return st;
}

static char *repeat(const char *head, char c, size_t n, const char *tail)
{
    size_t hl = strlen(head), tl = strlen(tail);
    char *s = malloc(hl + n + tl + 1);
    memcpy(s, head, hl);
    memset(s + hl, c, n);
    memcpy(s + hl + n, tail, tl + 1);
    return s;
}

Test(h1_rules, request_line_too_long_is_414)
{
    char *s = repeat("GET /", 'a', 9000, " HTTP/1.1\r\nHost: a\r\n\r\n");
    int rc;
    cr_assert_eq(status_of(AX_H1_REQUESTS, NULL, s, &rc), 414);
    cr_assert_eq(rc, AX_ELIMIT);
    /* The same, arriving without its end: 414 as soon as it is too long. */
    s[5 + 8300] = '\0';
    cr_assert_eq(status_of(AX_H1_REQUESTS, NULL, s, &rc), 414);
    free(s);
    /* Just under the limit is fine. */
    s = repeat("GET /", 'a', 8192 - 5 - 9, " HTTP/1.1\r\nHost: a\r\n\r\n");
    cr_assert_eq(status_of(AX_H1_REQUESTS, NULL, s, &rc), 0);
    cr_assert_gt(rc, 0);
    free(s);
}

Test(h1_rules, header_block_too_long_is_431)
{
    char *s = repeat("GET / HTTP/1.1\r\nHost: a\r\nX: ", 'v', 40000, "\r\n\r\n");
    int rc;
    cr_assert_eq(status_of(AX_H1_REQUESTS, NULL, s, &rc), 431);
    cr_assert_eq(rc, AX_ELIMIT);
    free(s);
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.max_head = 64;
    cr_assert_eq(status_of(AX_H1_REQUESTS, &o, "GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789012345678901234567890123456789\r\n\r\n", &rc), 431);
    cr_assert_eq(status_of(AX_H1_REQUESTS, &o, "GET / HTTP/1.1\r\nHost: a\r\nX: 01234567890123456789\r\n\r\n", &rc), 0);
}

Test(h1_rules, too_many_fields_is_431)
{
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.max_headers = 3;
    int rc;
    cr_assert_eq(status_of(AX_H1_REQUESTS, &o, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", &rc), 0);
    cr_assert_eq(status_of(AX_H1_REQUESTS, &o, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &rc), 431);
    cr_assert_eq(rc, AX_ELIMIT);
}

Test(h1_rules, trailers_too_long_is_431_and_chunk_limits_are_400)
{
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.max_trailers = 16;
    o.max_chunk_ext = 8;
    o.max_chunk_digits = 4;
    const char *head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    char msg[512];
    char out[1024];
    h1_feed f = {AX_H1_REQUESTS, NULL, false, &o};
    snprintf(msg, sizeof(msg), "%s0\r\nX-Long-Trailer: 0123456789\r\n\r\n", head);
    cr_assert_eq(h1_feed_run(&f, msg, strlen(msg), 0, 0, out, sizeof(out)), AX_ELIMIT);
    cr_assert(strstr(out, "ERR 431|") != NULL, "%s", out);
    snprintf(msg, sizeof(msg), "%s1;abcdefghi\r\nx\r\n0\r\n\r\n", head);
    cr_assert_eq(h1_feed_run(&f, msg, strlen(msg), 0, 1, out, sizeof(out)), AX_EPROTO);
    cr_assert(strstr(out, "ERR 400|") != NULL, "%s", out);
    snprintf(msg, sizeof(msg), "%s1;abcdefgh\r\nx\r\n0\r\n\r\n", head);
    cr_assert_eq(h1_feed_run(&f, msg, strlen(msg), 0, 1, out, sizeof(out)), 0, "%s", out);
    snprintf(msg, sizeof(msg), "%s00001\r\nx\r\n0\r\n\r\n", head);
    cr_assert_eq(h1_feed_run(&f, msg, strlen(msg), 0, 0, out, sizeof(out)), AX_EPROTO);
    snprintf(msg, sizeof(msg), "%s0001\r\nx\r\n0\r\n\r\n", head);
    cr_assert_eq(h1_feed_run(&f, msg, strlen(msg), 0, 0, out, sizeof(out)), 0, "%s", out);
}

Test(h1_rules, sixteen_hex_digits_fit_and_then_overflow)
{
    const char *m = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab";
    char out[1024];
    h1_feed f = {AX_H1_REQUESTS, NULL, false, NULL};
    cr_assert_eq(h1_feed_run(&f, m, strlen(m), 0, 0, out, sizeof(out)), 0);
    cr_assert(strstr(out, "DATA:ab|") != NULL, "%s", out);
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.max_chunk_digits = 40; /* the digit limit cannot hide an overflow */
    f.opt = &o;
    m = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n";
    cr_assert_eq(h1_feed_run(&f, m, strlen(m), 0, 0, out, sizeof(out)), AX_EPROTO);
}

Test(h1_rules, head_flags)
{
    ax_h1_parser p;
    ax_h1_event ev;
    struct {
        ax_h1_kind kind;
        const char *method;
        const char *s;
        ax_h1_framing framing;
        uint64_t length;
        bool keep_alive, upgrade, expect;
        ax_h1_target_form form;
    } t[] = {
        {AX_H1_REQUESTS, NULL, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", AX_H1_NO_BODY, 0, true, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "GET / HTTP/1.1\r\nHost: a\r\nConnection: x, Close\r\n\r\n", AX_H1_NO_BODY, 0, false, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "GET / HTTP/1.0\r\n\r\n", AX_H1_NO_BODY, 0, false, false, false, AX_H1_ORIGIN_FORM},
        /* Host the only field framing looks at (answered inline). */
        {AX_H1_REQUESTS, NULL, "GET / HTTP/1.0\r\nHost: a\r\n\r\n", AX_H1_NO_BODY, 0, false, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "GET / HTTP/1.1\r\nhOsT: a\r\n\r\n", AX_H1_NO_BODY, 0, true, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "GET / HTTP/1.0\r\nHxst: a\r\n\r\n", AX_H1_NO_BODY, 0, false, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", AX_H1_NO_BODY, 0, true, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "GET /c HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n", AX_H1_NO_BODY, 0, true, true, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "GET /c HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", AX_H1_NO_BODY, 0, true, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 9\r\n\r\n", AX_H1_LENGTH, 9, true, false, true, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 9\r\n\r\n", AX_H1_LENGTH, 9, false, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", AX_H1_CHUNKED, 0, true, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_REQUESTS, NULL, "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", AX_H1_NO_BODY, 0, true, false, false, AX_H1_ASTERISK_FORM},
        {AX_H1_REQUESTS, NULL, "CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n", AX_H1_NO_BODY, 0, true, false, false, AX_H1_AUTHORITY_FORM},
        {AX_H1_REQUESTS, NULL, "GET h://a/ HTTP/1.1\r\nHost: a\r\n\r\n", AX_H1_NO_BODY, 0, true, false, false, AX_H1_ABSOLUTE_FORM},
        {AX_H1_RESPONSES, "GET", "HTTP/1.1 200 OK\r\n\r\n", AX_H1_UNTIL_CLOSE, 0, false, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_RESPONSES, "GET", "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", AX_H1_LENGTH, 7, true, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_RESPONSES, "GET", "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n", AX_H1_CHUNKED, 0, false, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_RESPONSES, "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", AX_H1_NO_BODY, 0, true, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_RESPONSES, "GET", "HTTP/1.1 101 Switching\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n", AX_H1_TUNNEL, 0, true, true, false, AX_H1_ORIGIN_FORM},
        {AX_H1_RESPONSES, "CONNECT", "HTTP/1.1 200 OK\r\n\r\n", AX_H1_TUNNEL, 0, true, false, false, AX_H1_ORIGIN_FORM},
        {AX_H1_RESPONSES, "GET", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", AX_H1_LENGTH, 1, false, false, false, AX_H1_ORIGIN_FORM},
    };
    for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
        cr_assert_eq(ax_h1_parser_init(&p, t[k].kind, NULL), 0);
        if (t[k].method != NULL)
            ax_h1_parser_expect(&p, ax_slice_make(t[k].method, strlen(t[k].method)));
        char buf[256];
        size_t n = strlen(t[k].s);
        memcpy(buf, t[k].s, n);
        int rc = ax_h1_parser_next(&p, buf, n, &ev);
        cr_assert_eq((size_t)rc, n, "case %zu: rc %d", k, rc);
        const ax_h1_head *h = ev.head;
        cr_assert_eq(h->framing, t[k].framing, "case %zu", k);
        cr_assert_eq(h->content_length, t[k].length, "case %zu", k);
        cr_assert_eq(h->keep_alive, t[k].keep_alive, "case %zu", k);
        cr_assert_eq(h->upgrade, t[k].upgrade, "case %zu", k);
        cr_assert_eq(h->expect_continue, t[k].expect, "case %zu", k);
        if (t[k].kind == AX_H1_REQUESTS)
            cr_assert_eq(h->form, t[k].form, "case %zu", k);
        ax_h1_parser_free(&p);
    }
}

Test(h1_rules, error_offset_points_at_the_byte)
{
    ax_h1_parser p;
    ax_h1_event ev;
    int rc = parse_head(&p, AX_H1_REQUESTS, NULL, "GET / HTTP/1.1\r\nHost : a\r\n\r\n", &ev);
    cr_assert_eq(rc, AX_EPROTO);
    cr_assert_eq(ax_h1_parser_error(&p)->offset, 20);
    cr_assert_str_eq(ax_h1_parser_error(&p)->reason, "whitespace between field name and colon");
    /* In error the parser stays in error. */
    char more[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    cr_assert_eq(ax_h1_parser_next(&p, more, sizeof(more) - 1, &ev), AX_EPROTO);
    ax_h1_parser_free(&p);
}

Test(h1_rules, error_offset_counts_consumed_body_bytes)
{
    const char *m = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n";
    char out[512];
    ax_h1_parser p;
    cr_assert_eq(ax_h1_parser_init(&p, AX_H1_REQUESTS, NULL), 0);
    char buf[256];
    size_t n = strlen(m), off = 0;
    memcpy(buf, m, n);
    ax_h1_event ev;
    int rc;
    while ((rc = ax_h1_parser_next(&p, buf + off, n - off, &ev)) >= 0 && off < n)
        off += (size_t)rc;
    cr_assert_eq(rc, AX_EPROTO);
    cr_assert_eq(ax_h1_parser_error(&p)->offset, strlen(m) - 4, "at the z: %llu",
                 (unsigned long long)ax_h1_parser_error(&p)->offset);
    ax_h1_parser_free(&p);
    (void)out;
}

Test(h1_rules, init_rejects_bad_options)
{
    ax_h1_parser p;
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.max_headers = 0;
    cr_assert_eq(ax_h1_parser_init(&p, AX_H1_REQUESTS, &o), AX_EINVAL);
    cr_assert_eq(ax_h1_parser_init(&p, (ax_h1_kind)7, NULL), AX_EINVAL);
}

static int init_scenario(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.alloc = a;
    ax_h1_parser p;
    int rc = ax_h1_parser_init(&p, AX_H1_REQUESTS, &o);
    if (rc < 0)
        return rc;
    char m[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    ax_h1_event ev;
    rc = ax_h1_parser_next(&p, m, sizeof(m) - 1, &ev);
    cr_assert_eq(rc, (int)sizeof(m) - 1);
    ax_h1_parser_free(&p);
    return 0;
}

Test(h1_rules, allocation_failures)
{
    cr_assert_eq(ax_test_each_failure(init_scenario, NULL), 2);
}

Test(h1_rules, slow_sender_costs_no_rescanning)
{
    /* A 30 KB head arriving a byte at a time: each call looks only at the new
     * byte, so this stays fast (a rescan per call would be ~450M steps). */
    char *s = repeat("GET / HTTP/1.1\r\nHost: a\r\nX: ", 'v', 30000, "\r\n\r\n");
    char out[64];
    h1_feed f = {AX_H1_REQUESTS, NULL, false, NULL};
    char *tail = malloc(40000);
    h1_feed_run(&f, s, strlen(s), 0, 1, tail, 40000);
    cr_assert(strncmp(tail, "REQ GET / 11 Host=a X=vvv", 25) == 0);
    free(tail);
    free(s);
    (void)out;
}

Test(h1_rules, corpus_messages)
{
    const char *names[] = {"req_browser_get.http", "req_minimal_get.http", "req_curl_get.http",
                           "req_post_json.http", "resp_chunked.http", "resp_many_headers.http",
                           "pico_bench_req.http"};
    char path[512];
    if (!ax_test_corpus_path(path, sizeof(path), "http/req_minimal_get.http"))
        cr_skip_test("no corpus at %s", ax_test_corpus_root());
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "http/%s", names[k]);
        cr_assert(ax_test_corpus_path(path, sizeof(path), rel), "%s", path);
        size_t n;
        char *msg = ax_test_read_file(path, &n);
        cr_assert_not_null(msg, "%s", path);
        bool resp = names[k][1] == 'e' && names[k][2] == 's';
        h1_feed f = {resp ? AX_H1_RESPONSES : AX_H1_REQUESTS, resp ? "GET" : NULL, false, NULL};
        static char whole[65536], bytes[65536];
        cr_assert_eq(h1_feed_run(&f, msg, n, 0, 0, whole, sizeof(whole)), 0, "%s: %s", names[k], whole);
        cr_assert(strstr(whole, "END|") != NULL, "%s: %s", names[k], whole);
        cr_assert_eq(h1_feed_run(&f, msg, n, 0, 1, bytes, sizeof(bytes)), 0);
        cr_assert_str_eq(whole, bytes, "%s", names[k]);
        free(msg);
    }
}

Test(h1_rules, fast_path_takes_plain_heads_and_leaves_the_rest)
{
    if (ax__h1_scan_level() < 2)
        cr_skip_test("no SSSE3: the fast path is off");
    ax_h1_parser p;
    cr_assert_eq(ax_h1_parser_init(&p, AX_H1_REQUESTS, NULL), 0);
    const char *plain = "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
    cr_assert_eq(ax__h1_parse_head_fast(&p, (const unsigned char *)plain, strlen(plain)),
                 (int)strlen(plain));
    cr_assert_eq(p.nfields, 2);
    cr_assert_eq(p.headers[1].value.len, 3);
    /* Shapes it leaves to the state machine: incomplete, bare LF, obs-fold,
     * whitespace before a colon, empty lines first. */
    const char *other[] = {"GET /a HTTP/1.1\r\nHost: x\r\n", "GET /a HTTP/1.1\nHost: x\n\n",
                           "GET /a HTTP/1.1\r\nHost: x\r\n y\r\n\r\n",
                           "GET /a HTTP/1.1\r\nHost : x\r\n\r\n", "\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n"};
    for (size_t k = 0; k < sizeof(other) / sizeof(other[0]); k++) {
        /* A fresh parser each time: the fast path resumes where the last
         * call handed over. */
        ax_h1_parser_free(&p);
        cr_assert_eq(ax_h1_parser_init(&p, AX_H1_REQUESTS, NULL), 0);
        cr_assert_eq(ax__h1_parse_head_fast(&p, (const unsigned char *)other[k], strlen(other[k])), 0,
                     "case %zu", k);
    }
    ax_h1_parser_free(&p);
}

/* Parses one whole message from a copy and counts events; returns the last
 * return code. */
static int count_events(ax_h1_kind kind, const ax_h1_options *o, const char *m, size_t len,
                        size_t *data_events, size_t *body)
{
    ax_h1_parser p;
    cr_assert_eq(ax_h1_parser_init(&p, kind, o), 0);
    char *buf = malloc(len);
    memcpy(buf, m, len);
    size_t off = 0;
    int rc;
    *data_events = *body = 0;
    for (;;) {
        ax_h1_event ev;
        rc = ax_h1_parser_next(&p, buf + off, len - off, &ev);
        if (rc < 0)
            break;
        off += (size_t)rc;
        if (ev.type == AX_H1_EV_DATA) {
            (*data_events)++;
            *body += ev.data.len;
        }
        if (ev.type == AX_H1_EV_END || ev.type == AX_H1_EV_NEED_DATA)
            break;
    }
    free(buf);
    ax_h1_parser_free(&p);
    return rc;
}

Test(h1_rules, many_tiny_chunks_cost_one_event_each)
{
    const char *head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    size_t n = 20000, hl = strlen(head);
    char *m = malloc(hl + n * 6 + 5);
    memcpy(m, head, hl);
    for (size_t k = 0; k < n; k++)
        memcpy(m + hl + k * 6, "1\r\nx\r\n", 6);
    memcpy(m + hl + n * 6, "0\r\n\r\n", 5);
    size_t events, body;
    cr_assert_geq(count_events(AX_H1_REQUESTS, NULL, m, hl + n * 6 + 5, &events, &body), 0);
    cr_assert_eq(events, n);
    cr_assert_eq(body, n);
    free(m);
}

Test(h1_rules, head_of_exactly_max_head_bytes)
{
    ax_h1_options o;
    ax_h1_options_init(&o);
    char m[128];
    /* 67 bytes in all: request line 16, Host 9, X field 40, empty line 2. */
    snprintf(m, sizeof(m), "GET / HTTP/1.1\r\nHost: a\r\nX: %035d\r\n\r\n", 0);
    cr_assert_eq(strlen(m), 67);
    o.max_head = 67;
    size_t events, body;
    cr_assert_eq(count_events(AX_H1_REQUESTS, &o, m, strlen(m), &events, &body), 0);
    o.max_head = 66;
    ax_h1_parser p;
    ax_h1_event ev;
    cr_assert_eq(ax_h1_parser_init(&p, AX_H1_REQUESTS, &o), 0);
    cr_assert_eq(ax_h1_parser_next(&p, m, strlen(m), &ev), AX_ELIMIT);
    cr_assert_eq(ax_h1_parser_error(&p)->status, 431);
    ax_h1_parser_free(&p);
}

Test(h1_rules, trailer_fields_are_counted_too)
{
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.max_headers = 3;
    const char *ok = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    const char *bad = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
    char out[512];
    h1_feed f = {AX_H1_REQUESTS, NULL, false, &o};
    cr_assert_eq(h1_feed_run(&f, ok, strlen(ok), 0, 0, out, sizeof(out)), 0, "%s", out);
    cr_assert(strstr(out, "TRL A=1 B=2 C=3|END|") != NULL, "%s", out);
    cr_assert_eq(h1_feed_run(&f, bad, strlen(bad), 0, 0, out, sizeof(out)), AX_ELIMIT);
    cr_assert(strstr(out, "ERR 431|") != NULL, "%s", out);
}

/* The limits hold while a head waits for its line ends, at the same byte
 * whatever the pieces: a start line of exactly max_start_line bytes and a head
 * of exactly max_head bytes pass, one byte more is 414 / 431. */
Test(h1_rules, limits_at_the_edge_in_any_pieces)
{
    ax_h1_options o;
    ax_h1_options_init(&o);
    o.max_start_line = 64;
    o.max_head = 256;
    h1_feed f = {AX_H1_REQUESTS, NULL, false, &o};
    static const size_t steps[] = {1, 2, 7, 16, 17, 64};
    struct {
        const char *head, *tail;
        size_t n;
        const char *want; /* prefix of the transcript */
    } t[] = {
        /* "GET /" + n + " HTTP/1.1": 64 bytes with n = 50 */
        {"GET /", " HTTP/1.1\r\nHost: a\r\n\r\n", 50, "REQ GET /aaa"},
        {"GET /", " HTTP/1.1\r\nHost: a\r\n\r\n", 51, "ERR 414|"},
        /* the same line never ending */
        {"GET /", "", 60, "ERR 414|"},
        /* 32 + n bytes of head: 256 with n = 224 */
        {"GET / HTTP/1.1\r\nHost: a\r\nX: ", "\r\n\r\n", 224, "REQ GET / 11 Host=a X=vvv"},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: ", "\r\n\r\n", 225, "ERR 431|"},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: ", "", 300, "ERR 431|"},
    };
    for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
        char *s = repeat(t[k].head, t[k].head[0] == 'G' && t[k].head[5] == '\0' ? 'a' : 'v', t[k].n,
                         t[k].tail);
        static char whole[4096], pieces[4096];
        h1_feed_run(&f, s, strlen(s), 0, 0, whole, sizeof(whole));
        cr_assert(strncmp(whole, t[k].want, strlen(t[k].want)) == 0, "case %zu: %s", k, whole);
        for (size_t j = 0; j < sizeof(steps) / sizeof(steps[0]); j++) {
            h1_feed_run(&f, s, strlen(s), steps[j], steps[j], pieces, sizeof(pieces));
            cr_assert_str_eq(pieces, whole, "case %zu, %zu-byte pieces", k, steps[j]);
        }
        free(s);
    }
}

/* Calls ax_h1_parser_next on s[0, n) grown by `step` bytes a call (0: all at
 * once), as a receive buffer that keeps its bytes; returns the first nonzero
 * return code or event other than NEED_DATA (in *ev), or 0 when s ran out
 * with only NEED_DATA. */
static int feed_growing(ax_h1_parser *p, const char *s, size_t n, size_t step, ax_h1_event *ev)
{
    char *buf = malloc(n + 1);
    memcpy(buf, s, n + 1);
    int rc = 0;
    for (size_t given = step == 0 ? n : 0; given <= n;) {
        rc = ax_h1_parser_next(p, buf, given, ev);
        if (rc != 0 || ev->type != AX_H1_EV_NEED_DATA || given == n)
            break;
        given = step == 0 || given + step > n ? n : given + step;
    }
    free(buf);
    return rc;
}

Test(h1_rules, field_line_errors_wait_for_the_head_end_start_line_errors_do_not)
{
    /* A field line is parsed once the empty line that ends its head has
     * come: a bad one in a head still arriving is not answered yet, however
     * the head arrives; the empty line brings the same 400 as a whole head.
     * A bad start line is answered once it has ended. */
    static const char bad_field[] = "GET / HTTP/1.1\r\nBad Name: x\r\nHost: a\r\n";
    static const char bad_field_bare_lf[] = "GET / HTTP/1.1\nHost: a\nX\n";
    static const char bad_version[] = "GET / HTTP/9.9\r\nHost: a\r\n";
    static const size_t steps[] = {0, 1, 2, 7, 16};
    for (int scalar = 0; scalar < 2; scalar++) {
        ax__h1_scan_force_scalar(scalar == 1);
        for (size_t j = 0; j < sizeof(steps) / sizeof(steps[0]); j++) {
            const char *cases[] = {bad_field, bad_field_bare_lf};
            for (size_t c = 0; c < 2; c++) {
                ax_h1_parser p;
                ax_h1_event ev;
                cr_assert_eq(ax_h1_parser_init(&p, AX_H1_REQUESTS, NULL), 0);
                size_t n = strlen(cases[c]);
                int rc = feed_growing(&p, cases[c], n, steps[j], &ev);
                cr_assert_eq(rc, 0, "case %zu, step %zu: answered before the head ended", c,
                             steps[j]);
                cr_assert_eq(ev.type, AX_H1_EV_NEED_DATA);
                char *full = malloc(n + 3);
                memcpy(full, cases[c], n);
                const char *end = c == 0 ? "\r\n" : "\n";
                memcpy(full + n, end, strlen(end) + 1);
                rc = ax_h1_parser_next(&p, full, strlen(full), &ev);
                cr_assert_eq(rc, AX_EPROTO, "case %zu, step %zu", c, steps[j]);
                cr_assert_eq(ax_h1_parser_error(&p)->status, 400);
                ax_h1_parser_free(&p);
                /* The same message whole: the same answer. */
                int rc2;
                cr_assert_eq(status_of(AX_H1_REQUESTS, NULL, full, &rc2), 400);
                free(full);
            }
            ax_h1_parser p;
            ax_h1_event ev;
            cr_assert_eq(ax_h1_parser_init(&p, AX_H1_REQUESTS, NULL), 0);
            int rc = feed_growing(&p, bad_version, strlen(bad_version), steps[j], &ev);
            cr_assert_eq(rc, AX_EPROTO, "step %zu: the start line's error waits", steps[j]);
            cr_assert_eq(ax_h1_parser_error(&p)->status, 505);
            ax_h1_parser_free(&p);
        }
    }
    ax__h1_scan_force_scalar(false);
}
