#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "axle/runtime.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(group);

/* A lost stop or a member that never reports shows up as a Criterion
 * timeout rather than a hung run. */
#define BOUND .timeout = 10

#define LOOPS 4

/* ---- a counting allocator several threads may share --------------------- */

/* The counting allocator is not thread-safe, and a group's loops allocate
 * from their own threads: this serialises the calls. */
typedef struct locked_alloc {
    ax_allocator a;
    const ax_allocator *inner;
    pthread_mutex_t mu;
} locked_alloc;

static void *la_malloc(void *ctx, size_t size)
{
    locked_alloc *l = ctx;
    pthread_mutex_lock(&l->mu);
    void *p = l->inner->malloc(l->inner->ctx, size);
    pthread_mutex_unlock(&l->mu);
    return p;
}

static void *la_realloc(void *ctx, void *ptr, size_t size)
{
    locked_alloc *l = ctx;
    pthread_mutex_lock(&l->mu);
    void *p = l->inner->realloc(l->inner->ctx, ptr, size);
    pthread_mutex_unlock(&l->mu);
    return p;
}

static void la_free(void *ctx, void *ptr)
{
    locked_alloc *l = ctx;
    pthread_mutex_lock(&l->mu);
    l->inner->free(l->inner->ctx, ptr);
    pthread_mutex_unlock(&l->mu);
}

static void locked_alloc_init(locked_alloc *l, const ax_allocator *inner)
{
    l->a.malloc = la_malloc;
    l->a.realloc = la_realloc;
    l->a.free = la_free;
    l->a.ctx = l;
    l->inner = inner;
    pthread_mutex_init(&l->mu, NULL);
}

static void locked_alloc_fini(locked_alloc *l)
{
    pthread_mutex_destroy(&l->mu);
}

/* ---- what setup and teardown saw ---------------------------------------- */

typedef struct member_log {
    int setups;
    int teardowns;
    pthread_t setup_thread;
    pthread_t teardown_thread;
    ax_loop *setup_loop;
    ax_loop *teardown_loop;
    /* a handle setup starts and teardown stops: if teardown did not run,
     * the loop could not be freed */
    int pipe[2];
    ax_io io;
} member_log;

typedef struct record {
    pthread_mutex_t mu;     /* setup and teardown run on the members' threads */
    member_log m[LOOPS];
    int fail_index;         /* setup fails on this loop; -1: none */
    int fail_rc;
    bool hold_handle;
    unsigned bad_index;     /* setup saw an index out of range */
} record;

static void record_init(record *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    r->fail_index = -1;
    for (int i = 0; i < LOOPS; i++)
        r->m[i].pipe[0] = r->m[i].pipe[1] = -1;
}

static void on_readable(ax_io *io, unsigned events, void *ud)
{
    (void)io;
    (void)events;
    (void)ud;
}

static int rec_setup(ax_loop *loop, unsigned index, void *ud)
{
    record *r = ud;
    pthread_mutex_lock(&r->mu);
    if (index >= LOOPS) {
        r->bad_index++;
        pthread_mutex_unlock(&r->mu);
        return AX_ERANGE;
    }
    member_log *m = &r->m[index];
    m->setups++;
    m->setup_thread = pthread_self();
    m->setup_loop = loop;
    int rc = (int)index == r->fail_index ? r->fail_rc : 0;
    bool hold = r->hold_handle && rc == 0;
    pthread_mutex_unlock(&r->mu);
    if (hold) {
        if (pipe(m->pipe) != 0)
            return ax_err_from_errno(errno);
        ax_io_init(loop, &m->io, m->pipe[0], on_readable, NULL);
        int src = ax_io_start(&m->io, AX_READABLE);
        if (src < 0)
            return src;
    }
    return rc;
}

static void rec_teardown(ax_loop *loop, unsigned index, void *ud)
{
    record *r = ud;
    if (index >= LOOPS)
        return;
    member_log *m = &r->m[index];
    if (m->pipe[0] >= 0) {
        ax_io_stop(&m->io);
        close(m->pipe[0]);
        close(m->pipe[1]);
        m->pipe[0] = m->pipe[1] = -1;
    }
    pthread_mutex_lock(&r->mu);
    m->teardowns++;
    m->teardown_thread = pthread_self();
    m->teardown_loop = loop;
    pthread_mutex_unlock(&r->mu);
}

static void group_options(ax_loop_group_options *o, record *r)
{
    ax_loop_group_options_init(o);
    o->loops = LOOPS;
    o->setup = rec_setup;
    o->teardown = rec_teardown;
    o->ud = r;
}

/* ---- posts to a member -------------------------------------------------- */

typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned arrived;
} waiter;

static void waiter_init(waiter *w)
{
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->arrived = 0;
}

static void waiter_fini(waiter *w)
{
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
}

static void waiter_arrive(waiter *w)
{
    pthread_mutex_lock(&w->mu);
    w->arrived++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Waits at most 5 s for n arrivals; returns how many came. */
static unsigned waiter_wait(waiter *w, unsigned n)
{
    struct timespec end;
    clock_gettime(CLOCK_REALTIME, &end);
    end.tv_sec += 5;
    pthread_mutex_lock(&w->mu);
    while (w->arrived < n && pthread_cond_timedwait(&w->cv, &w->mu, &end) != ETIMEDOUT) {
    }
    unsigned got = w->arrived;
    pthread_mutex_unlock(&w->mu);
    return got;
}

#define POSTS_PER_LOOP 1000

typedef struct post_check {
    waiter *w;
    unsigned loop_index;
    pthread_t want_thread;
    unsigned next;          /* member thread: the sequence expected next */
    unsigned wrong;         /* wrong thread or out of order */
} post_check;

typedef struct post_msg {
    post_check *pc;
    unsigned seq;
} post_msg;

static void on_post(void *ud)
{
    post_msg *msg = ud;
    post_check *pc = msg->pc;
    if (!pthread_equal(pthread_self(), pc->want_thread) || msg->seq != pc->next)
        pc->wrong++;
    pc->next = msg->seq + 1;
    if (pc->next == POSTS_PER_LOOP)
        waiter_arrive(pc->w);
}

/* ---- tests -------------------------------------------------------------- */

Test(group, options_defaults)
{
    ax_loop_group_options o;
    memset(&o, 0xff, sizeof(o));
    ax_loop_group_options_init(&o);
    cr_assert_eq(o.loops, 0, "0: one loop per CPU");
    cr_assert_null(o.setup);
    cr_assert_null(o.teardown);
    cr_assert_null(o.ud);
    cr_assert_null(o.loop.allocator);
    cr_assert_eq(o.loop.max_events, 256, "the loop options are initialised too");
}

Test(group, setup_runs_on_each_loops_own_thread, BOUND)
{
    record r;
    record_init(&r);
    ax_loop_group_options o;
    group_options(&o, &r);
    ax_loop_group *g;
    cr_assert_eq(ax_loop_group_start(&o, &g), 0);
    cr_assert_eq(ax_loop_group_size(g), LOOPS);
    cr_assert_null(ax_loop_group_loop(g, LOOPS));
    pthread_mutex_lock(&r.mu);
    cr_assert_eq(r.bad_index, 0);
    for (unsigned i = 0; i < LOOPS; i++) {
        member_log *m = &r.m[i];
        cr_assert_eq(m->setups, 1, "loop %u set up %d times before start returned", i, m->setups);
        cr_assert_eq(m->setup_loop, ax_loop_group_loop(g, i), "loop %u", i);
        cr_assert_not(pthread_equal(m->setup_thread, pthread_self()), "loop %u set up on the caller", i);
        for (unsigned j = 0; j < i; j++) {
            cr_assert_not(pthread_equal(m->setup_thread, r.m[j].setup_thread),
                          "loops %u and %u share a thread", j, i);
            cr_assert_neq(m->setup_loop, r.m[j].setup_loop);
        }
        cr_assert_eq(m->teardowns, 0);
    }
    pthread_mutex_unlock(&r.mu);
    ax_loop_group_stop(g);
    cr_assert_eq(ax_loop_group_join(g), 0);
}

Test(group, posts_run_on_their_loops_thread_in_order, BOUND)
{
    record r;
    record_init(&r);
    ax_loop_group_options o;
    group_options(&o, &r);
    ax_loop_group *g;
    cr_assert_eq(ax_loop_group_start(&o, &g), 0);
    waiter w;
    waiter_init(&w);
    static post_check pcs[LOOPS];
    static post_msg msgs[LOOPS][POSTS_PER_LOOP];
    for (unsigned i = 0; i < LOOPS; i++) {
        pcs[i] = (post_check){.w = &w, .loop_index = i, .want_thread = r.m[i].setup_thread};
        for (unsigned s = 0; s < POSTS_PER_LOOP; s++) {
            msgs[i][s] = (post_msg){.pc = &pcs[i], .seq = s};
        }
    }
    /* Interleaved, so every loop is busy at once. */
    for (unsigned s = 0; s < POSTS_PER_LOOP; s++) {
        for (unsigned i = 0; i < LOOPS; i++)
            cr_assert_eq(ax_loop_post(ax_loop_group_loop(g, i), on_post, &msgs[i][s]), 0);
    }
    cr_assert_eq(waiter_wait(&w, LOOPS), LOOPS, "posts to a group's loops got lost");
    ax_loop_group_stop(g);
    cr_assert_eq(ax_loop_group_join(g), 0);
    for (unsigned i = 0; i < LOOPS; i++) {
        cr_assert_eq(pcs[i].wrong, 0, "loop %u: %u posts on the wrong thread or out of order", i,
                     pcs[i].wrong);
        cr_assert_eq(pcs[i].next, POSTS_PER_LOOP);
    }
    waiter_fini(&w);
}

Test(group, stop_and_join_tear_down_each_loop_once_on_its_thread, BOUND)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    locked_alloc la;
    locked_alloc_init(&la, &t.a);
    record r;
    record_init(&r);
    r.hold_handle = true; /* join would report AX_EBUSY without teardown */
    ax_loop_group_options o;
    group_options(&o, &r);
    o.loop.allocator = &la.a;
    ax_loop_group *g;
    cr_assert_eq(ax_loop_group_start(&o, &g), 0);
    ax_loop *loops[LOOPS];
    for (unsigned i = 0; i < LOOPS; i++)
        loops[i] = ax_loop_group_loop(g, i);
    ax_loop_group_stop(g);
    ax_loop_group_stop(g); /* twice is harmless */
    cr_assert_eq(ax_loop_group_join(g), 0);
    for (unsigned i = 0; i < LOOPS; i++) {
        member_log *m = &r.m[i];
        cr_assert_eq(m->teardowns, 1, "loop %u torn down %d times", i, m->teardowns);
        cr_assert(pthread_equal(m->teardown_thread, m->setup_thread), "loop %u: teardown on another thread", i);
        cr_assert_eq(m->teardown_loop, loops[i]);
    }
    cr_assert_eq(t.live, 0, "%zu blocks leaked: a loop was not freed", t.live);
    locked_alloc_fini(&la);
}

static void check_setup_failure(unsigned loops, int fail_index)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    locked_alloc la;
    locked_alloc_init(&la, &t.a);
    record r;
    record_init(&r);
    r.fail_index = fail_index;
    r.fail_rc = AX_EADDRINUSE;
    r.hold_handle = true; /* the loops that did set up hold a watcher */
    ax_loop_group_options o;
    group_options(&o, &r);
    o.loops = loops;
    o.loop.allocator = &la.a;
    ax_loop_group *g = (ax_loop_group *)&r; /* must stay untouched */
    cr_assert_eq(ax_loop_group_start(&o, &g), AX_EADDRINUSE);
    cr_assert_eq(g, (ax_loop_group *)&r, "*out set on failure");
    /* Start returned after joining every thread: no locking needed now. */
    for (unsigned i = 0; i < loops; i++) {
        member_log *m = &r.m[i];
        if ((int)i == fail_index) {
            cr_assert_eq(m->teardowns, 0, "loop %u: its setup failed, yet it was torn down", i);
            continue;
        }
        /* A loop may not have reached its setup when the failure stopped
         * everyone; one that did must have been torn down. */
        cr_assert_leq(m->setups, 1);
        cr_assert_eq(m->teardowns, m->setups, "loop %u: set up %d, torn down %d", i, m->setups,
                     m->teardowns);
        if (m->teardowns == 1)
            cr_assert(pthread_equal(m->teardown_thread, m->setup_thread));
    }
    cr_assert_eq(r.m[fail_index].setups, 1);
    cr_assert_eq(t.live, 0, "%zu blocks leaked: a loop was not freed", t.live);
    locked_alloc_fini(&la);
    pthread_mutex_destroy(&r.mu);
}

Test(group, failed_setup_fails_start_and_tears_down_the_others, BOUND)
{
    for (int round = 0; round < 20; round++)
        check_setup_failure(LOOPS, 2);
    check_setup_failure(LOOPS, 0);
    check_setup_failure(LOOPS, LOOPS - 1);
    check_setup_failure(1, 0);
}

/* Success is 0 or a positive count, in axle as in its callbacks. */
static int setup_returns_positive(ax_loop *loop, unsigned index, void *ud)
{
    int rc = rec_setup(loop, index, ud);
    return rc < 0 ? rc : 1;
}

Test(group, positive_setup_return_is_success, BOUND)
{
    record r;
    record_init(&r);
    ax_loop_group_options o;
    group_options(&o, &r);
    o.setup = setup_returns_positive;
    ax_loop_group *g;
    cr_assert_eq(ax_loop_group_start(&o, &g), 0);
    waiter w;
    waiter_init(&w);
    static post_check pcs[LOOPS];
    static post_msg msgs[LOOPS];
    for (unsigned i = 0; i < LOOPS; i++) {
        pcs[i] = (post_check){.w = &w, .loop_index = i, .want_thread = r.m[i].setup_thread,
                              .next = POSTS_PER_LOOP - 1};
        msgs[i] = (post_msg){.pc = &pcs[i], .seq = POSTS_PER_LOOP - 1};
        cr_assert_eq(ax_loop_post(ax_loop_group_loop(g, i), on_post, &msgs[i]), 0);
    }
    cr_assert_eq(waiter_wait(&w, LOOPS), LOOPS, "a loop whose setup returned 1 is not running");
    ax_loop_group_stop(g);
    cr_assert_eq(ax_loop_group_join(g), 0);
    for (unsigned i = 0; i < LOOPS; i++) {
        cr_assert_eq(pcs[i].wrong, 0);
        cr_assert_eq(r.m[i].teardowns, 1, "loop %u", i);
    }
    waiter_fini(&w);
}

Test(group, stop_right_after_start_is_not_lost, BOUND)
{
    for (int round = 0; round < 50; round++) {
        record r;
        record_init(&r);
        ax_loop_group_options o;
        group_options(&o, &r);
        ax_loop_group *g;
        cr_assert_eq(ax_loop_group_start(&o, &g), 0);
        ax_loop_group_stop(g);
        cr_assert_eq(ax_loop_group_join(g), 0, "round %d", round);
        for (unsigned i = 0; i < LOOPS; i++)
            cr_assert_eq(r.m[i].teardowns, 1, "round %d loop %u", round, i);
        pthread_mutex_destroy(&r.mu);
    }
}

/* A member may stop the whole group, from one of its own callbacks. */
static void stop_group_from_inside(void *ud)
{
    ax_loop_group_stop(ud);
}

Test(group, a_member_may_stop_the_group, BOUND)
{
    record r;
    record_init(&r);
    ax_loop_group_options o;
    group_options(&o, &r);
    ax_loop_group *g;
    cr_assert_eq(ax_loop_group_start(&o, &g), 0);
    cr_assert_eq(ax_loop_post(ax_loop_group_loop(g, 1), stop_group_from_inside, g), 0);
    cr_assert_eq(ax_loop_group_join(g), 0);
    for (unsigned i = 0; i < LOOPS; i++)
        cr_assert_eq(r.m[i].teardowns, 1);
}

Test(group, zero_loops_means_one_per_cpu, BOUND)
{
    ax_loop_group_options o;
    ax_loop_group_options_init(&o);
    ax_loop_group *g;
    cr_assert_eq(ax_loop_group_start(&o, &g), 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cr_assert_eq(ax_loop_group_size(g), cpus < 1 ? 1u : (unsigned)cpus);
    ax_loop_group_stop(g);
    cr_assert_eq(ax_loop_group_join(g), 0);
}

/* A group of two loops from allocator a (made thread-safe), with every
 * allocation failing in turn: on the caller's thread or on a member's. */
static int group_scenario(const ax_allocator *a, void *ud)
{
    (void)ud;
    locked_alloc la;
    locked_alloc_init(&la, a);
    ax_loop_group_options o;
    ax_loop_group_options_init(&o);
    o.loops = 2;
    o.loop.allocator = &la.a;
    ax_loop_group *g;
    int rc = ax_loop_group_start(&o, &g);
    if (rc == 0) {
        ax_loop_group_stop(g);
        rc = ax_loop_group_join(g);
    }
    locked_alloc_fini(&la);
    return rc;
}

Test(group, allocation_failures_are_reported_and_leak_nothing, BOUND)
{
    size_t allocs = ax_test_each_failure(group_scenario, NULL);
    cr_assert_gt(allocs, 2);
}
