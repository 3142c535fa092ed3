/*
 * Every bytes operation that allocates, with the i-th allocation failing for
 * every i: each must return AX_ENOMEM cleanly and leak nothing (the helper
 * checks the counting allocator after every run).
 */
#include <string.h>

#include "axle/bytes.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(failalloc);

static int copy_and_slice(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_bytes b;
    int rc = ax_bytes_copy(a, "some bytes", 10, &b);
    if (rc < 0)
        return rc;
    ax_bytes s;
    cr_assert_eq(ax_bytes_slice(&b, 5, 5, &s), 0);
    ax_bytes_free(&b);
    cr_assert_eq(memcmp(s.ptr, "bytes", 5), 0);
    ax_bytes_free(&s);
    return 0;
}

static void noop_release(void *p, void *ud)
{
    (void)p;
    (void)ud;
}

static int wrap(const ax_allocator *a, void *ud)
{
    (void)ud;
    static char mem[8];
    ax_bytes b;
    int rc = ax_bytes_wrap(a, mem, sizeof(mem), noop_release, NULL, &b);
    if (rc < 0)
        return rc;
    ax_bytes_free(&b);
    return 0;
}

/* A writer that grows, freezes, grows while shared, and compacts. */
static int writer_life(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, a);
    ax_bytes frozen[8];
    int nfrozen = 0, rc = 0;
    for (int i = 0; i < 8 && rc == 0; i++) {
        for (int j = 0; j < 40 * (i + 1) && rc == 0; j++)
            rc = ax_bytes_mut_append(&w, "0123456789", 10);
        if (rc == 0) {
            ax_slice before = ax_bytes_mut_view(&w);
            ax_bytes_mut_freeze(&w, &frozen[nfrozen]);
            cr_assert_eq(frozen[nfrozen].ptr, before.ptr);
            nfrozen++;
        }
        if (rc == 0 && i % 3 == 2) /* let the writer compact now and then */
            ax_bytes_free(&frozen[--nfrozen]);
    }
    for (int i = 0; i < nfrozen; i++) {
        cr_assert_eq(memcmp(frozen[i].ptr, "0123456789", 10), 0);
        ax_bytes_free(&frozen[i]);
    }
    ax_bytes_mut_free(&w);
    return rc;
}

/* A chain fed from a writer, drained by partial consumes. */
static int chain_life(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_chain c;
    ax_chain_init(&c, a);
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, a);
    int rc = 0;
    for (int i = 0; i < 50 && rc == 0; i++) {
        rc = ax_bytes_mut_append(&w, "message;", 8);
        if (rc < 0)
            break;
        ax_bytes m;
        ax_bytes_mut_freeze(&w, &m);
        rc = ax_chain_push(&c, &m);
        if (rc < 0) {
            cr_assert_eq(m.len, 8, "a failed push leaves the slice with the caller");
            ax_bytes_free(&m);
        }
        if (rc == 0 && i % 4 == 3)
            cr_assert_eq(ax_chain_consume(&c, 13), 0);
    }
    ax_chain_free(&c);
    ax_bytes_mut_free(&w);
    return rc;
}

/* A failed append leaves both chains as they were. */
static int chain_append(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_chain dst, src;
    ax_chain_init(&dst, a);
    ax_chain_init(&src, a);
    int rc = 0;
    for (int i = 0; i < 10 && rc == 0; i++) {
        ax_bytes b = AX_BYTES_LIT("abc");
        rc = ax_chain_push(i < 3 ? &dst : &src, &b);
    }
    if (rc == 0) {
        size_t dn = ax_chain_count(&dst), sn = ax_chain_count(&src);
        rc = ax_chain_append(&dst, &src);
        if (rc < 0) {
            cr_assert_eq(ax_chain_count(&dst), dn);
            cr_assert_eq(ax_chain_count(&src), sn);
            cr_assert_eq(ax_chain_len(&src), sn * 3);
        } else {
            cr_assert_eq(ax_chain_count(&dst), dn + sn);
        }
    }
    ax_chain_free(&dst);
    ax_chain_free(&src);
    return rc;
}

Test(failalloc, chain_append)
{
    cr_assert_gt(ax_test_each_failure(chain_append, NULL), 2);
}

Test(failalloc, bytes_copy_and_slice)
{
    cr_assert_eq(ax_test_each_failure(copy_and_slice, NULL), 1);
}

Test(failalloc, bytes_wrap)
{
    cr_assert_eq(ax_test_each_failure(wrap, NULL), 1);
}

Test(failalloc, bytes_mut)
{
    cr_assert_gt(ax_test_each_failure(writer_life, NULL), 5);
}

Test(failalloc, chain)
{
    cr_assert_gt(ax_test_each_failure(chain_life, NULL), 3);
}

/* The helper itself must catch a leak and a wrong error code, or the tests
 * above prove nothing. */
static int leaks_on_failure(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_bytes keep, b;
    int rc = ax_bytes_copy(a, "x", 1, &keep);
    if (rc < 0)
        return rc;
    rc = ax_bytes_copy(a, "y", 1, &b);
    if (rc < 0)
        return rc; /* bug: forgets to free keep */
    ax_bytes_free(&b);
    ax_bytes_free(&keep);
    return 0;
}

static int wrong_code(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_bytes b;
    if (ax_bytes_copy(a, "x", 1, &b) < 0)
        return AX_EINVAL; /* bug: swallows AX_ENOMEM */
    ax_bytes_free(&b);
    return 0;
}

Test(failalloc, helper_catches_a_leak)
{
    char why[256];
    size_t allocs;
    cr_assert_eq(ax_test_each_failure_check(leaks_on_failure, NULL, &allocs, why,
                                            sizeof(why)), -1);
    cr_assert(strstr(why, "leaked") != NULL, "%s", why);
}

Test(failalloc, helper_catches_a_wrong_code)
{
    char why[256];
    size_t allocs;
    cr_assert_eq(ax_test_each_failure_check(wrong_code, NULL, &allocs, why,
                                            sizeof(why)), -1);
    cr_assert(strstr(why, "AX_EINVAL") != NULL, "%s", why);
}
