#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axle/runtime.h"
#include "support/fake_clock.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(loop);

/* The backend make test asked for with AXLE_BACKEND, so the same suite
 * proves itself on each. */
static const char *expected_backend(void)
{
    const char *env = getenv("AXLE_BACKEND");
    return env != NULL && *env != '\0' ? env : "epoll";
}

Test(loop, new_uses_the_backend_asked_for)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    cr_assert_str_eq(ax_loop_backend_name(loop), expected_backend());
    cr_assert_eq(ax_loop_free(loop), 0);

    ax_loop_options o;
    ax_loop_options_init(&o);
    o.backend = AX_BACKEND_POLL;
    cr_assert_eq(ax_loop_new(&o, &loop), 0);
    cr_assert_str_eq(ax_loop_backend_name(loop), "poll");
    cr_assert_eq(ax_loop_free(loop), 0);
    o.backend = AX_BACKEND_EPOLL;
    cr_assert_eq(ax_loop_new(&o, &loop), 0);
    cr_assert_str_eq(ax_loop_backend_name(loop), "epoll");
    cr_assert_eq(ax_loop_free(loop), 0);
    cr_assert_eq(ax_loop_free(NULL), 0);
}

Test(loop, unknown_backend_in_environment_is_an_error)
{
    setenv("AXLE_BACKEND", "kqueue-on-linux", 1);
    ax_loop *loop = NULL;
    cr_assert_eq(ax_loop_new(NULL, &loop), AX_EINVAL);
    ax_loop_options o;
    ax_loop_options_init(&o);
    o.backend = (ax_backend)42;
    cr_assert_eq(ax_loop_new(&o, &loop), AX_EINVAL);
}

Test(loop, empty_loop_returns_at_once_in_every_mode)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_ONCE), 0, "ONCE must not block with nothing to wait for");
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 0);
    cr_assert_eq(ax_loop_free(loop), 0);
}

static void count_timer(ax_timer *t, void *ud)
{
    (void)t;
    (*(int *)ud)++;
}

Test(loop, free_with_active_handles_is_busy)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    ax_timer t;
    int fired = 0;
    ax_timer_init(loop, &t);
    cr_assert_eq(ax_timer_start(&t, 1000000, 0, count_timer, &fired), 0);
    cr_assert_eq(ax_loop_free(loop), AX_EBUSY);
    ax_timer_stop(&t);
    cr_assert_eq(ax_loop_free(loop), 0);
}

static void stop_loop(ax_timer *t, void *ud)
{
    (*(int *)ud)++;
    ax_loop_stop(t->loop);
}

Test(loop, stop_from_a_callback_ends_run)
{
    fake_clock clk;
    ax_loop_options o;
    fake_clock_options(&clk, &o);
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(&o, &loop), 0);
    ax_timer t;
    int fired = 0;
    ax_timer_init(loop, &t);
    cr_assert_eq(ax_timer_start(&t, 0, 5, stop_loop, &fired), 0);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 1, "still active: the timer repeats");
    cr_assert_eq(fired, 1);
    ax_timer_stop(&t);
    cr_assert_eq(ax_loop_free(loop), 0);
}

static void run_inside(ax_timer *t, void *ud)
{
    *(int *)ud = ax_loop_run(t->loop, AX_RUN_NOWAIT);
}

Test(loop, run_is_not_reentrant)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    ax_timer t;
    int rc = 0;
    ax_timer_init(loop, &t);
    cr_assert_eq(ax_timer_start(&t, 0, 0, run_inside, &rc), 0);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(rc, AX_ESTATE);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(loop, now_is_cached_and_follows_the_clock)
{
    fake_clock clk;
    ax_loop_options o;
    fake_clock_options(&clk, &o);
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(&o, &loop), 0);
    uint64_t t0 = ax_loop_now(loop);
    cr_assert_eq(ax_loop_now_ns(loop), clk.ns);
    fake_clock_advance_ms(&clk, 250);
    cr_assert_eq(ax_loop_now(loop), t0, "cached until the loop updates it");
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 0);
    cr_assert_eq(ax_loop_now(loop), t0 + 250);
    clk.ns += 1234;
    ax_loop_update_time(loop);
    cr_assert_eq(ax_loop_now_ns(loop), clk.ns);
    clk.ns -= 1000000000u; /* a clock that jumps back must not drag the loop back */
    ax_loop_update_time(loop);
    cr_assert_eq(ax_loop_now(loop), t0 + 250);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(loop, real_clock_is_monotonic_milliseconds)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    uint64_t a = ax_loop_now_ns(loop);
    usleep(2000); /* not synchronisation: we measure that time passed */
    ax_loop_update_time(loop);
    uint64_t b = ax_loop_now_ns(loop);
    cr_assert_geq(b - a, 2000000u);
    cr_assert_eq(ax_loop_now(loop), b / 1000000u);
    cr_assert_eq(ax_loop_free(loop), 0);
}

static void never_called(ax_io *io, unsigned events, void *ud)
{
    (void)io;
    (void)events;
    (void)ud;
    cr_assert_fail("no event was expected");
}

static int loop_life(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_loop_options o;
    ax_loop_options_init(&o);
    o.allocator = a;
    ax_loop *loop;
    int rc = ax_loop_new(&o, &loop);
    if (rc < 0)
        return rc;
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    ax_io io;
    ax_io_init(loop, &io, fds[0], never_called, NULL);
    rc = ax_io_start(&io, AX_READABLE);
    ax_io_stop(&io);
    close(fds[0]);
    close(fds[1]);
    cr_assert_eq(ax_loop_free(loop), 0);
    return rc;
}

Test(loop, allocation_failures_are_reported_and_leak_nothing)
{
    cr_assert_gt(ax_test_each_failure(loop_life, NULL), 1);
}
