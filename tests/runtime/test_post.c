#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include "axle/runtime.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(post);

/* Every test here is bounded: a lost post or a lost wakeup shows up as a
 * Criterion timeout instead of a hung run. */
#define BOUND .timeout = 10

/* ---- helpers ------------------------------------------------------------ */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Waits, yielding, until *flag is set or ms have passed; returns the flag. */
static bool wait_flag(atomic_bool *flag, unsigned ms)
{
    uint64_t end = mono_ms() + ms;
    while (!atomic_load(flag) && mono_ms() < end)
        sched_yield();
    return atomic_load(flag);
}

/* Appends the value it is given to a log, so tests can check the order. */
typedef struct order_log {
    uintptr_t seen[4096];
    size_t n;
} order_log;

static order_log g_log;

static void log_fn(void *ud)
{
    if (g_log.n < sizeof(g_log.seen) / sizeof(g_log.seen[0]))
        g_log.seen[g_log.n] = (uintptr_t)ud;
    g_log.n++;
}

static void assert_log_is_sequence(size_t n)
{
    cr_assert_eq(g_log.n, n, "ran %zu posted functions, want %zu", g_log.n, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(g_log.seen[i], i, "position %zu ran post %zu", i, (size_t)g_log.seen[i]);
}

static void count_fn(void *ud)
{
    (*(int *)ud)++;
}

static ax_loop *new_loop(void)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    return loop;
}

/* ---- from the loop's own thread ---------------------------------------- */

Test(post, runs_in_post_order_and_never_inside_the_call, BOUND)
{
    ax_loop *loop = new_loop();
    for (uintptr_t i = 0; i < 1000; i++) {
        cr_assert_eq(ax_loop_post(loop, log_fn, (void *)i), 0);
        cr_assert_eq(g_log.n, 0, "a post ran inside ax_loop_post");
    }
    cr_assert_eq(ax_loop_post(loop, NULL, NULL), AX_EINVAL);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0, "nothing left active once they ran");
    assert_log_is_sequence(1000);
    cr_assert_eq(ax_loop_free(loop), 0);
}

typedef struct nested {
    ax_loop *loop;
    int outer_runs;
    int inner_runs;
    int inner_seen_by_outer; /* inner_runs right after the outer posted it */
} nested;

static void nested_inner(void *ud)
{
    ((nested *)ud)->inner_runs++;
}

static void nested_outer(void *ud)
{
    nested *s = ud;
    s->outer_runs++;
    cr_assert_eq(ax_loop_post(s->loop, nested_inner, s), 0);
    s->inner_seen_by_outer = s->inner_runs;
}

Test(post, posting_from_a_posted_function_runs_it_later, BOUND)
{
    nested s = {.loop = new_loop()};
    cr_assert_eq(ax_loop_post(s.loop, nested_outer, &s), 0);
    cr_assert_eq(ax_loop_run(s.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(s.outer_runs, 1);
    cr_assert_eq(s.inner_seen_by_outer, 0, "the inner post ran inside the outer one");
    cr_assert_eq(s.inner_runs, 1);
    cr_assert_eq(ax_loop_free(s.loop), 0);
}

/* A function that posts itself again as long as it is told to. */
typedef struct repost {
    ax_loop *loop;
    int runs;
    bool keep_going;
    int runs_when_io_ran;
    int fd;
    int wfd;
} repost;

static void repost_fn(void *ud)
{
    repost *r = ud;
    r->runs++;
    if (r->runs == 3 && r->wfd >= 0) /* IO becomes ready in the middle */
        cr_assert_eq(write(r->wfd, "x", 1), 1);
    if (r->keep_going)
        cr_assert_eq(ax_loop_post(r->loop, repost_fn, r), 0);
}

Test(post, self_reposting_function_runs_once_per_wakeup, BOUND)
{
    repost r = {.loop = new_loop(), .keep_going = true, .wfd = -1};
    cr_assert_eq(ax_loop_post(r.loop, repost_fn, &r), 0);
    for (int i = 1; i <= 5; i++) {
        cr_assert_eq(ax_loop_run(r.loop, AX_RUN_ONCE), 1, "a pending post keeps the loop active");
        cr_assert_eq(r.runs, i, "iteration %d ran the reposting function %d times", i, r.runs);
    }
    r.keep_going = false;
    cr_assert_eq(ax_loop_run(r.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(r.runs, 6);
    cr_assert_eq(ax_loop_free(r.loop), 0);
}

static void repost_io(ax_io *io, unsigned events, void *ud)
{
    repost *r = ud;
    cr_assert(events & AX_READABLE);
    char c;
    cr_assert_eq(read(r->fd, &c, 1), 1);
    r->runs_when_io_ran = r->runs;
    r->keep_going = false;
    ax_io_stop(io);
}

Test(post, self_reposting_function_does_not_starve_io, BOUND)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    repost r = {.loop = new_loop(), .keep_going = true, .runs_when_io_ran = -1, .fd = p[0],
                .wfd = p[1]};
    ax_io io;
    ax_io_init(r.loop, &io, p[0], repost_io, &r);
    cr_assert_eq(ax_io_start(&io, AX_READABLE), 0);
    cr_assert_eq(ax_loop_post(r.loop, repost_fn, &r), 0);
    cr_assert_eq(ax_loop_run(r.loop, AX_RUN_DEFAULT), 0);
    cr_assert_geq(r.runs_when_io_ran, 0, "the ready descriptor was never served");
    cr_assert_geq(r.runs_when_io_ran, 3);
    cr_assert_leq(r.runs_when_io_ran, 4, "IO waited for %d runs of the reposting function",
                  r.runs_when_io_ran - 3);
    cr_assert_eq(r.runs, r.runs_when_io_ran + 1, "one last run, which does not repost");
    cr_assert_eq(ax_loop_free(r.loop), 0);
    close(p[0]);
    close(p[1]);
}

/* ---- from other threads ------------------------------------------------- */

typedef struct one_poster {
    ax_loop *loop;
    uintptr_t count;
    int failed_rc;
} one_poster;

static one_poster g_one;

static void one_fn(void *ud)
{
    log_fn(ud);
    if ((uintptr_t)ud == g_one.count - 1)
        ax_loop_stop(g_one.loop);
}

static void *one_poster_main(void *arg)
{
    one_poster *s = arg;
    for (uintptr_t i = 0; i < s->count; i++) {
        int rc = ax_loop_post(s->loop, one_fn, (void *)i);
        if (rc != 0 && s->failed_rc == 0)
            s->failed_rc = rc;
    }
    return NULL;
}

Test(post, runs_in_post_order_from_another_thread, BOUND)
{
    g_one.loop = new_loop();
    g_one.count = 4000;
    ax_loop_set_keepalive(g_one.loop, true);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, one_poster_main, &g_one), 0);
    cr_assert_eq(ax_loop_run(g_one.loop, AX_RUN_DEFAULT), 1, "stopped, and kept alive");
    pthread_join(t, NULL);
    cr_assert_eq(g_one.failed_rc, 0, "ax_loop_post: %s", ax_err_name(g_one.failed_rc));
    assert_log_is_sequence(4000);
    ax_loop_set_keepalive(g_one.loop, false);
    cr_assert_eq(ax_loop_free(g_one.loop), 0);
}

/* Eight threads post 100,000 functions each; every function carries its
 * poster and its sequence number, and the loop checks that none is lost and
 * that each poster's come in order. */
#define POSTERS 8
#define PER_POSTER 100000u
#define SEQ_BITS 20

typedef struct many {
    ax_loop *loop;
    unsigned next[POSTERS]; /* loop thread: the sequence expected next */
    size_t total;
    size_t out_of_order;
    int failed_rc[POSTERS];
} many;

static many g_many;

static void many_fn(void *ud)
{
    uintptr_t v = (uintptr_t)ud;
    unsigned t = (unsigned)(v >> SEQ_BITS);
    unsigned seq = (unsigned)(v & ((1u << SEQ_BITS) - 1));
    if (t >= POSTERS || seq != g_many.next[t])
        g_many.out_of_order++;
    else
        g_many.next[t] = seq + 1;
    if (++g_many.total == (size_t)POSTERS * PER_POSTER)
        ax_loop_stop(g_many.loop);
}

static void *many_poster_main(void *arg)
{
    uintptr_t t = (uintptr_t)arg;
    for (uintptr_t seq = 0; seq < PER_POSTER; seq++) {
        int rc = ax_loop_post(g_many.loop, many_fn, (void *)(t << SEQ_BITS | seq));
        if (rc != 0) {
            g_many.failed_rc[t] = rc;
            break;
        }
    }
    return NULL;
}

Test(post, eight_threads_lose_nothing_and_keep_their_order, BOUND)
{
    g_many.loop = new_loop();
    ax_loop_set_keepalive(g_many.loop, true);
    pthread_t th[POSTERS];
    for (uintptr_t t = 0; t < POSTERS; t++)
        cr_assert_eq(pthread_create(&th[t], NULL, many_poster_main, (void *)t), 0);
    cr_assert_eq(ax_loop_run(g_many.loop, AX_RUN_DEFAULT), 1);
    for (int t = 0; t < POSTERS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < POSTERS; t++) {
        cr_assert_eq(g_many.failed_rc[t], 0, "poster %d: %s", t, ax_err_name(g_many.failed_rc[t]));
        cr_assert_eq(g_many.next[t], PER_POSTER, "poster %d: %u of its posts ran in order", t,
                     g_many.next[t]);
    }
    cr_assert_eq(g_many.out_of_order, 0);
    cr_assert_eq(g_many.total, (size_t)POSTERS * PER_POSTER);
    ax_loop_set_keepalive(g_many.loop, false);
    cr_assert_eq(ax_loop_run(g_many.loop, AX_RUN_NOWAIT), 0, "nothing left over");
    cr_assert_eq(ax_loop_free(g_many.loop), 0);
}

/* ---- limits and liveness ------------------------------------------------ */

static void check_max_posts(size_t max)
{
    ax_loop_options o;
    ax_loop_options_init(&o);
    o.max_posts = max;
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(&o, &loop), 0);
    g_log.n = 0;
    for (uintptr_t i = 0; i < max; i++)
        cr_assert_eq(ax_loop_post(loop, log_fn, (void *)i), 0, "post %zu of %zu", (size_t)i, max);
    cr_assert_eq(ax_loop_post(loop, log_fn, (void *)max), AX_ELIMIT);
    cr_assert_eq(ax_loop_post(loop, log_fn, (void *)max), AX_ELIMIT);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    assert_log_is_sequence(max);

    /* The limit counts posts waiting, not posts ever made. */
    for (uintptr_t i = max; i < 2 * max; i++)
        cr_assert_eq(ax_loop_post(loop, log_fn, (void *)i), 0);
    cr_assert_eq(ax_loop_post(loop, log_fn, NULL), AX_ELIMIT);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    assert_log_is_sequence(2 * max);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(post, max_posts_refuses_with_elimit_and_loses_nothing, BOUND)
{
    /* Sizes around the inbox's growth steps, whatever they are. */
    check_max_posts(1);
    check_max_posts(5);
    check_max_posts(63);
    check_max_posts(64);
    check_max_posts(100);
    check_max_posts(1024);
}

/* Several threads post until refused: every accepted post runs, and the
 * limit holds (to within the one item per thread that a limit read without
 * a lock may let through). */
#define LIMIT_POSTERS 4
#define LIMIT 1000

typedef struct limit_poster {
    ax_loop *loop;
    int *ran;
    unsigned accepted;
    int last_rc;
} limit_poster;

static void *limit_poster_main(void *arg)
{
    limit_poster *lp = arg;
    for (int i = 0; i < 4 * LIMIT; i++) {
        lp->last_rc = ax_loop_post(lp->loop, count_fn, lp->ran);
        if (lp->last_rc != 0)
            break;
        lp->accepted++;
    }
    return NULL;
}

Test(post, max_posts_holds_against_several_threads, BOUND)
{
    ax_loop_options o;
    ax_loop_options_init(&o);
    o.max_posts = LIMIT;
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(&o, &loop), 0);
    int ran = 0;
    limit_poster lp[LIMIT_POSTERS];
    pthread_t th[LIMIT_POSTERS];
    for (int i = 0; i < LIMIT_POSTERS; i++) {
        lp[i] = (limit_poster){.loop = loop, .ran = &ran};
        cr_assert_eq(pthread_create(&th[i], NULL, limit_poster_main, &lp[i]), 0);
    }
    unsigned accepted = 0;
    for (int i = 0; i < LIMIT_POSTERS; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(lp[i].last_rc, AX_ELIMIT, "poster %d: %s", i, ax_err_name(lp[i].last_rc));
        accepted += lp[i].accepted;
    }
    cr_assert_geq(accepted, LIMIT);
    cr_assert_leq(accepted, LIMIT + LIMIT_POSTERS, "%u posts accepted", accepted);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq((unsigned)ran, accepted, "accepted posts were lost");
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(post, pending_post_keeps_the_loop_alive, BOUND)
{
    ax_loop *loop = new_loop();
    cr_assert_eq(ax_loop_backend_timeout(loop), -1);
    int ran = 0;
    cr_assert_eq(ax_loop_post(loop, count_fn, &ran), 0);
    cr_assert_eq(ax_loop_free(loop), AX_EBUSY, "a pending post must keep the loop");
    cr_assert_eq(ax_loop_backend_timeout(loop), 0, "a pending post is due now");
    cr_assert_eq(ran, 0);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(ran, 1);
    cr_assert_eq(ax_loop_backend_timeout(loop), -1);
    cr_assert_eq(ax_loop_free(loop), 0);
}

/* A pending post made by another thread also keeps AX_RUN_DEFAULT going,
 * without keep-alive, until it has run. */
typedef struct post_once {
    ax_loop *loop;
    int ran;
    int rc;
} post_once;

static void *post_once_main(void *arg)
{
    post_once *s = arg;
    s->rc = ax_loop_post(s->loop, count_fn, &s->ran);
    return NULL;
}

Test(post, post_from_another_thread_is_run_before_default_returns, BOUND)
{
    post_once s = {.loop = new_loop()};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, post_once_main, &s), 0);
    pthread_join(t, NULL);
    cr_assert_eq(s.rc, 0);
    cr_assert_eq(ax_loop_free(s.loop), AX_EBUSY);
    cr_assert_eq(ax_loop_run(s.loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(s.ran, 1);
    cr_assert_eq(ax_loop_free(s.loop), 0);
}

/* ---- stopping from another thread --------------------------------------- */

#ifdef __linux__
static long thread_id(void)
{
    return (long)syscall(SYS_gettid);
}

/* Whether thread tid of this process is asleep in the kernel. */
static bool thread_sleeping(long tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold spaces */
    return p != NULL && p[1] == ' ' && p[2] == 'S';
}
#endif

typedef struct stopper {
    ax_loop *loop;
    long loop_tid;
    bool wait_for_sleep;
    atomic_bool running;  /* the loop ran a post in this round */
    bool saw_sleep;
} stopper;

static void mark_running(void *ud)
{
    atomic_store(&((stopper *)ud)->running, true);
}

static void *stopper_main(void *arg)
{
    stopper *s = arg;
    wait_flag(&s->running, 5000);
#ifdef __linux__
    /* Once its post has run, the loop has nothing to do but wait: give it
     * the chance to block, so the stop has to wake it. */
    uint64_t end = mono_ms() + 5000;
    while (s->wait_for_sleep && !s->saw_sleep && mono_ms() < end) {
        s->saw_sleep = thread_sleeping(s->loop_tid);
        sched_yield();
    }
#endif
    ax_loop_stop_async(s->loop);
    return NULL;
}

Test(post, stop_async_wakes_a_blocked_loop, BOUND)
{
    stopper s = {.loop = new_loop()};
#ifdef __linux__
    s.loop_tid = thread_id();
#endif
    ax_loop_set_keepalive(s.loop, true);
    for (int round = 0; round < 20; round++) {
        /* The first rounds wait until the loop is asleep; the others race
         * the stop against the loop going to sleep. */
        s.wait_for_sleep = round < 3;
        atomic_store(&s.running, false);
        cr_assert_eq(ax_loop_post(s.loop, mark_running, &s), 0);
        pthread_t t;
        cr_assert_eq(pthread_create(&t, NULL, stopper_main, &s), 0);
        cr_assert_eq(ax_loop_run(s.loop, AX_RUN_DEFAULT), 1, "round %d", round);
        pthread_join(t, NULL);
        cr_assert(atomic_load(&s.running));
    }
#ifdef __linux__
    cr_assert(s.saw_sleep, "the loop never blocked, so the wakeup went untested");
#endif
    ax_loop_set_keepalive(s.loop, false);
    cr_assert_eq(ax_loop_free(s.loop), 0);
}

Test(post, stop_async_before_run_stops_the_next_run, BOUND)
{
    ax_loop *loop = new_loop();
    ax_loop_set_keepalive(loop, true);
    ax_loop_stop_async(loop);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 1);
    /* ... and only that one: the next run needs a stop of its own. */
    int ran = 0;
    stopper s = {.loop = loop};
    cr_assert_eq(ax_loop_post(loop, mark_running, &s), 0);
    cr_assert_eq(ax_loop_post(loop, count_fn, &ran), 0);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, stopper_main, &s), 0);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 1);
    pthread_join(t, NULL);
    cr_assert_eq(ran, 1);
    ax_loop_set_keepalive(loop, false);
    cr_assert_eq(ax_loop_free(loop), 0);
}

/* ---- allocation failure ------------------------------------------------- */

Test(post, inbox_growth_failure_is_enomem_and_the_loop_goes_on, BOUND)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_loop_options o;
    ax_loop_options_init(&o);
    o.allocator = &t.a;
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(&o, &loop), 0);

    /* The inbox's first block comes with the loop; posting allocates only
     * when a block fills up. Make that allocation fail. */
    uintptr_t next = 0;
    for (;;) {
        ax_test_alloc_fail_at(&t, 0, false);
        int rc = ax_loop_post(loop, log_fn, (void *)next);
        if (rc == AX_ENOMEM)
            break;
        cr_assert_eq(rc, 0);
        cr_assert_eq(t.failures, 0, "post %zu succeeded with its allocation failing", (size_t)next);
        next++;
        cr_assert_lt(next, 100000, "the inbox never grew");
    }
    cr_assert_eq(t.failures, 1);
    ax_test_alloc_fail_at(&t, SIZE_MAX, false);
    for (int i = 0; i < 200; i++)
        cr_assert_eq(ax_loop_post(loop, log_fn, (void *)next++), 0);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    assert_log_is_sequence(next);
    cr_assert_eq(ax_loop_free(loop), 0);
    cr_assert_eq(t.live, 0, "%zu blocks leaked", t.live);
}

/* A loop, 300 posts, a run: with every allocation failing in turn. */
static int posts_scenario(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_loop_options o;
    ax_loop_options_init(&o);
    o.allocator = a;
    ax_loop *loop;
    int rc = ax_loop_new(&o, &loop);
    if (rc < 0)
        return rc;
    int posted = 0, ran = 0, result = 0;
    for (int i = 0; i < 300; i++) {
        rc = ax_loop_post(loop, count_fn, &ran);
        if (rc == 0)
            posted++;
        else if (rc == AX_ENOMEM)
            result = rc;
        else
            result = AX_EIO; /* a genuine failure */
    }
    if (ax_loop_run(loop, AX_RUN_DEFAULT) != 0 || ran != posted)
        result = AX_EIO;
    if (ax_loop_free(loop) != 0)
        return AX_EIO;
    return result;
}

Test(post, every_allocation_failure_is_reported_and_leaks_nothing, BOUND)
{
    size_t allocs = ax_test_each_failure(posts_scenario, NULL);
    cr_assert_gt(allocs, 1);
}
