/*
 * Private: the refcounted buffer behind ax_bytes. Only bytes/ sees inside it.
 */
#ifndef AXLE_BYTES_BUF_H
#define AXLE_BYTES_BUF_H

#include <stdatomic.h>
#include <stddef.h>

#include "axle/bytes.h"

struct ax_buf {
    atomic_size_t refs;
    size_t cap;                 /* usable bytes at data */
    unsigned char *data;        /* the inline storage, or foreign memory */
    const ax_allocator *alloc;  /* made this header (and the inline data) */
    /* Foreign memory (ax_bytes_wrap): called with (data, ud) at the end.
     * NULL for inline storage, which follows this header in one block. */
    void (*release)(void *data, void *ud);
    void *ud;
};

/* A buffer with cap inline bytes and one reference, or NULL. */
ax_buf *ax__buf_new(const ax_allocator *a, size_t cap);

/* Grows (or shrinks) a buffer that has exactly one reference, the caller's,
 * moving it in memory. Returns the new address, or NULL with b untouched. */
ax_buf *ax__buf_resize(ax_buf *b, size_t cap);

static inline void ax__buf_ref(ax_buf *b)
{
    /* Relaxed is enough for an increment: the caller already holds a
     * reference, so the buffer cannot go away under it (as in Arc::clone). */
    atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
}

void ax__buf_unref(ax_buf *b);

/* True when the caller's reference is the only one, so the caller may write
 * into or move the buffer. The acquire pairs with the release in unref: all
 * reads through references dropped elsewhere happen before we write. */
static inline int ax__buf_is_unique(ax_buf *b)
{
    return atomic_load_explicit(&b->refs, memory_order_acquire) == 1;
}

#endif /* AXLE_BYTES_BUF_H */
