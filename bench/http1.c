/*
 * HTTP/1.1 parsing: axle's parser against llhttp and joyent http-parser, when
 * installed (mk/bench-peers.sh), over each message of ../shared/corpus/http/
 * (AXLE_CORPUS overrides the corpus directory).
 *
 * A message is parsed whole: head, then body framing (Content-Length bodies
 * delivered, chunked bodies decoded), to its end. Every parser keeps one
 * instance across messages (a kept-alive connection) and gives the caller the
 * same information: method, target, status, reason, version and every field's
 * name and value as spans of the input, and the body bytes. axle records the
 * spans itself; the peers' callbacks store (pointer, length) into a table, the
 * least work that gets the caller the same.
 *
 * Each message is fed three ways: the whole buffer at once, 16-byte pieces and
 * 1-byte pieces. Pieces are windows of the same buffer (a receive buffer that
 * fills up), so no parser pays for copying. axle's driver is a server's read
 * loop: each call passes the unconsumed bytes plus what has arrived, and only
 * a NEED_DATA sends it back for the next piece (so a DATA event that took
 * everything is followed by a call with nothing new, which a server must make
 * to learn that the message has ended). The peers get each piece once, in one
 * execute call, and report through their callbacks. Subjects are interleaved round by
 * round (bench.h) and medians printed; "x llhttp" is axle's rate over
 * llhttp's, and "/whole" the piece rate over axle's whole-buffer rate.
 *
 * AXLE_H1_SCALAR=1 runs axle with the plain C scanners; AXLE_H1_ONLY=text
 * measures only the messages whose file name contains text.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axle/http1.h"
#include "bench.h"
#include "http1/scan.h"

#ifdef AX_HAVE_LLHTTP
#include <llhttp.h>
#endif
/* http_parser.h and llhttp.h cannot share a translation unit (both define
 * HTTP_STATUS_*, HPE_*, HTTP_REQUEST ...), and a benchmark is one file. So
 * http-parser 2.x is reached through the few entry points it exports, with
 * its parser object as opaque storage (32 bytes in 2.9; 64 reserved) and its
 * settings as the table of ten callbacks its header lays out. */
#ifdef AX_HAVE_HTTP_PARSER
typedef struct hp_parser {
    _Alignas(16) unsigned char opaque[64];
} hp_parser;
typedef int (*hp_cb)(hp_parser *);
typedef int (*hp_data_cb)(hp_parser *, const char *, size_t);
typedef struct hp_settings {
    hp_cb on_message_begin;
    hp_data_cb on_url, on_status, on_header_field, on_header_value;
    hp_cb on_headers_complete;
    hp_data_cb on_body;
    hp_cb on_message_complete, on_chunk_header, on_chunk_complete;
} hp_settings;
void http_parser_init(hp_parser *parser, int type); /* 0 request, 1 response */
size_t http_parser_execute(hp_parser *parser, const hp_settings *settings, const char *data,
                           size_t len);
void http_parser_pause(hp_parser *parser, int paused);
#endif

#define ROUNDS 15
#define TARGET_NS 20000000u /* ~20 ms of work per round */

typedef struct msg {
    char name[64];
    unsigned char *data;
    size_t len;
    bool response;
    size_t reps; /* messages per round */
} msg;

typedef struct job {
    msg *m;
    size_t piece; /* 0: whole */
} job;

static volatile size_t sink;

/* ---- axle ---------------------------------------------------------------- */

static ax_h1_parser axp;
static bool axp_response;

static size_t axle_one(const msg *m, size_t piece)
{
    size_t consumed = 0, given = piece == 0 ? m->len : 0, body = 0, fields = 0;
    for (;;) {
        ax_h1_event ev;
        int rc = ax_h1_parser_next(&axp, m->data + consumed, given - consumed, &ev);
        if (rc < 0) {
            fprintf(stderr, "axle: %s on %s\n", ax_h1_parser_error(&axp)->reason, m->name);
            exit(1);
        }
        consumed += (size_t)rc;
        switch (ev.type) {
        case AX_H1_EV_NEED_DATA:
            given = given + piece < m->len ? given + piece : m->len;
            break;
        case AX_H1_EV_REQUEST:
        case AX_H1_EV_RESPONSE:
            fields += ev.head->nheaders;
            break;
        case AX_H1_EV_DATA:
            body += ev.data.len;
            break;
        case AX_H1_EV_END:
            if (axp_response)
                ax_h1_parser_expect(&axp, ax_slice_make("GET", 3));
            return body + fields;
        default:
            break;
        }
    }
}

static double axle_round(void *ctx)
{
    job *j = ctx;
    uint64_t t0 = bench_now_ns();
    size_t s = 0;
    for (size_t r = 0; r < j->m->reps; r++)
        s += axle_one(j->m, j->piece);
    sink = s;
    return bench_rate((double)j->m->reps, bench_now_ns() - t0);
}

/* ---- spans recorded by the peers' callbacks ----------------------------- */

typedef struct span {
    const char *at;
    size_t len;
} span;

typedef struct spans {
    span url, status, field[128], value[128];
    size_t nfield, nvalue;
    size_t body;
    int last; /* 1 field, 2 value: a callback continuing the same span */
    bool done;
} spans;

static spans sp;

static void extend(span *s, const char *at, size_t len, bool cont)
{
    if (cont)
        s->len += len;
    else {
        s->at = at;
        s->len = len;
    }
}

static void on_field(const char *at, size_t len)
{
    if (sp.last != 1 && sp.nfield < 128)
        sp.nfield++;
    extend(&sp.field[sp.nfield - 1], at, len, sp.last == 1);
    sp.last = 1;
}

static void on_value(const char *at, size_t len)
{
    if (sp.last != 2 && sp.nvalue < 128)
        sp.nvalue++;
    extend(&sp.value[sp.nvalue - 1], at, len, sp.last == 2);
    sp.last = 2;
}

static void on_begin(void)
{
    sp.nfield = sp.nvalue = 0;
    sp.last = 0;
    sp.body = 0;
    sp.url.len = sp.status.len = 0;
    sp.done = false;
}

/* ---- llhttp -------------------------------------------------------------- */

#ifdef AX_HAVE_LLHTTP
static llhttp_t llp;
static llhttp_settings_t lls;

static int ll_begin(llhttp_t *p) { (void)p; on_begin(); return 0; }
static int ll_url(llhttp_t *p, const char *at, size_t n) { (void)p; extend(&sp.url, at, n, sp.url.len > 0); return 0; }
static int ll_status(llhttp_t *p, const char *at, size_t n) { (void)p; extend(&sp.status, at, n, sp.status.len > 0); return 0; }
static int ll_field(llhttp_t *p, const char *at, size_t n) { (void)p; on_field(at, n); return 0; }
static int ll_value(llhttp_t *p, const char *at, size_t n) { (void)p; on_value(at, n); return 0; }
static int ll_body(llhttp_t *p, const char *at, size_t n) { (void)p; (void)at; sp.body += n; return 0; }
static int ll_complete(llhttp_t *p) { (void)p; sp.done = true; return HPE_PAUSED; }

static void ll_init(bool response)
{
    llhttp_settings_init(&lls);
    lls.on_message_begin = ll_begin;
    lls.on_url = ll_url;
    lls.on_status = ll_status;
    lls.on_header_field = ll_field;
    lls.on_header_value = ll_value;
    lls.on_body = ll_body;
    lls.on_message_complete = ll_complete;
    llhttp_init(&llp, response ? HTTP_RESPONSE : HTTP_REQUEST, &lls);
}

static size_t ll_one(const msg *m, size_t piece)
{
    size_t off = 0, step = piece == 0 ? m->len : piece;
    while (!sp.done && off < m->len) {
        size_t n = m->len - off < step ? m->len - off : step;
        llhttp_errno_t e = llhttp_execute(&llp, (const char *)m->data + off, n);
        if (e == HPE_PAUSED) {
            llhttp_resume(&llp);
            break;
        }
        if (e != HPE_OK) {
            fprintf(stderr, "llhttp: %s on %s\n", llhttp_errno_name(e), m->name);
            exit(1);
        }
        off += n;
    }
    sp.done = false;
    return sp.body + sp.nvalue;
}

static double ll_round(void *ctx)
{
    job *j = ctx;
    uint64_t t0 = bench_now_ns();
    size_t s = 0;
    for (size_t r = 0; r < j->m->reps; r++)
        s += ll_one(j->m, j->piece);
    sink = s;
    return bench_rate((double)j->m->reps, bench_now_ns() - t0);
}
#endif

/* ---- joyent http-parser -------------------------------------------------- */

#ifdef AX_HAVE_HTTP_PARSER
static hp_parser hpp;
static hp_settings hps;

static int hp_begin(hp_parser *p) { (void)p; on_begin(); return 0; }
static int hp_url(hp_parser *p, const char *at, size_t n) { (void)p; extend(&sp.url, at, n, sp.url.len > 0); return 0; }
static int hp_status(hp_parser *p, const char *at, size_t n) { (void)p; extend(&sp.status, at, n, sp.status.len > 0); return 0; }
static int hp_field(hp_parser *p, const char *at, size_t n) { (void)p; on_field(at, n); return 0; }
static int hp_value(hp_parser *p, const char *at, size_t n) { (void)p; on_value(at, n); return 0; }
static int hp_body(hp_parser *p, const char *at, size_t n) { (void)p; (void)at; sp.body += n; return 0; }
static int hp_complete(hp_parser *p) { sp.done = true; http_parser_pause(p, 1); return 0; }

static void hp_init(bool response)
{
    memset(&hps, 0, sizeof(hps));
    hps.on_message_begin = hp_begin;
    hps.on_url = hp_url;
    hps.on_status = hp_status;
    hps.on_header_field = hp_field;
    hps.on_header_value = hp_value;
    hps.on_body = hp_body;
    hps.on_message_complete = hp_complete;
    http_parser_init(&hpp, response ? 1 : 0);
}

/* Pausing in on_message_complete makes execute stop right after the message;
 * anything else short of n is an error. */
static size_t hp_one(const msg *m, size_t piece)
{
    size_t off = 0, step = piece == 0 ? m->len : piece;
    while (!sp.done && off < m->len) {
        size_t n = m->len - off < step ? m->len - off : step;
        size_t k = http_parser_execute(&hpp, &hps, (const char *)m->data + off, n);
        if (sp.done) {
            http_parser_pause(&hpp, 0);
            break;
        }
        if (k != n) {
            fprintf(stderr, "http-parser: error on %s\n", m->name);
            exit(1);
        }
        off += n;
    }
    sp.done = false;
    return sp.body + sp.nvalue;
}

static double hp_round(void *ctx)
{
    job *j = ctx;
    uint64_t t0 = bench_now_ns();
    size_t s = 0;
    for (size_t r = 0; r < j->m->reps; r++)
        s += hp_one(j->m, j->piece);
    sink = s;
    return bench_rate((double)j->m->reps, bench_now_ns() - t0);
}
#endif

/* ---- the corpus ---------------------------------------------------------- */

static bool load(const char *dir, const char *name, msg *m)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/http/%s", dir, name);
    m->data = (unsigned char *)bench_read_file(path, &m->len);
    if (m->data == NULL)
        return false;
    snprintf(m->name, sizeof(m->name), "%s", name);
    m->response = strncmp(name, "resp", 4) == 0;
    return true;
}

static void bench_message(msg *m)
{
    int rc = ax_h1_parser_init(&axp, m->response ? AX_H1_RESPONSES : AX_H1_REQUESTS, NULL);
    if (rc < 0)
        exit(1);
    axp_response = m->response;
    if (m->response)
        ax_h1_parser_expect(&axp, ax_slice_make("GET", 3));
#ifdef AX_HAVE_LLHTTP
    ll_init(m->response);
#endif
#ifdef AX_HAVE_HTTP_PARSER
    hp_init(m->response);
#endif
    /* Calibrate: enough whole-buffer messages for ~TARGET_NS per round. */
    m->reps = 1000;
    job probe = {m, 0};
    double rate = axle_round(&probe);
    m->reps = (size_t)(rate * TARGET_NS / 1e9);
    if (m->reps < 100)
        m->reps = 100;

    static const size_t pieces[] = {0, 16, 1};
    double axle_whole = 0;
    for (size_t k = 0; k < 3; k++) {
        size_t saved = m->reps;
        if (pieces[k] == 1)
            m->reps = saved / 8 + 1; /* byte by byte is slower: keep rounds short */
        job j = {m, pieces[k]};
        bench_round_fn fns[3];
        void *ctxs[3];
        size_t n = 0;
        fns[n] = axle_round;
        ctxs[n++] = &j;
#ifdef AX_HAVE_LLHTTP
        fns[n] = ll_round;
        ctxs[n++] = &j;
#endif
#ifdef AX_HAVE_HTTP_PARSER
        fns[n] = hp_round;
        ctxs[n++] = &j;
#endif
        double med[3] = {0, 0, 0};
        bench_interleave(fns, ctxs, n, ROUNDS, med);
        if (pieces[k] == 0)
            axle_whole = med[0];
        const char *how = pieces[k] == 0 ? "whole" : pieces[k] == 16 ? "16-byte" : "1-byte";
        printf("  %-22s %-8s axle %8.0f msg/s %7.1f MB/s", m->name, how, med[0],
               med[0] * (double)m->len / 1e6);
        size_t s = 1;
#ifdef AX_HAVE_LLHTTP
        printf(" | llhttp %8.0f msg/s  %5.2fx llhttp", med[s], med[0] / med[s]);
        s++;
#endif
#ifdef AX_HAVE_HTTP_PARSER
        printf(" | http-parser %8.0f msg/s  %5.2fx", med[s], med[0] / med[s]);
#endif
        if (pieces[k] != 0)
            printf(" | %.2f /whole", axle_whole / med[0]);
        printf("\n");
        m->reps = saved;
    }
    ax_h1_parser_free(&axp);
}

int main(void)
{
    const char *dir = bench_corpus_root();
    static const char *names[] = {"req_minimal_get.http", "req_curl_get.http",
                                  "req_browser_get.http", "pico_bench_req.http",
                                  "req_post_json.http",   "resp_many_headers.http",
                                  "resp_chunked.http"};
    const char *s = getenv("AXLE_H1_SCALAR");
    if (s != NULL && s[0] == '1')
        ax__h1_scan_force_scalar(true);
    printf("http1: messages parsed per second, median of %d rounds (scanners: %s)\n", ROUNDS,
           ax__h1_scan_level() == 3 ? "AVX2+SSSE3" : ax__h1_scan_level() == 2 ? "SSSE3" : ax__h1_scan_level() == 1 ? "SSE2" : "plain C");
#ifndef AX_HAVE_LLHTTP
    printf("llhttp: not installed, comparator skipped\n");
#endif
#ifndef AX_HAVE_HTTP_PARSER
    printf("http-parser: not installed, comparator skipped\n");
#endif
    const char *only = getenv("AXLE_H1_ONLY");
    int found = 0;
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        msg m;
        if (only != NULL && strstr(names[k], only) == NULL)
            continue;
        if (!load(dir, names[k], &m))
            continue;
        found++;
        bench_message(&m);
        free(m.data);
    }
    if (found == 0)
        printf("no corpus at %s/http: nothing to measure\n", dir);
    return 0;
}
