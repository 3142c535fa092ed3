/*
 * The growable writer. The unfrozen bytes live at buf->data[start, start+len);
 * everything before start has been frozen and may be shared. Bytes are only
 * ever written past start+len, which no frozen view covers, so writing never
 * disturbs a reader. Moving the buffer (realloc, or compaction to the front)
 * is allowed only when the writer holds its sole reference.
 */
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "bytes/buf.h"

/* Smallest buffer worth allocating: a typical response head fits. */
#define MUT_MIN_CAP 64

void ax_bytes_mut_init(ax_bytes_mut *w, const ax_allocator *a)
{
    w->buf = NULL;
    w->start = 0;
    w->len = 0;
    w->limit = SIZE_MAX;
    w->alloc = ax__allocator_or_default(a);
}

void ax_bytes_mut_set_limit(ax_bytes_mut *w, size_t limit)
{
    w->limit = limit;
}

/* Doubling from `from` (or MUT_MIN_CAP) until need fits; need on overflow. */
static size_t grown_capacity(size_t from, size_t need)
{
    size_t cap = from < MUT_MIN_CAP ? MUT_MIN_CAP : from;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return need;
        cap *= 2;
    }
    return cap;
}

/* Sole owner: make room in place, by sliding the unfrozen bytes to the front
 * if that is enough, otherwise by resizing the block. */
static int reserve_unique(ax_bytes_mut *w, size_t need)
{
    ax_buf *b = w->buf;
    if (w->start > 0) {
        memmove(b->data, b->data + w->start, w->len);
        w->start = 0;
        if (need <= b->cap)
            return 0;
    }
    ax_buf *nb = ax__buf_resize(b, grown_capacity(b->cap, need));
    if (nb == NULL)
        return AX_ENOMEM;
    w->buf = nb;
    return 0;
}

/* Frozen views share the buffer (or there is none yet): start a new one and
 * carry the unfrozen bytes over. The frozen views keep the old one alive. */
static int reserve_fresh(ax_bytes_mut *w, size_t need)
{
    ax_buf *nb = ax__buf_new(w->alloc, grown_capacity(w->len, need));
    if (nb == NULL)
        return AX_ENOMEM;
    if (w->buf != NULL) {
        if (w->len > 0)
            memcpy(nb->data, w->buf->data + w->start, w->len);
        ax__buf_unref(w->buf);
    }
    w->buf = nb;
    w->start = 0;
    return 0;
}

int ax_bytes_mut_reserve(ax_bytes_mut *w, size_t n)
{
    if (n > w->limit || w->len > w->limit - n)
        return AX_ELIMIT;
    size_t need = w->len + n;
    if (n == 0)
        return 0;
    if (w->buf != NULL && need <= w->buf->cap - w->start)
        return 0;
    if (w->buf != NULL && ax__buf_is_unique(w->buf))
        return reserve_unique(w, need);
    return reserve_fresh(w, need);
}

unsigned char *ax_bytes_mut_spare(ax_bytes_mut *w, size_t *avail)
{
    if (w->buf == NULL) {
        *avail = 0;
        return NULL;
    }
    *avail = w->buf->cap - w->start - w->len;
    return w->buf->data + w->start + w->len;
}

int ax_bytes_mut_commit(ax_bytes_mut *w, size_t n)
{
    size_t avail;
    (void)ax_bytes_mut_spare(w, &avail);
    if (n > avail)
        return AX_ERANGE;
    w->len += n;
    return 0;
}

int ax_bytes_mut_append(ax_bytes_mut *w, const void *ptr, size_t len)
{
    if (len == 0)
        return 0;
    int rc = ax_bytes_mut_reserve(w, len);
    if (rc < 0)
        return rc;
    memcpy(w->buf->data + w->start + w->len, ptr, len);
    w->len += len;
    return 0;
}

int ax_bytes_mut_append_byte(ax_bytes_mut *w, unsigned char c)
{
    return ax_bytes_mut_append(w, &c, 1);
}

ax_slice ax_bytes_mut_view(const ax_bytes_mut *w)
{
    if (w->buf == NULL)
        return ax_slice_make(NULL, 0);
    return ax_slice_make(w->buf->data + w->start, w->len);
}

void ax_bytes_mut_clear(ax_bytes_mut *w)
{
    w->len = 0;
}

void ax_bytes_mut_freeze(ax_bytes_mut *w, ax_bytes *out)
{
    if (w->len == 0) {
        *out = ax_bytes_static(NULL, 0);
        return;
    }
    ax__buf_ref(w->buf);
    out->ptr = w->buf->data + w->start;
    out->len = w->len;
    out->buf = w->buf;
    w->start += w->len;
    w->len = 0;
}

void ax_bytes_mut_free(ax_bytes_mut *w)
{
    if (w->buf != NULL)
        ax__buf_unref(w->buf);
    w->buf = NULL;
    w->start = 0;
    w->len = 0;
}
