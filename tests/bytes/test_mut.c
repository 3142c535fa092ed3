#include <string.h>

#include "axle/bytes.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(bytes_mut);

Test(bytes_mut, freeze_does_not_copy)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, &t.a);
    cr_assert_eq(ax_bytes_mut_append(&w, "GET / HTTP/1.1\r\n", 16), 0);
    ax_slice before = ax_bytes_mut_view(&w);
    size_t allocs = t.calls;

    ax_bytes frozen;
    ax_bytes_mut_freeze(&w, &frozen);
    cr_assert_eq(frozen.ptr, before.ptr, "freeze must hand out the written bytes themselves");
    cr_assert_eq(frozen.len, 16);
    cr_assert_eq(t.calls, allocs, "freeze must not allocate");
    cr_assert_eq(ax_bytes_mut_view(&w).len, 0);
    cr_assert_eq(ax_bytes_refcount(&frozen), 2, "the writer and the frozen view");

    ax_bytes_mut_free(&w);
    cr_assert_eq(ax_bytes_refcount(&frozen), 1);
    cr_assert_eq(memcmp(frozen.ptr, "GET / HTTP/1.1\r\n", 16), 0);
    ax_bytes_free(&frozen);
    cr_assert_eq(t.live, 0);
}

Test(bytes_mut, writes_continue_after_a_freeze_in_the_same_buffer)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, &t.a);
    cr_assert_eq(ax_bytes_mut_reserve(&w, 256), 0);
    size_t allocs = t.calls;

    ax_bytes parts[4];
    const char *words[4] = {"alpha", "beta", "gamma", "delta"};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(ax_bytes_mut_append(&w, words[i], strlen(words[i])), 0);
        ax_bytes_mut_freeze(&w, &parts[i]);
    }
    cr_assert_eq(t.calls, allocs, "small messages must share one allocation");
    for (int i = 1; i < 4; i++)
        cr_assert_eq(parts[i].ptr, parts[i - 1].ptr + parts[i - 1].len);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(parts[i].len, strlen(words[i]));
        cr_assert_eq(memcmp(parts[i].ptr, words[i], parts[i].len), 0);
        ax_bytes_free(&parts[i]);
    }
    ax_bytes_mut_free(&w);
    cr_assert_eq(t.live, 0);
}

Test(bytes_mut, growth_keeps_content)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, &t.a);
    for (unsigned i = 0; i < 100000; i++)
        cr_assert_eq(ax_bytes_mut_append_byte(&w, (unsigned char)(i * 7)), 0);
    ax_slice v = ax_bytes_mut_view(&w);
    cr_assert_eq(v.len, 100000);
    for (unsigned i = 0; i < 100000; i++)
        cr_assert_eq(v.ptr[i], (unsigned char)(i * 7));
    cr_assert_lt(t.calls, 20, "growth must be geometric, saw %zu allocations", t.calls);
    cr_assert_eq(t.live, 1);
    ax_bytes_mut_free(&w);
    cr_assert_eq(t.live, 0);
}

Test(bytes_mut, growth_while_shared_leaves_frozen_views_intact)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, &t.a);
    cr_assert_eq(ax_bytes_mut_append(&w, "frozen-part", 11), 0);
    ax_bytes frozen;
    ax_bytes_mut_freeze(&w, &frozen);
    cr_assert_eq(ax_bytes_mut_append(&w, "pending", 7), 0);

    /* Force a new buffer: the frozen view must keep the old one. */
    cr_assert_eq(ax_bytes_mut_reserve(&w, 1 << 16), 0);
    cr_assert_eq(t.live, 2);
    ax_slice v = ax_bytes_mut_view(&w);
    cr_assert_eq(v.len, 7);
    cr_assert_eq(memcmp(v.ptr, "pending", 7), 0, "only unfrozen bytes move");
    cr_assert_eq(memcmp(frozen.ptr, "frozen-part", 11), 0);
    cr_assert_eq(ax_bytes_refcount(&frozen), 1, "the writer let go of the old buffer");
    ax_bytes_free(&frozen);
    ax_bytes_mut_free(&w);
    cr_assert_eq(t.live, 0);
}

Test(bytes_mut, sole_owner_reuses_space_of_released_frozen_bytes)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, &t.a);
    cr_assert_eq(ax_bytes_mut_reserve(&w, 100), 0);
    size_t avail;
    (void)ax_bytes_mut_spare(&w, &avail);
    size_t cap = avail;
    size_t allocs = t.calls;
    /* Write and drop messages forever: once the frozen views are gone the
     * writer slides back to the front instead of allocating. */
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(ax_bytes_mut_append(&w, "0123456789abcdef", 16), 0);
        ax_bytes m;
        ax_bytes_mut_freeze(&w, &m);
        ax_bytes_free(&m);
    }
    cr_assert_eq(t.calls, allocs, "a steady stream must not reallocate (cap %zu)", cap);
    ax_bytes_mut_free(&w);
    cr_assert_eq(t.live, 0);
}

Test(bytes_mut, spare_and_commit)
{
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, NULL);
    size_t avail;
    cr_assert_null(ax_bytes_mut_spare(&w, &avail));
    cr_assert_eq(avail, 0);
    cr_assert_eq(ax_bytes_mut_commit(&w, 1), AX_ERANGE);
    cr_assert_eq(ax_bytes_mut_reserve(&w, 10), 0);
    unsigned char *p = ax_bytes_mut_spare(&w, &avail);
    cr_assert_geq(avail, 10);
    memcpy(p, "read(2)", 7);
    cr_assert_eq(ax_bytes_mut_commit(&w, 7), 0);
    cr_assert_eq(ax_bytes_mut_commit(&w, avail), AX_ERANGE, "only avail-7 left");
    ax_slice v = ax_bytes_mut_view(&w);
    cr_assert_eq(v.len, 7);
    cr_assert_eq(memcmp(v.ptr, "read(2)", 7), 0);
    ax_bytes_mut_clear(&w);
    cr_assert_eq(ax_bytes_mut_view(&w).len, 0);
    ax_bytes_mut_free(&w);
}

Test(bytes_mut, limit_bounds_unfrozen_bytes)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, &t.a);
    ax_bytes_mut_set_limit(&w, 10);
    cr_assert_eq(ax_bytes_mut_append(&w, "0123456789", 10), 0);
    cr_assert_eq(ax_bytes_mut_append_byte(&w, 'x'), AX_ELIMIT);
    cr_assert_eq(ax_bytes_mut_view(&w).len, 10, "a refused write changes nothing");
    cr_assert_eq(ax_bytes_mut_reserve(&w, SIZE_MAX), AX_ELIMIT);
    ax_bytes f;
    ax_bytes_mut_freeze(&w, &f);
    cr_assert_eq(ax_bytes_mut_append(&w, "0123456789", 10), 0, "the limit is on unfrozen bytes");
    ax_bytes_free(&f);
    ax_bytes_mut_free(&w);

    ax_bytes_mut_init(&w, &t.a);
    cr_assert_eq(ax_bytes_mut_append(&w, "ab", 2), 0);
    cr_assert_eq(ax_bytes_mut_reserve(&w, SIZE_MAX - 1), AX_ELIMIT, "size overflow");
    ax_bytes_mut_free(&w);
    cr_assert_eq(t.live, 0);
}

Test(bytes_mut, freeze_of_nothing_is_empty)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, &t.a);
    ax_bytes f;
    ax_bytes_mut_freeze(&w, &f);
    cr_assert_eq(f.len, 0);
    cr_assert_null(f.buf);
    cr_assert_eq(ax_bytes_mut_append(&w, NULL, 0), 0);
    cr_assert_eq(t.calls, 0);
    ax_bytes_mut_free(&w);
    ax_bytes_mut_free(&w); /* freeing twice is harmless */
}
