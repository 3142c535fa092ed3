/*
 * axle/bytes.h — the zero-copy buffer model every axle layer uses.
 *
 *   ax_slice      a borrowed view (pointer, length). Owns nothing; it lives
 *                 exactly as long as whatever it points into. Parsers hand
 *                 these out and say in their header how long they stay valid.
 *   ax_buf        a refcounted heap buffer (atomic count: a buffer may be
 *                 released on another thread than the one that made it).
 *   ax_bytes      a view that holds one reference to its ax_buf, so it keeps
 *                 the data alive by itself. Clone and sub-slice are O(1) and
 *                 copy nothing. An ax_bytes with no buffer points at static
 *                 data (literals, tables) and costs nothing.
 *   ax_bytes_mut  a growable writer; freeze hands out what was written as an
 *                 ax_bytes without copying, and writing continues after it.
 *   ax_chain      an ordered list of ax_bytes for scatter-gather output: it
 *                 exports struct iovec arrays and consumes after partial writes.
 *
 * Plus the small byte helpers every parser needs, in one place.
 *
 * Threads: an ax_bytes may be handed to another thread and freed there. The
 * bytes a buffer holds are immutable once frozen; nothing in axle writes into
 * a buffer that more than one reference can see.
 */
#ifndef AXLE_BYTES_H
#define AXLE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "axle/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- borrowed views ---------------------------------------------------- */

typedef struct ax_slice {
    const unsigned char *ptr;
    size_t len;
} ax_slice;

static inline ax_slice ax_slice_make(const void *ptr, size_t len)
{
    ax_slice s = {(const unsigned char *)ptr, len};
    return s;
}

/* ---- refcounted buffers and owning slices ------------------------------ */

typedef struct ax_buf ax_buf; /* opaque */

/* An owning view. Fields are public for reading; change them only through
 * the functions below. buf == NULL means static data (no reference held). */
typedef struct ax_bytes {
    const unsigned char *ptr;
    size_t len;
    ax_buf *buf;
} ax_bytes;

/* An ax_bytes over data that outlives every use of it (string literals,
 * constant tables). No allocation, no reference; freeing it is a no-op. */
static inline ax_bytes ax_bytes_static(const void *ptr, size_t len)
{
    ax_bytes b = {(const unsigned char *)ptr, len, NULL};
    return b;
}

/* ax_bytes over a string literal, without counting its length at run time. */
#define AX_BYTES_LIT(s) ax_bytes_static("" s, sizeof(s) - 1)

/* Copies len bytes at ptr into a new buffer (allocator a; NULL: default) and
 * sets *out to a view of all of it. len 0 gives an empty static view without
 * allocating. Returns 0 or AX_ENOMEM (then *out is an empty view). */
AX_API int ax_bytes_copy(const ax_allocator *a, const void *ptr, size_t len,
                         ax_bytes *out);

/* Takes ownership of foreign memory (an mmap'd file, a caller's block) without
 * copying: *out views [ptr, ptr+len) and, when its last reference goes,
 * release(ptr, ud) is called (on whichever thread drops that reference). The
 * buffer's bookkeeping comes from allocator a (NULL: default).
 * Returns 0; AX_EINVAL if release is NULL; AX_ENOMEM, in which case ownership
 * of ptr stays with the caller and release is not called. */
AX_API int ax_bytes_wrap(const ax_allocator *a, void *ptr, size_t len,
                         void (*release)(void *ptr, void *ud), void *ud,
                         ax_bytes *out);

/* A second view of the same bytes, holding its own reference. O(1), no copy,
 * cannot fail. Free both. */
AX_API ax_bytes ax_bytes_clone(const ax_bytes *b);

/* *out = a new reference to b[off, off+len). O(1), no copy. Returns 0;
 * AX_ERANGE if the range is not inside b (then *out is an empty view). */
AX_API int ax_bytes_slice(const ax_bytes *b, size_t off, size_t len,
                          ax_bytes *out);

/* Drops n bytes from the front of b's view in place (no reference change).
 * Returns 0 or AX_ERANGE if n > b->len (then b is unchanged). */
AX_API int ax_bytes_advance(ax_bytes *b, size_t n);

/* Shortens b's view to its first len bytes (no reference change). Returns 0
 * or AX_ERANGE if len > b->len. */
AX_API int ax_bytes_truncate(ax_bytes *b, size_t len);

/* Releases b's reference (the buffer goes with its last one) and leaves b an
 * empty view, so a second free is harmless. NULL is ignored. */
AX_API void ax_bytes_free(ax_bytes *b);

/* The number of references to b's buffer, 0 for static data. The value can be
 * stale as soon as it is read if other threads hold references; for tests and
 * diagnostics. */
AX_API size_t ax_bytes_refcount(const ax_bytes *b);

/* A borrowed view of b, valid while b's reference is held. */
static inline ax_slice ax_bytes_view(const ax_bytes *b)
{
    return ax_slice_make(b->ptr, b->len);
}

/* ---- growable writer --------------------------------------------------- */

/* Caller-embedded; initialise with ax_bytes_mut_init, release with
 * ax_bytes_mut_free. Fields are private. */
typedef struct ax_bytes_mut {
    ax_buf *buf;               /* NULL until the first byte is reserved */
    size_t start;              /* where the unfrozen bytes begin in buf */
    size_t len;                /* bytes written since the last freeze */
    size_t limit;              /* most unfrozen bytes allowed */
    const ax_allocator *alloc;
} ax_bytes_mut;

/* An empty writer with no limit (SIZE_MAX). a NULL: default allocator. No
 * allocation happens until the first write. */
AX_API void ax_bytes_mut_init(ax_bytes_mut *w, const ax_allocator *a);

/* Caps how many unfrozen bytes the writer may hold; writes past it fail with
 * AX_ELIMIT. Bounded buffers are how hostile peers are kept small. */
AX_API void ax_bytes_mut_set_limit(ax_bytes_mut *w, size_t limit);

/* Makes room for at least n more bytes. Returns 0; AX_ELIMIT past the limit;
 * AX_ENOMEM (the writer is unchanged). */
AX_API int ax_bytes_mut_reserve(ax_bytes_mut *w, size_t n);

/* The writable space after the written bytes, *avail bytes long (0 and a
 * possibly NULL pointer before any reserve). Fill it (read(2) into it, say),
 * then ax_bytes_mut_commit how much was written. Valid until the next call on
 * the writer. */
AX_API unsigned char *ax_bytes_mut_spare(ax_bytes_mut *w, size_t *avail);

/* Marks n bytes of the spare space as written. Returns 0 or AX_ERANGE if n is
 * more than the spare space. */
AX_API int ax_bytes_mut_commit(ax_bytes_mut *w, size_t n);

/* Appends len bytes. Returns 0, AX_ELIMIT or AX_ENOMEM (writer unchanged). */
AX_API int ax_bytes_mut_append(ax_bytes_mut *w, const void *ptr, size_t len);

/* Appends one byte; same errors as ax_bytes_mut_append. */
AX_API int ax_bytes_mut_append_byte(ax_bytes_mut *w, unsigned char c);

/* The written, unfrozen bytes: a borrowed view valid until the next call that
 * writes, reserves, freezes or frees. */
AX_API ax_slice ax_bytes_mut_view(const ax_bytes_mut *w);

/* Forgets the unfrozen bytes, keeping the memory for reuse. */
AX_API void ax_bytes_mut_clear(ax_bytes_mut *w);

/* Hands the written bytes to *out as an ax_bytes, without copying, and leaves
 * the writer empty. Later writes go after the frozen bytes in the same buffer
 * while it has room, so a connection can freeze many small messages from one
 * allocation. Cannot fail; with nothing written *out is an empty view. */
AX_API void ax_bytes_mut_freeze(ax_bytes_mut *w, ax_bytes *out);

/* Releases the writer's reference; frozen ax_bytes stay valid. The writer is
 * left empty and may be reused. */
AX_API void ax_bytes_mut_free(ax_bytes_mut *w);

/* ---- scatter-gather chains --------------------------------------------- */

/* Caller-embedded; initialise with ax_chain_init, release with ax_chain_free.
 * Fields are private. */
typedef struct ax_chain {
    ax_bytes *items;           /* items[head, tail) are queued */
    size_t head;
    size_t tail;
    size_t cap;
    size_t bytes;              /* total length of the queued items */
    const ax_allocator *alloc;
} ax_chain;

/* An empty chain; a NULL: default allocator. Allocates nothing yet. */
AX_API void ax_chain_init(ax_chain *c, const ax_allocator *a);

/* Moves *b to the end of the chain (takes its reference) and leaves *b an
 * empty view. An empty *b is freed and not queued. Returns 0 or AX_ENOMEM; on
 * failure *b is untouched and still the caller's. */
AX_API int ax_chain_push(ax_chain *c, ax_bytes *b);

/* Moves every slice of src, in order, to the end of dst (references move
 * with them; nothing is copied) and leaves src empty. All or nothing:
 * returns 0; AX_EINVAL if dst and src are the same chain; AX_ENOMEM with
 * both chains unchanged. */
AX_API int ax_chain_append(ax_chain *dst, ax_chain *src);

/* Total bytes queued. */
AX_API size_t ax_chain_len(const ax_chain *c);

/* Number of slices queued. */
AX_API size_t ax_chain_count(const ax_chain *c);

/* Fills iov with the queued slices in order, at most max entries and never
 * more than the system's IOV_MAX, so the result can go straight to writev(2).
 * The iovecs borrow the chain's data: valid until the chain is changed.
 * Returns the number of entries filled (0 for an empty chain). */
AX_API int ax_chain_iov(const ax_chain *c, struct iovec *iov, int max);

/* Drops the first n bytes (what writev reported written), freeing slices that
 * are used up and advancing into a partly written one. Returns 0 or AX_ERANGE
 * if n > ax_chain_len (then the chain is unchanged). */
AX_API int ax_chain_consume(ax_chain *c, size_t n);

/* Copies up to len bytes from the front of the chain into dst without
 * consuming them. Returns the number copied. */
AX_API size_t ax_chain_copy_out(const ax_chain *c, void *dst, size_t len);

/* Frees every queued slice; the chain stays usable. */
AX_API void ax_chain_clear(ax_chain *c);

/* Frees every queued slice and the chain's own array. */
AX_API void ax_chain_free(ax_chain *c);

/* ---- byte helpers for parsers ------------------------------------------ */

/* Index of the first c in p[0, len), or len if there is none. */
AX_API size_t ax_find_byte(const void *p, size_t len, unsigned char c);

/* ASCII lower-case of c; bytes outside A-Z are returned unchanged. Locale
 * independent, unlike tolower(3). */
static inline unsigned char ax_ascii_lower(unsigned char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* True when a and b have the same length and equal bytes ignoring ASCII case
 * (header names, tokens). */
AX_API bool ax_ascii_case_equal(const void *a, size_t alen, const void *b,
                                size_t blen);

/* True for tchar, the bytes allowed in a token (RFC 9110 section 5.6.2):
 * "!#$%&'*+-.^_`|~", digits and letters. */
AX_API bool ax_is_tchar(unsigned char c);

/* True when every byte of p[0, len) is a tchar and len > 0. */
AX_API bool ax_is_token(const void *p, size_t len);

/* s without leading and trailing optional whitespace (OWS = SP / HTAB,
 * RFC 9110 section 5.6.3). */
AX_API ax_slice ax_trim_ows(ax_slice s);

/* Parses 1*DIGIT (no sign, no spaces) as an unsigned decimal into *out.
 * Returns 0; AX_EINVAL if p is empty or holds a non-digit; AX_ERANGE if the
 * value does not fit in 64 bits. *out is set only on success. */
AX_API int ax_parse_u64(const void *p, size_t len, uint64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* AXLE_BYTES_H */
