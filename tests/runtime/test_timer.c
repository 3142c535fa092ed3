/*
 * Timers through the loop, with an injected clock: time moves only when the
 * test says so, so every expectation is exact.
 */
#include <stdlib.h>
#include <string.h>

#include "axle/runtime.h"
#include "support/fake_clock.h"
#include "support/suite.h"

AX_SUITE(timer);

typedef struct rig {
    fake_clock clk;
    ax_loop *loop;
    char log[256]; /* one letter per callback, in call order */
    size_t nlog;
    uint64_t fired_at[8];
} rig;

static void rig_open(rig *r)
{
    memset(r, 0, sizeof(*r));
    ax_loop_options o;
    fake_clock_options(&r->clk, &o);
    cr_assert_eq(ax_loop_new(&o, &r->loop), 0);
}

static void rig_close(rig *r)
{
    cr_assert_eq(ax_loop_free(r->loop), 0, "a handle was left active");
}

/* Moves the clock by ms and runs one non-blocking iteration. */
static void tick(rig *r, uint64_t ms)
{
    fake_clock_advance_ms(&r->clk, ms);
    ax_loop_run(r->loop, AX_RUN_NOWAIT);
}

typedef struct named {
    ax_timer t;
    rig *r;
    char name;
    ax_timer *victim;  /* stopped by this timer's callback */
    int restart_ms;    /* > 0: restart itself with this timeout */
    int stop_after;    /* > 0: stop itself after this many calls */
    int calls;
} named;

static void log_cb(ax_timer *t, void *ud)
{
    named *n = ud;
    rig *r = n->r;
    (void)t;
    n->calls++;
    if (r->nlog < sizeof(r->log) - 1)
        r->log[r->nlog++] = n->name;
    if (n->name >= 'A' && n->name < 'A' + 8)
        r->fired_at[n->name - 'A'] = ax_loop_now(r->loop);
    if (n->victim != NULL)
        ax_timer_stop(n->victim);
    if (n->restart_ms > 0)
        cr_assert_eq(ax_timer_start(&n->t, (uint64_t)n->restart_ms, 0, log_cb, n), 0);
    if (n->stop_after > 0 && n->calls >= n->stop_after)
        ax_timer_stop(&n->t);
}

static void named_init(named *n, rig *r, char name)
{
    memset(n, 0, sizeof(*n));
    n->r = r;
    n->name = name;
    ax_timer_init(r->loop, &n->t);
}

Test(timer, fires_at_its_deadline_not_before)
{
    rig r;
    rig_open(&r);
    named a;
    named_init(&a, &r, 'A');
    uint64_t start = ax_loop_now(r.loop);
    cr_assert_eq(ax_timer_start(&a.t, 100, 0, log_cb, &a), 0);
    cr_assert(ax_timer_is_active(&a.t));
    cr_assert_eq(ax_timer_deadline(&a.t), start + 100);
    tick(&r, 99);
    cr_assert_eq(a.calls, 0);
    tick(&r, 1);
    cr_assert_eq(a.calls, 1);
    cr_assert_eq(r.fired_at[0], start + 100);
    cr_assert_not(ax_timer_is_active(&a.t));
    cr_assert_eq(ax_loop_run(r.loop, AX_RUN_DEFAULT), 0);
    rig_close(&r);
}

Test(timer, zero_timeout_runs_on_the_next_iteration)
{
    rig r;
    rig_open(&r);
    named a;
    named_init(&a, &r, 'A');
    cr_assert_eq(ax_timer_start(&a.t, 0, 0, log_cb, &a), 0);
    cr_assert_eq(a.calls, 0, "never from inside start");
    tick(&r, 0);
    cr_assert_eq(a.calls, 1);
    rig_close(&r);
}

Test(timer, equal_deadlines_run_in_start_order)
{
    rig r;
    rig_open(&r);
    named n[5];
    const char *names = "ABCDE";
    for (int i = 0; i < 5; i++) {
        named_init(&n[i], &r, names[i]);
        cr_assert_eq(ax_timer_start(&n[i].t, 50, 0, log_cb, &n[i]), 0);
    }
    tick(&r, 50);
    cr_assert_str_eq(r.log, "ABCDE");
    rig_close(&r);
}

/* A started first with a long timeout, B much later with a short one, both
 * due at the same millisecond: A's entry has cascaded down through the wheel
 * levels, B's went straight to a low level; A must still run first. */
Test(timer, start_order_survives_cascades)
{
    rig r;
    rig_open(&r);
    named a, b, c;
    named_init(&a, &r, 'A');
    named_init(&b, &r, 'B');
    named_init(&c, &r, 'C');
    cr_assert_eq(ax_timer_start(&a.t, 300000, 0, log_cb, &a), 0); /* 5 minutes */
    tick(&r, 299990);
    cr_assert_eq(ax_timer_start(&b.t, 10, 0, log_cb, &b), 0);
    tick(&r, 5);
    cr_assert_eq(ax_timer_start(&c.t, 5, 0, log_cb, &c), 0);
    tick(&r, 4);
    cr_assert_eq(r.nlog, 0);
    tick(&r, 1);
    cr_assert_str_eq(r.log, "ABC");
    cr_assert_eq(r.fired_at[0], r.fired_at[1]);
    rig_close(&r);
}

Test(timer, a_callback_may_stop_a_timer_of_the_same_batch)
{
    rig r;
    rig_open(&r);
    named a, b, c;
    named_init(&a, &r, 'A');
    named_init(&b, &r, 'B');
    named_init(&c, &r, 'C');
    a.victim = &b.t;
    cr_assert_eq(ax_timer_start(&a.t, 20, 0, log_cb, &a), 0);
    cr_assert_eq(ax_timer_start(&b.t, 20, 0, log_cb, &b), 0);
    cr_assert_eq(ax_timer_start(&c.t, 20, 0, log_cb, &c), 0);
    tick(&r, 20);
    cr_assert_str_eq(r.log, "AC", "B was stopped by A before its turn");
    rig_close(&r);
}

/* The victim is freed right after being stopped: the batch must not touch
 * it again (ASan would see it). */
typedef struct killer {
    ax_timer t;
    ax_timer *victim;
    int calls;
} killer;

static void kill_cb(ax_timer *t, void *ud)
{
    killer *k = ud;
    (void)t;
    k->calls++;
    ax_timer_stop(k->victim);
    free(k->victim);
}

static void never(ax_timer *t, void *ud)
{
    (void)t;
    (void)ud;
    cr_assert_fail("a stopped and freed timer ran");
}

Test(timer, a_timer_freed_inside_a_batch_is_forgotten)
{
    rig r;
    rig_open(&r);
    killer k = {.calls = 0};
    k.victim = malloc(sizeof(ax_timer));
    ax_timer_init(r.loop, &k.t);
    ax_timer_init(r.loop, k.victim);
    cr_assert_eq(ax_timer_start(&k.t, 7, 0, kill_cb, &k), 0);
    cr_assert_eq(ax_timer_start(k.victim, 7, 0, never, NULL), 0);
    tick(&r, 7);
    cr_assert_eq(k.calls, 1);
    rig_close(&r);
}

Test(timer, restart_from_its_own_callback)
{
    rig r;
    rig_open(&r);
    named a;
    named_init(&a, &r, 'A');
    a.restart_ms = 10;
    uint64_t start = ax_loop_now(r.loop);
    cr_assert_eq(ax_timer_start(&a.t, 10, 0, log_cb, &a), 0);
    for (int i = 0; i < 5; i++)
        tick(&r, 10);
    cr_assert_eq(a.calls, 5);
    cr_assert_eq(r.fired_at[0], start + 50);
    ax_timer_stop(&a.t);
    rig_close(&r);
}

Test(timer, starting_a_started_timer_restarts_it)
{
    rig r;
    rig_open(&r);
    named a;
    named_init(&a, &r, 'A');
    cr_assert_eq(ax_timer_start(&a.t, 10, 0, log_cb, &a), 0);
    tick(&r, 5);
    cr_assert_eq(ax_timer_start(&a.t, 10, 0, log_cb, &a), 0);
    tick(&r, 5);
    cr_assert_eq(a.calls, 0, "the first deadline is gone");
    tick(&r, 5);
    cr_assert_eq(a.calls, 1);
    ax_timer_stop(&a.t); /* stopping a stopped timer is a no-op */
    cr_assert_eq(ax_timer_start(&a.t, 1, 0, NULL, NULL), AX_EINVAL);
    rig_close(&r);
}

Test(timer, repeating_keeps_its_period_and_skips_missed_runs)
{
    rig r;
    rig_open(&r);
    named a;
    named_init(&a, &r, 'A');
    uint64_t start = ax_loop_now(r.loop);
    cr_assert_eq(ax_timer_start(&a.t, 10, 10, log_cb, &a), 0);
    tick(&r, 10);
    tick(&r, 13); /* late by 3 ms: the next deadline stays on the grid */
    cr_assert_eq(a.calls, 2);
    cr_assert_eq(ax_timer_deadline(&a.t), start + 30);
    tick(&r, 7);
    cr_assert_eq(a.calls, 3);
    tick(&r, 45); /* 4 periods missed: one call, then back on period */
    cr_assert_eq(a.calls, 4);
    cr_assert_eq(ax_timer_deadline(&a.t), ax_loop_now(r.loop) + 10);
    a.stop_after = 5;
    tick(&r, 10);
    cr_assert_eq(a.calls, 5);
    cr_assert_not(ax_timer_is_active(&a.t), "stopped from its own callback");
    rig_close(&r);
}

Test(timer, forty_nine_days_and_beyond)
{
    rig r;
    rig_open(&r);
    named a, b, c;
    named_init(&a, &r, 'A');
    named_init(&b, &r, 'B');
    named_init(&c, &r, 'C');
    const uint64_t day = 86400000u;
    uint64_t start = ax_loop_now(r.loop);
    cr_assert_eq(ax_timer_start(&a.t, 49 * day + 17, 0, log_cb, &a), 0);
    cr_assert_eq(ax_timer_start(&b.t, 1000 * day + 3, 0, log_cb, &b), 0); /* past 2^36 ms */
    cr_assert_eq(ax_timer_start(&c.t, UINT64_MAX, 0, log_cb, &c), 0);
    /* Walk there the way a loop would: sleep what the loop says, wake, run. */
    int wakeups = 0;
    while (a.calls == 0 && wakeups < 1000) {
        int t = ax_loop_backend_timeout(r.loop);
        cr_assert_gt(t, 0, "nothing is due before the deadline");
        tick(&r, (uint64_t)t);
        wakeups++;
    }
    cr_assert_eq(a.calls, 1);
    cr_assert_eq(r.fired_at[0], start + 49 * day + 17, "late or early by %lld ms",
                 (long long)(r.fired_at[0] - (start + 49 * day + 17)));
    cr_assert_lt(wakeups, 200, "%d wakeups for one timer", wakeups);
    tick(&r, (start + 1000 * day + 3) - ax_loop_now(r.loop) - 1);
    cr_assert_eq(b.calls, 0);
    tick(&r, 1);
    cr_assert_eq(b.calls, 1);
    cr_assert_eq(r.fired_at[1], start + 1000 * day + 3);
    cr_assert(ax_timer_is_active(&c.t), "UINT64_MAX never comes");
    ax_timer_stop(&c.t);
    rig_close(&r);
}

Test(timer, poll_timeout_comes_from_the_nearest_timer)
{
    rig r;
    rig_open(&r);
    cr_assert_eq(ax_loop_backend_timeout(r.loop), -1, "no timers: no timeout");
    named a, b;
    named_init(&a, &r, 'A');
    named_init(&b, &r, 'B');
    cr_assert_eq(ax_timer_start(&a.t, 40, 0, log_cb, &a), 0);
    cr_assert_eq(ax_timer_start(&b.t, 25, 0, log_cb, &b), 0);
    /* Never later than the nearest deadline; earlier only at a wheel cascade
     * (then the next answer covers the rest). */
    int t = ax_loop_backend_timeout(r.loop);
    cr_assert(t > 0 && t <= 25, "got %d", t);
    ax_timer_stop(&b.t);
    t = ax_loop_backend_timeout(r.loop);
    cr_assert(t > 0 && t <= 40, "got %d", t);
    cr_assert_eq(ax_timer_start(&b.t, 0, 0, log_cb, &b), 0);
    cr_assert_eq(ax_loop_backend_timeout(r.loop), 0);
    ax_timer_stop(&b.t);

    /* Sleeping what the loop says lands exactly on the deadline. */
    uint64_t due = ax_timer_deadline(&a.t);
    while (a.calls == 0) {
        t = ax_loop_backend_timeout(r.loop);
        cr_assert_gt(t, 0);
        tick(&r, (uint64_t)t);
    }
    cr_assert_eq(r.fired_at[0], due);
    rig_close(&r);
}

/* With the real clock: ONCE sleeps until the timer, not forever and not
 * in a busy loop. */
static void set_flag(ax_timer *t, void *ud)
{
    (void)t;
    *(int *)ud = 1;
}

Test(timer, real_clock_wait_ends_at_the_timer)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    ax_timer t;
    int flag = 0;
    ax_timer_init(loop, &t);
    uint64_t t0 = ax_loop_now_ns(loop);
    cr_assert_eq(ax_timer_start(&t, 30, 0, set_flag, &flag), 0);
    int iterations = 0;
    while (!flag && iterations < 10) {
        ax_loop_run(loop, AX_RUN_ONCE);
        iterations++;
    }
    uint64_t waited = ax_loop_now_ns(loop) - t0;
    cr_assert_eq(flag, 1);
    cr_assert_geq(waited, 29000000u, "fired after %llu ns", (unsigned long long)waited);
    cr_assert_leq(iterations, 3, "%d iterations: the loop is spinning", iterations);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(timer, a_million_timers_started_and_stopped)
{
    rig r;
    rig_open(&r);
    enum { N = 1000000 };
    ax_timer *t = malloc(N * sizeof(ax_timer));
    cr_assert_not_null(t);
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        ax_timer_init(r.loop, &t[i]);
        cr_assert_eq(ax_timer_start(&t[i], 1 + x % 10000000u, 0, never, NULL), 0);
    }
    tick(&r, 0);
    for (int i = 0; i < N; i += 2)
        ax_timer_stop(&t[i]);
    for (int i = N - 1; i > 0; i -= 2)
        ax_timer_stop(&t[i]);
    cr_assert_eq(ax_loop_backend_timeout(r.loop), -1);
    cr_assert_eq(ax_loop_run(r.loop, AX_RUN_DEFAULT), 0);
    free(t);
    rig_close(&r);
}

static void count_cb(ax_timer *t, void *ud)
{
    (void)t;
    (*(int *)ud)++;
}

Test(timer, a_million_timers_expire_exactly_once)
{
    rig r;
    rig_open(&r);
    enum { N = 1000000 };
    ax_timer *t = malloc(N * sizeof(ax_timer));
    cr_assert_not_null(t);
    int fired = 0;
    for (int i = 0; i < N; i++) {
        ax_timer_init(r.loop, &t[i]);
        cr_assert_eq(ax_timer_start(&t[i], (uint64_t)(i % 5000), 0, count_cb, &fired), 0);
    }
    for (int ms = 0; ms < 5000 && fired < N; ms += 7)
        tick(&r, 7);
    cr_assert_eq(fired, N);
    cr_assert_eq(ax_loop_run(r.loop, AX_RUN_NOWAIT), 0);
    free(t);
    rig_close(&r);
}
