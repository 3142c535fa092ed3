#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "axle/bytes.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(bytes);

Test(bytes, static_views_cost_nothing)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_bytes s = AX_BYTES_LIT("static data");
    cr_assert_eq(s.len, 11);
    cr_assert_null(s.buf);
    cr_assert_eq(ax_bytes_refcount(&s), 0);
    ax_bytes c = ax_bytes_clone(&s);
    ax_bytes sub;
    cr_assert_eq(ax_bytes_slice(&s, 7, 4, &sub), 0);
    cr_assert_eq(memcmp(sub.ptr, "data", 4), 0);
    ax_bytes_free(&sub);
    ax_bytes_free(&c);
    ax_bytes_free(&s);
    cr_assert_eq(t.calls, 0);
}

Test(bytes, copy_owns_its_data)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    char src[] = "payload";
    ax_bytes b;
    cr_assert_eq(ax_bytes_copy(&t.a, src, 7, &b), 0);
    src[0] = 'X';
    cr_assert_eq(memcmp(b.ptr, "payload", 7), 0);
    cr_assert_eq(ax_bytes_refcount(&b), 1);
    ax_bytes_free(&b);
    cr_assert_eq(t.live, 0);

    cr_assert_eq(ax_bytes_copy(&t.a, src, 0, &b), 0);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(t.calls, 1, "an empty copy must not allocate");
}

Test(bytes, refcounts_through_clone_slice_free)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_bytes a;
    cr_assert_eq(ax_bytes_copy(&t.a, "0123456789", 10, &a), 0);

    ax_bytes b = ax_bytes_clone(&a);
    cr_assert_eq(b.ptr, a.ptr, "clone must not copy");
    cr_assert_eq(ax_bytes_refcount(&a), 2);

    ax_bytes s;
    cr_assert_eq(ax_bytes_slice(&b, 3, 4, &s), 0);
    cr_assert_eq(s.ptr, a.ptr + 3, "slice must not copy");
    cr_assert_eq(s.len, 4);
    cr_assert_eq(ax_bytes_refcount(&a), 3);

    ax_bytes ss;
    cr_assert_eq(ax_bytes_slice(&s, 1, 2, &ss), 0);
    cr_assert_eq(memcmp(ss.ptr, "45", 2), 0);
    cr_assert_eq(ax_bytes_refcount(&a), 4);

    ax_bytes_free(&a);
    ax_bytes_free(&b);
    ax_bytes_free(&s);
    cr_assert_eq(ax_bytes_refcount(&ss), 1);
    cr_assert_eq(t.live, 1, "a live slice keeps the buffer");
    cr_assert_eq(memcmp(ss.ptr, "45", 2), 0);
    ax_bytes_free(&ss);
    cr_assert_eq(t.live, 0);
    ax_bytes_free(&ss); /* a freed view is empty: freeing again is harmless */
    cr_assert_eq(ss.len, 0);
    cr_assert_null(ss.buf);
}

Test(bytes, slice_bounds)
{
    ax_bytes a = AX_BYTES_LIT("abcdef");
    ax_bytes s;
    cr_assert_eq(ax_bytes_slice(&a, 0, 6, &s), 0);
    cr_assert_eq(ax_bytes_slice(&a, 6, 0, &s), 0);
    cr_assert_eq(s.len, 0);
    cr_assert_eq(ax_bytes_slice(&a, 7, 0, &s), AX_ERANGE);
    cr_assert_eq(ax_bytes_slice(&a, 2, 5, &s), AX_ERANGE);
    cr_assert_eq(s.len, 0);
    cr_assert_eq(ax_bytes_slice(&a, 1, SIZE_MAX, &s), AX_ERANGE, "len overflow");
    cr_assert_eq(ax_bytes_slice(&a, SIZE_MAX, 2, &s), AX_ERANGE, "off overflow");
}

Test(bytes, advance_and_truncate)
{
    ax_bytes a = AX_BYTES_LIT("abcdef");
    cr_assert_eq(ax_bytes_advance(&a, 2), 0);
    cr_assert_eq(memcmp(a.ptr, "cdef", 4), 0);
    cr_assert_eq(ax_bytes_truncate(&a, 3), 0);
    cr_assert_eq(a.len, 3);
    cr_assert_eq(ax_bytes_advance(&a, 4), AX_ERANGE);
    cr_assert_eq(ax_bytes_truncate(&a, 4), AX_ERANGE);
    cr_assert_eq(memcmp(a.ptr, "cde", 3), 0, "failed calls must not move the view");
    ax_bytes empty = ax_bytes_static(NULL, 0);
    cr_assert_eq(ax_bytes_advance(&empty, 0), 0);
}

static void count_release(void *ptr, void *ud)
{
    cr_assert_not_null(ptr);
    atomic_fetch_add((atomic_int *)ud, 1);
}

Test(bytes, wrap_releases_foreign_memory_once)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    static char foreign[] = "owned by someone else";
    atomic_int released = 0;
    ax_bytes b;
    cr_assert_eq(ax_bytes_wrap(&t.a, foreign, sizeof(foreign) - 1, count_release,
                               &released, &b), 0);
    cr_assert_eq(b.ptr, (unsigned char *)foreign, "wrap must not copy");
    ax_bytes s;
    cr_assert_eq(ax_bytes_slice(&b, 9, 7, &s), 0);
    ax_bytes_free(&b);
    cr_assert_eq(atomic_load(&released), 0);
    cr_assert_eq(memcmp(s.ptr, "someone", 7), 0);
    ax_bytes_free(&s);
    cr_assert_eq(atomic_load(&released), 1);
    cr_assert_eq(t.live, 0);

    cr_assert_eq(ax_bytes_wrap(&t.a, foreign, 3, NULL, NULL, &b), AX_EINVAL);
}

Test(bytes, wrap_failure_leaves_ownership_with_caller)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_test_alloc_fail_at(&t, 0, false);
    atomic_int released = 0;
    char mem[4];
    ax_bytes b;
    cr_assert_eq(ax_bytes_wrap(&t.a, mem, 4, count_release, &released, &b), AX_ENOMEM);
    cr_assert_eq(atomic_load(&released), 0);
    cr_assert_eq(b.len, 0);
}

/* Many threads drop clones of one buffer at once: the release runs exactly
 * once, after every thread is done with the bytes. Run under TSan too. */
#define THREADS 8
#define CLONES_PER_THREAD 1000

struct share {
    ax_bytes clones[THREADS][CLONES_PER_THREAD];
    atomic_long sum;
};

static void *drop_clones(void *arg)
{
    struct share *sh = ((void **)arg)[0];
    ax_bytes *mine = ((void **)arg)[1];
    long sum = 0;
    for (int i = 0; i < CLONES_PER_THREAD; i++) {
        sum += mine[i].ptr[i % mine[i].len];
        ax_bytes_free(&mine[i]);
    }
    atomic_fetch_add(&sh->sum, sum);
    return NULL;
}

Test(bytes, references_cross_threads)
{
    static struct share sh;
    static char data[64];
    memset(data, 1, sizeof(data));
    atomic_int released = 0;
    ax_bytes orig;
    cr_assert_eq(ax_bytes_wrap(NULL, data, sizeof(data), count_release, &released,
                               &orig), 0);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < CLONES_PER_THREAD; i++)
            sh.clones[t][i] = ax_bytes_clone(&orig);
    ax_bytes_free(&orig);

    pthread_t th[THREADS];
    void *args[THREADS][2];
    for (int t = 0; t < THREADS; t++) {
        args[t][0] = &sh;
        args[t][1] = sh.clones[t];
        cr_assert_eq(pthread_create(&th[t], NULL, drop_clones, args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    cr_assert_eq(atomic_load(&released), 1);
    cr_assert_eq(atomic_load(&sh.sum), (long)THREADS * CLONES_PER_THREAD);
}
