#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "axle/runtime.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(pool);

/* A lost completion or a worker that never wakes shows up as a Criterion
 * timeout rather than a hung run. */
#define BOUND .timeout = 10

/* ---- a gate the test opens, to keep workers busy ------------------------- */

/* Work that passes through the gate blocks until the test opens it, so the
 * items submitted behind it stay queued for as long as the test needs. */
typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned entered;   /* workers that reached the gate */
    bool open;
} gate;

static void gate_init(gate *g)
{
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->entered = 0;
    g->open = false;
}

static void gate_destroy(gate *g)
{
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

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

/* Worker side. Bounded, so that a broken test cannot hold a worker (and the
 * pool's shutdown) forever; the test then fails on its own checks. */
static void gate_pass(gate *g)
{
    struct timespec end = deadline_in(10000);
    pthread_mutex_lock(&g->mu);
    g->entered++;
    pthread_cond_broadcast(&g->cv);
    while (!g->open && pthread_cond_timedwait(&g->cv, &g->mu, &end) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&g->mu);
}

/* Test side: waits (bounded) until n workers are held at the gate. */
static bool gate_wait_entered(gate *g, unsigned n)
{
    struct timespec end = deadline_in(5000);
    pthread_mutex_lock(&g->mu);
    while (g->entered < n && pthread_cond_timedwait(&g->cv, &g->mu, &end) != ETIMEDOUT) {
    }
    bool ok = g->entered >= n;
    pthread_mutex_unlock(&g->mu);
    return ok;
}

static void gate_open(gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* ---- work items that record what happened to them ----------------------- */

typedef struct ctx ctx;

typedef struct item {
    ax_work w;
    ctx *c;
    unsigned index;
    bool gated;             /* work waits at the gate */
    /* written by the worker, read on the loop after done */
    int work_runs;
    pthread_t work_thread;
    /* loop thread */
    int done_runs;
    int status;
    unsigned done_pos;      /* position among completions */
} item;

struct ctx {
    ax_loop *loop;
    pthread_t loop_thread;
    gate gate;
    atomic_uint works_started;  /* order in which workers took items */
    atomic_uint works_finished;
    unsigned *work_order;       /* index of the i-th item a worker took */
    unsigned dones;
    unsigned wrong_thread;      /* work on the loop thread, done off it, wrong w */
};

/* Runs on a worker: records, and leaves the checking to the loop thread
 * (a Criterion assertion must not fail on another thread). */
static void item_work(ax_work *w, void *ud)
{
    item *it = ud;
    unsigned pos = atomic_fetch_add(&it->c->works_started, 1);
    if (it->c->work_order != NULL)
        it->c->work_order[pos] = it->index;
    it->work_runs += w == &it->w ? 1 : 100;
    it->work_thread = pthread_self();
    if (it->gated)
        gate_pass(&it->c->gate);
    atomic_fetch_add(&it->c->works_finished, 1);
}

static void item_done(ax_work *w, int status, void *ud)
{
    item *it = ud;
    ctx *c = it->c;
    if (w != &it->w || !pthread_equal(pthread_self(), c->loop_thread) ||
        (it->work_runs > 0 && pthread_equal(it->work_thread, c->loop_thread)))
        c->wrong_thread++;
    it->done_runs++;
    it->status = status;
    it->done_pos = c->dones++;
}

static void ctx_init(ctx *c)
{
    memset(c, 0, sizeof(*c));
    cr_assert_eq(ax_loop_new(NULL, &c->loop), 0);
    c->loop_thread = pthread_self();
    gate_init(&c->gate);
    atomic_init(&c->works_started, 0);
    atomic_init(&c->works_finished, 0);
}

static void ctx_fini(ctx *c)
{
    cr_assert_eq(ax_loop_free(c->loop), 0);
    gate_destroy(&c->gate);
    free(c->work_order);
}

static item *items_new(ctx *c, unsigned n)
{
    item *its = calloc(n, sizeof(*its));
    cr_assert_not_null(its);
    for (unsigned i = 0; i < n; i++) {
        its[i].c = c;
        its[i].index = i;
    }
    return its;
}

static ax_pool *pool_new(unsigned threads, size_t max_queued)
{
    ax_pool_options o;
    ax_pool_options_init(&o);
    o.threads = threads;
    if (max_queued != 0)
        o.max_queued = max_queued;
    ax_pool *p;
    cr_assert_eq(ax_pool_new(&o, &p), 0);
    return p;
}

static void submit(ax_pool *p, ctx *c, item *it)
{
    int rc = ax_pool_submit(p, c->loop, &it->w, item_work, item_done, it);
    cr_assert_eq(rc, 0, "submit of item %u: %s", it->index, ax_err_name(rc));
}

/* Holds every worker of an n-thread pool at the gate with items[0..n). */
static void block_workers(ax_pool *p, ctx *c, item *its, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        its[i].gated = true;
        submit(p, c, &its[i]);
    }
    cr_assert(gate_wait_entered(&c->gate, n), "the workers never took the gated items");
}

/* ---- basics ------------------------------------------------------------- */

Test(pool, options_defaults)
{
    ax_pool_options o;
    memset(&o, 0xff, sizeof(o));
    ax_pool_options_init(&o);
    cr_assert_null(o.allocator);
    cr_assert_eq(o.threads, 0, "0: one worker per CPU");
    cr_assert_eq(o.max_queued, 65536);
    ax_pool_free(NULL, AX_POOL_DRAIN); /* ignored */
}

Test(pool, work_on_a_worker_done_on_the_loop_each_exactly_once, BOUND)
{
    enum { N = 2000 };
    ctx c;
    ctx_init(&c);
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_pool_options o;
    ax_pool_options_init(&o);
    o.allocator = &t.a;
    o.threads = 4;
    ax_pool *p;
    cr_assert_eq(ax_pool_new(&o, &p), 0);
    cr_assert_gt(t.live, 0, "the pool uses the allocator it is given");
    item *its = items_new(&c, N);
    for (unsigned i = 0; i < N; i++)
        submit(p, &c, &its[i]);
    cr_assert_eq(c.dones, 0, "done ran inside submit");
    cr_assert_eq(ax_loop_run(c.loop, AX_RUN_DEFAULT), 0, "the loop stays up until every done ran");
    cr_assert_eq(c.dones, N);
    cr_assert_eq(c.wrong_thread, 0);
    for (unsigned i = 0; i < N; i++) {
        cr_assert_eq(its[i].work_runs, 1, "item %u: work ran %d times", i, its[i].work_runs);
        cr_assert_eq(its[i].done_runs, 1, "item %u: done ran %d times", i, its[i].done_runs);
        cr_assert_eq(its[i].status, 0);
        cr_assert_not(pthread_equal(its[i].work_thread, c.loop_thread));
    }
    ax_pool_free(p, AX_POOL_DRAIN);
    cr_assert_eq(t.live, 0, "%zu blocks leaked", t.live);
    free(its);
    ctx_fini(&c);
}

Test(pool, submit_checks_its_arguments_and_refuses_a_submitted_work, BOUND)
{
    ctx c;
    ctx_init(&c);
    ax_pool *p = pool_new(1, 0);
    item *its = items_new(&c, 2);
    cr_assert_eq(ax_pool_submit(p, c.loop, &its[1].w, NULL, item_done, &its[1]), AX_EINVAL);
    cr_assert_eq(ax_pool_submit(p, c.loop, &its[1].w, item_work, NULL, &its[1]), AX_EINVAL);
    cr_assert_eq(ax_pool_cancel(&its[1].w), AX_EINVAL, "never submitted");
    block_workers(p, &c, its, 1);
    submit(p, &c, &its[1]);
    /* Queued, running, or finished with done still to come: all busy. */
    cr_assert_eq(ax_pool_submit(p, c.loop, &its[1].w, item_work, item_done, &its[1]), AX_EBUSY);
    cr_assert_eq(ax_pool_submit(p, c.loop, &its[0].w, item_work, item_done, &its[0]), AX_EBUSY);
    gate_open(&c.gate);
    cr_assert_eq(ax_loop_run(c.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(its[0].done_runs, 1);
    cr_assert_eq(its[1].done_runs, 1);
    cr_assert_eq(its[1].work_runs, 1);
    cr_assert_eq(ax_pool_cancel(&its[1].w), AX_EINVAL, "its done has run: no longer submitted");

    /* Once done has run, the same ax_work may be submitted again. */
    submit(p, &c, &its[1]);
    cr_assert_eq(ax_loop_run(c.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(its[1].work_runs, 2);
    cr_assert_eq(its[1].done_runs, 2);
    ax_pool_free(p, AX_POOL_DRAIN);
    free(its);
    ctx_fini(&c);
}

/* ---- cancellation ------------------------------------------------------- */

Test(pool, cancel_of_queued_work_never_runs_it, BOUND)
{
    enum { WORKERS = 2, N = 12 };
    ctx c;
    ctx_init(&c);
    ax_pool *p = pool_new(WORKERS, 0);
    item *its = items_new(&c, N);
    block_workers(p, &c, its, WORKERS);
    for (unsigned i = WORKERS; i < N; i++)
        submit(p, &c, &its[i]);

    /* Cancel every other queued item, the last one included. */
    for (unsigned i = WORKERS + 1; i < N; i += 2) {
        cr_assert_eq(ax_pool_cancel(&its[i].w), 0, "item %u", i);
        cr_assert_eq(its[i].done_runs, 0, "done ran inside ax_pool_cancel");
        cr_assert_eq(ax_pool_cancel(&its[i].w), AX_EBUSY, "already cancelled, done pending");
        cr_assert_eq(ax_pool_submit(p, c.loop, &its[i].w, item_work, item_done, &its[i]),
                     AX_EBUSY, "submitted until done has run");
    }
    /* Running work cannot be cancelled. */
    for (unsigned i = 0; i < WORKERS; i++)
        cr_assert_eq(ax_pool_cancel(&its[i].w), AX_EBUSY);
    cr_assert_eq(ax_loop_free(c.loop), AX_EBUSY);

    /* The cancellations complete while the workers are still blocked. */
    while (c.dones < (N - WORKERS) / 2)
        cr_assert_eq(ax_loop_run(c.loop, AX_RUN_ONCE), 1);
    cr_assert_eq(atomic_load(&c.works_started), WORKERS);

    gate_open(&c.gate);
    cr_assert_eq(ax_loop_run(c.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(c.dones, N);
    cr_assert_eq(c.wrong_thread, 0);
    for (unsigned i = 0; i < N; i++) {
        bool cancelled = i >= WORKERS && (i - WORKERS) % 2 == 1;
        cr_assert_eq(its[i].done_runs, 1, "item %u", i);
        cr_assert_eq(its[i].status, cancelled ? AX_ECANCELED : 0, "item %u: %s", i,
                     ax_err_name(its[i].status));
        cr_assert_eq(its[i].work_runs, cancelled ? 0 : 1, "item %u", i);
    }
    cr_assert_eq(atomic_load(&c.works_started), N - (N - WORKERS) / 2);
    ax_pool_free(p, AX_POOL_DRAIN);
    free(its);
    ctx_fini(&c);
}

Test(pool, max_queued_refuses_with_elimit, BOUND)
{
    enum { MAXQ = 3 };
    ctx c;
    ctx_init(&c);
    ax_pool *p = pool_new(1, MAXQ);
    item *its = items_new(&c, MAXQ + 3);
    block_workers(p, &c, its, 1); /* running: not counted as queued */
    for (unsigned i = 1; i <= MAXQ; i++)
        submit(p, &c, &its[i]);
    item *extra = &its[MAXQ + 1];
    cr_assert_eq(ax_pool_submit(p, c.loop, &extra->w, item_work, item_done, extra), AX_ELIMIT);
    cr_assert_eq(ax_pool_cancel(&extra->w), AX_EINVAL, "a refused item is not submitted");
    /* Cancelling one makes room. */
    cr_assert_eq(ax_pool_cancel(&its[2].w), 0);
    submit(p, &c, extra);
    item *extra2 = &its[MAXQ + 2];
    cr_assert_eq(ax_pool_submit(p, c.loop, &extra2->w, item_work, item_done, extra2), AX_ELIMIT);
    gate_open(&c.gate);
    cr_assert_eq(ax_loop_run(c.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(c.dones, MAXQ + 2);
    cr_assert_eq(extra->status, 0);
    cr_assert_eq(extra->work_runs, 1);
    cr_assert_eq(its[2].status, AX_ECANCELED);
    cr_assert_eq(extra2->done_runs, 0);
    cr_assert_eq(extra2->work_runs, 0);
    ax_pool_free(p, AX_POOL_DRAIN);
    free(its);
    ctx_fini(&c);
}

/* ---- order and liveness ------------------------------------------------- */

Test(pool, one_thread_runs_and_completes_in_submit_order, BOUND)
{
    enum { N = 1000 };
    ctx c;
    ctx_init(&c);
    c.work_order = calloc(N, sizeof(unsigned));
    ax_pool *p = pool_new(1, 0);
    item *its = items_new(&c, N);
    for (unsigned i = 0; i < N; i++)
        submit(p, &c, &its[i]);
    cr_assert_eq(ax_loop_run(c.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(c.dones, N);
    for (unsigned i = 0; i < N; i++) {
        cr_assert_eq(c.work_order[i], i, "the worker's %u-th item was %u", i, c.work_order[i]);
        cr_assert_eq(its[i].done_pos, i, "item %u completed %u-th", i, its[i].done_pos);
    }
    ax_pool_free(p, AX_POOL_DRAIN);
    free(its);
    ctx_fini(&c);
}

Test(pool, loop_stays_alive_until_every_done_has_run, BOUND)
{
    ctx c;
    ctx_init(&c);
    ax_pool *p = pool_new(1, 0);
    item *its = items_new(&c, 2);
    block_workers(p, &c, its, 1);
    submit(p, &c, &its[1]);
    cr_assert_eq(ax_loop_free(c.loop), AX_EBUSY);
    cr_assert_eq(ax_loop_run(c.loop, AX_RUN_NOWAIT), 1);
    gate_open(&c.gate);
    /* The pool may go first: completions already made still reach the
     * loop, which stays busy until it has delivered them. */
    ax_pool_free(p, AX_POOL_DRAIN);
    cr_assert_eq(atomic_load(&c.works_finished), 2);
    cr_assert_eq(ax_loop_free(c.loop), AX_EBUSY, "done has not run yet");
    cr_assert_eq(c.dones, 0);
    cr_assert_eq(ax_loop_run(c.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(c.dones, 2);
    cr_assert_eq(its[0].status, 0);
    cr_assert_eq(its[1].status, 0);
    free(its);
    ctx_fini(&c);
}

/* ---- shutting down ------------------------------------------------------ */

/* ax_pool_free blocks while the workers are held at the gate. A helper
 * thread finds out that the shutdown has begun (a probe submit, refused with
 * AX_ELIMIT while the queue is full, gets AX_ESTATE from then on) and only
 * then opens the gate: so the queued items are still queued when the
 * shutdown sees them. */
typedef struct opener {
    ax_pool *pool;
    gate *gate;
    bool saw_estate;
    int other_rc;
} opener;

static void probe_work(ax_work *w, void *ud)
{
    (void)w;
    (void)ud;
}

static void probe_done(ax_work *w, int status, void *ud)
{
    (void)w;
    (void)status;
    (void)ud;
}

static void *opener_main(void *arg)
{
    opener *o = arg;
    ax_loop *loop; /* its own: submits are made on the submitting loop's thread */
    if (ax_loop_new(NULL, &loop) != 0) {
        o->other_rc = AX_ENOMEM;
        gate_open(o->gate);
        return NULL;
    }
    ax_work probe;
    memset(&probe, 0, sizeof(probe));
    struct timespec now, end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += 5;
    for (;;) {
        int rc = ax_pool_submit(o->pool, loop, &probe, probe_work, probe_done, NULL);
        if (rc == AX_ESTATE) {
            o->saw_estate = true;
            break;
        }
        if (rc != AX_ELIMIT) {
            o->other_rc = rc == 0 ? AX_EIO : rc;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec > end.tv_nsec))
            break;
        sched_yield();
    }
    gate_open(o->gate);
    if (o->other_rc == AX_EIO) /* the probe got in: collect it */
        ax_loop_run(loop, AX_RUN_DEFAULT);
    ax_loop_free(loop);
    return NULL;
}

static void check_free(ax_pool_shutdown how)
{
    enum { WORKERS = 2, QUEUED = 10, N = WORKERS + QUEUED };
    ctx c;
    ctx_init(&c);
    ax_pool *p = pool_new(WORKERS, QUEUED);
    item *its = items_new(&c, N);
    block_workers(p, &c, its, WORKERS);
    for (unsigned i = WORKERS; i < N; i++)
        submit(p, &c, &its[i]);
    opener o = {.pool = p, .gate = &c.gate};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, opener_main, &o), 0);
    ax_pool_free(p, how);
    /* Returned: the running work has finished, and so has the queued work
     * when draining. */
    unsigned finished = atomic_load(&c.works_finished);
    pthread_join(t, NULL);
    cr_assert_eq(o.other_rc, 0, "probe submit: %s", ax_err_name(o.other_rc));
    cr_assert(o.saw_estate, "submit during shutdown must give AX_ESTATE");
    cr_assert_eq(finished, how == AX_POOL_DRAIN ? N : WORKERS);
    cr_assert_eq(atomic_load(&c.works_started), finished);
    cr_assert_eq(c.dones, 0, "completions wait for the loop to run");
    cr_assert_eq(ax_loop_free(c.loop), AX_EBUSY);

    cr_assert_eq(ax_loop_run(c.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(c.dones, N);
    cr_assert_eq(c.wrong_thread, 0);
    for (unsigned i = 0; i < N; i++) {
        bool cancelled = how == AX_POOL_CANCEL && i >= WORKERS;
        cr_assert_eq(its[i].done_runs, 1, "item %u", i);
        cr_assert_eq(its[i].status, cancelled ? AX_ECANCELED : 0, "item %u: %s", i,
                     ax_err_name(its[i].status));
        cr_assert_eq(its[i].work_runs, cancelled ? 0 : 1, "item %u", i);
    }
    free(its);
    ctx_fini(&c);
}

Test(pool, free_drain_runs_every_queued_item, BOUND)
{
    check_free(AX_POOL_DRAIN);
}

Test(pool, free_cancel_cancels_queued_and_waits_for_running, BOUND)
{
    check_free(AX_POOL_CANCEL);
}

/* ---- from done callbacks ------------------------------------------------ */

typedef struct chain {
    ax_pool *pool;
    ax_loop *loop;
    ax_work w;
    int works;
    int dones;
    int target;
    int rc;
} chain;

static void chain_work(ax_work *w, void *ud)
{
    (void)w;
    ((chain *)ud)->works++;
}

static void chain_done(ax_work *w, int status, void *ud)
{
    chain *ch = ud;
    if (status != 0 && ch->rc == 0)
        ch->rc = status;
    if (++ch->dones < ch->target) {
        /* The same ax_work, again, from its own done callback. */
        int rc = ax_pool_submit(ch->pool, ch->loop, w, chain_work, chain_done, ch);
        if (rc != 0 && ch->rc == 0)
            ch->rc = rc;
    }
}

Test(pool, done_may_resubmit_its_own_work, BOUND)
{
    chain ch = {.pool = pool_new(2, 0), .target = 100};
    memset(&ch.w, 0, sizeof(ch.w));
    cr_assert_eq(ax_loop_new(NULL, &ch.loop), 0);
    cr_assert_eq(ax_pool_submit(ch.pool, ch.loop, &ch.w, chain_work, chain_done, &ch), 0);
    cr_assert_eq(ax_loop_run(ch.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(ch.rc, 0, "%s", ax_err_name(ch.rc));
    cr_assert_eq(ch.dones, 100);
    cr_assert_eq(ch.works, 100);
    ax_pool_free(ch.pool, AX_POOL_DRAIN);
    cr_assert_eq(ax_loop_free(ch.loop), 0);
}

/* ---- stress: four loops, one pool --------------------------------------- */

#define STRESS_LOOPS 4
#define STRESS_ITEMS 10000

typedef struct stress_loop {
    ax_pool *pool;
    ctx c;
    item *its;
    int cancel_rc[STRESS_ITEMS];
    char why[160];          /* the first thing that went wrong, if any */
} stress_loop;

static void *stress_main(void *arg)
{
    stress_loop *s = arg;
    ctx *c = &s->c;
    if (ax_loop_new(NULL, &c->loop) != 0) {
        snprintf(s->why, sizeof(s->why), "ax_loop_new failed");
        return NULL;
    }
    c->loop_thread = pthread_self();
    for (unsigned i = 0; i < STRESS_ITEMS; i++) {
        item *it = &s->its[i];
        int rc = ax_pool_submit(s->pool, c->loop, &it->w, item_work, item_done, it);
        if (rc != 0) {
            snprintf(s->why, sizeof(s->why), "submit %u: %s", i, ax_err_name(rc));
            break;
        }
        /* Race some cancellations against the workers. */
        s->cancel_rc[i] = i % 7 == 3 ? ax_pool_cancel(&it->w) : 1;
        if (i % 1000 == 999) /* collect now and then, as a real loop would */
            ax_loop_run(c->loop, AX_RUN_NOWAIT);
    }
    int rc = ax_loop_run(c->loop, AX_RUN_DEFAULT);
    if (rc != 0 && s->why[0] == '\0')
        snprintf(s->why, sizeof(s->why), "ax_loop_run: %d", rc);
    rc = ax_loop_free(c->loop);
    if (rc != 0 && s->why[0] == '\0')
        snprintf(s->why, sizeof(s->why), "ax_loop_free: %s", ax_err_name(rc));
    return NULL;
}

Test(pool, four_loops_share_one_pool_of_four_workers, BOUND)
{
    ax_pool *p = pool_new(4, 0);
    static stress_loop loops[STRESS_LOOPS];
    pthread_t th[STRESS_LOOPS];
    for (int l = 0; l < STRESS_LOOPS; l++) {
        loops[l].pool = p;
        atomic_init(&loops[l].c.works_started, 0);
        atomic_init(&loops[l].c.works_finished, 0);
        loops[l].its = items_new(&loops[l].c, STRESS_ITEMS);
    }
    for (int l = 0; l < STRESS_LOOPS; l++)
        cr_assert_eq(pthread_create(&th[l], NULL, stress_main, &loops[l]), 0);
    for (int l = 0; l < STRESS_LOOPS; l++)
        pthread_join(th[l], NULL);
    ax_pool_free(p, AX_POOL_DRAIN);

    for (int l = 0; l < STRESS_LOOPS; l++) {
        stress_loop *s = &loops[l];
        cr_assert_eq(s->why[0], '\0', "loop %d: %s", l, s->why);
        cr_assert_eq(s->c.dones, STRESS_ITEMS, "loop %d: %u completions", l, s->c.dones);
        cr_assert_eq(s->c.wrong_thread, 0, "loop %d", l);
        unsigned cancelled = 0;
        for (unsigned i = 0; i < STRESS_ITEMS; i++) {
            item *it = &s->its[i];
            int crc = s->cancel_rc[i];
            cr_assert_eq(it->done_runs, 1, "loop %d item %u: done ran %d times", l, i, it->done_runs);
            if (crc == 0) {
                cancelled++;
                cr_assert_eq(it->status, AX_ECANCELED, "loop %d item %u", l, i);
                cr_assert_eq(it->work_runs, 0, "loop %d item %u: cancelled, yet ran", l, i);
            } else {
                cr_assert(crc == 1 || crc == AX_EBUSY, "loop %d item %u: cancel gave %s", l, i,
                          ax_err_name(crc));
                cr_assert_eq(it->status, 0, "loop %d item %u", l, i);
                cr_assert_eq(it->work_runs, 1, "loop %d item %u", l, i);
            }
        }
        cr_assert_eq(atomic_load(&s->c.works_started), STRESS_ITEMS - cancelled);
        free(s->its);
    }
}

/* ---- allocation failure ------------------------------------------------- */

static void count_work(ax_work *w, void *ud)
{
    (void)w;
    atomic_fetch_add((atomic_int *)ud, 1);
}

static void count_done(ax_work *w, int status, void *ud)
{
    (void)w;
    if (status == 0)
        atomic_fetch_add((atomic_int *)ud, 1000);
}

/* A loop and a pool from allocator a, a few items through them. */
static int pool_scenario(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_loop_options lo;
    ax_loop_options_init(&lo);
    lo.allocator = a;
    ax_loop *loop;
    int rc = ax_loop_new(&lo, &loop);
    if (rc < 0)
        return rc;
    ax_pool_options po;
    ax_pool_options_init(&po);
    po.allocator = a;
    po.threads = 2;
    ax_pool *p;
    rc = ax_pool_new(&po, &p);
    if (rc < 0) {
        ax_loop_free(loop);
        return rc;
    }
    ax_work w[8];
    memset(w, 0, sizeof(w));
    atomic_int count;
    atomic_init(&count, 0);
    int result = 0;
    for (int i = 0; i < 8; i++) {
        if (ax_pool_submit(p, loop, &w[i], count_work, count_done, &count) != 0)
            result = AX_EIO;
    }
    if (ax_loop_run(loop, AX_RUN_DEFAULT) != 0 || atomic_load(&count) != 8 * 1001)
        result = AX_EIO;
    ax_pool_free(p, AX_POOL_DRAIN);
    if (ax_loop_free(loop) != 0)
        result = AX_EIO;
    return result;
}

Test(pool, allocation_failures_are_reported_and_leak_nothing, BOUND)
{
    size_t allocs = ax_test_each_failure(pool_scenario, NULL);
    cr_assert_gt(allocs, 2);
}
