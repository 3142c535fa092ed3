/*
 * Private: the event loop's timer wheel. It knows no clock: the caller says
 * what time it is (milliseconds on any monotonic clock) and the wheel says
 * which entries are due and how long the caller may sleep.
 *
 * Theory of operation
 * -------------------
 * A hierarchical timing wheel (Varghese & Lauck's scheme 7): 6 levels of 64
 * slots. Read a time in base 64: level L's slot i holds the entries whose
 * deadline has digit i in position L and the same digits as the wheel's
 * current time above it. Each level covers the current aligned block of
 * 64^(L+1) ms, so levels do not rotate and slot i of level L always starts
 * at the same point of that block.
 *
 * Placement rule. An entry goes to the level of the highest base-64 digit in
 * which its deadline differs from the current time, and to the slot that
 * digit names (the level is msb(deadline ^ now) / 6, one count-leading-zeros).
 * Because deadline > now, that digit of the deadline is larger than now's, so
 * an occupied slot always lies ahead of the current time on its level.
 * Deadlines that differ from now above bit 36 (beyond the current aligned
 * 2^36 ms block, about 795 days) wait in one overflow list.
 *
 * Cascading. When time reaches the start of an occupied slot of level L >= 1,
 * that slot is emptied: each entry is either due (its deadline is that very
 * millisecond) or placed again, which now puts it on a lower level. A level-0
 * slot holds a single deadline, so reaching it expires the whole slot. When
 * time reaches the 2^36 ms block of the earliest overflow deadline, the
 * overflow list is placed again the same way ("re-cascaded"): deadlines
 * beyond the wheel's range are never clamped, they fire exactly on time, and
 * UINT64_MAX simply never comes. Every entry is moved at most once per level
 * (plus once per 795 days while in the overflow list).
 *
 * Start order. The list an entry sits in is a function of its deadline and
 * the current time only, never of the time it was started: an entry started
 * long ago and one started just now with the same deadline are in the same
 * list, in start order, because lists are FIFO. A cascade walks its list in
 * order and appends each entry to the tail of its new list, which cannot
 * already hold an entry with the same deadline (they were all in the list
 * being cascaded). So entries with equal deadlines expire in start order,
 * whichever levels they passed through. (A wheel that chose the level from
 * the distance deadline - now would put the later one on a lower level and
 * fire it first.)
 *
 * Due entries. A deadline <= the current time is clamped to the current time
 * and queued on a separate due list that the next ax__wheel_advance() hands
 * out first, even if time has not moved. Entries inserted while the caller
 * runs an expired batch thus wait for the next advance: a 0 ms timer never
 * runs in the pass that started it, and a repeating 0 ms timer cannot spin.
 *
 * Costs: insert and remove O(1); ax__wheel_timeout O(levels) with one bitmap
 * per level; advance O(levels) per occupied slot it reaches, so empty
 * stretches of any length (a loop that slept 10 s, a 49-day jump) are skipped
 * in one step. No allocation: entries are the caller's ax__timer_link.
 *
 * Memory: about 12 KB per wheel (one 32-byte list head per slot). The wheel
 * holds pointers to itself (list sentinels): it must not be copied or moved
 * after ax__wheel_init. An entry belongs to one wheel at a time.
 */
#ifndef AXLE_RUNTIME_TIMER_WHEEL_H
#define AXLE_RUNTIME_TIMER_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "axle/runtime.h"

#define AX__WHEEL_BITS 6
#define AX__WHEEL_SLOTS (1u << AX__WHEEL_BITS)
#define AX__WHEEL_LEVELS 6
/* The levels cover aligned blocks of 2^36 ms; beyond is the overflow list. */
#define AX__WHEEL_RANGE_BITS (AX__WHEEL_BITS * AX__WHEEL_LEVELS)

/* Values of ax__timer_link.where: which list holds the entry. */
enum {
    AX__TIMER_IDLE = 0,     /* in no list: never started, stopped or popped */
    AX__TIMER_EXPIRED = 1,  /* in an expired list handed out by advance */
    AX__TIMER_DUE = 2,      /* due; handed out by the next advance */
    AX__TIMER_OVERFLOW = 3, /* beyond the levels' range */
    AX__TIMER_SLOT0 = 4     /* + level * AX__WHEEL_SLOTS + slot */
};

/* A FIFO of entries: a circular doubly linked list around a sentinel, so
 * that an entry can be unlinked without knowing which list holds it. */
typedef struct ax__timer_list {
    ax__timer_link head;
} ax__timer_list;

typedef struct ax__wheel {
    uint64_t now;                   /* the wheel's current time, ms */
    size_t count;                   /* entries queued (not in expired lists) */
    /* A lower bound of the overflow deadlines (exact after each re-cascade;
     * a removal may leave it low, which only wakes the caller early once). */
    uint64_t overflow_min;
    uint64_t occupied[AX__WHEEL_LEVELS]; /* bit i: slot i is not empty */
    ax__timer_list due;
    ax__timer_list overflow;
    ax__timer_list slots[AX__WHEEL_LEVELS][AX__WHEEL_SLOTS];
} ax__wheel;

/* ---- entries and expired lists ----------------------------------------- */

/* An entry that is in no list. Zeroing the struct does the same. */
static inline void ax__timer_link_init(ax__timer_link *e)
{
    e->prev = NULL;
    e->next = NULL;
    e->deadline = 0;
    e->where = AX__TIMER_IDLE;
}

/* Queued in the wheel, or in an expired list not yet popped. */
static inline bool ax__wheel_is_queued(const ax__timer_link *e)
{
    return e->where != AX__TIMER_IDLE;
}

static inline void ax__timer_list_init(ax__timer_list *l)
{
    l->head.prev = &l->head;
    l->head.next = &l->head;
    l->head.deadline = 0;
    l->head.where = AX__TIMER_IDLE;
}

static inline bool ax__timer_list_empty(const ax__timer_list *l)
{
    return l->head.next == &l->head;
}

/* Takes the first entry off an expired list and marks it idle (so its
 * callback may start it again); NULL when the list is empty. */
static inline ax__timer_link *ax__timer_list_pop(ax__timer_list *l)
{
    ax__timer_link *e = l->head.next;
    if (e == &l->head)
        return NULL;
    l->head.next = e->next;
    e->next->prev = &l->head;
    e->prev = NULL;
    e->next = NULL;
    e->where = AX__TIMER_IDLE;
    return e;
}

/* ---- the wheel ---------------------------------------------------------- */

/* An empty wheel whose current time is now_ms. Entries still queued in a
 * wheel that is initialized again are abandoned, links and all: reset them
 * with ax__timer_link_init before using them again. */
void ax__wheel_init(ax__wheel *w, uint64_t now_ms);

/* Queues e to expire at deadline (ms, on the clock of ax__wheel_advance's
 * `now`). O(1). If e is already queued, or sits in an expired list, it is
 * moved: a restart, which also makes it the latest started for the order of
 * equal deadlines. A deadline <= the wheel's current time is stored as the
 * current time and delivered by the next ax__wheel_advance(), never by one
 * already running. Any deadline up to UINT64_MAX is exact (see above). */
void ax__wheel_insert(ax__wheel *w, ax__timer_link *e, uint64_t deadline);

/* Takes e out of the wheel or out of the expired list that holds it (for a
 * callback that stops a timer of the batch being run). O(1). Harmless when
 * e is idle. */
void ax__wheel_remove(ax__wheel *w, ax__timer_link *e);

/* Milliseconds from the wheel's current time until ax__wheel_advance() next
 * has work to do:
 *   - 0 when an entry is due (the caller must not sleep);
 *   - UINT64_MAX when the wheel is empty;
 *   - otherwise t > 0 with now + t <= the earliest deadline. It is exact when
 *     the earliest entry is on level 0 (within 64 ms); when it is higher, t
 *     is the time of the cascade that will bring it down, so advancing to
 *     now + t always moves at least one entry (no busy loop). At most
 *     AX__WHEEL_LEVELS + 1 wakeups that expire nothing come before the
 *     earliest entry fires: one cascade per level above 0, one overflow
 *     re-cascade, one more if a removal left the overflow bound stale.
 * The caller sleeps min(t, its own limit), advances and asks again. O(levels). */
uint64_t ax__wheel_timeout(const ax__wheel *w);

/* Sets the wheel's time to now (an earlier now counts as the current time)
 * and appends to `out`, an initialized list the caller owns, every entry due
 * by then: first those already due, then the rest in deadline order, equal
 * deadlines in start order. Returns how many were appended. Entries in `out`
 * stay "queued" (ax__wheel_is_queued) until popped with ax__timer_list_pop,
 * and no longer count in ax__wheel_count; ax__wheel_remove and
 * ax__wheel_insert take them back out. The caller pops and runs them one at
 * a time; callbacks may insert and remove any entries. */
size_t ax__wheel_advance(ax__wheel *w, uint64_t now, ax__timer_list *out);

/* The wheel's current time: the last `now` given to advance or init. */
static inline uint64_t ax__wheel_now(const ax__wheel *w)
{
    return w->now;
}

/* Entries queued, due ones included, expired lists not. */
static inline size_t ax__wheel_count(const ax__wheel *w)
{
    return w->count;
}

/* ---- debug hooks -------------------------------------------------------- */

/* What ax__wheel_validate found wrong first. */
enum {
    AX__WHEEL_BAD_LINK = -1,     /* prev/next pointers do not agree */
    AX__WHEEL_BAD_WHERE = -2,    /* an entry's `where` names another list */
    AX__WHEEL_BAD_PLACE = -3,    /* deadline not in the range of its list */
    AX__WHEEL_BAD_BITMAP = -4,   /* occupancy bit and slot contents disagree */
    AX__WHEEL_BAD_COUNT = -5,    /* entries found != count */
    AX__WHEEL_BAD_OVERFLOW = -6  /* overflow_min is not a valid bound */
};

/* Checks every invariant: each entry is in the list its deadline and the
 * current time imply, with `where` saying so; links are consistent; bitmaps
 * match slot occupancy; the count matches. O(entries + slots). Returns 0 or
 * one of the negative codes above. */
int ax__wheel_validate(const ax__wheel *w);

/* Writes the wheel's time, bitmaps and every list's deadlines to fp. */
void ax__wheel_dump(const ax__wheel *w, FILE *fp);

#endif /* AXLE_RUNTIME_TIMER_WHEEL_H */
