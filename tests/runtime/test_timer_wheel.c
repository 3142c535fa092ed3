#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/timer_wheel.h"
#include "support/suite.h"

AX_SUITE(timer_wheel);
AX_SUITE(timer_wheel_model);
AX_SUITE(timer_wheel_scale);

/* The clock is injected: every test just passes `now` values. */

typedef struct tmr {
    ax__timer_link link;
    uint64_t want;  /* the deadline the test asked for */
    uint64_t seq;   /* start order, for the reference model */
    int id;
    int state;      /* model: IDLE, QUEUED or IN_BATCH */
} tmr;

enum { IDLE, QUEUED, IN_BATCH };

static tmr *tmr_of(ax__timer_link *l)
{
    return (tmr *)(void *)((char *)l - offsetof(tmr, link));
}

static void check(const ax__wheel *w)
{
    int rc = ax__wheel_validate(w);
    if (rc != 0)
        ax__wheel_dump(w, stderr);
    cr_assert_eq(rc, 0, "ax__wheel_validate: %d", rc);
}

static void start(ax__wheel *w, tmr *t, uint64_t deadline)
{
    t->want = deadline;
    ax__wheel_insert(w, &t->link, deadline);
    check(w);
}

/* Advances to now and pops the batch, writing the ids in ids[]. */
static size_t fire(ax__wheel *w, uint64_t now, int *ids, size_t max)
{
    ax__timer_list out;
    ax__timer_list_init(&out);
    size_t n = ax__wheel_advance(w, now, &out);
    check(w);
    size_t k = 0;
    ax__timer_link *e;
    while ((e = ax__timer_list_pop(&out)) != NULL) {
        cr_assert_lt(k, max);
        cr_assert_not(ax__wheel_is_queued(e));
        ids[k++] = tmr_of(e)->id;
    }
    cr_assert_eq(k, n, "advance said %zu, the list held %zu", n, k);
    return n;
}

static void assert_ids(const int *got, size_t n, const int *want, size_t wn)
{
    cr_assert_eq(n, wn, "fired %zu, want %zu", n, wn);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "position %zu: id %d, want %d", i, got[i], want[i]);
}

/* Sleeps exactly as long as ax__wheel_timeout says, as the loop will, until
 * nothing is due by `until`. Asserts that every entry fires exactly at its
 * deadline, that equal deadlines fire in id order, and that no more than
 * AX__WHEEL_LEVELS + 1 wakeups in a row expire nothing. Returns the number
 * fired; *wakeups counts the advances. */
static size_t drive(ax__wheel *w, uint64_t until, size_t *wakeups)
{
    size_t fired = 0;
    unsigned idle = 0;
    uint64_t last_deadline = 0;
    int last_id = -1;
    for (;;) {
        uint64_t t = ax__wheel_timeout(w);
        if (t == UINT64_MAX || t > until - w->now)
            return fired;
        uint64_t now = w->now + t;
        ax__timer_list out;
        ax__timer_list_init(&out);
        size_t n = ax__wheel_advance(w, now, &out);
        check(w);
        cr_assert_eq(ax__wheel_now(w), now);
        if (wakeups != NULL)
            ++*wakeups;
        idle = n == 0 ? idle + 1 : 0;
        cr_assert_leq(idle, AX__WHEEL_LEVELS + 1, "%u wakeups in a row for nothing", idle);
        ax__timer_link *e;
        while ((e = ax__timer_list_pop(&out)) != NULL) {
            tmr *x = tmr_of(e);
            cr_assert_eq(e->deadline, now, "id %d fired at %llu, deadline %llu", x->id,
                         (unsigned long long)now, (unsigned long long)e->deadline);
            cr_assert(x->want <= now);
            cr_assert(e->deadline > last_deadline || (e->deadline == last_deadline && x->id > last_id),
                      "id %d (deadline %llu) after id %d (deadline %llu)", x->id,
                      (unsigned long long)e->deadline, last_id, (unsigned long long)last_deadline);
            last_deadline = e->deadline;
            last_id = x->id;
            fired++;
        }
    }
}

/* ---- basics ------------------------------------------------------------- */

Test(timer_wheel, empty_wheel)
{
    ax__wheel w;
    ax__wheel_init(&w, 12345);
    check(&w);
    cr_assert_eq(ax__wheel_timeout(&w), UINT64_MAX);
    cr_assert_eq(ax__wheel_count(&w), 0);
    int ids[1];
    cr_assert_eq(fire(&w, 99999, ids, 1), 0);
    cr_assert_eq(ax__wheel_now(&w), 99999);
    cr_assert_eq(fire(&w, UINT64_MAX, ids, 1), 0, "a jump to the end of time is one step");
    cr_assert_eq(ax__wheel_now(&w), UINT64_MAX);

    tmr t;
    memset(&t, 0, sizeof(t));
    cr_assert_not(ax__wheel_is_queued(&t.link));
    ax__wheel_remove(&w, &t.link); /* zeroed: harmless */
    ax__timer_link_init(&t.link);
    ax__wheel_remove(&w, &t.link);
    check(&w);
}

Test(timer_wheel, mixed_deadlines_fire_in_deadline_then_start_order)
{
    static const uint64_t delay[] = {
        500, 1, 69000, 64, 63, 5000000, 1, 500, 4096, 4294967296u, 65, 4095,
        262144, 4097, 1, 68719476736u, 262143, 500, 16777216, 63,
    };
    enum { N = sizeof(delay) / sizeof(delay[0]) };
    const uint64_t base = 1000;
    tmr t[N];
    memset(t, 0, sizeof(t));
    ax__wheel w;
    ax__wheel_init(&w, base);
    for (int i = 0; i < N; i++) {
        t[i].id = i;
        start(&w, &t[i], base + delay[i]);
    }
    cr_assert_eq(ax__wheel_count(&w), N);
    /* Expected: stable sort by delay. */
    int want[N];
    for (int i = 0; i < N; i++)
        want[i] = i;
    for (int i = 1; i < N; i++) {
        for (int j = i; j > 0 && delay[want[j - 1]] > delay[want[j]]; j--) {
            int x = want[j];
            want[j] = want[j - 1];
            want[j - 1] = x;
        }
    }
    int got[N];
    size_t n = fire(&w, base + 68719476736u + 1, got, N);
    assert_ids(got, n, want, N);
    cr_assert_eq(ax__wheel_count(&w), 0);
    cr_assert_eq(ax__wheel_timeout(&w), UINT64_MAX);
}

Test(timer_wheel, fires_in_steps_never_early)
{
    tmr t[64];
    memset(t, 0, sizeof(t));
    ax__wheel w;
    ax__wheel_init(&w, 0);
    for (int i = 0; i < 64; i++) {
        t[i].id = i;
        start(&w, &t[i], (uint64_t)(i * 37 % 64) * 100 + 1);
    }
    int got[64];
    size_t total = 0;
    for (uint64_t now = 0; now <= 6500; now += 250) {
        size_t n = fire(&w, now, got, 64);
        for (size_t k = 0; k < n; k++) {
            cr_assert(t[got[k]].want <= now);
            cr_assert(t[got[k]].want > now - 250 || now == 0);
        }
        total += n;
    }
    cr_assert_eq(total, 64);
}

Test(timer_wheel, timeout_is_a_lower_bound_that_makes_progress)
{
    ax__wheel w;
    ax__wheel_init(&w, 0);
    tmr t = {.id = 0};
    start(&w, &t, 100);
    /* 100 sits on level 1 (slot 1 covers 64..127): wake at its cascade. */
    cr_assert_eq(ax__wheel_timeout(&w), 64);
    int got[1];
    cr_assert_eq(fire(&w, 64, got, 1), 0);
    cr_assert_eq(ax__wheel_timeout(&w), 36, "now on level 0: exact");
    cr_assert_eq(fire(&w, 99, got, 1), 0);
    cr_assert_eq(ax__wheel_timeout(&w), 1);
    cr_assert_eq(fire(&w, 100, got, 1), 1);

    /* Exact when the deadline is the start of its slot. */
    start(&w, &t, 100 + 4096 * 3 - 100 % 4096);
    cr_assert_eq(ax__wheel_timeout(&w), 4096 * 3 - 100);
    /* An earlier entry on a lower level wins. */
    tmr u = {.id = 1};
    start(&w, &u, 101);
    cr_assert_eq(ax__wheel_timeout(&w), 1);
    ax__wheel_remove(&w, &u.link);
    cr_assert_eq(ax__wheel_timeout(&w), 4096 * 3 - 100);
    ax__wheel_remove(&w, &t.link);
    cr_assert_eq(ax__wheel_timeout(&w), UINT64_MAX);
    check(&w);
}

/* ---- start order -------------------------------------------------------- */

/* Advances to now; only the noise entries (ids >= 10000) may fire. */
static size_t advance_noise_only(ax__wheel *w, uint64_t now)
{
    ax__timer_list out;
    ax__timer_list_init(&out);
    size_t n = ax__wheel_advance(w, now, &out);
    ax__timer_link *e;
    while ((e = ax__timer_list_pop(&out)) != NULL)
        cr_assert_geq(tmr_of(e)->id, 10000, "id %d fired early", tmr_of(e)->id);
    return n;
}

/* Entries with one deadline D, started at later and later times: the first
 * ones go far up the wheel and cascade down, the last ones start 1 ms before
 * D. They must still fire in start order. Entries at D - 1 and D + 1 keep
 * the slots mixed. */
static void equal_deadline_case(uint64_t base, uint64_t span, bool by_timeout)
{
    const uint64_t d = base + span;
    enum { MAX = 64 * 32 };
    static tmr t[MAX], noise[2 * MAX];
    static int got[3 * MAX];
    memset(t, 0, sizeof(t));
    memset(noise, 0, sizeof(noise));
    ax__wheel w;
    ax__wheel_init(&w, base);
    int n = 0, nn = 0;
    size_t fired = 0;
    uint64_t prev_gap = UINT64_MAX;
    /* Gaps D - start from span down to 1, 32 per power of two. */
    for (int j = 63; j >= 0; j--) {
        for (int r = 31; r >= 0; r--) {
            uint64_t unit = (uint64_t)1 << j;
            uint64_t gap = unit + (unit >> 5) * (uint64_t)r; /* < 2^64 */
            if (gap > span || gap >= prev_gap)
                continue;
            prev_gap = gap;
            uint64_t at = d - gap;
            fired += advance_noise_only(&w, at);
            t[n].id = n;
            t[n].want = d;
            ax__wheel_insert(&w, &t[n].link, d);
            n++;
            if (d - 1 > at) {
                noise[nn].id = 10000 + nn;
                noise[nn].want = d - 1;
                ax__wheel_insert(&w, &noise[nn++].link, d - 1);
            }
            if (d < UINT64_MAX) {
                noise[nn].id = 10000 + nn;
                noise[nn].want = d + 1;
                ax__wheel_insert(&w, &noise[nn++].link, d + 1);
            }
            if (n % 16 == 0)
                check(&w);
        }
    }
    check(&w);
    cr_assert_gt(n, 1);
    if (by_timeout) {
        /* drive() asserts deadline order, and id order for equal ones. */
        fired += drive(&w, UINT64_MAX, NULL);
        cr_assert_eq(fired, (size_t)(n + nn));
        return;
    }
    size_t k = fire(&w, d, got, 3 * MAX);
    int pos = 0;
    for (size_t i = 0; i < k; i++) {
        if (got[i] < 10000) {
            cr_assert_eq(got[i], pos, "deadline %llu: start #%d fired in place %d",
                         (unsigned long long)d, got[i], pos);
            pos++;
        }
    }
    cr_assert_eq(pos, n);
}

Test(timer_wheel, equal_deadlines_keep_start_order_across_levels)
{
    /* For every level, and for the overflow list: spans reaching into it,
     * from bases aligned and unaligned to the level's boundaries. */
    for (unsigned level = 1; level <= AX__WHEEL_LEVELS + 2; level++) {
        uint64_t span = ((uint64_t)1 << (6 * level)) + 17;
        equal_deadline_case(0, span, false);
        equal_deadline_case(12345, span, false);
        equal_deadline_case(((uint64_t)1 << (6 * level)) - 5, span, true);
    }
    equal_deadline_case(0, UINT64_MAX, false);
    equal_deadline_case(7, UINT64_MAX - 7, true);
}

Test(timer_wheel, earlier_start_on_high_level_fires_before_later_start_on_low_level)
{
    ax__wheel w;
    ax__wheel_init(&w, 0);
    tmr a = {.id = 0}, b = {.id = 1}, c = {.id = 2};
    int got[3];

    /* a sits on level 2 (4100 is in the second 4096 ms block). b starts
     * 10 ms before the deadline: a wheel that chose the level from the
     * distance would put it on level 0 and fire it first. */
    start(&w, &a, 4100);
    cr_assert_eq(a.link.where, AX__TIMER_SLOT0 + 2 * AX__WHEEL_SLOTS + 1);
    cr_assert_eq(fire(&w, 4090, got, 3), 0);
    start(&w, &b, 4100);
    cr_assert_eq(a.link.where, b.link.where, "one deadline, one list");
    /* c starts after both have cascaded to level 0. */
    cr_assert_eq(fire(&w, 4099, got, 3), 0);
    start(&w, &c, 4100);
    cr_assert_eq(c.link.where, AX__TIMER_SLOT0 + 4);
    cr_assert_eq(fire(&w, 4100, got, 3), 3);
    int want[] = {0, 1, 2};
    assert_ids(got, 3, want, 3);

    /* a starts on level 2, has cascaded to level 1 when b starts. */
    start(&w, &a, 8192 + 904);
    cr_assert_eq(fire(&w, 8192 + 894, got, 3), 0);
    cr_assert_eq(a.link.where, AX__TIMER_SLOT0 + AX__WHEEL_SLOTS + 14);
    start(&w, &b, 8192 + 904);
    start(&w, &c, 8192 + 904);
    ax__wheel_insert(&w, &a.link, 8192 + 904); /* a restart makes a the latest */
    check(&w);
    cr_assert_eq(fire(&w, 9000 + 8192, got, 3), 3);
    int want2[] = {1, 2, 0};
    assert_ids(got, 3, want2, 3);
}

/* ---- stop ---------------------------------------------------------------- */

Test(timer_wheel, remove_before_expiry)
{
    static const uint64_t deadline[] = {
        /* due, level 0, level 1, level 3, level 5, overflow, the end of time */
        100, 101, 150, 100 + 300000, 100 + 4294967296u, 100 + 68719476736u * 3, UINT64_MAX,
        101, 150, 100 + 300000, 100 + 4294967296u, 100 + 68719476736u * 3, UINT64_MAX,
    };
    enum { N = sizeof(deadline) / sizeof(deadline[0]) };
    tmr t[N];
    memset(t, 0, sizeof(t));
    ax__wheel w;
    ax__wheel_init(&w, 100);
    for (int i = 0; i < N; i++) {
        t[i].id = i;
        start(&w, &t[i], deadline[i]);
        cr_assert(ax__wheel_is_queued(&t[i].link));
    }
    cr_assert_eq(ax__wheel_timeout(&w), 0);
    /* Stop the first half: every kind of list, and the due entry. */
    for (int i = 0; i < 7; i++) {
        ax__wheel_remove(&w, &t[i].link);
        check(&w);
        cr_assert_not(ax__wheel_is_queued(&t[i].link));
        ax__wheel_remove(&w, &t[i].link); /* twice: harmless */
        check(&w);
    }
    cr_assert_eq(ax__wheel_count(&w), N - 7);
    cr_assert_eq(ax__wheel_timeout(&w), 1);
    int got[N];
    size_t n = fire(&w, UINT64_MAX, got, N);
    int want[] = {7, 8, 9, 10, 11, 12};
    assert_ids(got, n, want, 6);

    /* The last entry of a slot: its bit goes, the timeout follows. */
    ax__wheel_init(&w, 0);
    start(&w, &t[0], 3000);
    start(&w, &t[1], 70000);
    ax__wheel_remove(&w, &t[0].link);
    check(&w);
    cr_assert_eq(ax__wheel_timeout(&w), 17 * 4096, "70000 is in slot 17 of level 2");
    ax__wheel_remove(&w, &t[1].link);
    check(&w);
    cr_assert_eq(ax__wheel_timeout(&w), UINT64_MAX);
    cr_assert_eq(fire(&w, 1000000, got, N), 0);
}

/* Stopping the earliest far-future entry leaves the overflow bound low: the
 * caller wakes once for nothing, then the bound is exact again. */
Test(timer_wheel, stale_overflow_bound_costs_one_wakeup)
{
    ax__wheel w;
    ax__wheel_init(&w, 0);
    tmr a = {.id = 0}, b = {.id = 1};
    start(&w, &a, ((uint64_t)1 << 40) + 5);
    start(&w, &b, ((uint64_t)1 << 42) + 5);
    cr_assert_eq(ax__wheel_timeout(&w), (uint64_t)1 << 40);
    ax__wheel_remove(&w, &a.link);
    check(&w);
    cr_assert_eq(ax__wheel_timeout(&w), (uint64_t)1 << 40, "a lower bound, not exact");
    int got[2];
    cr_assert_eq(fire(&w, (uint64_t)1 << 40, got, 2), 0);
    cr_assert_eq(ax__wheel_timeout(&w), ((uint64_t)1 << 42) - ((uint64_t)1 << 40));
    size_t wakeups = 0;
    cr_assert_eq(drive(&w, UINT64_MAX, &wakeups), 1);
    cr_assert_leq(wakeups, AX__WHEEL_LEVELS + 1);
}

/* What the loop does when a callback stops or restarts timers that are in
 * the same expired batch. */
Test(timer_wheel, remove_and_restart_inside_the_expired_batch)
{
    ax__wheel w;
    ax__wheel_init(&w, 0);
    tmr t[5];
    memset(t, 0, sizeof(t));
    for (int i = 0; i < 5; i++) {
        t[i].id = i;
        start(&w, &t[i], 10);
    }
    ax__timer_list out;
    ax__timer_list_init(&out);
    cr_assert_eq(ax__wheel_advance(&w, 10, &out), 5);
    cr_assert_eq(ax__wheel_count(&w), 0);
    check(&w);
    ax__timer_link *e = ax__timer_list_pop(&out);
    cr_assert_eq(tmr_of(e)->id, 0);
    /* "callback" of 0: stop 2, restart 3 later, restart 4 with a past
     * deadline (due at the next advance, not in this batch), stop 0. */
    cr_assert(ax__wheel_is_queued(&t[2].link), "in the batch counts as queued");
    ax__wheel_remove(&w, &t[2].link);
    cr_assert_not(ax__wheel_is_queued(&t[2].link));
    ax__wheel_insert(&w, &t[3].link, 20);
    ax__wheel_insert(&w, &t[4].link, 3);
    ax__wheel_remove(&w, &t[0].link);
    check(&w);
    cr_assert_eq(ax__wheel_count(&w), 2);
    e = ax__timer_list_pop(&out);
    cr_assert_eq(tmr_of(e)->id, 1);
    cr_assert_null(ax__timer_list_pop(&out));
    cr_assert(ax__timer_list_empty(&out));
    cr_assert_eq(t[4].link.deadline, 10, "a past deadline becomes the current time");
    cr_assert_eq(ax__wheel_timeout(&w), 0);
    int got[5];
    cr_assert_eq(fire(&w, 10, got, 5), 1);
    cr_assert_eq(got[0], 4);
    cr_assert_eq(fire(&w, 20, got, 5), 1);
    cr_assert_eq(got[0], 3);

    /* An expired list may be kept and added to by a later advance. */
    start(&w, &t[0], 30);
    start(&w, &t[1], 40);
    ax__timer_list_init(&out);
    cr_assert_eq(ax__wheel_advance(&w, 30, &out), 1);
    cr_assert_eq(ax__wheel_advance(&w, 40, &out), 1);
    cr_assert_eq(tmr_of(ax__timer_list_pop(&out))->id, 0);
    cr_assert_eq(tmr_of(ax__timer_list_pop(&out))->id, 1);
    cr_assert_null(ax__timer_list_pop(&out));
}

/* ---- due entries --------------------------------------------------------- */

Test(timer_wheel, zero_ms_and_past_deadlines_wait_for_the_next_advance)
{
    ax__wheel w;
    ax__wheel_init(&w, 500);
    tmr later = {.id = 0}, zero = {.id = 1}, past = {.id = 2}, origin = {.id = 3};
    start(&w, &later, 501);
    start(&w, &zero, 500);
    start(&w, &past, 495);
    start(&w, &origin, 0);
    cr_assert_eq(past.link.deadline, 500);
    cr_assert_eq(ax__wheel_timeout(&w), 0);
    int got[4];
    /* Due ones first even though `later` was started first; time moves. */
    cr_assert_eq(fire(&w, 501, got, 4), 4);
    int want[] = {1, 2, 3, 0};
    assert_ids(got, 4, want, 4);

    /* A repeating 0 ms timer: once per advance, time standing still. */
    start(&w, &zero, 501);
    for (int i = 0; i < 100; i++) {
        cr_assert_eq(ax__wheel_timeout(&w), 0);
        ax__timer_list out;
        ax__timer_list_init(&out);
        cr_assert_eq(ax__wheel_advance(&w, 501, &out), 1);
        ax__timer_link *e = ax__timer_list_pop(&out);
        cr_assert_eq(e, &zero.link);
        ax__wheel_insert(&w, e, ax__wheel_now(&w)); /* the callback restarts it */
        cr_assert_null(ax__timer_list_pop(&out), "never twice in one pass");
        check(&w);
    }
    /* A clock that goes back counts as the current time. */
    cr_assert_eq(fire(&w, 17, got, 4), 1);
    cr_assert_eq(ax__wheel_now(&w), 501);
}

Test(timer_wheel, repeating_timers_fire_on_every_period)
{
    ax__wheel w;
    ax__wheel_init(&w, 0);
    static const uint64_t period[] = {1, 7, 64, 100, 4096, 5000};
    enum { N = sizeof(period) / sizeof(period[0]) };
    tmr t[N];
    memset(t, 0, sizeof(t));
    uint64_t fired[N] = {0}, seq = 0;
    for (int i = 0; i < N; i++) {
        t[i].id = i;
        t[i].seq = seq++;
        start(&w, &t[i], period[i]);
    }
    const uint64_t end = 30000;
    for (int iter = 0; ax__wheel_now(&w) < end; iter++) {
        cr_assert_eq(ax__wheel_timeout(&w), 1, "the 1 ms timer is always next");
        uint64_t now = ax__wheel_now(&w) + 1;
        ax__timer_list out;
        ax__timer_list_init(&out);
        ax__wheel_advance(&w, now, &out);
        uint64_t last = 0;
        ax__timer_link *e;
        while ((e = ax__timer_list_pop(&out)) != NULL) {
            tmr *x = tmr_of(e);
            cr_assert_eq(now % period[x->id], 0, "period %llu fired at %llu",
                         (unsigned long long)period[x->id], (unsigned long long)now);
            cr_assert_geq(x->seq, last, "equal deadlines in the order they were restarted");
            last = x->seq;
            fired[x->id]++;
            x->seq = seq++;
            ax__wheel_insert(&w, e, now + period[x->id]);
        }
        if (iter % 64 == 0)
            check(&w);
    }
    for (int i = 0; i < N; i++)
        cr_assert_eq(fired[i], end / period[i], "period %llu", (unsigned long long)period[i]);
}

/* ---- boundaries ---------------------------------------------------------- */

/* Deadlines at and around every level boundary 2^(6k), for k = 1..7 (6 is
 * the overflow boundary, 7 lies beyond it), started from times just below,
 * at and above a boundary, reached by exact timeouts and by one jump. */
static void boundary_case(uint64_t base, uint64_t b, bool by_timeout)
{
    const uint64_t rel[] = {1, 2, 63, 64, 65, 4095, 4096, 4097, b - 1, b, b + 1};
    const uint64_t abs[] = {b - 1, b, b + 1, 2 * b - 1, 2 * b, 2 * b + 1, 3 * b};
    enum { MAX = 32 };
    tmr t[MAX];
    memset(t, 0, sizeof(t));
    uint64_t latest = 0;
    ax__wheel w;
    ax__wheel_init(&w, base);
    int n = 0;
    for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
        t[n].id = n;
        start(&w, &t[n], base + rel[i]);
        latest = base + rel[i] > latest ? base + rel[i] : latest;
        n++;
    }
    for (size_t i = 0; i < sizeof(abs) / sizeof(abs[0]); i++) {
        if (abs[i] <= base)
            continue;
        t[n].id = n;
        start(&w, &t[n], abs[i]);
        latest = abs[i] > latest ? abs[i] : latest;
        n++;
    }
    if (by_timeout) {
        cr_assert_eq(drive(&w, UINT64_MAX, NULL), (size_t)n);
        return;
    }
    int got[MAX];
    size_t k = fire(&w, latest, got, MAX);
    cr_assert_eq(k, (size_t)n);
    for (size_t i = 1; i < k; i++) {
        const tmr *p = &t[got[i - 1]], *q = &t[got[i]];
        cr_assert(p->want < q->want || (p->want == q->want && p->id < q->id),
                  "base %llu: %llu before %llu", (unsigned long long)base,
                  (unsigned long long)p->want, (unsigned long long)q->want);
    }
}

Test(timer_wheel, every_cascade_boundary)
{
    for (unsigned k = 1; k <= AX__WHEEL_LEVELS + 1; k++) {
        uint64_t b = (uint64_t)1 << (6 * k);
        const uint64_t bases[] = {0, 1, b - 2, b - 1, b, b + 1, 5 * b - 1, 5 * b};
        for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
            boundary_case(bases[i], b, false);
            boundary_case(bases[i], b, true);
        }
    }
}

/* ---- long timeouts -------------------------------------------------------- */

static const uint64_t day = 86400000;

Test(timer_wheel, forty_nine_days_and_beyond_by_jumps)
{
    const uint64_t starts[] = {0, 5, ((uint64_t)1 << 36) - 3, UINT64_MAX - ((uint64_t)1 << 40)};
    for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
        const uint64_t base = starts[s];
        const uint64_t delay[] = {
            49 * day, (uint64_t)1 << 32, ((uint64_t)1 << 32) + 1, ((uint64_t)1 << 36) - 1,
            (uint64_t)1 << 36, ((uint64_t)1 << 36) + 1, 1000 * day, (uint64_t)1 << 39,
        };
        enum { N = sizeof(delay) / sizeof(delay[0]) };
        tmr t[N];
        memset(t, 0, sizeof(t));
        ax__wheel w;
        ax__wheel_init(&w, base);
        for (int i = 0; i < N; i++) {
            t[i].id = i;
            start(&w, &t[i], base + delay[i]);
        }
        int got[N];
        for (int i = 0; i < N; i++) {
            cr_assert_leq(ax__wheel_timeout(&w), base + delay[i] - ax__wheel_now(&w));
            cr_assert_eq(fire(&w, base + delay[i] - 1, got, N), 0, "not one ms early");
            cr_assert_eq(fire(&w, base + delay[i], got, N), 1);
            cr_assert_eq(got[0], i);
        }
        cr_assert_eq(ax__wheel_timeout(&w), UINT64_MAX);
    }
}

Test(timer_wheel, forty_nine_days_by_exact_timeouts_and_by_small_steps)
{
    const uint64_t base = 777;
    const uint64_t delay[] = {49 * day, (uint64_t)1 << 32, 50 * day, ((uint64_t)1 << 36) + 99};
    enum { N = sizeof(delay) / sizeof(delay[0]) };
    tmr t[N];
    memset(t, 0, sizeof(t));
    ax__wheel w;

    /* Exact timeouts: few wakeups, each on time. */
    ax__wheel_init(&w, base);
    for (int i = 0; i < N; i++) {
        t[i].id = i;
        start(&w, &t[i], base + delay[i]);
    }
    size_t wakeups = 0;
    cr_assert_eq(drive(&w, UINT64_MAX, &wakeups), N);
    cr_assert_leq(wakeups, N * (AX__WHEEL_LEVELS + 2));

    /* Steps of about 17 minutes (a loop woken by traffic): each timer fires
     * on the first step at or after its deadline, never before. */
    ax__wheel_init(&w, base);
    for (int i = 0; i < N; i++)
        start(&w, &t[i], base + delay[i]);
    const uint64_t step = 1000003;
    int fired = 0, steps = 0;
    for (uint64_t now = base; fired < N; now += step) {
        ax__timer_list out;
        ax__timer_list_init(&out);
        ax__wheel_advance(&w, now, &out);
        ax__timer_link *e;
        while ((e = ax__timer_list_pop(&out)) != NULL) {
            cr_assert(e->deadline <= now && e->deadline > now - step);
            cr_assert_eq(tmr_of(e)->id, fired);
            fired++;
        }
        if (++steps % 512 == 0)
            check(&w);
    }
    check(&w);
}

Test(timer_wheel, end_of_time)
{
    ax__wheel w;
    int got[4];
    tmr t = {.id = 0}, u = {.id = 1};

    /* UINT64_MAX from 0: queued, bounded timeout, no overflow anywhere. */
    ax__wheel_init(&w, 0);
    start(&w, &t, UINT64_MAX);
    uint64_t to = ax__wheel_timeout(&w);
    cr_assert_gt(to, (uint64_t)1 << 62);
    cr_assert_lt(to, UINT64_MAX);
    cr_assert_eq(fire(&w, UINT64_MAX - 1, got, 4), 0);
    cr_assert_eq(ax__wheel_timeout(&w), 1);
    cr_assert_eq(fire(&w, UINT64_MAX, got, 4), 1);

    /* The same reached by exact timeouts: a handful of wakeups. */
    ax__wheel_init(&w, 3);
    start(&w, &t, UINT64_MAX);
    start(&w, &u, UINT64_MAX - 1);
    size_t wakeups = 0;
    cr_assert_eq(drive(&w, UINT64_MAX, &wakeups), 2);
    cr_assert_leq(wakeups, 2 * (AX__WHEEL_LEVELS + 2));

    /* A wheel that starts near the end. */
    ax__wheel_init(&w, UINT64_MAX - 10);
    start(&w, &t, UINT64_MAX);
    cr_assert_eq(ax__wheel_timeout(&w), 10);
    start(&w, &u, UINT64_MAX - 20);
    cr_assert_eq(ax__wheel_timeout(&w), 0);
    cr_assert_eq(fire(&w, UINT64_MAX, got, 4), 2);
    cr_assert_eq(got[0], 1);
    cr_assert_eq(got[1], 0);
    start(&w, &t, UINT64_MAX);
    cr_assert_eq(t.link.where, AX__TIMER_DUE);
    cr_assert_eq(fire(&w, UINT64_MAX, got, 4), 1);
}

Test(timer_wheel, huge_jump_skips_empty_stretches)
{
    /* One entry at every power of two: a jump over all of them (and over
     * 2^28 blocks of 2^36 ms) is a few steps per entry, not one per ms or
     * per block (the test would never end). */
    enum { N = 66 };
    static tmr t[N];
    ax__wheel w;
    ax__wheel_init(&w, 0);
    for (int i = 0; i < 64; i++) {
        t[i].id = i;
        start(&w, &t[i], (uint64_t)1 << i);
    }
    t[64].id = 64;
    start(&w, &t[64], UINT64_MAX);
    t[65].id = 65;
    start(&w, &t[65], UINT64_MAX);
    int got[N];
    size_t n = fire(&w, UINT64_MAX, got, N);
    cr_assert_eq(n, N);
    for (int i = 0; i < N; i++)
        cr_assert_eq(got[i], i);

    ax__wheel_init(&w, 0);
    for (int i = 0; i < 64; i++)
        start(&w, &t[i], (uint64_t)1 << i);
    size_t wakeups = 0;
    cr_assert_eq(drive(&w, UINT64_MAX, &wakeups), 64);
    cr_assert_leq(wakeups, 64 * (AX__WHEEL_LEVELS + 2));
}

/* ---- the debug hooks themselves ------------------------------------------- */

Test(timer_wheel, validate_finds_corruption)
{
    ax__wheel w;
    ax__wheel_init(&w, 1000);
    tmr t[4];
    memset(t, 0, sizeof(t));
    for (int i = 0; i < 4; i++) {
        t[i].id = i;
        start(&w, &t[i], 1000 + 100 * (uint64_t)i + 1);
    }
    uint64_t d = t[2].link.deadline;
    t[2].link.deadline = d + 100000; /* now belongs to another slot */
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_PLACE);
    t[2].link.deadline = d;

    uint32_t where = t[1].link.where;
    t[1].link.where = where + 1;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_WHERE);
    t[1].link.where = where;

    w.occupied[3] ^= 1u << 7;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_BITMAP);
    w.occupied[3] ^= 1u << 7;

    w.count++;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_COUNT);
    w.count -= 2;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_LINK, "more entries than counted");
    w.count++;

    ax__timer_link *prev = t[3].link.prev;
    t[3].link.prev = &t[0].link;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_LINK);
    t[3].link.prev = prev;

    tmr far = {.id = 9};
    start(&w, &far, (uint64_t)1 << 50);
    w.overflow_min = w.now;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_OVERFLOW);
    w.overflow_min = far.link.deadline;
    check(&w);

    /* Deadlines that no longer fit their list. */
    t[0].link.deadline = w.now;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_PLACE, "a slot entry that is due");
    t[0].link.deadline = 1001;
    far.link.deadline = 1002;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_PLACE, "an overflow entry within range");
    far.link.deadline = w.overflow_min - 1;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_OVERFLOW, "below the overflow bound");
    far.link.deadline = w.overflow_min;
    tmr due = {.id = 10};
    start(&w, &due, 0);
    due.link.deadline = 999;
    cr_assert_eq(ax__wheel_validate(&w), AX__WHEEL_BAD_PLACE, "a due entry not at now");
    ax__wheel_remove(&w, &due.link);
    check(&w);

    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    cr_assert_not_null(fp);
    ax__wheel_dump(&w, fp);
    fclose(fp);
    cr_assert_not_null(strstr(buf, "now=1000 count=5"));
    cr_assert_not_null(strstr(buf, "overflow: 1125899906842624"));
    free(buf);
}

/* ---- randomized, against a reference model --------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    /* splitmix64: deterministic, good enough, one line of state. */
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
    return n == 0 ? 0 : rng_next(s) % n;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

enum profile { SHORT, MIXED, LONG };

/* A deadline relative to now: some in the past, many due, the rest spread
 * over the levels the profile reaches. */
static uint64_t random_deadline(uint64_t *s, uint64_t now, enum profile p)
{
    uint64_t r = rng_below(s, 100);
    if (r < 3)
        return now - rng_below(s, now < 1000 ? now + 1 : 1000); /* the past */
    if (r < 8)
        return now;
    switch (p) {
    case SHORT:
        return now + 1 + rng_below(s, 150);
    case MIXED: {
        unsigned bits = 1 + (unsigned)rng_below(s, 34); /* up to 2^34 */
        return now + 1 + rng_below(s, (uint64_t)1 << bits);
    }
    case LONG:
        if (r < 12)
            return UINT64_MAX - rng_below(s, 3);
        return add_sat(now, 1 + rng_below(s, (uint64_t)1 << (1 + rng_below(s, 46))));
    }
    return now;
}

typedef struct model {
    ax__wheel w;
    tmr *t;
    size_t n;
    uint64_t seq;
    uint64_t rng;
    enum profile profile;
    bool draining; /* callbacks start no new timers, only repeat */
} model;

static void model_start(model *m, tmr *x, uint64_t deadline)
{
    ax__wheel_insert(&m->w, &x->link, deadline);
    uint64_t now = ax__wheel_now(&m->w);
    x->want = deadline < now ? now : deadline;
    x->seq = ++m->seq;
    x->state = QUEUED;
    cr_assert_eq(x->link.deadline, x->want);
}

static void model_stop(model *m, tmr *x)
{
    ax__wheel_remove(&m->w, &x->link);
    x->state = IDLE;
    cr_assert_not(ax__wheel_is_queued(&x->link));
}

/* A random start, restart or stop, as loop callbacks and IO handlers do. */
static void model_poke(model *m)
{
    tmr *x = &m->t[rng_below(&m->rng, m->n)];
    if (rng_below(&m->rng, 10) < 7)
        model_start(m, x, random_deadline(&m->rng, ax__wheel_now(&m->w), m->profile));
    else
        model_stop(m, x);
}

static int by_deadline_then_seq(const void *a, const void *b)
{
    const tmr *x = *(tmr *const *)a, *y = *(tmr *const *)b;
    if (x->want != y->want)
        return x->want < y->want ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Checks the wheel's timeout against the model: 0 iff something is due,
 * never past the earliest deadline, UINT64_MAX iff empty. */
static uint64_t model_check_timeout(model *m)
{
    uint64_t now = ax__wheel_now(&m->w), earliest = UINT64_MAX;
    size_t queued = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (m->t[i].state == QUEUED) {
            queued++;
            earliest = m->t[i].want < earliest ? m->t[i].want : earliest;
        }
    }
    cr_assert_eq(ax__wheel_count(&m->w), queued);
    uint64_t t = ax__wheel_timeout(&m->w);
    if (queued == 0) {
        cr_assert_eq(t, UINT64_MAX);
    } else if (earliest == now) {
        cr_assert_eq(t, 0);
    } else {
        cr_assert_gt(t, 0, "no busy loop");
        cr_assert_leq(t, earliest - now, "timeout %llu past the earliest deadline %llu",
                      (unsigned long long)t, (unsigned long long)(earliest - now));
    }
    return t;
}

/* One loop iteration: advance to `now`, then pop and "run" the batch, whose
 * callbacks start and stop timers, including ones still in the batch. */
static size_t model_iteration(model *m, uint64_t now, bool exact, tmr **expect)
{
    size_t ne = 0;
    uint64_t target = now < ax__wheel_now(&m->w) ? ax__wheel_now(&m->w) : now;
    for (size_t i = 0; i < m->n; i++) {
        if (m->t[i].state == QUEUED && m->t[i].want <= target)
            expect[ne++] = &m->t[i];
    }
    qsort(expect, ne, sizeof(*expect), by_deadline_then_seq);
    ax__timer_list out;
    ax__timer_list_init(&out);
    size_t n = ax__wheel_advance(&m->w, now, &out);
    check(&m->w);
    cr_assert_eq(n, ne, "advance to %llu fired %zu, the model %zu",
                 (unsigned long long)now, n, ne);
    for (size_t i = 0; i < ne; i++)
        expect[i]->state = IN_BATCH;
    size_t next = 0, popped = 0;
    ax__timer_link *e;
    while ((e = ax__timer_list_pop(&out)) != NULL) {
        while (next < ne && expect[next]->state != IN_BATCH)
            next++; /* stopped or restarted by an earlier callback */
        cr_assert_lt(next, ne);
        tmr *x = tmr_of(e);
        cr_assert_eq(x, expect[next], "fired id %d (deadline %llu), the model says id %d (%llu)",
                     x->id, (unsigned long long)x->want, expect[next]->id,
                     (unsigned long long)expect[next]->want);
        if (exact)
            cr_assert_eq(x->want, target, "sleeping the exact timeout: fires on its deadline");
        x->state = IDLE;
        next++;
        popped++;
        uint64_t r = rng_below(&m->rng, 10);
        if (r < 3) /* a repeating timer */
            model_start(m, x, add_sat(target, rng_below(&m->rng, 3) == 0 ? 0 : rng_below(&m->rng, 5000)));
        if (r >= 2 && r < 6 && !m->draining)
            model_poke(m);
    }
    for (size_t i = 0; i < ne; i++)
        cr_assert_neq(expect[i]->state, IN_BATCH, "id %d left in the batch", expect[i]->id);
    check(&m->w);
    return popped;
}

static void run_model(uint64_t seed, enum profile p, size_t timers, int steps, uint64_t base)
{
    model m = {.n = timers, .rng = seed, .profile = p};
    m.t = calloc(timers, sizeof(tmr));
    tmr **expect = calloc(timers, sizeof(tmr *));
    cr_assert(m.t != NULL && expect != NULL);
    for (size_t i = 0; i < timers; i++)
        m.t[i].id = (int)i;
    ax__wheel_init(&m.w, base);
    for (int step = 0; step < steps; step++) {
        for (uint64_t k = rng_below(&m.rng, 8); k > 0; k--)
            model_poke(&m);
        uint64_t t = model_check_timeout(&m);
        uint64_t now = ax__wheel_now(&m.w);
        uint64_t r = rng_below(&m.rng, 10);
        bool exact = false;
        if (t == UINT64_MAX)
            now = add_sat(now, rng_below(&m.rng, 100000));
        else if (r < 6)
            now += t, exact = true; /* slept the whole timeout */
        else if (r < 8)
            now += rng_below(&m.rng, t + 1); /* woken early by IO */
        else if (r < 9)
            now = add_sat(now, add_sat(t, rng_below(&m.rng, (uint64_t)1 << rng_below(&m.rng, 40)))); /* late */
        else if (r == 9 && now > 0)
            now -= rng_below(&m.rng, now < 50 ? now : 50); /* a clock that stepped back */
        model_iteration(&m, now, exact, expect);
    }
    /* Drain without new starts: exact timeouts, each timer on time, and
     * only a bounded number of wakeups in a row for nothing. */
    for (size_t i = 0; i < timers; i++) {
        if (m.t[i].state == QUEUED && m.t[i].want == UINT64_MAX && ax__wheel_now(&m.w) < UINT64_MAX - 1)
            model_stop(&m, &m.t[i]); /* let the drain finish before the end of time */
    }
    unsigned idle = 0;
    m.draining = true;
    for (;;) {
        for (size_t i = 0; i < timers; i++) {
            if (m.t[i].state == QUEUED && m.t[i].want == UINT64_MAX)
                model_stop(&m, &m.t[i]); /* repeats may have started more */
        }
        uint64_t t = model_check_timeout(&m);
        if (t == UINT64_MAX)
            break;
        size_t n = model_iteration(&m, ax__wheel_now(&m.w) + t, true, expect);
        idle = n == 0 ? idle + 1 : 0;
        cr_assert_leq(idle, AX__WHEEL_LEVELS + 1);
    }
    cr_assert_eq(ax__wheel_count(&m.w), 0);
    free(expect);
    free(m.t);
}

Test(timer_wheel_model, short_timers)
{
    run_model(1, SHORT, 300, 4000, 0);
    run_model(2, SHORT, 2000, 2000, 4095);
}

Test(timer_wheel_model, mixed_timers)
{
    run_model(3, MIXED, 2000, 3000, 0);
    run_model(4, MIXED, 500, 3000, ((uint64_t)1 << 36) - 100000);
}

Test(timer_wheel_model, long_timers)
{
    run_model(5, LONG, 2000, 3000, 1);
    run_model(6, LONG, 300, 3000, UINT64_MAX - ((uint64_t)1 << 45));
}

/* ---- a million timers ------------------------------------------------------ */

enum { MILLION = 1000000 };

Test(timer_wheel_scale, million_inserted_and_removed)
{
    tmr *t = calloc(MILLION, sizeof(tmr));
    cr_assert_not_null(t);
    uint64_t rng = 42;
    ax__wheel w;
    ax__wheel_init(&w, 123456789);
    for (int i = 0; i < MILLION; i++) {
        ax__wheel_insert(&w, &t[i].link, random_deadline(&rng, ax__wheel_now(&w), MIXED));
        if (i == MILLION / 2)
            check(&w);
    }
    check(&w);
    cr_assert_eq(ax__wheel_count(&w), MILLION);
    /* Restart a tenth, then stop all in a scattered order (the stride is
     * prime to a million). */
    for (int i = 0; i < MILLION; i += 10)
        ax__wheel_insert(&w, &t[i].link, random_deadline(&rng, ax__wheel_now(&w), LONG));
    check(&w);
    for (size_t k = 0; k < MILLION; k++) {
        ax__wheel_remove(&w, &t[k * 7919 % MILLION].link);
        if (k == MILLION / 2)
            check(&w);
    }
    check(&w);
    cr_assert_eq(ax__wheel_count(&w), 0);
    cr_assert_eq(ax__wheel_timeout(&w), UINT64_MAX);
    for (int level = 0; level < AX__WHEEL_LEVELS; level++)
        cr_assert_eq(w.occupied[level], 0);
    free(t);
}

Test(timer_wheel_scale, million_inserted_and_expired)
{
    tmr *t = calloc(MILLION, sizeof(tmr));
    cr_assert_not_null(t);
    uint64_t rng = 43;
    ax__wheel w;
    ax__wheel_init(&w, 1000);
    for (int i = 0; i < MILLION; i++) {
        t[i].id = i;
        uint64_t d = 1000 + rng_below(&rng, (uint64_t)1 << (rng_below(&rng, 23)));
        t[i].want = d < 1000 ? 1000 : d;
        ax__wheel_insert(&w, &t[i].link, d);
        t[i].seq = (uint64_t)i;
    }
    check(&w);
    /* Restarted ones are the latest started of their deadline. */
    uint64_t seq = MILLION;
    for (int i = 0; i < MILLION; i += 97) {
        ax__wheel_insert(&w, &t[i].link, t[i].want);
        t[i].seq = seq++;
    }
    size_t total = 0, steps = 0;
    uint64_t last_want = 0, last_seq = 0;
    while (ax__wheel_count(&w) > 0) {
        uint64_t now = ax__wheel_now(&w) + rng_below(&rng, 1 << 16);
        ax__timer_list out;
        ax__timer_list_init(&out);
        size_t n = ax__wheel_advance(&w, now, &out);
        ax__timer_link *e;
        size_t k = 0;
        while ((e = ax__timer_list_pop(&out)) != NULL) {
            tmr *x = tmr_of(e);
            cr_assert(x->want <= now);
            cr_assert(x->want > last_want || (x->want == last_want && x->seq > last_seq),
                      "deadline %llu seq %llu after %llu seq %llu", (unsigned long long)x->want,
                      (unsigned long long)x->seq, (unsigned long long)last_want,
                      (unsigned long long)last_seq);
            last_want = x->want;
            last_seq = x->seq;
            k++;
        }
        cr_assert_eq(k, n);
        total += n;
        if (++steps % 32 == 0)
            check(&w);
    }
    check(&w);
    cr_assert_eq(total, MILLION);
    free(t);
}
