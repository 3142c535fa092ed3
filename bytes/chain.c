/*
 * Scatter-gather chains: a queue of ax_bytes kept in one array. Slices are
 * pushed at tail and consumed from head; when the array is full and slices
 * have been consumed from the front, the live ones slide down before the
 * array grows, so a connection that keeps writing reuses one allocation.
 */
#include <limits.h>
#include <string.h>

#include "base/alloc.h"
#include "bytes/buf.h"

/* POSIX requires at least 16 (_XOPEN_IOV_MAX); Linux has 1024. */
#ifndef IOV_MAX
#define IOV_MAX 16
#endif

#define CHAIN_MIN_CAP 8

void ax_chain_init(ax_chain *c, const ax_allocator *a)
{
    c->items = NULL;
    c->head = 0;
    c->tail = 0;
    c->cap = 0;
    c->bytes = 0;
    c->alloc = ax__allocator_or_default(a);
}

/* Room for n more items at tail. */
static int chain_make_room(ax_chain *c, size_t n)
{
    if (c->cap - c->tail >= n)
        return 0;
    if (c->head > 0) {
        size_t live = c->tail - c->head;
        memmove(c->items, c->items + c->head, live * sizeof(ax_bytes));
        c->head = 0;
        c->tail = live;
        if (c->cap - c->tail >= n)
            return 0;
    }
    ax_bytes *items = ax__array_grow(c->alloc, c->items, &c->cap, c->tail + n,
                                     sizeof(ax_bytes), CHAIN_MIN_CAP);
    if (items == NULL)
        return AX_ENOMEM;
    c->items = items;
    return 0;
}

int ax_chain_push(ax_chain *c, ax_bytes *b)
{
    if (b->len == 0) {
        ax_bytes_free(b);
        return 0;
    }
    int rc = chain_make_room(c, 1);
    if (rc < 0)
        return rc;
    c->items[c->tail++] = *b;
    c->bytes += b->len;
    *b = ax_bytes_static(NULL, 0);
    return 0;
}

int ax_chain_append(ax_chain *dst, ax_chain *src)
{
    if (dst == src)
        return AX_EINVAL;
    size_t n = src->tail - src->head;
    if (n == 0)
        return 0;
    int rc = chain_make_room(dst, n); /* the only step that can fail */
    if (rc < 0)
        return rc;
    memcpy(dst->items + dst->tail, src->items + src->head, n * sizeof(ax_bytes));
    dst->tail += n;
    dst->bytes += src->bytes;
    src->head = src->tail = 0;
    src->bytes = 0;
    return 0;
}

size_t ax_chain_len(const ax_chain *c)
{
    return c->bytes;
}

size_t ax_chain_count(const ax_chain *c)
{
    return c->tail - c->head;
}

int ax_chain_iov(const ax_chain *c, struct iovec *iov, int max)
{
    if (max > IOV_MAX)
        max = IOV_MAX;
    int n = 0;
    for (size_t i = c->head; i < c->tail && n < max; i++, n++) {
        iov[n].iov_base = (void *)c->items[i].ptr;
        iov[n].iov_len = c->items[i].len;
    }
    return n;
}

int ax_chain_consume(ax_chain *c, size_t n)
{
    if (n > c->bytes)
        return AX_ERANGE;
    c->bytes -= n;
    while (n > 0) {
        ax_bytes *first = &c->items[c->head];
        if (n < first->len) {
            (void)ax_bytes_advance(first, n);
            break;
        }
        n -= first->len;
        ax_bytes_free(first);
        c->head++;
    }
    if (c->head == c->tail)
        c->head = c->tail = 0;
    return 0;
}

size_t ax_chain_copy_out(const ax_chain *c, void *dst, size_t len)
{
    unsigned char *out = dst;
    size_t copied = 0;
    for (size_t i = c->head; i < c->tail && copied < len; i++) {
        size_t take = c->items[i].len;
        if (take > len - copied)
            take = len - copied;
        memcpy(out + copied, c->items[i].ptr, take);
        copied += take;
    }
    return copied;
}

void ax_chain_clear(ax_chain *c)
{
    for (size_t i = c->head; i < c->tail; i++)
        ax_bytes_free(&c->items[i]);
    c->head = c->tail = 0;
    c->bytes = 0;
}

void ax_chain_free(ax_chain *c)
{
    ax_chain_clear(c);
    ax__free(c->alloc, c->items);
    c->items = NULL;
    c->cap = 0;
}
