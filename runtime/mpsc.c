/*
 * The lock-free queue behind ax_loop_post; mpsc.h explains the layout.
 */
#include <sched.h>
#include <string.h>

#include "base/alloc.h"
#include "runtime/mpsc.h"

static ax__mpsc_block *block_new(const ax_allocator *a)
{
    ax__mpsc_block *b = ax__malloc(a, sizeof(*b));
    if (b == NULL)
        return NULL;
    atomic_init(&b->next, NULL);
    for (int i = 0; i < AX__MPSC_SLOTS; i++) {
        b->slots[i].fn = NULL;
        b->slots[i].ud = NULL;
        atomic_init(&b->slots[i].stamp, 0);
    }
    return b;
}

/* A clean block: the spare if there is one, else a new one. */
static ax__mpsc_block *block_get(ax__mpsc *q)
{
    ax__mpsc_block *b = atomic_exchange_explicit(&q->spare, NULL, memory_order_acquire);
    return b != NULL ? b : block_new(q->alloc);
}

/* Keeps a clean block as the spare, freeing the one it replaces. */
static void block_put(ax__mpsc *q, ax__mpsc_block *b)
{
    ax__mpsc_block *old = atomic_exchange_explicit(&q->spare, b, memory_order_acq_rel);
    ax__free(q->alloc, old);
}

int ax__mpsc_init(ax__mpsc *q, const ax_allocator *a, size_t limit)
{
    memset(q, 0, sizeof(*q));
    q->alloc = a;
    q->limit = limit;
    ax__mpsc_block *b = block_new(a);
    if (b == NULL)
        return AX_ENOMEM;
    atomic_init(&q->tail, 0);
    atomic_init(&q->tail_block, b);
    atomic_init(&q->head_seen, 0);
    atomic_init(&q->spare, NULL);
    q->head = 0;
    q->head_block = b;
    return 0;
}

void ax__mpsc_free(ax__mpsc *q)
{
    ax__mpsc_block *b = q->head_block;
    while (b != NULL) {
        ax__mpsc_block *next = atomic_load_explicit(&b->next, memory_order_acquire);
        ax__free(q->alloc, b);
        b = next;
    }
    ax__free(q->alloc, atomic_load_explicit(&q->spare, memory_order_acquire));
    q->head_block = NULL;
    atomic_store_explicit(&q->spare, NULL, memory_order_relaxed);
}

/* The claimer of a block's last slot links the next block. The order of the
 * three stores matters: a producer that reads the new tail must find the new
 * block (release/acquire on tail), and the consumer follows `next` only
 * after popping the last slot, which is published after these stores. */
static void link_next_block(ax__mpsc *q, ax__mpsc_block *block, ax__mpsc_block *fresh,
                            size_t marker)
{
    atomic_store_explicit(&q->tail_block, fresh, memory_order_release);
    atomic_store_explicit(&q->tail, marker + 1, memory_order_release);
    atomic_store_explicit(&block->next, fresh, memory_order_release);
}

/* What a slot's stamp says once position p is published in it: the lap
 * number, plus one so that a fresh block's zeros never match. A recycled
 * block still holds stamps of older laps, which never match either, so the
 * consumer never has to write to a slot to reset it. */
static size_t stamp_of(size_t p)
{
    return p / AX__MPSC_LAP + 1u;
}

/* Slots (not positions: every lap has one marker) before position p. */
static size_t slots_before(size_t p)
{
    return p - p / AX__MPSC_LAP;
}

int ax__mpsc_push(ax__mpsc *q, void (*fn)(void *ud), void *ud)
{
    size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    size_t head = atomic_load_explicit(&q->head_seen, memory_order_relaxed);
    /* head may be newer than tail (both move while we read them): then
     * the queue was just drained past what we saw. */
    if (head < tail && slots_before(tail) - slots_before(head) >= q->limit)
        return AX_ELIMIT;
    ax__mpsc_block *fresh = NULL;
    for (;;) {
        /* Read the block after the position: a block newer than the
         * position's makes the compare-and-swap below fail. */
        ax__mpsc_block *block = atomic_load_explicit(&q->tail_block, memory_order_acquire);
        size_t offset = tail % AX__MPSC_LAP;
        if (offset == AX__MPSC_SLOTS) {
            sched_yield(); /* the next block is being linked */
            tail = atomic_load_explicit(&q->tail, memory_order_acquire);
            continue;
        }
        bool last = offset + 1 == AX__MPSC_SLOTS;
        if (last && fresh == NULL) {
            fresh = block_get(q);
            if (fresh == NULL)
                return AX_ENOMEM;
        }
        /* seq_cst: the other half of the wakeup protocol in post.c. */
        if (!atomic_compare_exchange_weak_explicit(&q->tail, &tail, tail + 1,
                                                   memory_order_seq_cst,
                                                   memory_order_acquire))
            continue; /* tail now holds the current position */
        if (last) {
            link_next_block(q, block, fresh, tail + 1);
            fresh = NULL;
        }
        ax__mpsc_slot *s = &block->slots[offset];
        s->fn = fn;
        s->ud = ud;
        atomic_store_explicit(&s->stamp, stamp_of(tail), memory_order_release);
        break;
    }
    if (fresh != NULL)
        block_put(q, fresh); /* claimed an earlier slot after all */
    return 0;
}

bool ax__mpsc_pop(ax__mpsc *q, size_t end, void (**fn)(void *), void **ud)
{
    for (;;) {
        if (q->head == end)
            break;
        size_t offset = q->head % AX__MPSC_LAP;
        ax__mpsc_block *block = q->head_block;
        if (offset == AX__MPSC_SLOTS) {
            ax__mpsc_block *next = atomic_load_explicit(&block->next, memory_order_acquire);
            if (next == NULL)
                break; /* not linked yet (its last slot is not popped either) */
            q->head_block = next;
            q->head++;
            atomic_store_explicit(&block->next, NULL, memory_order_relaxed);
            block_put(q, block);
            atomic_store_explicit(&q->head_seen, q->head, memory_order_relaxed);
            continue;
        }
        ax__mpsc_slot *s = &block->slots[offset];
        if (atomic_load_explicit(&s->stamp, memory_order_acquire) != stamp_of(q->head))
            break;
        *fn = s->fn;
        *ud = s->ud;
        q->head++;
        return true;
    }
    /* Publishing head at the end of a drain (and per block above), not per
     * item, keeps the line producers read from bouncing on every pop. */
    atomic_store_explicit(&q->head_seen, q->head, memory_order_relaxed);
    return false;
}
