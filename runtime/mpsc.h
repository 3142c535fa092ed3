/*
 * Private: the lock-free queue behind ax_loop_post. Any number of threads
 * push (function, argument) pairs; the loop's thread pops them, in order.
 *
 * Items live in blocks of AX__MPSC_SLOTS slots, linked in a list. A position
 * counter numbers the slots: position p is slot p % AX__MPSC_LAP of its
 * block, and the last offset of every lap (AX__MPSC_SLOTS) is not a slot but
 * a marker meaning "the next block is being linked". A push claims a
 * position with one compare-and-swap on the tail counter, writes the slot,
 * then publishes it with a release store of the slot's stamp (its lap); the
 * pop side reads stamps and never writes anything producers write. The
 * producer that claims the last slot of a block links the next one (taken
 * from a one-block spare cache, or allocated before claiming, so a failed
 * allocation never leaves others waiting). Producers that meet the marker
 * yield until the link is done, three stores later.
 *
 * Positions claimed by one thread increase, and the consumer pops in
 * position order, so one thread's items come out in the order it pushed
 * them. A claimed slot not yet published stops the consumer there; the
 * caller's wakeup protocol (post.c) guarantees it hears of it later.
 */
#ifndef AXLE_RUNTIME_MPSC_H
#define AXLE_RUNTIME_MPSC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "axle/base.h"

#define AX__MPSC_LAP 64
#define AX__MPSC_SLOTS (AX__MPSC_LAP - 1)

typedef struct ax__mpsc_slot {
    void (*fn)(void *ud);
    void *ud;
    atomic_size_t stamp; /* the lap (+1) whose item this slot holds */
} ax__mpsc_slot;

typedef struct ax__mpsc_block {
    struct ax__mpsc_block *_Atomic next;
    ax__mpsc_slot slots[AX__MPSC_SLOTS];
} ax__mpsc_block;

/* The padding keeps what producers write, what the consumer writes and what
 * both only read on separate cache lines (the struct itself may sit at any
 * 16-byte boundary, so each group is fenced by a full line on both sides). */
typedef struct ax__mpsc {
    char pad0[64];
    /* producers */
    atomic_size_t tail;                  /* next position to claim */
    ax__mpsc_block *_Atomic tail_block;  /* the block tail points into */
    size_t limit;                        /* read-only after init */
    char pad1[64];
    /* consumer */
    size_t head;                         /* next position to pop */
    ax__mpsc_block *head_block;
    char pad2[64];
    /* consumer writes now and then, producers read on every push: apart
     * from head, which changes on every pop */
    atomic_size_t head_seen;             /* head, published for the limit */
    char pad3[64];
    /* both, rarely */
    ax__mpsc_block *_Atomic spare;       /* one emptied block kept for reuse */
    const ax_allocator *alloc;
    char pad4[64];
} ax__mpsc;

/* An empty queue holding at most about limit items. Returns 0 or AX_ENOMEM. */
int ax__mpsc_init(ax__mpsc *q, const ax_allocator *a, size_t limit);

/* Frees every block; items still queued are dropped. Consumer thread. */
void ax__mpsc_free(ax__mpsc *q);

/* Any thread. Returns 0; AX_ELIMIT when about limit items are waiting (the
 * count is read without a lock, so a burst from many threads may overshoot
 * it by at most one item per thread); AX_ENOMEM. */
int ax__mpsc_push(ax__mpsc *q, void (*fn)(void *ud), void *ud);

/* Consumer: the current end of the queue, to pop up to (items pushed after
 * it wait for the next drain, so a function that posts itself cannot keep
 * the consumer draining forever). */
static inline size_t ax__mpsc_end(ax__mpsc *q)
{
    return atomic_load_explicit(&q->tail, memory_order_acquire);
}

/* Consumer: takes the next item before end into *fn and *ud. Returns false
 * when there is none, or when the next one is claimed but not yet published. */
bool ax__mpsc_pop(ax__mpsc *q, size_t end, void (**fn)(void *), void **ud);

/* Consumer: true when nothing has been pushed that was not popped. */
static inline bool ax__mpsc_empty(ax__mpsc *q)
{
    return atomic_load_explicit(&q->tail, memory_order_acquire) == q->head;
}

/* ax__mpsc_end, sequentially consistent: one half of the wakeup protocol
 * in post.c. */
static inline size_t ax__mpsc_end_sc(ax__mpsc *q)
{
    return atomic_load_explicit(&q->tail, memory_order_seq_cst);
}

#endif /* AXLE_RUNTIME_MPSC_H */
