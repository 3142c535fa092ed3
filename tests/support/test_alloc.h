/*
 * Test allocators: a counting allocator that checks every block it hands out,
 * and failure injection in the manner of nghttp2's failmalloc test. Every
 * module's tests use these to show that an allocation failure anywhere comes
 * back as AX_ENOMEM and leaks nothing.
 */
#ifndef AXLE_TEST_ALLOC_H
#define AXLE_TEST_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "axle/base.h"

typedef struct ax_test_alloc {
    ax_allocator a;       /* hand &t->a to axle */
    size_t live;          /* blocks allocated and not yet freed */
    size_t live_bytes;
    size_t peak_bytes;
    size_t calls;         /* malloc and realloc calls so far */
    size_t fail_at;       /* index of the first call to fail; SIZE_MAX: none */
    bool fail_persist;    /* fail every call from fail_at on, not just that one */
    size_t failures;      /* calls failed so far */
    struct block_head *blocks; /* live blocks, for reclaim */
} ax_test_alloc;

/* A counting allocator that never fails. */
void ax_test_alloc_init(ax_test_alloc *t);

/* Frees every block still live (after a leak has been counted), so that a
 * test which detects a leak does not leak itself. */
void ax_test_alloc_reclaim(ax_test_alloc *t);

/* Fails call number `index` (0-based, counting from now: calls is reset) and,
 * when persist is true, every call after it. */
void ax_test_alloc_fail_at(ax_test_alloc *t, size_t index, bool persist);

/* A scenario exercises some axle code with allocator a and cleans up after
 * itself. It returns 0 when everything it tried succeeded, AX_ENOMEM when an
 * allocation failed (and axle reported it), or another negative code for a
 * genuine failure. */
typedef int (*ax_test_scenario)(const ax_allocator *a, void *ud);

/* Runs fn with allocation i failing, for i = 0, 1, ... (once with a single
 * failure, once with every later call failing too) until a run finishes
 * without reaching call i. Asserts, for every run, that fn returned 0 or
 * AX_ENOMEM, that AX_ENOMEM came only when an allocation really failed, and
 * that no block was left allocated. Returns the number of allocations a clean
 * run makes. */
size_t ax_test_each_failure(ax_test_scenario fn, void *ud);

/* The same check without asserting: returns 0 and sets *allocs, or returns -1
 * with the reason for the first bad run written to why. */
int ax_test_each_failure_check(ax_test_scenario fn, void *ud, size_t *allocs,
                               char *why, size_t why_len);

#endif /* AXLE_TEST_ALLOC_H */
