/*
 * The event loop under load, against libuv when the build found it
 * (AX_HAVE_LIBUV; see mk/bench-peers.sh).
 *
 *   post       a producer thread posts POSTS functions to a loop running on
 *              another thread; the loop counts the calls. Rate: posts per
 *              second from the first post to the last call. Peers:
 *                - libuv, mutex queue + uv_async_send: what a libuv user
 *                  writes to get ax_loop_post's contract (one callback per
 *                  post, in order, none lost). The like-for-like baseline.
 *                - libuv, bare uv_async_send: POSTS sends, which libuv
 *                  coalesces into however few callbacks; it carries no
 *                  payload, so it bounds what any queue on top of it can do.
 *                  Until the producer is done and the loop has run a
 *                  callback that sees it.
 *   ping-pong  two loops on two threads bounce one message back and forth
 *              (ax_loop_post on each side; two uv_async handles for libuv):
 *              the round trip through two wakeups, median and 99th
 *              percentile per round.
 *   timers     TIMERS one-shot timers with random timeouts of 1..100 ms on
 *              one loop, run until all fired (the same timeouts for both).
 *              Wall time is ~100 ms by construction; the number that tells
 *              is the loop thread's CPU time per timer started and fired.
 *              (The wheel alone is measured in bench/timers.c.)
 *
 * Subjects alternate round by round (bench_interleave) and each figure is a
 * median over rounds. The loop thread is pinned to the first CPU this
 * process may use and the producer (or second loop) to the second, so that
 * every run crosses cores the same way; with one CPU nothing is pinned.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "axle/runtime.h"
#include "bench.h"

#ifdef AX_HAVE_LIBUV
#include <uv.h>
#endif

#define POSTS 1000000u
#define PINGS 5000u
#define TIMERS 100000u
#define TIMER_MAX_MS 100u
#define POST_ROUNDS 11
#define PING_ROUNDS 11
#define TIMER_ROUNDS 7

/* ---- plumbing ------------------------------------------------------------ */

static void die(const char *what, const char *why)
{
    fprintf(stderr, "loop: %s: %s\n", what, why);
    exit(1);
}

static void check_ax(const char *what, int rc)
{
    if (rc < 0)
        die(what, ax_strerror(rc));
}

static void check_sys(const char *what, int rc)
{
    if (rc != 0)
        die(what, strerror(rc));
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL)
        die("calloc", "out of memory");
    return p;
}

/* Fields written by one thread are kept off the cache lines the other
 * thread reads (CACHE_LINE alignment), so that the benchmark does not add
 * false sharing of its own to what it measures. */
#define CACHE_LINE 64

static void *xzalloc_aligned(size_t size)
{
    size = (size + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    void *p = aligned_alloc(CACHE_LINE, size);
    if (p == NULL)
        die("aligned_alloc", "out of memory");
    memset(p, 0, size);
    return p;
}

/* The CPUs threads are pinned to: the first two this process may run on. */
static int cpus[2] = {-1, -1};

static void choose_cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return;
    int found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++) {
        if (CPU_ISSET(c, &set))
            cpus[found++] = c;
    }
    if (found < 2)
        cpus[0] = cpus[1] = -1;
}

/* Pins the calling thread to cpus[which]; a no-op when unpinned. */
static void pin_self(int which)
{
    if (cpus[which] < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus[which], &set);
    check_sys("pthread_setaffinity_np",
              pthread_setaffinity_np(pthread_self(), sizeof(set), &set));
}

/* Runs a on one thread and b on another, returns when both have ended. */
static void run_pair(void *(*a)(void *), void *(*b)(void *), void *arg)
{
    pthread_t ta, tb;
    check_sys("pthread_create", pthread_create(&ta, NULL, a, arg));
    check_sys("pthread_create", pthread_create(&tb, NULL, b, arg));
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A figure a round reports besides its rate. Call 0 is bench_interleave's
 * warm-up round and is left out of the median. */
typedef struct side {
    double v[BENCH_MAX_ROUNDS + 1];
    int n;
} side;

static void side_add(side *s, double v)
{
    if (s->n < BENCH_MAX_ROUNDS + 1)
        s->v[s->n++] = v;
}

static double side_median(side *s)
{
    return s->n > 1 ? bench_median(s->v + 1, (size_t)s->n - 1) : 0.0;
}

/* Percentile p (0..100) of v[0..n), which it sorts. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile(uint64_t *v, size_t n, unsigned p)
{
    qsort(v, n, sizeof(*v), cmp_u64);
    size_t i = (n - 1) * p / 100;
    return (double)v[i];
}

/* ---- 1. cross-thread post throughput: axle -------------------------------- */

/* Per subject, besides the rate to the last call: how fast the producer
 * alone got through its posts (when it is much faster than the whole, the
 * loop's side is the bottleneck), and how many callbacks ran. */
typedef struct post_stats {
    side producer;
    side callbacks;
    uint64_t refused;
} post_stats;

typedef struct post_run {
    pthread_barrier_t barrier; /* loop ready; producer's last post returned */
    ax_loop *loop;
    uint64_t t0, t_posted;     /* first post; return of the last one */
    uint64_t refused;          /* AX_ELIMIT answers, retried */
    _Alignas(CACHE_LINE) uint64_t calls; /* loop thread only */
    uint64_t t1;
} post_run;

static void on_post(void *ud)
{
    post_run *r = ud;
    if (++r->calls == POSTS) {
        r->t1 = bench_now_ns();
        ax_loop_stop(r->loop);
    }
}

static void *axle_post_loop(void *arg)
{
    post_run *r = arg;
    pin_self(0);
    check_ax("ax_loop_new", ax_loop_new(NULL, &r->loop));
    ax_loop_set_keepalive(r->loop, true);
    pthread_barrier_wait(&r->barrier);
    check_ax("ax_loop_run", ax_loop_run(r->loop, AX_RUN_DEFAULT));
    /* The last function can run before its ax_loop_post has returned, and
     * the loop must outlive the call. */
    pthread_barrier_wait(&r->barrier);
    check_ax("ax_loop_free", ax_loop_free(r->loop));
    return NULL;
}

static void *axle_post_producer(void *arg)
{
    post_run *r = arg;
    pin_self(1);
    pthread_barrier_wait(&r->barrier);
    r->t0 = bench_now_ns();
    for (unsigned i = 0; i < POSTS; i++) {
        int rc;
        while ((rc = ax_loop_post(r->loop, on_post, r)) == AX_ELIMIT) {
            r->refused++;
            sched_yield();
        }
        check_ax("ax_loop_post", rc);
    }
    r->t_posted = bench_now_ns();
    pthread_barrier_wait(&r->barrier);
    return NULL;
}

static double axle_post_round(void *ctx)
{
    post_stats *st = ctx;
    post_run *r = xzalloc_aligned(sizeof(*r));
    pthread_barrier_init(&r->barrier, NULL, 2);
    run_pair(axle_post_loop, axle_post_producer, r);
    pthread_barrier_destroy(&r->barrier);
    st->refused += r->refused;
    side_add(&st->producer, bench_rate(POSTS, r->t_posted - r->t0));
    double rate = bench_rate(POSTS, r->t1 - r->t0);
    free(r);
    return rate;
}

#ifdef AX_HAVE_LIBUV
static void check_uv(const char *what, int rc)
{
    if (rc < 0)
        die(what, uv_strerror(rc));
}

/* ---- 1. libuv: mutex queue + uv_async_send --------------------------------- */

/* What a libuv user writes for "run fn(ud) on that loop": a locked array,
 * swapped out whole by the async callback (with a spare, as axle does), and
 * a uv_async_send per post (which costs one load when a wakeup is already
 * pending). */
typedef struct uvq_item {
    void (*fn)(void *ud);
    void *ud;
} uvq_item;

typedef struct uvq_run {
    pthread_barrier_t barrier;
    uint64_t t0, t_posted;
    _Alignas(CACHE_LINE) uv_loop_t loop;
    _Alignas(CACHE_LINE) uv_async_t async;
    _Alignas(CACHE_LINE) pthread_mutex_t mu; /* the queue */
    uvq_item *items, *spare;
    size_t len, cap, spare_cap;
    _Alignas(CACHE_LINE) uint64_t calls;     /* loop thread only */
    uint64_t t1;
} uvq_run;

static void uvq_post(uvq_run *q, void (*fn)(void *), void *ud)
{
    pthread_mutex_lock(&q->mu);
    if (q->len == q->cap) {
        size_t cap = q->cap == 0 ? 64 : q->cap * 2;
        uvq_item *items = realloc(q->items, cap * sizeof(*items));
        if (items == NULL)
            die("realloc", "out of memory");
        q->items = items;
        q->cap = cap;
    }
    q->items[q->len].fn = fn;
    q->items[q->len].ud = ud;
    q->len++;
    pthread_mutex_unlock(&q->mu);
    uv_async_send(&q->async);
}

static void uvq_on_async(uv_async_t *h)
{
    uvq_run *q = h->data;
    pthread_mutex_lock(&q->mu);
    uvq_item *items = q->items;
    size_t len = q->len, cap = q->cap;
    q->items = q->spare;
    q->cap = q->spare_cap;
    q->len = 0;
    q->spare = NULL;
    q->spare_cap = 0;
    pthread_mutex_unlock(&q->mu);
    for (size_t i = 0; i < len; i++)
        items[i].fn(items[i].ud);
    pthread_mutex_lock(&q->mu);
    q->spare = items;
    q->spare_cap = cap;
    pthread_mutex_unlock(&q->mu);
}

static void uvq_on_call(void *ud)
{
    uvq_run *q = ud;
    if (++q->calls == POSTS) {
        q->t1 = bench_now_ns();
        uv_stop(&q->loop);
    }
}

static void *uvq_loop(void *arg)
{
    uvq_run *q = arg;
    pin_self(0);
    check_uv("uv_loop_init", uv_loop_init(&q->loop));
    check_uv("uv_async_init", uv_async_init(&q->loop, &q->async, uvq_on_async));
    q->async.data = q;
    pthread_barrier_wait(&q->barrier);
    uv_run(&q->loop, UV_RUN_DEFAULT);
    pthread_barrier_wait(&q->barrier);
    uv_close((uv_handle_t *)&q->async, NULL);
    uv_run(&q->loop, UV_RUN_DEFAULT);
    check_uv("uv_loop_close", uv_loop_close(&q->loop));
    return NULL;
}

static void *uvq_producer(void *arg)
{
    uvq_run *q = arg;
    pin_self(1);
    pthread_barrier_wait(&q->barrier);
    q->t0 = bench_now_ns();
    for (unsigned i = 0; i < POSTS; i++)
        uvq_post(q, uvq_on_call, q);
    q->t_posted = bench_now_ns();
    pthread_barrier_wait(&q->barrier);
    return NULL;
}

static double uvq_post_round(void *ctx)
{
    post_stats *st = ctx;
    uvq_run *q = xzalloc_aligned(sizeof(*q));
    pthread_barrier_init(&q->barrier, NULL, 2);
    pthread_mutex_init(&q->mu, NULL);
    run_pair(uvq_loop, uvq_producer, q);
    pthread_mutex_destroy(&q->mu);
    pthread_barrier_destroy(&q->barrier);
    side_add(&st->producer, bench_rate(POSTS, q->t_posted - q->t0));
    double rate = bench_rate(POSTS, q->t1 - q->t0);
    free(q->items);
    free(q->spare);
    free(q);
    return rate;
}

/* ---- 1. libuv: bare uv_async_send (coalescing) ------------------------------ */

typedef struct uva_run {
    pthread_barrier_t barrier;
    uint64_t t0, t_posted;
    _Alignas(CACHE_LINE) uv_loop_t loop;
    _Alignas(CACHE_LINE) uv_async_t async;
    _Alignas(CACHE_LINE) atomic_bool done;   /* the producer made its last send */
    _Alignas(CACHE_LINE) uint64_t callbacks; /* loop thread only */
    uint64_t t1;
} uva_run;

static void uva_on_async(uv_async_t *h)
{
    uva_run *r = h->data;
    r->callbacks++;
    if (r->t1 == 0 && atomic_load(&r->done)) {
        r->t1 = bench_now_ns();
        uv_stop(&r->loop);
    }
}

static void *uva_loop(void *arg)
{
    uva_run *r = arg;
    pin_self(0);
    check_uv("uv_loop_init", uv_loop_init(&r->loop));
    check_uv("uv_async_init", uv_async_init(&r->loop, &r->async, uva_on_async));
    r->async.data = r;
    pthread_barrier_wait(&r->barrier);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    /* The producer may still be inside its last send. */
    pthread_barrier_wait(&r->barrier);
    uv_close((uv_handle_t *)&r->async, NULL);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    check_uv("uv_loop_close", uv_loop_close(&r->loop));
    return NULL;
}

static void *uva_producer(void *arg)
{
    uva_run *r = arg;
    pin_self(1);
    pthread_barrier_wait(&r->barrier);
    r->t0 = bench_now_ns();
    for (unsigned i = 0; i < POSTS - 1; i++)
        uv_async_send(&r->async);
    /* Flag, then the last send: the callback that send guarantees sees the
     * flag. (Sequentially consistent: the store must not pass the load with
     * which uv_async_send checks whether a wakeup is already pending.) */
    atomic_store(&r->done, true);
    uv_async_send(&r->async);
    r->t_posted = bench_now_ns();
    pthread_barrier_wait(&r->barrier);
    return NULL;
}

static double uva_post_round(void *ctx)
{
    post_stats *st = ctx;
    uva_run *r = xzalloc_aligned(sizeof(*r));
    pthread_barrier_init(&r->barrier, NULL, 2);
    atomic_init(&r->done, false);
    run_pair(uva_loop, uva_producer, r);
    pthread_barrier_destroy(&r->barrier);
    side_add(&st->producer, bench_rate(POSTS, r->t_posted - r->t0));
    side_add(&st->callbacks, (double)r->callbacks);
    double rate = bench_rate(POSTS, r->t1 - r->t0);
    free(r);
    return rate;
}
#endif /* AX_HAVE_LIBUV */

/* ---- 2. ping-pong between two loops ----------------------------------------- */

/* Per subject: the 99th percentile of each round, beside the median rate. */
typedef struct ping_stats {
    side p99_us;
} ping_stats;

/* Records a round's samples: returns round trips per second at the median
 * round trip, and files the 99th percentile. */
static double ping_result(ping_stats *st, uint64_t *rtt, size_t n)
{
    double med = percentile(rtt, n, 50);
    side_add(&st->p99_us, percentile(rtt, n, 99) / 1000.0);
    return med > 0 ? 1e9 / med : 0.0;
}

typedef struct axpp_run {
    pthread_barrier_t barrier; /* both loops exist; both have stopped */
    ax_loop *a, *b;
    _Alignas(CACHE_LINE) uint64_t sent;      /* loop a's thread only */
    uint64_t *rtt;
    size_t n;
} axpp_run;

static void axpp_pong(void *ud);

static void axpp_ping(void *ud) /* on b */
{
    axpp_run *r = ud;
    check_ax("ax_loop_post", ax_loop_post(r->a, axpp_pong, r));
}

static void axpp_pong(void *ud) /* on a */
{
    axpp_run *r = ud;
    uint64_t now = bench_now_ns();
    r->rtt[r->n++] = now - r->sent;
    if (r->n == PINGS) {
        ax_loop_stop_async(r->b);
        ax_loop_stop(r->a);
        return;
    }
    r->sent = now;
    check_ax("ax_loop_post", ax_loop_post(r->b, axpp_ping, r));
}

static void *axpp_thread_a(void *arg)
{
    axpp_run *r = arg;
    pin_self(0);
    check_ax("ax_loop_new", ax_loop_new(NULL, &r->a));
    ax_loop_set_keepalive(r->a, true);
    pthread_barrier_wait(&r->barrier);
    r->sent = bench_now_ns();
    check_ax("ax_loop_post", ax_loop_post(r->b, axpp_ping, r));
    check_ax("ax_loop_run", ax_loop_run(r->a, AX_RUN_DEFAULT));
    pthread_barrier_wait(&r->barrier);
    check_ax("ax_loop_free", ax_loop_free(r->a));
    return NULL;
}

static void *axpp_thread_b(void *arg)
{
    axpp_run *r = arg;
    pin_self(1);
    check_ax("ax_loop_new", ax_loop_new(NULL, &r->b));
    ax_loop_set_keepalive(r->b, true);
    pthread_barrier_wait(&r->barrier);
    check_ax("ax_loop_run", ax_loop_run(r->b, AX_RUN_DEFAULT));
    pthread_barrier_wait(&r->barrier);
    check_ax("ax_loop_free", ax_loop_free(r->b));
    return NULL;
}

static double axpp_round(void *ctx)
{
    axpp_run *r = xzalloc_aligned(sizeof(*r));
    r->rtt = xcalloc(PINGS, sizeof(*r->rtt));
    pthread_barrier_init(&r->barrier, NULL, 2);
    run_pair(axpp_thread_a, axpp_thread_b, r);
    pthread_barrier_destroy(&r->barrier);
    double rate = ping_result(ctx, r->rtt, r->n);
    free(r->rtt);
    free(r);
    return rate;
}

#ifdef AX_HAVE_LIBUV
typedef struct uvpp_run {
    pthread_barrier_t barrier;
    atomic_bool stop;
    _Alignas(CACHE_LINE) uv_loop_t la;
    _Alignas(CACHE_LINE) uv_loop_t lb;
    _Alignas(CACHE_LINE) uv_async_t aa;      /* wakes loop a */
    _Alignas(CACHE_LINE) uv_async_t ab;      /* wakes loop b */
    _Alignas(CACHE_LINE) uint64_t sent;      /* loop a's thread only */
    uint64_t *rtt;
    size_t n;
} uvpp_run;

static void uvpp_ping(uv_async_t *h) /* on b */
{
    uvpp_run *r = h->data;
    if (atomic_load(&r->stop)) {
        uv_stop(&r->lb);
        return;
    }
    uv_async_send(&r->aa);
}

static void uvpp_pong(uv_async_t *h) /* on a */
{
    uvpp_run *r = h->data;
    uint64_t now = bench_now_ns();
    r->rtt[r->n++] = now - r->sent;
    if (r->n == PINGS) {
        atomic_store(&r->stop, true);
        uv_async_send(&r->ab);
        uv_stop(&r->la);
        return;
    }
    r->sent = now;
    uv_async_send(&r->ab);
}

static void uvpp_finish(uv_loop_t *l, uv_async_t *h)
{
    uv_close((uv_handle_t *)h, NULL);
    uv_run(l, UV_RUN_DEFAULT);
    check_uv("uv_loop_close", uv_loop_close(l));
}

static void *uvpp_thread_a(void *arg)
{
    uvpp_run *r = arg;
    pin_self(0);
    check_uv("uv_loop_init", uv_loop_init(&r->la));
    check_uv("uv_async_init", uv_async_init(&r->la, &r->aa, uvpp_pong));
    r->aa.data = r;
    pthread_barrier_wait(&r->barrier);
    r->sent = bench_now_ns();
    uv_async_send(&r->ab);
    uv_run(&r->la, UV_RUN_DEFAULT);
    pthread_barrier_wait(&r->barrier);
    uvpp_finish(&r->la, &r->aa);
    return NULL;
}

static void *uvpp_thread_b(void *arg)
{
    uvpp_run *r = arg;
    pin_self(1);
    check_uv("uv_loop_init", uv_loop_init(&r->lb));
    check_uv("uv_async_init", uv_async_init(&r->lb, &r->ab, uvpp_ping));
    r->ab.data = r;
    pthread_barrier_wait(&r->barrier);
    uv_run(&r->lb, UV_RUN_DEFAULT);
    pthread_barrier_wait(&r->barrier);
    uvpp_finish(&r->lb, &r->ab);
    return NULL;
}

static double uvpp_round(void *ctx)
{
    uvpp_run *r = xzalloc_aligned(sizeof(*r));
    r->rtt = xcalloc(PINGS, sizeof(*r->rtt));
    atomic_init(&r->stop, false);
    pthread_barrier_init(&r->barrier, NULL, 2);
    run_pair(uvpp_thread_a, uvpp_thread_b, r);
    pthread_barrier_destroy(&r->barrier);
    double rate = ping_result(ctx, r->rtt, r->n);
    free(r->rtt);
    free(r);
    return rate;
}
#endif /* AX_HAVE_LIBUV */

/* ---- 3. timers through the loop ---------------------------------------------- */

/* The same random timeouts for both loops, drawn once. */
static uint32_t timeouts[TIMERS];

static void make_timeouts(void)
{
    uint64_t s = 0x2545f4914f6cdd1du;
    for (size_t i = 0; i < TIMERS; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        timeouts[i] = 1 + (uint32_t)(s % TIMER_MAX_MS);
    }
}

/* Per subject: wall time and the CPU cost of the starts alone. */
typedef struct timer_stats {
    side wall_ms;
    side start_ns;
    uint64_t fired;
} timer_stats;

/* Rate: timers started and fired per second of the loop thread's CPU. */
static double timer_result(timer_stats *st, uint64_t w0, uint64_t c0, uint64_t cs,
                           uint64_t w1, uint64_t c1)
{
    side_add(&st->wall_ms, (double)(w1 - w0) / 1e6);
    side_add(&st->start_ns, (double)(cs - c0) / TIMERS);
    return bench_rate(TIMERS, c1 - c0);
}

static void axt_fired(ax_timer *t, void *ud)
{
    (void)t;
    ((timer_stats *)ud)->fired++;
}

static double axt_round(void *ctx)
{
    timer_stats *st = ctx;
    ax_timer *t = xcalloc(TIMERS, sizeof(*t));
    ax_loop *loop;
    check_ax("ax_loop_new", ax_loop_new(NULL, &loop));
    uint64_t fired = st->fired;
    ax_loop_update_time(loop);
    uint64_t w0 = bench_now_ns(), c0 = thread_cpu_ns();
    for (size_t i = 0; i < TIMERS; i++) {
        ax_timer_init(loop, &t[i]);
        check_ax("ax_timer_start", ax_timer_start(&t[i], timeouts[i], 0, axt_fired, st));
    }
    uint64_t cs = thread_cpu_ns();
    check_ax("ax_loop_run", ax_loop_run(loop, AX_RUN_DEFAULT));
    uint64_t c1 = thread_cpu_ns(), w1 = bench_now_ns();
    if (st->fired - fired != TIMERS)
        die("timers", "not every axle timer fired");
    check_ax("ax_loop_free", ax_loop_free(loop));
    free(t);
    return timer_result(st, w0, c0, cs, w1, c1);
}

#ifdef AX_HAVE_LIBUV
static void uvt_fired(uv_timer_t *t)
{
    ((timer_stats *)t->data)->fired++;
}

static double uvt_round(void *ctx)
{
    timer_stats *st = ctx;
    uv_timer_t *t = xcalloc(TIMERS, sizeof(*t));
    uv_loop_t loop;
    check_uv("uv_loop_init", uv_loop_init(&loop));
    uint64_t fired = st->fired;
    uv_update_time(&loop);
    uint64_t w0 = bench_now_ns(), c0 = thread_cpu_ns();
    for (size_t i = 0; i < TIMERS; i++) {
        uv_timer_init(&loop, &t[i]);
        t[i].data = st;
        check_uv("uv_timer_start", uv_timer_start(&t[i], uvt_fired, timeouts[i], 0));
    }
    uint64_t cs = thread_cpu_ns();
    uv_run(&loop, UV_RUN_DEFAULT);
    uint64_t c1 = thread_cpu_ns(), w1 = bench_now_ns();
    if (st->fired - fired != TIMERS)
        die("timers", "not every libuv timer fired");
    for (size_t i = 0; i < TIMERS; i++)
        uv_close((uv_handle_t *)&t[i], NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    check_uv("uv_loop_close", uv_loop_close(&loop));
    free(t);
    return timer_result(st, w0, c0, cs, w1, c1);
}
#endif /* AX_HAVE_LIBUV */

/* ---- driver ------------------------------------------------------------------ */

static void print_post(const char *name, double rate, post_stats *st, double axle)
{
    printf("   %-36s %8.2f M/s  (producer alone %7.2f M/s)", name, rate / 1e6,
           side_median(&st->producer) / 1e6);
    if (axle > 0)
        printf("   axle speedup %.2fx", axle / rate);
    printf("\n");
}

static void bench_posts(void)
{
    printf("\n1. cross-thread post throughput: %u posts from another thread, "
           "%d rounds; posts (or sends) per second until the loop has run them\n",
           POSTS, POST_ROUNDS);
    static post_stats ax_st;
#ifdef AX_HAVE_LIBUV
    static post_stats uvq_st, uva_st;
    const bench_round_fn fns[3] = {axle_post_round, uvq_post_round, uva_post_round};
    void *const ctxs[3] = {&ax_st, &uvq_st, &uva_st};
    double m[3];
    bench_interleave(fns, ctxs, 3, POST_ROUNDS, m);
    print_post("axle ax_loop_post", m[0], &ax_st, 0);
    print_post("libuv mutex queue + uv_async_send", m[1], &uvq_st, m[0]);
    print_post("libuv bare uv_async_send, sends/s", m[2], &uva_st, m[0]);
    printf("   (uv_async_send coalesces: %.0f callbacks for %u sends; not like for"
           " like, see bench/README.md)\n", side_median(&uva_st.callbacks), POSTS);
#else
    const bench_round_fn fns[1] = {axle_post_round};
    void *const ctxs[1] = {&ax_st};
    double m[1];
    bench_interleave(fns, ctxs, 1, POST_ROUNDS, m);
    print_post("axle ax_loop_post", m[0], &ax_st, 0);
#endif
    if (ax_st.refused > 0)
        printf("   (ax_loop_post refused %llu times with AX_ELIMIT over all rounds;"
               " retried)\n", (unsigned long long)ax_st.refused);
}

static void bench_ping(void)
{
    printf("\n2. ping-pong between two loops on two threads: %u round trips, "
           "%d rounds\n", PINGS, PING_ROUNDS);
    static ping_stats ax_st;
#ifdef AX_HAVE_LIBUV
    static ping_stats uv_st;
    const bench_round_fn fns[2] = {axpp_round, uvpp_round};
    void *const ctxs[2] = {&ax_st, &uv_st};
    double m[2];
    bench_interleave(fns, ctxs, 2, PING_ROUNDS, m);
#else
    const bench_round_fn fns[1] = {axpp_round};
    void *const ctxs[1] = {&ax_st};
    double m[1];
    bench_interleave(fns, ctxs, 1, PING_ROUNDS, m);
#endif
    printf("   %-40s %7.2f us median round trip, p99 %.2f us\n",
           "axle ax_loop_post <-> ax_loop_post", 1e6 / m[0], side_median(&ax_st.p99_us));
#ifdef AX_HAVE_LIBUV
    printf("   %-40s %7.2f us median round trip, p99 %.2f us   axle speedup %.2fx\n",
           "libuv uv_async_send <-> uv_async_send", 1e6 / m[1],
           side_median(&uv_st.p99_us), m[0] / m[1]);
#endif
}

static void bench_timers(void)
{
    printf("\n3. timers through the loop: %u one-shot timers, random 1..%u ms, "
           "%d rounds\n", TIMERS, TIMER_MAX_MS, TIMER_ROUNDS);
    make_timeouts();
    /* One thread does it all: pin it like a loop thread. */
    pin_self(0);
    static timer_stats ax_st;
#ifdef AX_HAVE_LIBUV
    static timer_stats uv_st;
    const bench_round_fn fns[2] = {axt_round, uvt_round};
    void *const ctxs[2] = {&ax_st, &uv_st};
    double m[2];
    bench_interleave(fns, ctxs, 2, TIMER_ROUNDS, m);
#else
    const bench_round_fn fns[1] = {axt_round};
    void *const ctxs[1] = {&ax_st};
    double m[1];
    bench_interleave(fns, ctxs, 1, TIMER_ROUNDS, m);
#endif
    printf("   %-10s wall %7.1f ms   loop CPU %6.1f ns per timer start+fire"
           " (start alone %5.1f ns)\n", "axle", side_median(&ax_st.wall_ms),
           1e9 / m[0], side_median(&ax_st.start_ns));
#ifdef AX_HAVE_LIBUV
    printf("   %-10s wall %7.1f ms   loop CPU %6.1f ns per timer start+fire"
           " (start alone %5.1f ns)   axle speedup %.2fx\n", "libuv",
           side_median(&uv_st.wall_ms), 1e9 / m[1], side_median(&uv_st.start_ns),
           m[0] / m[1]);
#endif
}

int main(void)
{
    choose_cpus();
    ax_loop *probe;
    check_ax("ax_loop_new", ax_loop_new(NULL, &probe));
    printf("loop: axle event loop (%s backend)", ax_loop_backend_name(probe));
    check_ax("ax_loop_free", ax_loop_free(probe));
    if (cpus[0] >= 0)
        printf(", threads pinned to CPUs %d and %d", cpus[0], cpus[1]);
    else
        printf(", one CPU available: threads not pinned");
    printf("; medians over rounds; \"axle speedup\" >1 means axle is faster\n");
#ifdef AX_HAVE_LIBUV
    printf("libuv: %s, comparator\n", uv_version_string());
#else
    printf("libuv: not installed, comparator skipped\n");
#endif
    fflush(stdout);
    bench_posts();
    fflush(stdout);
    bench_ping();
    fflush(stdout);
    bench_timers();
    return 0;
}
