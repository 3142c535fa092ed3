/*
 * ax_connect against loopback sockets: success, refusal, timeout, cancel,
 * binding a local address, and allocation failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <sys/un.h>

#include "axle/net.h"
#include "axle/runtime.h"
#include "net/connect_helpers.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(connect);

#define BOUND .timeout = 10

typedef struct result {
    bool done;
    int calls;
    int status;
    int fd;
    ax_connect *c;
    ax_loop *loop;
    bool cancel_inside; /* the callback cancels its own ax_connect */
} result;

static void on_connect(ax_connect *c, int status, int fd, void *ud)
{
    result *r = ud;
    cr_assert_eq(c, r->c, "callback for another ax_connect");
    r->calls++;
    r->done = true;
    r->status = status;
    r->fd = fd;
    ax_loop_stop(r->loop); /* run_until returns without waiting further */
    if (r->cancel_inside)
        ax_connect_cancel(c); /* must be a no-op */
}

static ax_loop *new_loop(void)
{
    ax_loop *loop = NULL;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    return loop;
}

static void free_loop(ax_loop *loop)
{
    cr_assert_eq(ax_loop_free(loop), 0, "a handle was left active");
}

static int start(ax_loop *loop, const ax_addr *to, const ax_connect_options *o, result *r)
{
    memset(r, 0, sizeof(*r));
    r->fd = -2;
    r->loop = loop;
    return ax_connect_start(loop, to, o, on_connect, r, &r->c);
}

Test(connect, to_a_listener_succeeds, BOUND)
{
    ax_loop *loop = new_loop();
    ax_addr la;
    int lfd = tcp_listen(AF_INET, &la);
    cr_assert_geq(lfd, 0);
    result r;
    cr_assert_eq(start(loop, &la, NULL, &r), 0);
    cr_assert_not(r.done, "callback ran inside ax_connect_start");
    cr_assert(run_until(loop, &r.done, 5000));
    cr_assert_eq(r.calls, 1);
    cr_assert_eq(r.status, 0, "status %s", ax_err_name(r.status));
    cr_assert_geq(r.fd, 0);
    /* It really is connected to the listener. */
    ax_addr peer;
    peer.len = sizeof(peer.ss);
    cr_assert_eq(getpeername(r.fd, (struct sockaddr *)&peer.ss, &peer.len), 0);
    cr_assert_eq(addr_port_of(&peer), addr_port_of(&la));
    int afd = accept(lfd, NULL, NULL);
    cr_assert_geq(afd, 0);
    close(afd);
    close(r.fd);
    close(lfd);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 0, "something still active");
    free_loop(loop);
}

Test(connect, ipv6_loopback_succeeds, BOUND)
{
    if (!have_ipv6_loopback())
        cr_skip_test("no IPv6 loopback on this machine");
    ax_loop *loop = new_loop();
    ax_addr la;
    int lfd = tcp_listen(AF_INET6, &la);
    cr_assert_geq(lfd, 0);
    result r;
    cr_assert_eq(start(loop, &la, NULL, &r), 0);
    cr_assert(run_until(loop, &r.done, 5000));
    cr_assert_eq(r.status, 0, "status %s", ax_err_name(r.status));
    cr_assert_eq(fd_family(r.fd), AF_INET6);
    close(r.fd);
    close(lfd);
    free_loop(loop);
}

Test(connect, to_a_closed_port_is_refused, BOUND)
{
    ax_loop *loop = new_loop();
    ax_addr ca;
    int cfd = refusing_port(AF_INET, &ca);
    cr_assert_geq(cfd, 0);
    result r;
    cr_assert_eq(start(loop, &ca, NULL, &r), 0);
    cr_assert_not(r.done);
    cr_assert(run_until(loop, &r.done, 5000));
    cr_assert_eq(r.calls, 1);
    cr_assert_eq(r.status, AX_ECONNREFUSED, "status %s", ax_err_name(r.status));
    cr_assert_eq(r.fd, -1);
    close(cfd);
    free_loop(loop);
}

Test(connect, times_out, BOUND)
{
    stall s;
    if (!stall_open(&s))
        cr_skip_test("the kernel completed every connect to a full backlog; "
                     "cannot make a connect hang here");
    ax_loop *loop = new_loop();
    ax_connect_options o;
    ax_connect_options_init(&o);
    o.timeout_ms = 100;
    result r;
    uint64_t t0 = ax_loop_now(loop);
    cr_assert_eq(start(loop, &s.addr, &o, &r), 0);
    cr_assert(run_until(loop, &r.done, 5000));
    uint64_t elapsed = ax_loop_now(loop) - t0;
    cr_assert_eq(r.calls, 1);
    cr_assert_eq(r.status, AX_ETIMEDOUT, "status %s", ax_err_name(r.status));
    cr_assert_eq(r.fd, -1);
    cr_assert_geq(elapsed, 100);
    cr_assert_lt(elapsed, 900, "took %llu ms", (unsigned long long)elapsed);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 0, "something still active");
    free_loop(loop);
    stall_close(&s);
}

Test(connect, cancel_before_completion_never_calls_back, BOUND)
{
    ax_loop *loop = new_loop();
    ax_addr la;
    int lfd = tcp_listen(AF_INET, &la);
    cr_assert_geq(lfd, 0);
    ax_addr ca;
    int cfd = refusing_port(AF_INET, &ca);
    cr_assert_geq(cfd, 0);
    result r1, r2;
    cr_assert_eq(start(loop, &la, NULL, &r1), 0);
    cr_assert_eq(start(loop, &ca, NULL, &r2), 0);
    ax_connect_cancel(r1.c);
    ax_connect_cancel(r2.c);
    /* Nothing is left for the loop. */
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(r1.calls, 0);
    cr_assert_eq(r2.calls, 0);
    close(lfd);
    close(cfd);
    free_loop(loop);
}

Test(connect, cancel_of_a_hanging_connect, BOUND)
{
    stall s;
    if (!stall_open(&s))
        cr_skip_test("the kernel completed every connect to a full backlog");
    ax_loop *loop = new_loop();
    ax_connect_options o;
    ax_connect_options_init(&o);
    o.timeout_ms = 5000;
    result r;
    cr_assert_eq(start(loop, &s.addr, &o, &r), 0);
    for (int i = 0; i < 3; i++)
        ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(r.calls, 0);
    ax_connect_cancel(r.c);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(r.calls, 0);
    free_loop(loop);
    stall_close(&s);
}

Test(connect, cancel_inside_the_callback_is_harmless, BOUND)
{
    ax_loop *loop = new_loop();
    ax_addr la;
    int lfd = tcp_listen(AF_INET, &la);
    cr_assert_geq(lfd, 0);
    result r;
    cr_assert_eq(start(loop, &la, NULL, &r), 0);
    r.cancel_inside = true;
    cr_assert(run_until(loop, &r.done, 5000));
    cr_assert_eq(r.calls, 1);
    cr_assert_eq(r.status, 0);
    /* The fd is still ours and open. */
    cr_assert_eq(fd_family(r.fd), AF_INET);
    close(r.fd);
    close(lfd);
    free_loop(loop);
}

Test(connect, binds_the_local_address, BOUND)
{
    ax_loop *loop = new_loop();
    ax_addr la;
    int lfd = tcp_listen(AF_INET, &la);
    cr_assert_geq(lfd, 0);
    /* Pick a free local port by binding and closing. */
    ax_addr local;
    int tmp = refusing_port(AF_INET, &local);
    cr_assert_geq(tmp, 0);
    close(tmp);
    ax_connect_options o;
    ax_connect_options_init(&o);
    o.local = &local;
    result r;
    cr_assert_eq(start(loop, &la, &o, &r), 0);
    cr_assert(run_until(loop, &r.done, 5000));
    cr_assert_eq(r.status, 0, "status %s", ax_err_name(r.status));
    ax_addr got;
    got.len = sizeof(got.ss);
    cr_assert_eq(getsockname(r.fd, (struct sockaddr *)&got.ss, &got.len), 0);
    cr_assert_eq(got.ss.ss_family, AF_INET);
    const struct sockaddr_in *g4 = (const struct sockaddr_in *)&got.ss;
    cr_assert_eq(ntohl(g4->sin_addr.s_addr), INADDR_LOOPBACK);
    cr_assert_eq(addr_port_of(&got), addr_port_of(&local));
    close(r.fd);
    close(lfd);
    free_loop(loop);
}

Test(connect, a_local_address_in_use_is_reported, BOUND)
{
    ax_loop *loop = new_loop();
    ax_addr la;
    int lfd = tcp_listen(AF_INET, &la);
    cr_assert_geq(lfd, 0);
    ax_connect_options o;
    ax_connect_options_init(&o);
    o.local = &la; /* the listener holds it */
    result r;
    cr_assert_eq(start(loop, &la, &o, &r), 0);
    cr_assert_not(r.done);
    cr_assert(run_until(loop, &r.done, 5000));
    cr_assert_eq(r.status, AX_EADDRINUSE, "status %s", ax_err_name(r.status));
    cr_assert_eq(r.fd, -1);
    close(lfd);
    free_loop(loop);
}

Test(connect, rejects_bad_arguments)
{
    ax_loop *loop = new_loop();
    ax_addr none;
    memset(&none, 0, sizeof(none));
    ax_addr la;
    loopback_addr(AF_INET, 1, &la);
    result r;
    cr_assert_eq(start(loop, &none, NULL, &r), AX_EINVAL);
    cr_assert_eq(start(loop, NULL, NULL, &r), AX_EINVAL);
    cr_assert_eq(ax_connect_start(loop, &la, NULL, NULL, NULL, NULL), AX_EINVAL);
    cr_assert_eq(ax_connect_start(NULL, &la, NULL, on_connect, &r, NULL), AX_EINVAL);
    ax_connect_cancel(NULL);
    free_loop(loop);
}

typedef struct alloc_ctx {
    ax_addr to;
} alloc_ctx;

static void never_cb(ax_connect *c, int status, int fd, void *ud)
{
    (void)c;
    (void)status;
    (void)fd;
    (void)ud;
    cr_assert_fail("callback after cancel");
}

static int scenario_start_cancel(const ax_allocator *a, void *ud)
{
    alloc_ctx *x = ud;
    ax_loop *loop = NULL;
    int rc = loop_with_allocator(a, &loop);
    if (rc < 0)
        return rc;
    ax_connect_options o;
    ax_connect_options_init(&o);
    o.allocator = a;
    o.timeout_ms = 1000;
    ax_connect *c = NULL;
    rc = ax_connect_start(loop, &x->to, &o, never_cb, NULL, &c);
    if (rc == 0) {
        ax_connect_cancel(c);
        ax_loop_run(loop, AX_RUN_NOWAIT);
    }
    cr_assert_eq(ax_loop_free(loop), 0);
    return rc;
}

Test(connect, allocation_failures_are_enomem, BOUND)
{
    alloc_ctx x;
    int lfd = tcp_listen(AF_INET, &x.to);
    cr_assert_geq(lfd, 0);
    size_t n = ax_test_each_failure(scenario_start_cancel, &x);
    cr_assert_gt(n, 0);
    close(lfd);
}

typedef struct done_ctx {
    bool done;
    int status;
    int fd;
} done_ctx;

static void record_cb(ax_connect *c, int status, int fd, void *ud)
{
    done_ctx *d = ud;
    (void)c;
    d->done = true;
    d->status = status;
    d->fd = fd;
}

/* Connects all the way (the watcher table of the loop grows on the way). */
static int scenario_complete(const ax_allocator *a, void *ud)
{
    alloc_ctx *x = ud;
    ax_loop *loop = NULL;
    int rc = loop_with_allocator(a, &loop);
    if (rc < 0)
        return rc;
    ax_connect_options o;
    ax_connect_options_init(&o);
    o.allocator = a;
    done_ctx d = {false, 1, -1};
    rc = ax_connect_start(loop, &x->to, &o, record_cb, &d, NULL);
    if (rc == 0) {
        cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
        cr_assert(d.done);
        rc = d.status;
        if (d.fd >= 0)
            close(d.fd);
    }
    cr_assert_eq(ax_loop_free(loop), 0);
    return rc;
}

Test(connect, allocation_failures_while_connecting_are_enomem, BOUND)
{
    alloc_ctx x;
    int lfd = tcp_listen(AF_INET, &x.to);
    cr_assert_geq(lfd, 0);
    size_t n = ax_test_each_failure(scenario_complete, &x);
    cr_assert_gt(n, 0);
    close(lfd);
}

Test(connect, to_a_unix_socket, BOUND)
{
    char dir[] = "/tmp/axle-connect-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    ax_addr ua;
    memset(&ua, 0, sizeof(ua));
    struct sockaddr_un *su = (struct sockaddr_un *)&ua.ss;
    su->sun_family = AF_UNIX;
    snprintf(su->sun_path, sizeof(su->sun_path), "%s/s", dir);
    ua.len = sizeof(*su);
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(lfd, 0);
    cr_assert_eq(bind(lfd, (struct sockaddr *)&ua.ss, ua.len), 0);
    cr_assert_eq(listen(lfd, 4), 0);
    ax_loop *loop = new_loop();
    result r;
    cr_assert_eq(start(loop, &ua, NULL, &r), 0);
    cr_assert_not(r.done);
    cr_assert(run_until(loop, &r.done, 5000));
    cr_assert_eq(r.status, 0, "status %s", ax_err_name(r.status));
    cr_assert_eq(fd_family(r.fd), AF_UNIX);
    close(r.fd);
    close(lfd);
    unlink(su->sun_path);
    rmdir(dir);
    free_loop(loop);
}

/* ---- TCP Fast Open, client side ------------------------------------------ */

typedef struct tfo_client {
    bool got_reply;
    bool closed;
    char reply[8];
    size_t n;
} tfo_client;

static void tfo_on_read(ax_stream *s, int status, const ax_bytes *data, void *ud)
{
    (void)s;
    tfo_client *t = ud;
    if (status < 0)
        return;
    size_t take = data->len < sizeof(t->reply) - t->n ? data->len : sizeof(t->reply) - t->n;
    memcpy(t->reply + t->n, data->ptr, take);
    t->n += take;
    t->got_reply = t->n >= 5;
}

static void tfo_on_close(ax_stream *s, void *ud)
{
    (void)s;
    ((tfo_client *)ud)->closed = true;
}

/* The kernel's net.ipv4.tcp_fastopen: bit 0 enables the client side, bit 1
 * the server side. */
static int tfo_sysctl(void)
{
    FILE *f = fopen("/proc/sys/net/ipv4/tcp_fastopen", "r");
    int v = 0;
    if (f == NULL)
        return 0;
    if (fscanf(f, "%d", &v) != 1)
        v = 0;
    fclose(f);
    return v;
}

/* One exchange: connect with fastopen, write "hello" through a stream, the
 * server answers "world". Returns whether the client's SYN carried data. */
static bool tfo_exchange(ax_loop *loop, int lfd, const ax_addr *la)
{
    ax_connect_options o;
    ax_connect_options_init(&o);
    o.fastopen = true;
    result r;
    cr_assert_eq(start(loop, la, &o, &r), 0);
    cr_assert(run_until(loop, &r.done, 5000));
    cr_assert_eq(r.status, 0, "status %s", ax_err_name(r.status));

    tfo_client t;
    memset(&t, 0, sizeof(t));
    ax_stream_callbacks cb = {.on_read = tfo_on_read, .on_close = tfo_on_close};
    ax_stream *s = NULL;
    cr_assert_eq(ax_stream_open(loop, r.fd, NULL, &cb, &t, &s), 0);
    cr_assert_eq(ax_stream_read_start(s), 0);
    cr_assert_geq(ax_stream_write_copy(s, "hello", 5), 0);

    /* The write sent the SYN (with the data when the kernel had a cookie);
     * loopback completes the handshake without the loop's help. */
    int afd = accept(lfd, NULL, NULL);
    cr_assert_geq(afd, 0);
    char buf[5];
    size_t got = 0;
    while (got < sizeof(buf)) {
        ax_loop_run(loop, AX_RUN_NOWAIT); /* flush if the write had to wait */
        struct pollfd p = {.fd = afd, .events = POLLIN};
        cr_assert_geq(poll(&p, 1, 50), 0);
        if (p.revents & POLLIN) {
            ssize_t n = read(afd, buf + got, sizeof(buf) - got);
            cr_assert_gt(n, 0);
            got += (size_t)n;
        }
    }
    cr_assert_eq(memcmp(buf, "hello", 5), 0);
    cr_assert_eq(write(afd, "world", 5), 5);
    cr_assert(run_until(loop, &t.got_reply, 5000));
    cr_assert_eq(memcmp(t.reply, "world", 5), 0);

    struct tcp_info ti;
    socklen_t tl = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    cr_assert_eq(getsockopt(ax_stream_fd(s), IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
    ax_stream_close(s);
    cr_assert(run_until(loop, &t.closed, 5000));
    close(afd);
    return (ti.tcpi_options & TCPI_OPT_SYN_DATA) != 0;
}

Test(connect, fastopen_exchanges_data, BOUND)
{
    ax_loop *loop = new_loop();
    ax_addr la;
    int lfd = tcp_listen(AF_INET, &la);
    cr_assert_geq(lfd, 0);
    int qlen = 16;
    bool server_tfo = setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) == 0;

    /* The first connection fetches a cookie; the second may use it. */
    (void)tfo_exchange(loop, lfd, &la);
    bool syn_data = tfo_exchange(loop, lfd, &la);
    if (server_tfo && (tfo_sysctl() & 3) == 3)
        cr_assert(syn_data, "client and server both allow Fast Open, yet the SYN carried no data");
    else
        cr_log_info("net.ipv4.tcp_fastopen=%d: Fast Open not usable end to end here; "
                    "checked only that the option leaves the exchange intact", tfo_sysctl());
    close(lfd);
    free_loop(loop);
}
