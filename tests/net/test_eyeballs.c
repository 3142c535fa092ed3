/*
 * Happy Eyeballs: the interleaving order, the stagger, moving on at once
 * after a failure, the last error, the overall timeout, cancellation and
 * allocation failures. Only loopback addresses (and a missing Unix path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "axle/net.h"
#include "axle/runtime.h"
#include "net/connect_helpers.h"
#include "net/eyeballs_internal.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(eyeballs);

#define BOUND .timeout = 10

/* ---- order ---------------------------------------------------------------- */

static ax_addr fam(int family, uint16_t tag)
{
    ax_addr a;
    loopback_addr(family, tag, &a);
    return a;
}

static void check_order(const ax_addr *in, size_t n, const uint16_t *want)
{
    ax_addr out[16];
    ax__eyeballs_order(in, n, out);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(addr_port_of(&out[i]), want[i], "position %zu: %u, want %u", i,
                     (unsigned)addr_port_of(&out[i]), (unsigned)want[i]);
}

Test(eyeballs, order_interleaves_starting_with_the_first_family)
{
    /* v6 1,2,3 then v4 4,5: 1 4 2 5 3 */
    ax_addr a[] = {fam(AF_INET6, 1), fam(AF_INET6, 2), fam(AF_INET6, 3),
                   fam(AF_INET, 4), fam(AF_INET, 5)};
    check_order(a, 5, (const uint16_t[]){1, 4, 2, 5, 3});

    /* v4 first: 1 v4, then v6 2,3, then v4 4,5,6: 1 2 4 3 5 6 */
    ax_addr b[] = {fam(AF_INET, 1), fam(AF_INET6, 2), fam(AF_INET6, 3),
                   fam(AF_INET, 4), fam(AF_INET, 5), fam(AF_INET, 6)};
    check_order(b, 6, (const uint16_t[]){1, 2, 4, 3, 5, 6});

    /* Already interleaved stays as it is. */
    ax_addr c[] = {fam(AF_INET6, 1), fam(AF_INET, 2), fam(AF_INET6, 3), fam(AF_INET, 4)};
    check_order(c, 4, (const uint16_t[]){1, 2, 3, 4});

    /* One family: unchanged. */
    ax_addr d[] = {fam(AF_INET, 7), fam(AF_INET, 8), fam(AF_INET, 9)};
    check_order(d, 3, (const uint16_t[]){7, 8, 9});

    ax_addr e[] = {fam(AF_INET6, 3)};
    check_order(e, 1, (const uint16_t[]){3});
}

/* ---- races ---------------------------------------------------------------- */

typedef struct outcome {
    ax_loop *loop;
    ax_eyeballs *e;
    bool done;
    int calls;
    int status;
    int fd;
    bool have_addr;
    ax_addr addr;
    uint64_t at;
} outcome;

static void on_race(ax_eyeballs *e, int status, int fd, const ax_addr *addr, void *ud)
{
    outcome *o = ud;
    cr_assert_eq(e, o->e);
    o->calls++;
    o->done = true;
    o->status = status;
    o->fd = fd;
    o->have_addr = addr != NULL;
    if (addr != NULL)
        o->addr = *addr;
    ax_loop_update_time(o->loop);
    o->at = ax_loop_now(o->loop);
    ax_eyeballs_cancel(e); /* a no-op from inside the callback */
    ax_loop_stop(o->loop);
}

static ax_loop *new_loop(void)
{
    ax_loop *loop = NULL;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    return loop;
}

static void free_loop(ax_loop *loop)
{
    /* Every losing attempt is closed and its handles stopped. */
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 0, "something is still active");
    cr_assert_eq(ax_loop_free(loop), 0, "a handle was left active");
}

static int race(ax_loop *loop, const ax_addr *addrs, size_t n, uint64_t stagger,
                uint64_t timeout, outcome *o)
{
    memset(o, 0, sizeof(*o));
    o->loop = loop;
    o->fd = -2;
    ax_eyeballs_options eo;
    ax_eyeballs_options_init(&eo);
    eo.stagger_ms = stagger;
    eo.timeout_ms = timeout;
    return ax_eyeballs_start(loop, addrs, n, &eo, on_race, o, &o->e);
}

static bool same_addr(const ax_addr *a, const ax_addr *b)
{
    return a->ss.ss_family == b->ss.ss_family && addr_port_of(a) == addr_port_of(b);
}

Test(eyeballs, options_defaults)
{
    ax_eyeballs_options o;
    memset(&o, 0xff, sizeof(o));
    ax_eyeballs_options_init(&o);
    cr_assert_eq(o.stagger_ms, 250);
    cr_assert_eq(o.timeout_ms, 0);
    cr_assert_null(o.allocator);
}

Test(eyeballs, a_hanging_first_address_loses_after_the_stagger, BOUND)
{
    stall s;
    if (!stall_open(&s))
        cr_skip_test("the kernel completed every connect to a full backlog; "
                     "cannot make a connect hang here");
    int family = have_ipv6_loopback() ? AF_INET6 : AF_INET;
    ax_addr good;
    int lfd = tcp_listen(family, &good);
    cr_assert_geq(lfd, 0);
    ax_addr addrs[2] = {s.addr, good};
    ax_loop *loop = new_loop();
    outcome o;
    uint64_t t0 = ax_loop_now(loop);
    cr_assert_eq(race(loop, addrs, 2, 50, 5000, &o), 0);
    cr_assert_not(o.done);
    cr_assert(run_until(loop, &o.done, 5000));
    uint64_t elapsed = o.at - t0;
    cr_assert_eq(o.calls, 1);
    cr_assert_eq(o.status, 0, "status %s", ax_err_name(o.status));
    cr_assert_geq(o.fd, 0);
    cr_assert(o.have_addr);
    cr_assert(same_addr(&o.addr, &good), "the hanging address won");
    cr_assert_eq(fd_family(o.fd), family);
    cr_assert_geq(elapsed, 50, "second attempt before the stagger: %llu ms",
                  (unsigned long long)elapsed);
    cr_assert_lt(elapsed, 900, "took %llu ms", (unsigned long long)elapsed);
    close(o.fd);
    close(lfd);
    free_loop(loop);
    stall_close(&s);
}

Test(eyeballs, a_refused_first_address_moves_on_at_once, BOUND)
{
    ax_addr bad, good;
    int cfd = refusing_port(AF_INET, &bad);
    int lfd = tcp_listen(AF_INET, &good);
    cr_assert_geq(cfd, 0);
    cr_assert_geq(lfd, 0);
    ax_addr addrs[2] = {bad, good};
    ax_loop *loop = new_loop();
    outcome o;
    uint64_t t0 = ax_loop_now(loop);
    cr_assert_eq(race(loop, addrs, 2, 3000, 0, &o), 0);
    cr_assert(run_until(loop, &o.done, 5000));
    uint64_t elapsed = o.at - t0;
    cr_assert_eq(o.status, 0, "status %s", ax_err_name(o.status));
    cr_assert(same_addr(&o.addr, &good));
    cr_assert_lt(elapsed, 1000, "waited for the stagger: %llu ms", (unsigned long long)elapsed);
    close(o.fd);
    close(cfd);
    close(lfd);
    free_loop(loop);
}

Test(eyeballs, all_refused_reports_refused, BOUND)
{
    ax_addr a[3];
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = refusing_port(i == 1 && have_ipv6_loopback() ? AF_INET6 : AF_INET, &a[i]);
        cr_assert_geq(fds[i], 0);
    }
    ax_loop *loop = new_loop();
    outcome o;
    cr_assert_eq(race(loop, a, 3, 3000, 0, &o), 0);
    cr_assert(run_until(loop, &o.done, 5000));
    cr_assert_eq(o.calls, 1);
    cr_assert_eq(o.status, AX_ECONNREFUSED, "status %s", ax_err_name(o.status));
    cr_assert_eq(o.fd, -1);
    cr_assert_not(o.have_addr);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    free_loop(loop);
}

static ax_addr missing_unix_path(void)
{
    ax_addr a;
    memset(&a, 0, sizeof(a));
    struct sockaddr_un *su = (struct sockaddr_un *)&a.ss;
    su->sun_family = AF_UNIX;
    snprintf(su->sun_path, sizeof(su->sun_path), "/nonexistent-axle-dir/%d.sock", (int)getpid());
    a.len = sizeof(*su);
    return a;
}

Test(eyeballs, the_last_error_is_reported, BOUND)
{
    ax_addr refused;
    int cfd = refusing_port(AF_INET, &refused);
    cr_assert_geq(cfd, 0);
    ax_addr missing = missing_unix_path();
    ax_loop *loop = new_loop();

    /* refused first, then the missing path: ENOENT comes last. */
    ax_addr a1[2] = {refused, missing};
    outcome o;
    cr_assert_eq(race(loop, a1, 2, 3000, 0, &o), 0);
    cr_assert(run_until(loop, &o.done, 5000));
    cr_assert_eq(o.status, AX_ENOENT, "status %s", ax_err_name(o.status));

    /* the other way round: refused comes last. */
    ax_addr a2[2] = {missing, refused};
    cr_assert_eq(race(loop, a2, 2, 3000, 0, &o), 0);
    cr_assert(run_until(loop, &o.done, 5000));
    cr_assert_eq(o.status, AX_ECONNREFUSED, "status %s", ax_err_name(o.status));
    close(cfd);
    free_loop(loop);
}

Test(eyeballs, the_overall_timeout, BOUND)
{
    stall s;
    if (!stall_open(&s))
        cr_skip_test("the kernel completed every connect to a full backlog");
    ax_loop *loop = new_loop();
    outcome o;
    uint64_t t0 = ax_loop_now(loop);
    cr_assert_eq(race(loop, &s.addr, 1, 50, 100, &o), 0);
    cr_assert(run_until(loop, &o.done, 5000));
    cr_assert_eq(o.status, AX_ETIMEDOUT, "status %s", ax_err_name(o.status));
    cr_assert_eq(o.fd, -1);
    cr_assert_geq(o.at - t0, 100);
    cr_assert_lt(o.at - t0, 900);
    free_loop(loop);
    stall_close(&s);
}

Test(eyeballs, cancel_never_calls_back, BOUND)
{
    stall s;
    bool stalled = stall_open(&s);
    ax_addr good;
    int lfd = tcp_listen(AF_INET, &good);
    cr_assert_geq(lfd, 0);
    ax_loop *loop = new_loop();

    /* Right after start. */
    ax_addr one[1] = {good};
    outcome o1;
    cr_assert_eq(race(loop, one, 1, 50, 0, &o1), 0);
    ax_eyeballs_cancel(o1.e);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(o1.calls, 0);

    /* In the middle of a race with two attempts running. */
    if (stalled) {
        ax_addr two[3] = {s.addr, s.addr, good};
        outcome o2;
        cr_assert_eq(race(loop, two, 3, 20, 0, &o2), 0);
        bool never = false;
        run_until(loop, &never, 30); /* the second attempt starts */
        cr_assert_eq(o2.calls, 0);
        ax_eyeballs_cancel(o2.e);
        cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
        cr_assert_eq(o2.calls, 0);
        stall_close(&s);
    }
    close(lfd);
    free_loop(loop);
}

Test(eyeballs, nothing_startable_reports_through_the_callback, BOUND)
{
    ax_addr missing = missing_unix_path();
    ax_loop *loop = new_loop();
    outcome o;
    cr_assert_eq(race(loop, &missing, 1, 50, 0, &o), 0);
    cr_assert_not(o.done, "callback inside ax_eyeballs_start");
    cr_assert(run_until(loop, &o.done, 5000));
    cr_assert_eq(o.status, AX_ENOENT, "status %s", ax_err_name(o.status));
    free_loop(loop);
}

Test(eyeballs, rejects_bad_arguments)
{
    ax_loop *loop = new_loop();
    ax_addr a;
    loopback_addr(AF_INET, 1, &a);
    ax_addr none;
    memset(&none, 0, sizeof(none));
    outcome o;
    cr_assert_eq(race(loop, &a, 0, 50, 0, &o), AX_EINVAL);
    cr_assert_eq(race(loop, NULL, 1, 50, 0, &o), AX_EINVAL);
    cr_assert_eq(race(loop, &none, 1, 50, 0, &o), AX_EINVAL);
    cr_assert_eq(ax_eyeballs_start(loop, &a, 1, NULL, NULL, NULL, NULL), AX_EINVAL);
    ax_eyeballs_cancel(NULL);
    free_loop(loop);
}

/* ---- allocation failures -------------------------------------------------- */

typedef struct alloc_ctx {
    ax_addr addrs[2];
} alloc_ctx;

static void never_cb(ax_eyeballs *e, int status, int fd, const ax_addr *addr, void *ud)
{
    (void)e;
    (void)status;
    (void)fd;
    (void)addr;
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
    ax_eyeballs_options eo;
    ax_eyeballs_options_init(&eo);
    eo.allocator = a;
    eo.stagger_ms = 0;
    eo.timeout_ms = 1000;
    ax_eyeballs *e = NULL;
    rc = ax_eyeballs_start(loop, x->addrs, 2, &eo, never_cb, NULL, &e);
    if (rc == 0)
        ax_eyeballs_cancel(e);
    ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(ax_loop_free(loop), 0);
    return rc;
}

Test(eyeballs, allocation_failures_are_enomem, BOUND)
{
    alloc_ctx x;
    int l1 = tcp_listen(AF_INET, &x.addrs[0]);
    int l2 = tcp_listen(AF_INET, &x.addrs[1]);
    cr_assert_geq(l1, 0);
    cr_assert_geq(l2, 0);
    size_t n = ax_test_each_failure(scenario_start_cancel, &x);
    cr_assert_gt(n, 0);
    close(l1);
    close(l2);
}

typedef struct race_done {
    bool done;
    int status;
    int fd;
} race_done;

static void record_cb(ax_eyeballs *e, int status, int fd, const ax_addr *addr, void *ud)
{
    race_done *d = ud;
    (void)e;
    (void)addr;
    d->done = true;
    d->status = status;
    d->fd = fd;
}

/* A whole race: the first address refuses, the second connects. An
 * allocation failure for the second attempt is its failure, so the race
 * then ends with AX_ENOMEM as its last error. */
static int scenario_race(const ax_allocator *a, void *ud)
{
    alloc_ctx *x = ud;
    ax_loop *loop = NULL;
    int rc = loop_with_allocator(a, &loop);
    if (rc < 0)
        return rc;
    ax_eyeballs_options eo;
    ax_eyeballs_options_init(&eo);
    eo.allocator = a;
    eo.stagger_ms = 2000;
    eo.timeout_ms = 4000;
    race_done d = {false, 1, -1};
    rc = ax_eyeballs_start(loop, x->addrs, 2, &eo, record_cb, &d, NULL);
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

Test(eyeballs, allocation_failures_during_a_race_are_enomem, BOUND)
{
    alloc_ctx x;
    int cfd = refusing_port(AF_INET, &x.addrs[0]);
    int lfd = tcp_listen(AF_INET, &x.addrs[1]);
    cr_assert_geq(cfd, 0);
    cr_assert_geq(lfd, 0);
    size_t n = ax_test_each_failure(scenario_race, &x);
    cr_assert_gt(n, 0);
    close(cfd);
    close(lfd);
}
