/*
 * Timer queues: axle's timer wheel (runtime/timer_wheel.c) against a binary
 * min-heap in the manner of libuv's timer heap (intrusive nodes, ordered by
 * deadline then start order; here array-based with the index kept in the
 * node, so a stop is O(log n) without a search).
 *
 * Each case runs with 10k and with 1M timers pending, their deadlines spread
 * uniformly over now + 1 .. now + 10^6 ms, and the two queues alternate
 * round by round on identical workloads:
 *   start+stop    start a batch of timers with random deadlines from the
 *                 same spread, then stop them in start order (a server that
 *                 arms a timeout per request and cancels it on the reply);
 *                 one op = one start and one stop.
 *   start+expire  every simulated millisecond, start SMALL timers due in
 *                 1..16 ms, move the clock on by 1 ms and expire what is due;
 *                 one op = one small timer started and expired. Pending
 *                 timers that come due are restarted with a fresh deadline,
 *                 so the pending set stays the same size (its cascades and
 *                 re-arms are part of the cost).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "runtime/timer_wheel.h"

#define SPREAD 1000000u    /* pending deadlines: now + 1 .. now + SPREAD ms */
#define BATCH 256          /* start+stop: started before the first stop */
#define SMALL 64           /* start+expire: small timers started per ms */
#define SMALL_RING (SMALL * 17) /* small timers in flight: due in <= 16 ms */
#define STOP_OPS (1u << 20)     /* start+stop pairs per round */
#define EXPIRE_OPS (1u << 19)   /* small timers expired per round */
#define ROUNDS 21
#define T0 1000000000u     /* the clock at start: 11.6 days of uptime */
#define NOFFSETS 65536u    /* power of two */

/* Random numbers drawn once, so that both queues see the same sequence and
 * neither pays for the generator inside its timed loop. */
static uint32_t offsets[NOFFSETS];

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void make_offsets(void)
{
    uint64_t s = 2024;
    for (size_t i = 0; i < NOFFSETS; i++)
        offsets[i] = 1 + (uint32_t)(splitmix(&s) % SPREAD);
}

/* ---- the baseline: binary min-heap ---------------------------------------- */

typedef struct heap_node {
    uint64_t deadline;
    uint64_t start_id; /* equal deadlines fire in start order, as in libuv */
    size_t index;      /* position in the heap array */
} heap_node;

typedef struct heap {
    heap_node **items;
    size_t len;
    uint64_t next_id;
} heap;

static bool node_less(const heap_node *a, const heap_node *b)
{
    return a->deadline < b->deadline ||
           (a->deadline == b->deadline && a->start_id < b->start_id);
}

static void heap_put(heap *h, size_t i, heap_node *n)
{
    h->items[i] = n;
    n->index = i;
}

static void sift_up(heap *h, size_t i)
{
    heap_node *n = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!node_less(n, h->items[parent]))
            break;
        heap_put(h, i, h->items[parent]);
        i = parent;
    }
    heap_put(h, i, n);
}

static void sift_down(heap *h, size_t i)
{
    heap_node *n = h->items[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len && node_less(h->items[child + 1], h->items[child]))
            child++;
        if (!node_less(h->items[child], n))
            break;
        heap_put(h, i, h->items[child]);
        i = child;
    }
    heap_put(h, i, n);
}

/* The array was sized for the peak in advance: no growth in timed loops. */
static void heap_insert(heap *h, heap_node *n, uint64_t deadline)
{
    n->deadline = deadline;
    n->start_id = h->next_id++;
    heap_put(h, h->len++, n);
    sift_up(h, n->index);
}

static void heap_remove(heap *h, heap_node *n)
{
    size_t i = n->index;
    heap_node *last = h->items[--h->len];
    if (last != n) {
        heap_put(h, i, last);
        if (i > 0 && node_less(last, h->items[(i - 1) / 2]))
            sift_up(h, i);
        else
            sift_down(h, i);
    }
}

/* ---- subjects --------------------------------------------------------------- */

typedef struct wheel_subject {
    ax__wheel wheel;
    ax__timer_link *pending; /* npending, always queued */
    ax__timer_link *extra;   /* the batch, or the ring of small timers */
    size_t npending;
    size_t cursor;           /* into offsets[] */
} wheel_subject;

typedef struct heap_subject {
    heap heap;
    heap_node *pending;
    heap_node *extra;
    size_t npending;
    size_t cursor;
    uint64_t now;
} heap_subject;

static uint64_t next_offset(size_t *cursor)
{
    return offsets[(*cursor)++ & (NOFFSETS - 1)];
}

/* Does p point into the array of n pending timers? (Compared as integers:
 * relational operators between unrelated objects are undefined.) */
static bool is_pending(const void *p, const void *pending, size_t n, size_t size)
{
    uintptr_t x = (uintptr_t)p, lo = (uintptr_t)pending;
    return x >= lo && x < lo + n * size;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL) {
        fprintf(stderr, "timers: out of memory\n");
        exit(1);
    }
    return p;
}

static void wheel_setup(wheel_subject *s, size_t npending)
{
    ax__wheel_init(&s->wheel, T0);
    s->npending = npending;
    s->cursor = 0;
    s->pending = xcalloc(npending, sizeof(ax__timer_link));
    s->extra = xcalloc(SMALL_RING > BATCH ? SMALL_RING : BATCH, sizeof(ax__timer_link));
    for (size_t i = 0; i < npending; i++)
        ax__wheel_insert(&s->wheel, &s->pending[i], T0 + next_offset(&s->cursor));
}

static void heap_setup(heap_subject *s, size_t npending)
{
    s->now = T0;
    s->npending = npending;
    s->cursor = 0;
    s->heap.len = 0;
    s->heap.next_id = 0;
    s->heap.items = xcalloc(npending + SMALL_RING + BATCH, sizeof(heap_node *));
    s->pending = xcalloc(npending, sizeof(heap_node));
    s->extra = xcalloc(SMALL_RING > BATCH ? SMALL_RING : BATCH, sizeof(heap_node));
    for (size_t i = 0; i < npending; i++)
        heap_insert(&s->heap, &s->pending[i], T0 + next_offset(&s->cursor));
}

static void wheel_teardown(wheel_subject *s)
{
    free(s->pending);
    free(s->extra);
}

static void heap_teardown(heap_subject *s)
{
    free(s->heap.items);
    free(s->pending);
    free(s->extra);
}

/* ---- start+stop -------------------------------------------------------------- */

static double wheel_start_stop(void *ctx)
{
    wheel_subject *s = ctx;
    uint64_t now = ax__wheel_now(&s->wheel);
    uint64_t t0 = bench_now_ns();
    for (size_t round = 0; round < STOP_OPS / BATCH; round++) {
        for (size_t i = 0; i < BATCH; i++)
            ax__wheel_insert(&s->wheel, &s->extra[i], now + next_offset(&s->cursor));
        for (size_t i = 0; i < BATCH; i++)
            ax__wheel_remove(&s->wheel, &s->extra[i]);
    }
    return bench_rate(STOP_OPS, bench_now_ns() - t0);
}

static double heap_start_stop(void *ctx)
{
    heap_subject *s = ctx;
    uint64_t t0 = bench_now_ns();
    for (size_t round = 0; round < STOP_OPS / BATCH; round++) {
        for (size_t i = 0; i < BATCH; i++)
            heap_insert(&s->heap, &s->extra[i], s->now + next_offset(&s->cursor));
        for (size_t i = 0; i < BATCH; i++)
            heap_remove(&s->heap, &s->extra[i]);
    }
    return bench_rate(STOP_OPS, bench_now_ns() - t0);
}

/* ---- start+expire ------------------------------------------------------------ */

static double wheel_start_expire(void *ctx)
{
    wheel_subject *s = ctx;
    ax__wheel *w = &s->wheel;
    size_t expired = 0, slot = 0;
    uint64_t t0 = bench_now_ns();
    while (expired < EXPIRE_OPS) {
        uint64_t now = ax__wheel_now(w);
        /* The ring slot reused here was started 17 ms ago: expired. */
        for (size_t i = 0; i < SMALL; i++)
            ax__wheel_insert(w, &s->extra[slot * SMALL + i],
                             now + 1 + (next_offset(&s->cursor) & 15));
        slot = (slot + 1) % (SMALL_RING / SMALL);
        ax__timer_list out;
        ax__timer_list_init(&out);
        ax__wheel_advance(w, now + 1, &out);
        ax__timer_link *e;
        while ((e = ax__timer_list_pop(&out)) != NULL) {
            if (is_pending(e, s->pending, s->npending, sizeof(*e)))
                ax__wheel_insert(w, e, now + 1 + next_offset(&s->cursor));
            else
                expired++;
        }
    }
    return bench_rate((double)expired, bench_now_ns() - t0);
}

static double heap_start_expire(void *ctx)
{
    heap_subject *s = ctx;
    heap *h = &s->heap;
    size_t expired = 0, slot = 0;
    uint64_t t0 = bench_now_ns();
    while (expired < EXPIRE_OPS) {
        for (size_t i = 0; i < SMALL; i++)
            heap_insert(h, &s->extra[slot * SMALL + i],
                        s->now + 1 + (next_offset(&s->cursor) & 15));
        slot = (slot + 1) % (SMALL_RING / SMALL);
        s->now++;
        while (h->len > 0 && h->items[0]->deadline <= s->now) {
            heap_node *n = h->items[0];
            heap_remove(h, n);
            if (is_pending(n, s->pending, s->npending, sizeof(*n)))
                heap_insert(h, n, s->now + next_offset(&s->cursor));
            else
                expired++;
        }
    }
    return bench_rate((double)expired, bench_now_ns() - t0);
}

/* ---- driver ------------------------------------------------------------------ */

typedef struct bench_case {
    const char *name;
    bench_round_fn wheel;
    bench_round_fn heap;
} bench_case;

enum { WHEEL_10K, HEAP_10K, WHEEL_1M, HEAP_1M, SUBJECTS };

/* All four subjects of a case run interleaved, round by round, so that the
 * wheel/heap ratios and the wheel's 10k/1M ratio compare rounds taken in
 * the same stretch of time. */
static void run_case(const bench_case *c)
{
    static wheel_subject w10k, w1m; /* a wheel is 12 KB: not on the stack */
    heap_subject h10k, h1m;
    wheel_setup(&w10k, 10000);
    heap_setup(&h10k, 10000);
    wheel_setup(&w1m, 1000000);
    heap_setup(&h1m, 1000000);
    const bench_round_fn fns[SUBJECTS] = {c->wheel, c->heap, c->wheel, c->heap};
    void *const ctxs[SUBJECTS] = {&w10k, &h10k, &w1m, &h1m};
    double m[SUBJECTS];
    bench_interleave(fns, ctxs, SUBJECTS, ROUNDS, m);
    printf("%-13s %8s %14.2f %13.2f %10.2fx %14s\n", c->name, "10k",
           m[WHEEL_10K] / 1e6, m[HEAP_10K] / 1e6, m[WHEEL_10K] / m[HEAP_10K], "-");
    printf("%-13s %8s %14.2f %13.2f %10.2fx %13.2fx\n", c->name, "1M",
           m[WHEEL_1M] / 1e6, m[HEAP_1M] / 1e6, m[WHEEL_1M] / m[HEAP_1M],
           m[WHEEL_10K] / m[WHEEL_1M]);
    fflush(stdout);
    wheel_teardown(&w10k);
    heap_teardown(&h10k);
    wheel_teardown(&w1m);
    heap_teardown(&h1m);
}

int main(void)
{
    static const bench_case cases[] = {
        {"start+stop", wheel_start_stop, heap_start_stop},
        {"start+expire", wheel_start_expire, heap_start_expire},
    };
    make_offsets();
    printf("timers: wheel vs binary heap, pending deadlines now+1..now+%u ms, "
           "medians of %d interleaved rounds\n", SPREAD, ROUNDS);
    printf("%-13s %8s %14s %13s %11s %14s\n", "case", "pending", "wheel Mops/s",
           "heap Mops/s", "wheel/heap", "wheel 10k/1M");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i]);
    return 0;
}
