#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "axle/net.h"
#include "net/stream_internal.h"
#include "support/suite.h"
#include "support/test_alloc.h"

AX_SUITE(stream);

/* ---- helpers ------------------------------------------------------------- */

static ax_loop *new_loop(void)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    return loop;
}

static void on_watchdog(ax_timer *t, void *ud)
{
    (void)t;
    *(bool *)ud = true;
}

/* Runs the loop until *done or a watchdog of ms fires (a failure). */
static void run_until(ax_loop *loop, const bool *done, uint64_t ms)
{
    bool expired = false;
    ax_timer t;
    ax_timer_init(loop, &t);
    ax_timer_start(&t, ms, 0, on_watchdog, &expired);
    while (!*done && !expired)
        cr_assert_geq(ax_loop_run(loop, AX_RUN_ONCE), 0);
    ax_timer_stop(&t);
    cr_assert(*done, "timed out after %llu ms", (unsigned long long)ms);
}

/* Runs until nothing is active (all streams closed), bounded. */
static void run_out(ax_loop *loop)
{
    bool expired = false;
    ax_timer t;
    ax_timer_init(loop, &t);
    ax_timer_start(&t, 5000, 0, on_watchdog, &expired);
    for (;;) {
        int rc = ax_loop_run(loop, AX_RUN_ONCE);
        cr_assert_geq(rc, 0);
        if (expired)
            cr_assert_fail("loop did not wind down");
        /* only the watchdog left? */
        ax_timer_stop(&t);
        rc = ax_loop_run(loop, AX_RUN_NOWAIT);
        if (rc == 0)
            break;
        ax_timer_start(&t, 5000, 0, on_watchdog, &expired);
    }
    cr_assert_eq(ax_loop_free(loop), 0);
}

/* A blocking connect (the listener's backlog completes it), then
 * non-blocking. */
static int dial(const ax_addr *a)
{
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    cr_assert_eq(connect(fd, (const struct sockaddr *)&a->ss, a->len), 0, "%s",
                 strerror(errno));
    cr_assert_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    return fd;
}

static unsigned char pattern(uint64_t i)
{
    return (unsigned char)((i * 31 + (i >> 8) * 7 + (i >> 16)) & 0xff);
}

static void fill_pattern(unsigned char *p, size_t n, uint64_t off)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(off + i);
}

/* A connected pair of streams over a listener on addr text. */
struct side {
    ax_stream *s;
    size_t got;
    unsigned char *buf;   /* collected bytes, when buf_cap > 0 */
    size_t buf_cap;
    uint64_t verify_off;  /* pattern check offset, when verify */
    bool verify;
    bool bad;
    int end;              /* the on_read end status, 0 if none yet */
    int errors;
    int error_status;
    int drains;
    int closes;
    bool echo;
    bool close_on_read;
    bool in_close_call;
    bool close_inside;    /* on_close ran from inside ax_stream_close */
    size_t want;          /* done when got >= want */
    bool *done;
};

static void side_read(ax_stream *s, int status, const ax_bytes *d, void *ud)
{
    struct side *x = ud;
    if (status < 0) {
        cr_assert_eq(d->len, 0);
        x->end = status;
        if (x->done != NULL && x->want == 0)
            *x->done = true;
        return;
    }
    if (x->buf_cap > 0) {
        cr_assert_leq(x->got + d->len, x->buf_cap);
        memcpy(x->buf + x->got, d->ptr, d->len);
    }
    if (x->verify) {
        for (size_t i = 0; i < d->len; i++)
            if (d->ptr[i] != pattern(x->verify_off + x->got + i))
                x->bad = true;
    }
    x->got += d->len;
    if (x->echo) {
        ax_bytes c = ax_bytes_clone(d);
        cr_assert_geq(ax_stream_write(s, &c), 0);
    }
    if (x->close_on_read) {
        x->in_close_call = true;
        ax_stream_close(s);
        x->in_close_call = false;
        return;
    }
    if (x->done != NULL && x->want > 0 && x->got >= x->want)
        *x->done = true;
}

static void side_drain(ax_stream *s, void *ud)
{
    (void)s;
    struct side *x = ud;
    x->drains++;
}

static void side_error(ax_stream *s, int status, void *ud)
{
    (void)s;
    struct side *x = ud;
    x->errors++;
    x->error_status = status;
}

static void side_close(ax_stream *s, void *ud)
{
    (void)s;
    struct side *x = ud;
    x->closes++;
    if (x->in_close_call)
        x->close_inside = true;
}

static const ax_stream_callbacks side_cb = {side_read, side_drain, side_error,
                                            side_close};

struct server {
    ax_loop *loop;
    ax_stream_options opt;
    struct side *sides;   /* one per accepted connection, in order */
    size_t n, cap;
    int accept_errors;
};

static void on_accept(ax_listener *l, int status, int fd, void *ud)
{
    (void)l;
    struct server *sv = ud;
    if (status < 0) {
        sv->accept_errors++;
        return;
    }
    cr_assert_lt(sv->n, sv->cap, "more connections than expected");
    struct side *x = &sv->sides[sv->n++];
    cr_assert_eq(ax_stream_open(sv->loop, fd, &sv->opt, &side_cb, x, &x->s), 0);
    cr_assert_eq(ax_stream_read_start(x->s), 0);
}

static int listen_on(ax_loop *loop, const char *text, struct server *sv,
                     ax_listener **l, ax_addr *bound)
{
    ax_addr a;
    cr_assert_eq(ax_addr_parse(text, &a), 0);
    int rc = ax_listener_new(loop, &a, NULL, on_accept, sv, l);
    if (rc < 0)
        return rc;
    cr_assert_eq(ax_listener_addr(*l, bound), 0);
    return 0;
}

static ax_stream *open_client(ax_loop *loop, const ax_addr *a, struct side *x,
                              const ax_stream_options *o)
{
    ax_stream *s;
    cr_assert_eq(ax_stream_open(loop, dial(a), o, &side_cb, x, &s), 0);
    x->s = s;
    cr_assert_eq(ax_stream_read_start(s), 0);
    return s;
}

/* Accept what is pending. */
static void accept_n(ax_loop *loop, struct server *sv, size_t n)
{
    bool expired = false;
    ax_timer t;
    ax_timer_init(loop, &t);
    ax_timer_start(&t, 5000, 0, on_watchdog, &expired);
    while (sv->n < n && !expired)
        ax_loop_run(loop, AX_RUN_ONCE);
    ax_timer_stop(&t);
    cr_assert_eq(sv->n, n, "accepted %zu of %zu", sv->n, n);
}

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/axle-net-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

/* ---- echo over every family --------------------------------------------- */

Test(stream, echo_ipv4_ipv6_unix_one_loop)
{
    ax_loop *loop = new_loop();
    make_tmpdir();
    char unix_text[128];
    snprintf(unix_text, sizeof(unix_text), "unix:%s/echo.sock", tmpdir);
    const char *texts[3] = {"127.0.0.1:0", "[::1]:0", unix_text};
    struct side ssides[3][1];
    struct server sv[3];
    ax_listener *l[3] = {NULL, NULL, NULL};
    ax_addr bound[3];
    struct side cl[3];
    memset(ssides, 0, sizeof(ssides));
    memset(cl, 0, sizeof(cl));
    bool done[3] = {false, false, false};
    static const char *msg[3] = {"hello over IPv4", "hello over IPv6!", "hello, Unix"};
    unsigned char bufs[3][64];
    bool have[3];
    for (int i = 0; i < 3; i++) {
        memset(&sv[i], 0, sizeof(sv[i]));
        sv[i].loop = loop;
        ax_stream_options_init(&sv[i].opt);
        sv[i].sides = ssides[i];
        sv[i].cap = 1;
        ssides[i][0].echo = true;
        int rc = listen_on(loop, texts[i], &sv[i], &l[i], &bound[i]);
        have[i] = rc == 0;
        if (i == 1 && !have[i]) {
            cr_log_warn("::1 unavailable (%s): IPv6 part skipped", ax_strerror(rc));
            continue;
        }
        cr_assert_eq(rc, 0, "%s: %s", texts[i], ax_strerror(rc));
        if (i < 2)
            cr_assert_gt(ax_addr_port(&bound[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        if (!have[i]) {
            done[i] = true;
            continue;
        }
        cl[i].buf = bufs[i];
        cl[i].buf_cap = sizeof(bufs[i]);
        cl[i].want = strlen(msg[i]);
        cl[i].done = &done[i];
        open_client(loop, &bound[i], &cl[i], NULL);
        cr_assert_eq(ax_stream_write_copy(cl[i].s, msg[i], strlen(msg[i])), 0);
    }
    bool all = false;
    bool expired = false;
    ax_timer t;
    ax_timer_init(loop, &t);
    ax_timer_start(&t, 5000, 0, on_watchdog, &expired);
    while (!all && !expired) {
        ax_loop_run(loop, AX_RUN_ONCE);
        all = done[0] && done[1] && done[2];
    }
    ax_timer_stop(&t);
    cr_assert(all, "echo timed out");
    for (int i = 0; i < 3; i++) {
        if (!have[i])
            continue;
        cr_assert_eq(cl[i].got, strlen(msg[i]));
        cr_assert_eq(memcmp(bufs[i], msg[i], strlen(msg[i])), 0);
        ax_addr peer, local;
        cr_assert_eq(ax_stream_peer_addr(cl[i].s, &peer), 0);
        cr_assert_eq(ax_stream_local_addr(cl[i].s, &local), 0);
        cr_assert_eq(peer.ss.ss_family, bound[i].ss.ss_family);
        if (i < 2)
            cr_assert_eq(ax_addr_port(&peer), ax_addr_port(&bound[i]));
        ax_stream_close(cl[i].s);
        ax_stream_close(ssides[i][0].s);
        ax_listener_free(l[i]);
    }
    char path[128];
    snprintf(path, sizeof(path), "%s/echo.sock", tmpdir);
    struct stat st;
    cr_assert_neq(stat(path, &st), 0, "the Unix socket path was not unlinked");
    run_out(loop);
    for (int i = 0; i < 3; i++) {
        if (!have[i])
            continue;
        cr_assert_eq(cl[i].closes, 1);
        cr_assert_eq(ssides[i][0].closes, 1);
    }
    rmdir(tmpdir);
}

/* ---- 1,000 connections --------------------------------------------------- */

#define MANY 1000
#define MANY_BYTES 2000

Test(stream, thousand_connections, .timeout = 60)
{
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rlim_t need = 2 * MANY + 64;
    if (rl.rlim_cur < need) {
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
            cr_skip_test("RLIMIT_NOFILE hard limit %llu < %llu",
                         (unsigned long long)rl.rlim_max, (unsigned long long)need);
        }
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? need : rl.rlim_max;
        cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    ax_loop *loop = new_loop();
    struct side *ss = calloc(MANY, sizeof(*ss));
    struct side *cs = calloc(MANY, sizeof(*cs));
    cr_assert_not_null(ss);
    cr_assert_not_null(cs);
    struct server sv;
    memset(&sv, 0, sizeof(sv));
    sv.loop = loop;
    ax_stream_options_init(&sv.opt);
    sv.sides = ss;
    sv.cap = MANY;
    for (size_t i = 0; i < MANY; i++)
        ss[i].echo = true;
    ax_listener *l;
    ax_addr bound;
    cr_assert_eq(listen_on(loop, "127.0.0.1:0", &sv, &l, &bound), 0);
    size_t finished = 0;
    bool done = false;
    unsigned char *msg = malloc(MANY_BYTES);
    cr_assert_not_null(msg);
    fill_pattern(msg, MANY_BYTES, 0);
    /* Connect in chunks below the backlog, letting the loop accept. */
    bool *dones = calloc(MANY, sizeof(bool));
    cr_assert_not_null(dones);
    for (size_t i = 0; i < MANY; i++) {
        cs[i].want = MANY_BYTES;
        cs[i].verify = true;
        cs[i].done = &dones[i];
        open_client(loop, &bound, &cs[i], NULL);
        cr_assert_eq(ax_stream_write_copy(cs[i].s, msg, MANY_BYTES), 0);
        if (i % 100 == 99)
            accept_n(loop, &sv, i + 1);
    }
    accept_n(loop, &sv, MANY);
    bool expired = false;
    ax_timer t;
    ax_timer_init(loop, &t);
    ax_timer_start(&t, 30000, 0, on_watchdog, &expired);
    while (!done && !expired) {
        ax_loop_run(loop, AX_RUN_ONCE);
        finished = 0;
        for (size_t i = 0; i < MANY; i++)
            finished += dones[i];
        done = finished == MANY;
    }
    ax_timer_stop(&t);
    cr_assert(done, "only %zu of %d connections finished", finished, MANY);
    for (size_t i = 0; i < MANY; i++) {
        cr_assert_not(cs[i].bad, "connection %zu corrupted", i);
        cr_assert_eq(cs[i].got, MANY_BYTES);
        cr_assert_eq(ss[i].got, MANY_BYTES);
        ax_stream_close(cs[i].s);
        ax_stream_close(ss[i].s);
    }
    ax_listener_free(l);
    run_out(loop);
    free(msg);
    free(dones);
    free(ss);
    free(cs);
}

/* ---- 64 MB with small socket buffers ------------------------------------- */

#define BIG ((uint64_t)64 << 20)
#define CHUNK (256 * 1024)

struct producer {
    ax_stream *s;
    uint64_t sent;
    int blocked; /* times write returned 1 */
};

static void produce(struct producer *p)
{
    while (p->sent < BIG) {
        size_t n = BIG - p->sent < CHUNK ? (size_t)(BIG - p->sent) : CHUNK;
        unsigned char *buf = malloc(n);
        cr_assert_not_null(buf);
        fill_pattern(buf, n, p->sent);
        int rc = ax_stream_write_copy(p->s, buf, n);
        free(buf);
        cr_assert_geq(rc, 0);
        p->sent += n;
        if (rc == 1) {
            p->blocked++;
            return;
        }
    }
}

static struct producer *g_producer;

static void producer_drain(ax_stream *s, void *ud)
{
    side_drain(s, ud);
    produce(g_producer);
}

Test(stream, transfer_64mb_small_buffers, .timeout = 120)
{
    ax_loop *loop = new_loop();
    struct side ss[1];
    memset(ss, 0, sizeof(ss));
    bool done = false;
    ss[0].verify = true;
    ss[0].want = BIG;
    ss[0].done = &done;
    struct server sv;
    memset(&sv, 0, sizeof(sv));
    sv.loop = loop;
    ax_stream_options_init(&sv.opt);
    sv.sides = ss;
    sv.cap = 1;
    ax_listener *l;
    ax_addr bound;
    cr_assert_eq(listen_on(loop, "127.0.0.1:0", &sv, &l, &bound), 0);

    struct side cl;
    memset(&cl, 0, sizeof(cl));
    int fd = dial(&bound);
    /* Small enough that every 256 KiB write is partial, big enough that
     * loopback TCP does not crawl (tiny windows stall on delayed ACKs). */
    int small = 32 * 1024;
    cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
    ax_stream_callbacks cb = side_cb;
    cb.on_drain = producer_drain;
    struct producer p = {NULL, 0, 0};
    g_producer = &p;
    cr_assert_eq(ax_stream_open(loop, fd, NULL, &cb, &cl, &p.s), 0);
    cl.s = p.s;
    accept_n(loop, &sv, 1);
    int sfd = ax_stream_fd(ss[0].s);
    int rsmall = 64 * 1024;
    cr_assert_eq(setsockopt(sfd, SOL_SOCKET, SO_RCVBUF, &rsmall, sizeof(rsmall)), 0);
    produce(&p);
    run_until(loop, &done, 60000);
    cr_assert_eq(ss[0].got, BIG);
    cr_assert_not(ss[0].bad, "bytes differ");
    cr_assert_gt(p.blocked, 0, "never hit the high watermark");
    cr_assert_eq(cl.drains, p.blocked);
    cr_assert_eq(ax_stream_queued(p.s), 0);
    ax_stream_close(p.s);
    ax_stream_close(ss[0].s);
    ax_listener_free(l);
    run_out(loop);
}

/* ---- backpressure and read_stop ------------------------------------------ */

Test(stream, backpressure_and_read_stop)
{
    ax_loop *loop = new_loop();
    struct side ss[1];
    memset(ss, 0, sizeof(ss));
    bool done = false;
    struct server sv;
    memset(&sv, 0, sizeof(sv));
    sv.loop = loop;
    ax_stream_options_init(&sv.opt);
    sv.sides = ss;
    sv.cap = 1;
    ax_listener *l;
    ax_addr bound;
    cr_assert_eq(listen_on(loop, "127.0.0.1:0", &sv, &l, &bound), 0);
    struct side cl;
    memset(&cl, 0, sizeof(cl));
    ax_stream_options o;
    ax_stream_options_init(&o);
    o.high_watermark = 64 * 1024;
    o.low_watermark = 16 * 1024;
    ax_stream *c = open_client(loop, &bound, &cl, &o);
    accept_n(loop, &sv, 1);
    cr_assert_eq(ax_stream_read_stop(ss[0].s), 0);

    /* The server reads nothing: the writer must eventually hit the high
     * watermark, however big the kernel's buffers are. */
    unsigned char chunk[16384];
    memset(chunk, 'b', sizeof(chunk));
    size_t written = 0;
    int rc = 0;
    for (int i = 0; i < 100000 && rc == 0; i++) {
        rc = ax_stream_write_copy(c, chunk, sizeof(chunk));
        cr_assert_geq(rc, 0);
        written += sizeof(chunk);
        if (i % 16 == 0)
            ax_loop_run(loop, AX_RUN_NOWAIT);
    }
    cr_assert_eq(rc, 1, "never returned 1");
    cr_assert_gt(ax_stream_queued(c), o.high_watermark);
    /* Still above: another write returns 1 too and is queued. */
    cr_assert_eq(ax_stream_write_copy(c, chunk, sizeof(chunk)), 1);
    written += sizeof(chunk);
    for (int i = 0; i < 20; i++)
        ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(ss[0].got, 0, "read_stop did not stop reads");
    cr_assert_eq(cl.drains, 0);

    ss[0].want = written;
    ss[0].done = &done;
    cr_assert_eq(ax_stream_read_start(ss[0].s), 0);
    run_until(loop, &done, 10000);
    cr_assert_eq(ss[0].got, written);
    cr_assert_eq(cl.drains, 1, "on_drain fired %d times", cl.drains);
    cr_assert_eq(ax_stream_queued(c), 0);
    for (int i = 0; i < 5; i++)
        ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(cl.drains, 1);
    ax_stream_close(c);
    ax_stream_close(ss[0].s);
    cr_assert_eq(ax_stream_read_start(c), AX_ESTATE);
    cr_assert_eq(ax_stream_write_copy(c, "x", 1), AX_ESTATE);
    ax_stream_close(c); /* no-op */
    ax_listener_free(l);
    run_out(loop);
    cr_assert_eq(cl.closes, 1);
}

/* ---- half-close ---------------------------------------------------------- */

static void pair(ax_loop *loop, struct server *sv, struct side *ss, struct side *cl,
                 ax_listener **l)
{
    memset(sv, 0, sizeof(*sv));
    sv->loop = loop;
    ax_stream_options_init(&sv->opt);
    sv->sides = ss;
    sv->cap = 1;
    ax_addr bound;
    cr_assert_eq(listen_on(loop, "127.0.0.1:0", sv, l, &bound), 0);
    open_client(loop, &bound, cl, NULL);
    accept_n(loop, sv, 1);
}

Test(stream, half_close_both_ways)
{
    ax_loop *loop = new_loop();
    struct server sv;
    struct side ss[1], cl;
    memset(ss, 0, sizeof(ss));
    memset(&cl, 0, sizeof(cl));
    ax_listener *l;
    unsigned char sbuf[64], cbuf[64];
    ss[0].buf = sbuf;
    ss[0].buf_cap = sizeof(sbuf);
    cl.buf = cbuf;
    cl.buf_cap = sizeof(cbuf);
    pair(loop, &sv, ss, &cl, &l);

    bool sdone = false;
    ss[0].done = &sdone;
    cr_assert_eq(ax_stream_write_copy(cl.s, "ping", 4), 0);
    cr_assert_eq(ax_stream_shutdown(cl.s), 0);
    cr_assert_eq(ax_stream_write_copy(cl.s, "x", 1), AX_ESTATE);
    run_until(loop, &sdone, 5000);
    cr_assert_eq(ss[0].end, AX_EOF);
    cr_assert_eq(ss[0].got, 4);
    cr_assert_eq(memcmp(sbuf, "ping", 4), 0);

    /* The server can still write; the client still reads. */
    bool cdone = false;
    cl.done = &cdone;
    cr_assert_eq(ax_stream_write_copy(ss[0].s, "pong", 4), 0);
    cr_assert_eq(ax_stream_shutdown(ss[0].s), 0);
    run_until(loop, &cdone, 5000);
    cr_assert_eq(cl.end, AX_EOF);
    cr_assert_eq(cl.got, 4);
    cr_assert_eq(memcmp(cbuf, "pong", 4), 0);
    cr_assert_eq(cl.errors + ss[0].errors, 0);
    ax_stream_close(cl.s);
    ax_stream_close(ss[0].s);
    ax_listener_free(l);
    run_out(loop);
}

/* ---- reset --------------------------------------------------------------- */

Test(stream, abort_resets_peer)
{
    signal(SIGPIPE, SIG_IGN);
    ax_loop *loop = new_loop();
    struct server sv;
    struct side ss[1], cl;
    memset(ss, 0, sizeof(ss));
    memset(&cl, 0, sizeof(cl));
    ax_listener *l;
    pair(loop, &sv, ss, &cl, &l);
    bool done = false;
    cl.done = &done;
    ax_stream_abort(ss[0].s);
    run_until(loop, &done, 5000);
    cr_assert_eq(cl.end, AX_ECONNRESET, "got %s", ax_err_name(cl.end));
    /* Writing to the reset connection fails: on_error once, then ESTATE. */
    int rc = ax_stream_write_copy(cl.s, "x", 1);
    cr_assert(rc == 0 || rc == AX_ESTATE);
    for (int i = 0; i < 5; i++)
        ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(cl.errors, 1);
    cr_assert(cl.error_status == AX_EPIPE || cl.error_status == AX_ECONNRESET,
              "%s", ax_err_name(cl.error_status));
    cr_assert_eq(ax_stream_write_copy(cl.s, "x", 1), AX_ESTATE);
    cr_assert_eq(ax_stream_queued(cl.s), 0);
    ax_stream_close(cl.s);
    ax_listener_free(l);
    run_out(loop);
    cr_assert_eq(cl.errors, 1);
    cr_assert_eq(ss[0].closes, 1);
}

/* ---- sendfile ------------------------------------------------------------ */

/* A file range between two writes arrives in order and byte-exact; with
 * copy, through pread and send instead of sendfile(2). */
static void sendfile_range(bool copy)
{
    ax_loop *loop = new_loop();
    make_tmpdir();
    char path[128];
    snprintf(path, sizeof(path), "%s/file", tmpdir);
    int ffd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    cr_assert_geq(ffd, 0);
    size_t fsize = 3 << 20;
    unsigned char *fdata = malloc(fsize);
    cr_assert_not_null(fdata);
    fill_pattern(fdata, fsize, 12345);
    cr_assert_eq(write(ffd, fdata, fsize), (ssize_t)fsize);

    struct server sv;
    struct side ss[1], cl;
    memset(ss, 0, sizeof(ss));
    memset(&cl, 0, sizeof(cl));
    ax_listener *l;
    off_t off = 4097;
    size_t len = 2500000;
    size_t total = 5 + len + 5 + 5;
    unsigned char *got = malloc(total);
    cr_assert_not_null(got);
    ss[0].buf = got;
    ss[0].buf_cap = total;
    bool done = false;
    ss[0].want = total;
    ss[0].done = &done;
    pair(loop, &sv, ss, &cl, &l);
    if (copy)
        ax__stream_copy_files(cl.s);
    cr_assert_eq(ax_stream_write_copy(cl.s, "HEAD:", 5), 0);
    cr_assert_geq(ax_stream_sendfile(cl.s, ffd, off, len), 0);
    cr_assert_geq(ax_stream_write_copy(cl.s, ":TAIL", 5), 0);
    cr_assert_geq(ax_stream_sendfile(cl.s, ffd, 0, 5), 0);
    cr_assert_eq(ax_stream_sendfile(cl.s, ffd, -1, 5), AX_EINVAL);
    run_until(loop, &done, 10000);
    cr_assert_eq(ss[0].got, total);
    cr_assert_eq(memcmp(got, "HEAD:", 5), 0);
    cr_assert_eq(memcmp(got + 5, fdata + off, len), 0, "file range differs");
    cr_assert_eq(memcmp(got + 5 + len, ":TAIL", 5), 0);
    cr_assert_eq(memcmp(got + 10 + len, fdata, 5), 0);
    ax_stream_close(cl.s);
    ax_stream_close(ss[0].s);
    ax_listener_free(l);
    run_out(loop);
    close(ffd);
    unlink(path);
    rmdir(tmpdir);
    free(fdata);
    free(got);
}

Test(stream, sendfile_range_keeps_order)
{
    sendfile_range(false);
}

/* The path of systems without sendfile(2), and of files it refuses. */
Test(stream, sendfile_range_by_copy_keeps_order)
{
    sendfile_range(true);
}

/* ---- close from inside a callback ---------------------------------------- */

Test(stream, close_inside_on_read)
{
    ax_loop *loop = new_loop();
    struct server sv;
    struct side ss[1], cl;
    memset(ss, 0, sizeof(ss));
    memset(&cl, 0, sizeof(cl));
    ax_listener *l;
    pair(loop, &sv, ss, &cl, &l);
    ss[0].close_on_read = true;
    bool done = false;
    cl.done = &done;
    /* Plenty of data so that the server's read loop would go on. */
    static unsigned char big[200000];
    cr_assert_geq(ax_stream_write_copy(cl.s, big, sizeof(big)), 0);
    run_until(loop, &done, 5000);
    cr_assert(cl.end == AX_EOF || cl.end == AX_ECONNRESET, "%s", ax_err_name(cl.end));
    cr_assert_gt(ss[0].got, 0);
    cr_assert_leq(ss[0].got, 4096 * 2, "reads went on after close");
    cr_assert_eq(ss[0].closes, 1);
    cr_assert_not(ss[0].close_inside, "on_close ran inside ax_stream_close");
    ax_stream_close(cl.s);
    ax_listener_free(l);
    run_out(loop);
    cr_assert_eq(ss[0].closes, 1);
    cr_assert_eq(cl.closes, 1);
}

/* ---- allocation failures ------------------------------------------------- */

static void nop_read(ax_stream *s, int status, const ax_bytes *d, void *ud)
{
    (void)s;
    (void)status;
    (void)d;
    (void)ud;
}

static void count_close(ax_stream *s, void *ud)
{
    (void)s;
    ++*(int *)ud;
}

static int write_scenario(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_loop *loop;
    if (ax_loop_new(NULL, &loop) < 0)
        return -100;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
        return -101;
    ax_stream_options o;
    ax_stream_options_init(&o);
    o.allocator = a;
    int closes = 0;
    ax_stream_callbacks cb = {nop_read, NULL, NULL, count_close};
    ax_stream *s;
    int rc = ax_stream_open(loop, sv[0], &o, &cb, &closes, &s);
    if (rc < 0) {
        close(sv[1]);
        ax_loop_free(loop);
        return rc;
    }
    int result = 0;
    ax_bytes b = AX_BYTES_LIT("static bytes");
    rc = ax_stream_write(s, &b);
    if (rc < 0 && result == 0)
        result = rc;
    rc = ax_stream_write_copy(s, "copied", 6);
    if (rc < 0 && result == 0)
        result = rc;
    ax_chain c;
    ax_chain_init(&c, a);
    ax_bytes x = AX_BYTES_LIT("one");
    ax_bytes y;
    if (ax_chain_push(&c, &x) == 0 && ax_bytes_copy(a, "two", 3, &y) == 0) {
        if (ax_chain_push(&c, &y) < 0)
            ax_bytes_free(&y);
        rc = ax_stream_write_chain(s, &c);
        if (rc < 0 && result == 0)
            result = rc;
    } else if (result == 0) {
        result = AX_ENOMEM;
    }
    ax_chain_free(&c);
    rc = ax_stream_read_start(s);
    if (rc < 0 && result == 0)
        result = rc;
    if (write(sv[1], "in", 2) != 2)
        return -102;
    ax_loop_run(loop, AX_RUN_NOWAIT);
    ax_stream_close(s);
    while (ax_loop_run(loop, AX_RUN_NOWAIT) > 0) {
    }
    close(sv[1]);
    if (closes != 1)
        return -103;
    if (ax_loop_free(loop) < 0)
        return -104;
    return result;
}

Test(stream, allocation_failures)
{
    size_t n = ax_test_each_failure(write_scenario, NULL);
    cr_assert_gt(n, 2);
}

Test(stream, open_rejects)
{
    ax_loop *loop = new_loop();
    ax_stream *s;
    cr_assert_eq(ax_stream_open(loop, -1, NULL, &side_cb, NULL, &s), AX_EINVAL);
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ax_stream_callbacks none = {NULL, NULL, NULL, NULL};
    cr_assert_eq(ax_stream_open(loop, sv[0], NULL, &none, NULL, &s), AX_EINVAL);
    cr_assert_eq(fcntl(sv[0], F_GETFD), -1, "the fd was not closed on failure");
    close(sv[1]);
    cr_assert_eq(ax_loop_free(loop), 0);
}

/* ---- read-size policy and socket options -------------------------------- */

struct sizes {
    size_t got, min_chunk, max_chunk, first;
    bool *done;
    size_t want;
};

static void sizes_read(ax_stream *s, int status, const ax_bytes *d, void *ud)
{
    (void)s;
    struct sizes *z = ud;
    if (status < 0)
        return;
    if (z->first == 0)
        z->first = d->len;
    if (d->len > z->max_chunk)
        z->max_chunk = d->len;
    z->got += d->len;
    if (z->got >= z->want)
        *z->done = true;
}

Test(stream, read_size_grows_to_max)
{
    ax_loop *loop = new_loop();
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    ax_stream_options o;
    ax_stream_options_init(&o);
    cr_assert_eq(o.read_initial, 4096);
    cr_assert_eq(o.read_max, 256 * 1024);
    o.read_initial = 1024;
    o.read_min = 1024;
    o.read_max = 16384;
    bool done = false;
    struct sizes z = {0, 0, 0, 0, &done, 1 << 20};
    ax_stream_callbacks cb = {sizes_read, NULL, NULL, NULL};
    ax_stream *r, *w;
    cr_assert_eq(ax_stream_open(loop, sv[0], &o, &cb, &z, &r), 0);
    struct side ws;
    memset(&ws, 0, sizeof(ws));
    cr_assert_eq(ax_stream_open(loop, sv[1], NULL, &side_cb, &ws, &w), 0);
    /* Queue everything before reading starts, so reads fill their buffers. */
    unsigned char *buf = calloc(1, z.want);
    cr_assert_not_null(buf);
    cr_assert_geq(ax_stream_write_copy(w, buf, z.want), 0);
    free(buf);
    cr_assert_eq(ax_stream_read_start(r), 0);
    run_until(loop, &done, 10000);
    cr_assert_eq(z.first, 1024, "first read %zu", z.first);
    cr_assert_eq(z.max_chunk, 16384, "largest read %zu", z.max_chunk);
    ax_stream_close(r);
    ax_stream_close(w);
    run_out(loop);
}

Test(stream, nodelay_and_keepalive)
{
    ax_loop *loop = new_loop();
    struct server sv;
    struct side ss[1], cl;
    memset(ss, 0, sizeof(ss));
    memset(&cl, 0, sizeof(cl));
    ax_listener *l;
    pair(loop, &sv, ss, &cl, &l);
    int fd = ax_stream_fd(cl.s);
    int v = 0;
    socklen_t vl = sizeof(v);
    cr_assert_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &vl), 0);
    cr_assert_neq(v, 0, "TCP_NODELAY is on by default");
    cr_assert_eq(ax_stream_set_nodelay(cl.s, false), 0);
    cr_assert_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &vl), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(ax_stream_set_keepalive(cl.s, true, 30, 7), 0);
    cr_assert_eq(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, &vl), 0);
    cr_assert_neq(v, 0);
#ifdef TCP_KEEPIDLE
    cr_assert_eq(getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, &vl), 0);
    cr_assert_eq(v, 30);
#endif
#ifdef TCP_KEEPINTVL
    cr_assert_eq(getsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v, &vl), 0);
    cr_assert_eq(v, 7);
#endif
    cr_assert_eq(ax_stream_set_keepalive(cl.s, false, 0, 0), 0);
    cr_assert_eq(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, &vl), 0);
    cr_assert_eq(v, 0);
    ax_stream_close(cl.s);
    ax_stream_close(ss[0].s);
    ax_listener_free(l);
    run_out(loop);
}
