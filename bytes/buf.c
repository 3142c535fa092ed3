/*
 * Refcounted buffers and the owning views (ax_bytes) over them.
 */
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "bytes/buf.h"

ax_buf *ax__buf_new(const ax_allocator *a, size_t cap)
{
    if (cap > SIZE_MAX - sizeof(ax_buf))
        return NULL;
    ax_buf *b = ax__malloc(a, sizeof(ax_buf) + cap);
    if (b == NULL)
        return NULL;
    atomic_init(&b->refs, 1);
    b->cap = cap;
    b->data = (unsigned char *)(b + 1);
    b->alloc = a;
    b->release = NULL;
    b->ud = NULL;
    return b;
}

ax_buf *ax__buf_resize(ax_buf *b, size_t cap)
{
    if (cap > SIZE_MAX - sizeof(ax_buf))
        return NULL;
    ax_buf *nb = ax__realloc(b->alloc, b, sizeof(ax_buf) + cap);
    if (nb == NULL)
        return NULL;
    nb->cap = cap;
    nb->data = (unsigned char *)(nb + 1);
    return nb;
}

void ax__buf_unref(ax_buf *b)
{
    /* Release so that our uses of the data happen before the free; the last
     * owner's acquire fence then sees every other owner's uses as well. */
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_release) != 1)
        return;
    /* An acquire load rather than a fence: the same ordering, and one that
     * ThreadSanitizer understands (gcc refuses fences under it). */
    (void)atomic_load_explicit(&b->refs, memory_order_acquire);
    if (b->release != NULL)
        b->release(b->data, b->ud);
    ax__free(b->alloc, b);
}

static void bytes_empty(ax_bytes *out)
{
    *out = ax_bytes_static(NULL, 0);
}

int ax_bytes_copy(const ax_allocator *a, const void *ptr, size_t len,
                  ax_bytes *out)
{
    bytes_empty(out);
    if (len == 0)
        return 0;
    ax_buf *b = ax__buf_new(ax__allocator_or_default(a), len);
    if (b == NULL)
        return AX_ENOMEM;
    memcpy(b->data, ptr, len);
    out->ptr = b->data;
    out->len = len;
    out->buf = b;
    return 0;
}

int ax_bytes_wrap(const ax_allocator *a, void *ptr, size_t len,
                  void (*release)(void *ptr, void *ud), void *ud,
                  ax_bytes *out)
{
    bytes_empty(out);
    if (release == NULL)
        return AX_EINVAL;
    ax_buf *b = ax__buf_new(ax__allocator_or_default(a), 0);
    if (b == NULL)
        return AX_ENOMEM;
    b->cap = len;
    b->data = ptr;
    b->release = release;
    b->ud = ud;
    out->ptr = ptr;
    out->len = len;
    out->buf = b;
    return 0;
}

ax_bytes ax_bytes_clone(const ax_bytes *b)
{
    if (b->buf != NULL)
        ax__buf_ref(b->buf);
    return *b;
}

int ax_bytes_slice(const ax_bytes *b, size_t off, size_t len, ax_bytes *out)
{
    if (off > b->len || len > b->len - off) {
        bytes_empty(out);
        return AX_ERANGE;
    }
    *out = ax_bytes_clone(b);
    if (off > 0) /* an empty static view may have a NULL ptr */
        out->ptr += off;
    out->len = len;
    return 0;
}

int ax_bytes_advance(ax_bytes *b, size_t n)
{
    if (n > b->len)
        return AX_ERANGE;
    if (n > 0) /* an empty static view may have a NULL ptr */
        b->ptr += n;
    b->len -= n;
    return 0;
}

int ax_bytes_truncate(ax_bytes *b, size_t len)
{
    if (len > b->len)
        return AX_ERANGE;
    b->len = len;
    return 0;
}

void ax_bytes_free(ax_bytes *b)
{
    if (b == NULL)
        return;
    if (b->buf != NULL)
        ax__buf_unref(b->buf);
    bytes_empty(b);
}

size_t ax_bytes_refcount(const ax_bytes *b)
{
    if (b->buf == NULL)
        return 0;
    return atomic_load_explicit(&b->buf->refs, memory_order_relaxed);
}
