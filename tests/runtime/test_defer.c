#include <stdlib.h>
#include <string.h>

#include "axle/runtime.h"
#include "support/suite.h"

AX_SUITE(defer);

typedef struct dlog {
    char s[64];
    size_t n;
    ax_defer *stop_me; /* stopped by the 'A' callback */
    ax_defer *again;   /* re-queued by the 'B' callback */
} dlog;

typedef struct tagged {
    ax_defer d;
    char name;
    dlog *log;
} tagged;

static void note(ax_defer *d, void *ud)
{
    tagged *t = ud;
    (void)d;
    t->log->s[t->log->n++] = t->name;
    if (t->name == 'A' && t->log->stop_me != NULL)
        ax_defer_stop(t->log->stop_me);
    if (t->name == 'B' && t->log->again != NULL) {
        ax_defer *again = t->log->again;
        t->log->again = NULL;
        cr_assert_eq(ax_defer_start(again, note, again == &t->d ? t : ud), 0);
    }
}

static ax_loop *new_loop(void)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    return loop;
}

Test(defer, runs_in_order_at_the_next_iteration)
{
    ax_loop *loop = new_loop();
    dlog log = {{0}, 0, NULL, NULL};
    tagged t[3] = {{.name = 'A', .log = &log}, {.name = 'B', .log = &log}, {.name = 'C', .log = &log}};
    for (int i = 0; i < 3; i++) {
        ax_defer_init(loop, &t[i].d);
        cr_assert_eq(ax_defer_start(&t[i].d, note, &t[i]), 0);
        cr_assert(ax_defer_is_active(&t[i].d));
    }
    cr_assert_eq(log.n, 0);
    cr_assert_eq(ax_loop_backend_timeout(loop), 0, "a deferred callback is due");
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 0);
    cr_assert_str_eq(log.s, "ABC");
    cr_assert_not(ax_defer_is_active(&t[0].d));
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(defer, deferred_from_a_deferred_callback_waits_an_iteration)
{
    ax_loop *loop = new_loop();
    dlog log = {{0}, 0, NULL, NULL};
    tagged b = {.name = 'B', .log = &log};
    ax_defer_init(loop, &b.d);
    log.again = &b.d; /* B re-queues itself once */
    cr_assert_eq(ax_defer_start(&b.d, note, &b), 0);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 1, "B is queued again");
    cr_assert_str_eq(log.s, "B");
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 0);
    cr_assert_str_eq(log.s, "BB");
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(defer, stop_before_it_runs)
{
    ax_loop *loop = new_loop();
    dlog log = {{0}, 0, NULL, NULL};
    tagged a = {.name = 'A', .log = &log}, c = {.name = 'C', .log = &log};
    ax_defer_init(loop, &a.d);
    ax_defer_init(loop, &c.d);
    cr_assert_eq(ax_defer_start(&a.d, note, &a), 0);
    cr_assert_eq(ax_defer_start(&c.d, note, &c), 0);
    cr_assert_eq(ax_defer_start(&c.d, note, &c), 0, "queueing twice queues once");
    ax_defer_stop(&a.d);
    ax_defer_stop(&a.d);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_str_eq(log.s, "C");
    cr_assert_eq(ax_defer_start(&a.d, NULL, NULL), AX_EINVAL);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(defer, a_callback_may_stop_and_free_a_later_one_of_its_batch)
{
    ax_loop *loop = new_loop();
    dlog log = {{0}, 0, NULL, NULL};
    tagged a = {.name = 'A', .log = &log};
    tagged *b = malloc(sizeof(*b));
    *b = (tagged){.name = 'B', .log = &log};
    ax_defer_init(loop, &a.d);
    ax_defer_init(loop, &b->d);
    cr_assert_eq(ax_defer_start(&a.d, note, &a), 0);
    cr_assert_eq(ax_defer_start(&b->d, note, b), 0);
    log.stop_me = &b->d;
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 0);
    free(b); /* only after: note() stops it, the test frees it */
    cr_assert_str_eq(log.s, "A");
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(defer, keeps_the_loop_alive)
{
    ax_loop *loop = new_loop();
    dlog log = {{0}, 0, NULL, NULL};
    tagged a = {.name = 'A', .log = &log};
    ax_defer_init(loop, &a.d);
    cr_assert_eq(ax_defer_start(&a.d, note, &a), 0);
    cr_assert_eq(ax_loop_free(loop), AX_EBUSY);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_str_eq(log.s, "A");
    cr_assert_eq(ax_loop_free(loop), 0);
}

static void timer_fired(ax_timer *t, void *ud)
{
    (void)t;
    *(bool *)ud = true;
}

/* AX_RUN_ONCE waits only when nothing was due: after running a deferred
 * callback it must return without sleeping until the next timer. */
Test(defer, run_once_does_not_wait_after_running_one, .timeout = 10)
{
    ax_loop *loop = new_loop();
    dlog log = {{0}, 0, NULL, NULL};
    tagged t = {.name = 'A', .log = &log};
    ax_defer_init(loop, &t.d);
    bool fired = false;
    ax_timer timer;
    ax_timer_init(loop, &timer);
    cr_assert_eq(ax_timer_start(&timer, 2000, 0, timer_fired, &fired), 0);
    cr_assert_eq(ax_defer_start(&t.d, note, &t), 0);
    ax_loop_update_time(loop);
    uint64_t before = ax_loop_now(loop);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_ONCE), 1, "the timer is still active");
    cr_assert_str_eq(log.s, "A");
    /* Sleeping would have taken (nearly) the timer's 2000 ms. */
    cr_assert_lt(ax_loop_now(loop) - before, 1000, "RUN_ONCE slept after the deferred callback ran");
    cr_assert_not(fired);
    ax_timer_stop(&timer);
    cr_assert_eq(ax_loop_free(loop), 0);
}
