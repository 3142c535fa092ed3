/*
 * The table: valid and invalid messages, each with the transcript the parser
 * must produce (see feed.h) or the status it must fail with. Every message is
 * fed whole, byte by byte, in 16-byte pieces and split in two at every
 * position, with the unread bytes always ending at a guard page, through both
 * the vector scanners and the plain C ones. The strictness and smuggling
 * rules have a test each in test_strict.c.
 */
#include <stdio.h>
#include <string.h>

#include "axle/http1.h"
#include "http1/feed.h"
#include "http1/scan.h"
#include "support/suite.h"

AX_SUITE(h1_table);

typedef struct h1_case {
    const char *name;
    ax_h1_kind kind;
    const char *method; /* responses: the request's method */
    bool eof;
    const char *in;
    const char *want;
} h1_case;

#define REQ AX_H1_REQUESTS
#define RSP AX_H1_RESPONSES

static const h1_case cases[] = {
    /* ---- requests ---- */
    {"minimal", REQ, NULL, false, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "REQ GET / 11 Host=a|END|"},
    {"ows trimmed", REQ, NULL, false,
     "GET /x?y=1 HTTP/1.1\r\nHost:a\r\nX-A: \t v a l \t \r\nX-B:\r\n\r\n",
     "REQ GET /x?y=1 11 Host=a X-A=v a l X-B=|END|"},
    {"content-length body", REQ, NULL, false,
     "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
     "REQ POST /p 11 Host=a Content-Length=5|DATA:hello|END|"},
    {"content-length 0", REQ, NULL, false,
     "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
     "REQ POST /p 11 Host=a Content-Length=0|END|"},
    {"identical content-length list", REQ, NULL, false,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc",
     "REQ POST / 11 Host=a Content-Length=3, 3 Content-Length=3|DATA:abc|END|"},
    {"chunked with extensions and trailers", REQ, NULL, false,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
     "5;name=value;q=\"x y\"\r\nhello\r\n1A \t;e\r\nabcdefghijklmnopqrstuvwxyz\r\n"
     "0\r\nX-Sum: 1\r\nX-T:  2 \r\n\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|"
     "DATA:helloabcdefghijklmnopqrstuvwxyz|TRL X-Sum=1 X-T=2|END|"},
    {"chunk extensions: every form the grammar allows", REQ, NULL, false,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
     "3 ; a = \"q\\\"x;y\" ; b ;c=d\t;e=\"\"\r\nabc\r\n0;f\r\n\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|DATA:abc|END|"},
    {"chunked without trailers", REQ, NULL, false,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=gzip, chunked|DATA:abc|END|"},
    {"pipelined", REQ, NULL, false,
     "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
     "GET /3 HTTP/1.0\r\n\r\n",
     "REQ GET /1 11 Host=a|END|REQ POST /2 11 Host=a Content-Length=2|DATA:hi|END|REQ GET /3 10|END|"},
    {"empty lines before the request-line", REQ, NULL, false,
     "\r\n\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "REQ GET / 11 Host=a|END|"},
    {"bare LF line ends", REQ, NULL, false, "GET / HTTP/1.1\nHost: a\n\n",
     "REQ GET / 11 Host=a|END|"},
    {"HTTP/1.0 without Host", REQ, NULL, false, "GET / HTTP/1.0\r\n\r\n", "REQ GET / 10|END|"},
    {"HTTP/1.2 read as 1.1", REQ, NULL, false, "GET / HTTP/1.2\r\nHost: a\r\n\r\n",
     "REQ GET / 11 Host=a|END|"},
    {"asterisk-form", REQ, NULL, false, "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
     "REQ OPTIONS * 11 Host=a|END|"},
    {"authority-form", REQ, NULL, false,
     "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
     "REQ CONNECT example.com:443 11 Host=example.com:443|END|"},
    {"absolute-form", REQ, NULL, false,
     "GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n",
     "REQ GET http://example.com/a?b 11 Host=example.com|END|"},
    {"obs-text in a value", REQ, NULL, false, "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n",
     "REQ GET / 11 Host=a X=caf\xc3\xa9|END|"},
    {"h2 preface", REQ, NULL, false, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04",
     "H2|"},
    {"closed between requests", REQ, NULL, true, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
     "REQ GET / 11 Host=a|END|CLOSED|"},
    {"closed inside a head", REQ, NULL, true, "GET / HTTP/1.1\r\nHost: a\r\n", "ERR 400|"},
    {"closed inside a body", REQ, NULL, true,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel", "REQ POST / 11 Host=a Content-Length=5|DATA:hel|ERR 400|"},

    /* ---- responses ---- */
    {"response with length", RSP, "GET", false,
     "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", "RESP 11 200 OK Content-Length=3|DATA:abc|END|"},
    {"response chunked", RSP, "GET", false,
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n",
     "RESP 11 200 OK Transfer-Encoding=chunked|DATA:Wikipedia|END|"},
    {"response until close", RSP, "GET", true, "HTTP/1.1 200 OK\r\n\r\nall of it",
     "RESP 11 200 OK|DATA:all of it|END|CLOSED|"},
    {"response to HEAD", RSP, "HEAD", false,
     "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
     "RESP 11 200 OK Content-Length=10|END|RESP 11 204 No Content|END|"},
    {"204 and 304 have no body", RSP, "GET", false,
     "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
     "RESP 11 204 No Content Content-Length=5|END|RESP 11 304 Not Modified Content-Length=5|END|"},
    {"1xx before the final response", RSP, "POST", false,
     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
     "INFO 11 100 Continue|INFO 11 103 Early Hints Link=</s.css>|RESP 11 200 OK Content-Length=2|DATA:ok|END|"},
    {"101 switches", RSP, "GET", false,
     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello",
     "INFO 11 101 Switching Protocols Upgrade=websocket Connection=Upgrade|PAUSED|"},
    {"2xx to CONNECT is a tunnel", RSP, "CONNECT", false,
     "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01", "RESP 11 200 Connection established|PAUSED|"},
    {"non-2xx to CONNECT has a body", RSP, "CONNECT", false,
     "HTTP/1.1 407 Auth\r\nContent-Length: 1\r\n\r\nx", "RESP 11 407 Auth Content-Length=1|DATA:x|END|"},
    {"obs-fold replaced in a response", RSP, "GET", false,
     "HTTP/1.1 200 OK\r\nX: a\r\n  b\r\n\tc\r\nY:\r\n d\r\nContent-Length: 0\r\n\r\n",
     "RESP 11 200 OK X=a    b  \tc Y=d Content-Length=0|END|"},
    {"TE and CL in a response: chunked", RSP, "GET", false,
     "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
     "RESP 11 200 OK Content-Length=100 Transfer-Encoding=chunked|DATA:x|END|"},
    {"TE not chunked in a response: until close", RSP, "GET", true,
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzz", "RESP 11 200 OK Transfer-Encoding=gzip|DATA:zzz|END|CLOSED|"},
    {"status line without reason", RSP, "GET", false, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
     "RESP 11 200  Content-Length=0|END|"},
    {"status line with empty reason", RSP, "GET", false, "HTTP/1.0 404 \r\nContent-Length: 0\r\n\r\n",
     "RESP 10 404  Content-Length=0|END|"},
    {"pipelined responses", RSP, "GET", false,
     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\nT: 1\r\n\r\n",
     "RESP 11 200 OK Content-Length=1|DATA:a|END|RESP 11 200 OK Transfer-Encoding=chunked|DATA:b|TRL T=1|END|"},
    {"TE in an HTTP/1.0 response", RSP, "GET", false,
     "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "ERR 502|"},
    {"two-digit status", RSP, "GET", false, "HTTP/1.1 20 OK\r\n\r\n", "ERR 502|"},
    {"status 099", RSP, "GET", false, "HTTP/1.1 099 OK\r\n\r\n", "ERR 502|"},
    {"bad CL in a response", RSP, "GET", false, "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "ERR 502|"},
    {"HTTP/2.0 response", RSP, "GET", false, "HTTP/2.0 200 OK\r\n\r\n", "ERR 502|"},
    {"control byte in a reason", RSP, "GET", false, "HTTP/1.1 200 O\x01K\r\n\r\n", "ERR 502|"},
    {"response cut short", RSP, "GET", true, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
     "RESP 11 200 OK Content-Length=5|DATA:ab|ERR 502|"},
};

/* The preface case has bytes after a NUL: strlen would stop early. */
static size_t case_len(const h1_case *c)
{
    if (strcmp(c->name, "h2 preface") == 0)
        return 28;
    return strlen(c->in);
}

static void run_all(size_t c_first, size_t c_step, const char *how)
{
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const h1_case *c = &cases[k];
        char out[4096];
        h1_feed f = {c->kind, c->method, c->eof, NULL};
        h1_feed_run(&f, c->in, case_len(c), c_first, c_step, out, sizeof(out));
        cr_assert_str_eq(out, c->want, "%s (%s, %s scanners)\n got: %s\nwant: %s", c->name, how,
                         ax__h1_scan_level() == 0 ? "plain C" : "vector", out, c->want);
    }
}

static void run_splits(void)
{
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const h1_case *c = &cases[k];
        size_t len = case_len(c);
        for (size_t at = 1; at < len; at++) {
            char out[4096];
            char how[64];
            snprintf(how, sizeof(how), "split at %zu", at);
            h1_feed f = {c->kind, c->method, c->eof, NULL};
            h1_feed_run(&f, c->in, len, at, len, out, sizeof(out));
            cr_assert_str_eq(out, c->want, "%s (%s, %s scanners)\n got: %s\nwant: %s", c->name, how,
                             ax__h1_scan_level() == 0 ? "plain C" : "vector", out, c->want);
        }
    }
}

Test(h1_table, whole)
{
    run_all(0, 0, "whole");
    ax__h1_scan_force_scalar(true);
    run_all(0, 0, "whole");
    ax__h1_scan_force_scalar(false);
}

Test(h1_table, byte_by_byte)
{
    run_all(0, 1, "byte by byte");
    ax__h1_scan_force_scalar(true);
    run_all(0, 1, "byte by byte");
    ax__h1_scan_force_scalar(false);
}

Test(h1_table, sixteen_byte_pieces)
{
    run_all(0, 16, "16-byte pieces");
    ax__h1_scan_force_scalar(true);
    run_all(0, 16, "16-byte pieces");
    ax__h1_scan_force_scalar(false);
}

Test(h1_table, every_split)
{
    run_splits();
    ax__h1_scan_force_scalar(true);
    run_splits();
    ax__h1_scan_force_scalar(false);
}

Test(h1_table, vector_scanners_in_use)
{
#if defined(__x86_64__)
    cr_assert_geq(ax__h1_scan_level(), 1, "x86-64 always has SSE2");
#endif
    ax__h1_scan_force_scalar(true);
    cr_assert_eq(ax__h1_scan_level(), 0);
    ax__h1_scan_force_scalar(false);
}
