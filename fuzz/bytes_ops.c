/*
 * Fuzzes the writer and the chain together: the input is a program of small
 * operations (append, freeze into the chain, clone, slice, partial consume,
 * clear) run against axle and against a flat model buffer. The chain's bytes
 * must always equal the model's, and an allocator that fails when told to
 * (one input bit per allocation) must never corrupt or leak anything.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "axle/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MODEL_MAX = 1 << 16 };

struct failing {
    ax_allocator a;
    const uint8_t *bits;
    size_t nbits, calls;
    long live;
};

static int should_fail(struct failing *f)
{
    size_t i = f->calls++;
    return i < f->nbits * 8 && (f->bits[i / 8] >> (i % 8)) & 1;
}

static void *f_malloc(void *ctx, size_t n)
{
    struct failing *f = ctx;
    if (should_fail(f))
        return NULL;
    void *p = malloc(n);
    if (p != NULL)
        f->live++;
    return p;
}

static void *f_realloc(void *ctx, void *p, size_t n)
{
    struct failing *f = ctx;
    return should_fail(f) ? NULL : realloc(p, n);
}

static void f_free(void *ctx, void *p)
{
    struct failing *f = ctx;
    f->live--;
    free(p);
}

struct model {
    unsigned char bytes[MODEL_MAX]; /* what the chain must hold */
    size_t len;
};

static void check(const ax_chain *c, const struct model *m)
{
    static unsigned char flat[MODEL_MAX];
    if (ax_chain_len(c) != m->len)
        abort();
    if (ax_chain_copy_out(c, flat, sizeof(flat)) != m->len ||
        memcmp(flat, m->bytes, m->len) != 0)
        abort();
    struct iovec iov[8];
    int n = ax_chain_iov(c, iov, 8);
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        if (memcmp(iov[i].iov_base, m->bytes + off, iov[i].iov_len) != 0)
            abort();
        off += iov[i].iov_len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct model m;
    if (size < 2)
        return 0;
    /* The first byte says how many following bytes are failure bits. */
    size_t nbits = data[0] % 8;
    if (size < 1 + nbits)
        return 0;
    struct failing f = {{f_malloc, f_realloc, f_free, NULL}, data + 1, nbits, 0, 0};
    f.a.ctx = &f;
    data += 1 + nbits;
    size -= 1 + nbits;

    ax_bytes_mut w;
    ax_bytes_mut_init(&w, &f.a);
    ax_bytes_mut_set_limit(&w, 4096);
    ax_chain c;
    ax_chain_init(&c, &f.a);
    m.len = 0;
    size_t pending = 0; /* bytes in the writer, not yet in the chain */
    static unsigned char pend[4096];

    for (size_t i = 0; i + 1 < size; i += 2) {
        uint8_t op = data[i] % 6, arg = data[i + 1];
        if (op == 0) { /* append arg bytes of a pattern */
            unsigned char tmp[256];
            for (int k = 0; k < arg; k++)
                tmp[k] = (unsigned char)(i + k);
            if (ax_bytes_mut_append(&w, tmp, arg) == 0) {
                memcpy(pend + pending, tmp, arg);
                pending += arg;
            }
        } else if (op == 1) { /* freeze and queue */
            ax_bytes b;
            ax_bytes_mut_freeze(&w, &b);
            if (m.len + b.len > MODEL_MAX || ax_chain_push(&c, &b) < 0) {
                ax_bytes_free(&b);
            } else {
                memcpy(m.bytes + m.len, pend, pending);
                m.len += pending;
            }
            pending = 0;
        } else if (op == 2) { /* partial consume */
            size_t n = arg <= m.len ? arg : m.len;
            if (ax_chain_consume(&c, n) != 0)
                abort();
            memmove(m.bytes, m.bytes + n, m.len - n);
            m.len -= n;
        } else if (op == 3) { /* queue a slice of a clone of the writer's view */
            ax_slice v = ax_bytes_mut_view(&w);
            ax_bytes copy, sub;
            if (v.len == 0)
                continue;
            if (ax_bytes_copy(&f.a, v.ptr, v.len, &copy) < 0)
                continue;
            size_t off = arg % (v.len + 1);
            if (ax_bytes_slice(&copy, off, v.len - off, &sub) != 0)
                abort();
            ax_bytes_free(&copy);
            if (m.len + sub.len <= MODEL_MAX && ax_chain_push(&c, &sub) == 0) {
                memcpy(m.bytes + m.len, v.ptr + off, v.len - off);
                m.len += v.len - off;
            }
            ax_bytes_free(&sub);
        } else if (op == 4) { /* overflowing consume must be refused */
            if (ax_chain_consume(&c, m.len + 1 + arg) != AX_ERANGE)
                abort();
        } else {
            ax_bytes_mut_clear(&w);
            pending = 0;
        }
        check(&c, &m);
    }
    ax_chain_free(&c);
    ax_bytes_mut_free(&w);
    if (f.live != 0)
        abort();
    return 0;
}
