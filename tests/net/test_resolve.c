/*
 * ax_resolve: loopback names and numeric hosts, a name that cannot exist,
 * argument checks, and cancellation of a queued and of a finished-but-not-
 * delivered lookup (neither may call back).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "axle/net.h"
#include "axle/runtime.h"
#include "net/connect_helpers.h"
#include "support/suite.h"
#include "support/test_alloc.h"

AX_SUITE(resolve);

#define BOUND .timeout = 10

typedef struct rig {
    ax_loop *loop;
    ax_pool *pool;
} rig;

static void rig_open(rig *r, unsigned threads)
{
    cr_assert_eq(ax_loop_new(NULL, &r->loop), 0);
    ax_pool_options po;
    ax_pool_options_init(&po);
    po.threads = threads;
    cr_assert_eq(ax_pool_new(&po, &r->pool), 0);
}

static void rig_close(rig *r)
{
    ax_pool_free(r->pool, AX_POOL_DRAIN);
    cr_assert_eq(ax_loop_run(r->loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(ax_loop_free(r->loop), 0, "a handle was left active");
}

typedef struct answer {
    ax_loop *loop;
    ax_resolve *r;
    bool done;
    int calls;
    int status;
    size_t n;
    ax_addr addrs[16];
} answer;

static void on_resolve(ax_resolve *r, int status, const ax_addr *addrs, size_t n, void *ud)
{
    answer *a = ud;
    cr_assert_eq(r, a->r);
    a->calls++;
    a->done = true;
    a->status = status;
    a->n = n;
    if (status == 0) {
        cr_assert_gt(n, 0);
        cr_assert_not_null(addrs);
    }
    for (size_t i = 0; i < n && i < 16; i++)
        a->addrs[i] = addrs[i];
    ax_loop_stop(a->loop);
}

/* Starts a lookup answered into *a; al NULL: the default allocator. */
static int resolve_with(rig *r, const char *host, const char *port, int family,
                        const ax_allocator *al, answer *a)
{
    memset(a, 0, sizeof(*a));
    a->loop = r->loop;
    ax_resolve_options o;
    ax_resolve_options_init(&o);
    o.family = family;
    o.allocator = al;
    return ax_resolve_start(r->loop, r->pool, host, port, &o, on_resolve, a, &a->r);
}

static int resolve(rig *r, const char *host, const char *port, int family, answer *a)
{
    return resolve_with(r, host, port, family, NULL, a);
}

static bool has_v4_loopback(const answer *a, uint16_t port)
{
    for (size_t i = 0; i < a->n && i < 16; i++) {
        if (a->addrs[i].ss.ss_family != AF_INET)
            continue;
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->addrs[i].ss;
        if (ntohl(s4->sin_addr.s_addr) == INADDR_LOOPBACK && ntohs(s4->sin_port) == port &&
            a->addrs[i].len == sizeof(*s4))
            return true;
    }
    return false;
}

Test(resolve, localhost_is_loopback, BOUND)
{
    rig r;
    rig_open(&r, 1);
    answer a;
    cr_assert_eq(resolve(&r, "localhost", "80", AF_INET, &a), 0);
    cr_assert_not(a.done, "callback inside ax_resolve_start");
    cr_assert(run_until(r.loop, &a.done, 5000));
    cr_assert_eq(a.calls, 1);
    cr_assert_eq(a.status, 0, "status %s", ax_err_name(a.status));
    cr_assert(has_v4_loopback(&a, 80));
    rig_close(&r);
}

Test(resolve, numeric_ipv4, BOUND)
{
    rig r;
    rig_open(&r, 1);
    answer a;
    cr_assert_eq(resolve(&r, "127.0.0.1", "80", AF_UNSPEC, &a), 0);
    cr_assert(run_until(r.loop, &a.done, 5000));
    cr_assert_eq(a.status, 0, "status %s", ax_err_name(a.status));
    cr_assert_eq(a.n, 1);
    cr_assert(has_v4_loopback(&a, 80));
    rig_close(&r);
}

Test(resolve, numeric_ipv6, BOUND)
{
    rig r;
    rig_open(&r, 1);
    answer a;
    cr_assert_eq(resolve(&r, "::1", "8080", AF_UNSPEC, &a), 0);
    cr_assert(run_until(r.loop, &a.done, 5000));
    cr_assert_eq(a.status, 0, "status %s", ax_err_name(a.status));
    cr_assert_eq(a.n, 1);
    cr_assert_eq(a.addrs[0].ss.ss_family, AF_INET6);
    cr_assert_eq(a.addrs[0].len, sizeof(struct sockaddr_in6));
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a.addrs[0].ss;
    cr_assert(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
    cr_assert_eq(ntohs(s6->sin6_port), 8080);
    rig_close(&r);
}

Test(resolve, family_filter_applies, BOUND)
{
    rig r;
    rig_open(&r, 1);
    answer a;
    /* An IPv6 literal asked for as IPv4 has no answer. */
    cr_assert_eq(resolve(&r, "::1", "80", AF_INET, &a), 0);
    cr_assert(run_until(r.loop, &a.done, 5000));
    cr_assert_lt(a.status, 0);
    cr_assert_eq(a.n, 0);
    rig_close(&r);
}

Test(resolve, an_invalid_name_fails, BOUND)
{
    rig r;
    rig_open(&r, 1);
    answer a;
    /* RFC 6761: .invalid never resolves. */
    cr_assert_eq(resolve(&r, "name.invalid", "80", AF_UNSPEC, &a), 0);
    cr_assert(run_until(r.loop, &a.done, 5000), "the lookup hung");
    cr_assert_eq(a.calls, 1);
    cr_assert_lt(a.status, 0);
    cr_assert_neq(a.status, AX_ECANCELED);
    cr_assert_eq(a.n, 0);
    rig_close(&r);
}

Test(resolve, a_bad_service_fails, BOUND)
{
    rig r;
    rig_open(&r, 1);
    answer a;
    cr_assert_eq(resolve(&r, "127.0.0.1", "no-such-service-name", AF_UNSPEC, &a), 0);
    cr_assert(run_until(r.loop, &a.done, 5000));
    cr_assert_lt(a.status, 0);
    rig_close(&r);
}

Test(resolve, rejects_bad_arguments)
{
    rig r;
    rig_open(&r, 1);
    answer a;
    static char long_host[1100];
    memset(long_host, 'a', sizeof(long_host) - 1);
    cr_assert_eq(resolve(&r, long_host, "80", AF_UNSPEC, &a), AX_EINVAL);
    cr_assert_eq(resolve(&r, "", "80", AF_UNSPEC, &a), AX_EINVAL);
    cr_assert_eq(resolve(&r, "localhost", "80", AF_UNIX, &a), AX_EINVAL);
    cr_assert_eq(ax_resolve_start(r.loop, r.pool, NULL, "80", NULL, on_resolve, &a, NULL),
                 AX_EINVAL);
    cr_assert_eq(ax_resolve_start(r.loop, r.pool, "localhost", "80", NULL, NULL, NULL, NULL),
                 AX_EINVAL);
    ax_resolve_cancel(NULL);
    rig_close(&r);
}

/* ---- a gate that keeps the only worker busy ----------------------------- */

typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool entered;
    bool open;
    ax_work w;
    bool done;
    ax_loop *loop;
} gate;

static struct timespec deadline_in(unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static void gate_work(ax_work *w, void *ud)
{
    gate *g = ud;
    (void)w;
    pthread_mutex_lock(&g->mu);
    g->entered = true;
    pthread_cond_broadcast(&g->cv);
    struct timespec dl = deadline_in(5000);
    while (!g->open) {
        if (pthread_cond_timedwait(&g->cv, &g->mu, &dl) != 0)
            break;
    }
    pthread_mutex_unlock(&g->mu);
}

static void gate_done(ax_work *w, int status, void *ud)
{
    gate *g = ud;
    (void)w;
    (void)status;
    g->done = true;
    ax_loop_stop(g->loop);
}

static void gate_start(gate *g, rig *r)
{
    memset(g, 0, sizeof(*g));
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->loop = r->loop;
    ax_work_init(&g->w);
    cr_assert_eq(ax_pool_submit(r->pool, r->loop, &g->w, gate_work, gate_done, g), 0);
}

/* Waits until the worker is inside gate_work. */
static bool gate_wait_entered(gate *g)
{
    struct timespec dl = deadline_in(5000);
    pthread_mutex_lock(&g->mu);
    while (!g->entered) {
        if (pthread_cond_timedwait(&g->cv, &g->mu, &dl) != 0)
            break;
    }
    bool in = g->entered;
    pthread_mutex_unlock(&g->mu);
    return in;
}

static void gate_open(gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static void gate_destroy(gate *g)
{
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

Test(resolve, cancel_of_a_queued_lookup_never_calls_back, BOUND)
{
    rig r;
    rig_open(&r, 1);
    gate g;
    gate_start(&g, &r);
    cr_assert(gate_wait_entered(&g));
    answer a;
    cr_assert_eq(resolve(&r, "127.0.0.1", "80", AF_UNSPEC, &a), 0);
    ax_resolve_cancel(a.r);
    ax_resolve_cancel(a.r); /* twice is harmless while the cancel is pending */
    gate_open(&g);
    cr_assert(run_until(r.loop, &g.done, 5000));
    cr_assert_eq(ax_loop_run(r.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(a.calls, 0);
    gate_destroy(&g);
    rig_close(&r);
}

/* The lookup has run on the worker, but its completion has not reached the
 * loop yet: ax_pool_cancel says AX_EBUSY and the done callback must drop
 * the result. A gate item submitted after the lookup proves, by entering,
 * that the single worker is past the lookup. */
Test(resolve, cancel_of_a_lookup_already_run_never_calls_back, BOUND)
{
    rig r;
    rig_open(&r, 1);
    answer a;
    cr_assert_eq(resolve(&r, "localhost", "80", AF_UNSPEC, &a), 0);
    gate g;
    gate_start(&g, &r);
    cr_assert(gate_wait_entered(&g));
    cr_assert_eq(a.calls, 0);
    ax_resolve_cancel(a.r);
    gate_open(&g);
    cr_assert(run_until(r.loop, &g.done, 5000));
    cr_assert_eq(ax_loop_run(r.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(a.calls, 0);
    gate_destroy(&g);
    rig_close(&r);
}

/* A lookup cancelled while its worker may be anywhere: many at once, with
 * several workers, each cancelled right after it was submitted. */
Test(resolve, cancel_at_any_moment_never_calls_back, BOUND)
{
    rig r;
    rig_open(&r, 4);
    answer a[32];
    for (int i = 0; i < 32; i++) {
        cr_assert_eq(resolve(&r, i % 2 ? "localhost" : "::1", "80", AF_UNSPEC, &a[i]), 0);
        ax_resolve_cancel(a[i].r);
    }
    cr_assert_eq(ax_loop_run(r.loop, AX_RUN_DEFAULT), 0);
    for (int i = 0; i < 32; i++)
        cr_assert_eq(a[i].calls, 0);
    rig_close(&r);
}

/* Every allocation the resolver makes goes through the caller's allocator,
 * and each failing one gives AX_ENOMEM (from start or in the callback)
 * without a leak. */
static int resolve_scenario(const ax_allocator *al, void *ud)
{
    rig *r = ud;
    answer ans;
    int rc = resolve_with(r, "127.0.0.1", "80", AF_INET, al, &ans);
    if (rc < 0)
        return rc;
    cr_assert(run_until(r->loop, &ans.done, 5000));
    if (ans.status == 0)
        cr_assert(has_v4_loopback(&ans, 80));
    return ans.status;
}

Test(resolve, allocation_failures_are_enomem, BOUND)
{
    rig r;
    rig_open(&r, 1);
    size_t allocs = ax_test_each_failure(resolve_scenario, &r);
    cr_assert_eq(allocs, 2, "the request and the address array");
    rig_close(&r);
}
