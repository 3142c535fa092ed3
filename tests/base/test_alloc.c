#include <stdio.h>
#include <string.h>

#include "axle/bytes.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(alloc);
AX_SUITE(version);

/* Criterion runs each test in its own process, so every test here starts
 * with an unsealed process default. */

Test(alloc, default_is_sealed_by_first_use)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    const ax_allocator *d = ax_allocator_default();
    cr_assert_not_null(d);
    void *p = d->malloc(d->ctx, 16);
    cr_assert_not_null(p);
    d->free(d->ctx, p);
    cr_assert_eq(ax_allocator_set_default(&t.a), AX_EBUSY);
}

Test(alloc, replaced_default_sees_every_allocation)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    cr_assert_eq(ax_allocator_set_default(&t.a), 0);

    ax_bytes b;
    cr_assert_eq(ax_bytes_copy(NULL, "hello", 5, &b), 0);
    cr_assert_eq(t.live, 1, "the copy did not use the replaced default");
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, NULL);
    cr_assert_eq(ax_bytes_mut_append(&w, "abc", 3), 0);
    cr_assert_eq(t.live, 2);

    ax_bytes_free(&b);
    ax_bytes_mut_free(&w);
    cr_assert_eq(t.live, 0);
    cr_assert_eq(t.live_bytes, 0);
    cr_assert_eq(ax_allocator_set_default(&t.a), AX_EBUSY);
}

Test(alloc, set_default_rejects_incomplete_allocators)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    cr_assert_eq(ax_allocator_set_default(NULL), AX_EINVAL);
    ax_allocator partial = t.a;
    partial.realloc = NULL;
    cr_assert_eq(ax_allocator_set_default(&partial), AX_EINVAL);
    /* Setting twice before first use is fine: the last one wins. */
    cr_assert_eq(ax_allocator_set_default(&t.a), 0);
    cr_assert_eq(ax_allocator_set_default(&t.a), 0);
}

Test(alloc, per_object_allocator_counts_back_to_zero)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_chain c;
    ax_chain_init(&c, &t.a);
    for (int i = 0; i < 100; i++) {
        ax_bytes b;
        cr_assert_eq(ax_bytes_copy(&t.a, "0123456789", 10, &b), 0);
        cr_assert_eq(ax_chain_push(&c, &b), 0);
    }
    cr_assert_eq(t.live, 101, "100 buffers and the chain's array");
    ax_chain_free(&c);
    cr_assert_eq(t.live, 0);
    cr_assert_eq(t.live_bytes, 0);
}

Test(version, matches_header)
{
    char want[32];
    snprintf(want, sizeof(want), "%d.%d.%d", AX_VERSION_MAJOR, AX_VERSION_MINOR,
             AX_VERSION_PATCH);
    cr_assert_eq(ax_version(), (unsigned)AX_VERSION_HEX);
    cr_assert_str_eq(ax_version_string(), want);
}
