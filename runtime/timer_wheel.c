/*
 * The hierarchical timer wheel. The placement rule, why it keeps start order
 * and what ax__wheel_timeout promises are explained in timer_wheel.h.
 */
#include "runtime/timer_wheel.h"

#define SLOT_MASK ((uint64_t)AX__WHEEL_SLOTS - 1)
#define OVERFLOW_LEVEL AX__WHEEL_LEVELS

/* ---- lists -------------------------------------------------------------- */

static void list_append(ax__timer_list *l, ax__timer_link *e)
{
    ax__timer_link *h = &l->head;
    e->prev = h->prev;
    e->next = h;
    h->prev->next = e;
    h->prev = e;
}

/* Needs no list head: the neighbours (or a sentinel) are enough. */
static void link_unlink(ax__timer_link *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->prev = NULL;
    e->next = NULL;
}

/* Appends all of src to dst, in order, in O(1); src ends empty. */
static void list_splice(ax__timer_list *dst, ax__timer_list *src)
{
    if (ax__timer_list_empty(src))
        return;
    ax__timer_link *first = src->head.next;
    ax__timer_link *last = src->head.prev;
    first->prev = dst->head.prev;
    dst->head.prev->next = first;
    last->next = &dst->head;
    dst->head.prev = last;
    ax__timer_list_init(src);
}

/* ---- placement ---------------------------------------------------------- */

/* Base-64 digit `level` of t. */
static unsigned digit(uint64_t t, unsigned level)
{
    return (unsigned)((t >> (level * AX__WHEEL_BITS)) & SLOT_MASK);
}

/* The highest base-64 digit in which a and b differ; a != b. Above the
 * levels (>= AX__WHEEL_LEVELS) means the overflow list. */
static unsigned level_of(uint64_t a, uint64_t b)
{
    unsigned msb = 63u - (unsigned)__builtin_clzll(a ^ b);
    return msb / AX__WHEEL_BITS;
}

/* t with its digits below `level` set to zero: the start of the slot of
 * `level` that t falls in. */
static uint64_t slot_start(uint64_t t, unsigned level)
{
    unsigned shift = level * AX__WHEEL_BITS;
    return shift >= 64 ? 0 : t >> shift << shift;
}

static void put_overflow(ax__wheel *w, ax__timer_link *e)
{
    if (ax__timer_list_empty(&w->overflow) || e->deadline < w->overflow_min)
        w->overflow_min = e->deadline;
    list_append(&w->overflow, e);
    e->where = AX__TIMER_OVERFLOW;
}

/* Queues e, whose deadline is later than the current time, in the list the
 * placement rule names. */
static void place(ax__wheel *w, ax__timer_link *e)
{
    unsigned level = level_of(e->deadline, w->now);
    if (level >= AX__WHEEL_LEVELS) {
        put_overflow(w, e);
        return;
    }
    unsigned slot = digit(e->deadline, level);
    list_append(&w->slots[level][slot], e);
    w->occupied[level] |= (uint64_t)1 << slot;
    e->where = AX__TIMER_SLOT0 + level * AX__WHEEL_SLOTS + slot;
}

/* ---- public operations -------------------------------------------------- */

void ax__wheel_init(ax__wheel *w, uint64_t now_ms)
{
    w->now = now_ms;
    w->count = 0;
    w->overflow_min = UINT64_MAX;
    ax__timer_list_init(&w->due);
    ax__timer_list_init(&w->overflow);
    for (unsigned level = 0; level < AX__WHEEL_LEVELS; level++) {
        w->occupied[level] = 0;
        for (unsigned slot = 0; slot < AX__WHEEL_SLOTS; slot++)
            ax__timer_list_init(&w->slots[level][slot]);
    }
}

void ax__wheel_insert(ax__wheel *w, ax__timer_link *e, uint64_t deadline)
{
    ax__wheel_remove(w, e);
    w->count++;
    if (deadline <= w->now) {
        e->deadline = w->now;
        list_append(&w->due, e);
        e->where = AX__TIMER_DUE;
        return;
    }
    e->deadline = deadline;
    place(w, e);
}

void ax__wheel_remove(ax__wheel *w, ax__timer_link *e)
{
    uint32_t where = e->where;
    if (where == AX__TIMER_IDLE)
        return;
    link_unlink(e);
    e->where = AX__TIMER_IDLE;
    if (where == AX__TIMER_EXPIRED)
        return; /* already uncounted when it expired */
    w->count--;
    if (where < AX__TIMER_SLOT0)
        return;
    unsigned level = (where - AX__TIMER_SLOT0) / AX__WHEEL_SLOTS;
    unsigned slot = (where - AX__TIMER_SLOT0) % AX__WHEEL_SLOTS;
    if (ax__timer_list_empty(&w->slots[level][slot]))
        w->occupied[level] &= ~((uint64_t)1 << slot);
}

/* ---- time passing ------------------------------------------------------- */

/* The next moment at which the wheel has work, in *at, and the level whose
 * list is then due (OVERFLOW_LEVEL for the overflow list); -1 when only the
 * due list (or nothing) is queued.
 *
 * Only the lowest occupied level matters: every slot of level L lies in the
 * current 64^(L+1) block, which ends before any slot of a higher level
 * starts. On that level, the first occupied slot is the lowest set bit (no
 * rotation: occupied slots are always ahead of the current digit). Its
 * start is exact on level 0 and a lower bound elsewhere, and it is later
 * than now, so reaching it always does something. */
static int next_event(const ax__wheel *w, uint64_t *at)
{
    for (unsigned level = 0; level < AX__WHEEL_LEVELS; level++) {
        uint64_t bits = w->occupied[level];
        if (bits != 0) {
            uint64_t slot = (uint64_t)__builtin_ctzll(bits);
            *at = slot_start(w->now, level + 1) | slot << (level * AX__WHEEL_BITS);
            return (int)level;
        }
    }
    if (!ax__timer_list_empty(&w->overflow)) {
        /* The block of the earliest overflow deadline: until then every
         * overflow entry still differs from the time above bit 36. */
        *at = slot_start(w->overflow_min, AX__WHEEL_LEVELS);
        return OVERFLOW_LEVEL;
    }
    return -1;
}

/* Marks every entry of src expired and moves the whole list to out. */
static size_t expire_all(ax__wheel *w, ax__timer_list *src, ax__timer_list *out)
{
    size_t n = 0;
    for (ax__timer_link *e = src->head.next; e != &src->head; e = e->next) {
        e->where = AX__TIMER_EXPIRED;
        n++;
    }
    list_splice(out, src);
    w->count -= n;
    return n;
}

/* Time has just reached the start of src's range: each entry is either due
 * now or belongs lower (or, for the overflow list, possibly back in it). The
 * list is walked in order so that equal deadlines keep their order. */
static size_t cascade(ax__wheel *w, ax__timer_list *src, ax__timer_list *out)
{
    ax__timer_list batch;
    ax__timer_list_init(&batch);
    list_splice(&batch, src);
    size_t n = 0;
    ax__timer_link *e;
    while ((e = batch.head.next) != &batch.head) {
        link_unlink(e);
        if (e->deadline == w->now) {
            list_append(out, e);
            e->where = AX__TIMER_EXPIRED;
            w->count--;
            n++;
        } else {
            place(w, e);
        }
    }
    return n;
}

/* Moves time to `at`, the moment next_event named for `level`, and empties
 * that level's first occupied slot (or the overflow list). */
static size_t run_event(ax__wheel *w, int level, uint64_t at, ax__timer_list *out)
{
    w->now = at;
    if (level == OVERFLOW_LEVEL)
        return cascade(w, &w->overflow, out);
    unsigned slot = (unsigned)__builtin_ctzll(w->occupied[level]);
    w->occupied[level] &= ~((uint64_t)1 << slot);
    ax__timer_list *src = &w->slots[level][slot];
    /* A level-0 slot holds exactly one deadline: this one. */
    return level == 0 ? expire_all(w, src, out) : cascade(w, src, out);
}

uint64_t ax__wheel_timeout(const ax__wheel *w)
{
    if (!ax__timer_list_empty(&w->due))
        return 0;
    uint64_t at;
    if (next_event(w, &at) < 0)
        return UINT64_MAX;
    return at - w->now;
}

size_t ax__wheel_advance(ax__wheel *w, uint64_t now, ax__timer_list *out)
{
    /* Due entries first: their deadline is the previous current time. */
    size_t n = expire_all(w, &w->due, out);
    uint64_t at;
    int level;
    while ((level = next_event(w, &at)) >= 0 && at <= now)
        n += run_event(w, level, at, out);
    /* Nothing happens before the next event, so time can jump there; every
     * entry is still where the placement rule puts it for the new time. */
    if (now > w->now)
        w->now = now;
    return n;
}

/* ---- debug hooks -------------------------------------------------------- */

/* Is e where its `where` says, and is that where the placement rule (or the
 * due list's) puts its deadline at the current time? */
static int check_entry(const ax__wheel *w, const ax__timer_link *e, uint32_t where)
{
    if (e->where != where)
        return AX__WHEEL_BAD_WHERE;
    if (where == AX__TIMER_DUE)
        return e->deadline == w->now ? 0 : AX__WHEEL_BAD_PLACE;
    if (e->deadline <= w->now)
        return AX__WHEEL_BAD_PLACE;
    unsigned level = level_of(e->deadline, w->now);
    if (where == AX__TIMER_OVERFLOW) {
        if (level < AX__WHEEL_LEVELS)
            return AX__WHEEL_BAD_PLACE;
        return e->deadline >= w->overflow_min ? 0 : AX__WHEEL_BAD_OVERFLOW;
    }
    unsigned i = where - AX__TIMER_SLOT0;
    if (level != i / AX__WHEEL_SLOTS || digit(e->deadline, level) != i % AX__WHEEL_SLOTS)
        return AX__WHEEL_BAD_PLACE;
    return 0;
}

/* Walks a list once, checking its links and each entry; adds its entries
 * to *seen and gives up when there are more than w->count in all (a
 * corrupted list may never come back to its head). */
static int check_list(const ax__wheel *w, const ax__timer_list *l, uint32_t where,
                      size_t *seen)
{
    const ax__timer_link *prev = &l->head;
    for (const ax__timer_link *e = l->head.next; e != &l->head; e = e->next) {
        if (e == NULL || e->prev != prev || ++*seen > w->count)
            return AX__WHEEL_BAD_LINK;
        int rc = check_entry(w, e, where);
        if (rc != 0)
            return rc;
        prev = e;
    }
    return l->head.prev == prev ? 0 : AX__WHEEL_BAD_LINK;
}

static int check_bitmaps(const ax__wheel *w)
{
    for (unsigned level = 0; level < AX__WHEEL_LEVELS; level++) {
        for (unsigned slot = 0; slot < AX__WHEEL_SLOTS; slot++) {
            bool bit = (w->occupied[level] >> slot & 1) != 0;
            if (bit == ax__timer_list_empty(&w->slots[level][slot]))
                return AX__WHEEL_BAD_BITMAP;
        }
    }
    return 0;
}

/* The overflow bound must lie in a later 2^36 block than the current time,
 * or the wheel would plan a wakeup in the past. */
static int check_overflow_bound(const ax__wheel *w)
{
    if (ax__timer_list_empty(&w->overflow))
        return 0;
    if (w->overflow_min <= w->now ||
        level_of(w->overflow_min, w->now) < AX__WHEEL_LEVELS)
        return AX__WHEEL_BAD_OVERFLOW;
    return 0;
}

int ax__wheel_validate(const ax__wheel *w)
{
    size_t seen = 0;
    int rc = check_list(w, &w->due, AX__TIMER_DUE, &seen);
    if (rc == 0)
        rc = check_list(w, &w->overflow, AX__TIMER_OVERFLOW, &seen);
    for (unsigned i = 0; rc == 0 && i < AX__WHEEL_LEVELS * AX__WHEEL_SLOTS; i++)
        rc = check_list(w, &w->slots[i / AX__WHEEL_SLOTS][i % AX__WHEEL_SLOTS],
                        AX__TIMER_SLOT0 + i, &seen);
    if (rc == 0 && seen != w->count)
        rc = AX__WHEEL_BAD_COUNT;
    if (rc == 0)
        rc = check_bitmaps(w);
    if (rc == 0)
        rc = check_overflow_bound(w);
    return rc;
}

static void dump_list(const ax__timer_list *l, const char *name, FILE *fp)
{
    if (ax__timer_list_empty(l))
        return;
    fprintf(fp, "  %s:", name);
    for (const ax__timer_link *e = l->head.next; e != &l->head; e = e->next)
        fprintf(fp, " %llu", (unsigned long long)e->deadline);
    fputc('\n', fp);
}

void ax__wheel_dump(const ax__wheel *w, FILE *fp)
{
    fprintf(fp, "wheel now=%llu count=%zu overflow_min=%llu\n",
            (unsigned long long)w->now, w->count,
            (unsigned long long)w->overflow_min);
    dump_list(&w->due, "due", fp);
    dump_list(&w->overflow, "overflow", fp);
    for (unsigned level = 0; level < AX__WHEEL_LEVELS; level++) {
        fprintf(fp, " level %u occupied=%016llx\n", level,
                (unsigned long long)w->occupied[level]);
        for (unsigned slot = 0; slot < AX__WHEEL_SLOTS; slot++) {
            char name[16];
            snprintf(name, sizeof(name), "slot %u", slot);
            dump_list(&w->slots[level][slot], name, fp);
        }
    }
}
