#include "support/test_alloc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Each block carries its size and a tag in front, so the allocator can tell a
 * foreign pointer or a double free (the tag is wiped on free). */
#define TAG_LIVE 0xA11C0C8EDB10C4EDu
#define TAG_DEAD 0xDEADB10CDEADB10Cu

typedef struct block_head {
    uint64_t tag;
    uint64_t size;
    struct block_head *prev, *next; /* the allocator's list of live blocks */
} block_head;

static void link_block(ax_test_alloc *t, block_head *h)
{
    h->prev = NULL;
    h->next = t->blocks;
    if (t->blocks != NULL)
        t->blocks->prev = h;
    t->blocks = h;
}

static void unlink_block(ax_test_alloc *t, block_head *h)
{
    if (h->prev != NULL)
        h->prev->next = h->next;
    else
        t->blocks = h->next;
    if (h->next != NULL)
        h->next->prev = h->prev;
}

static bool should_fail(ax_test_alloc *t)
{
    size_t call = t->calls++;
    if (call == t->fail_at || (t->fail_persist && call > t->fail_at)) {
        t->failures++;
        return true;
    }
    return false;
}

static block_head *head_of(void *ptr)
{
    block_head *h = (block_head *)ptr - 1;
    cr_assert_eq(h->tag, TAG_LIVE, "free/realloc of a block this allocator does not own (or freed twice)");
    return h;
}

static void *t_malloc(void *ctx, size_t size)
{
    ax_test_alloc *t = ctx;
    cr_assert_gt(size, 0, "axle asked for 0 bytes");
    if (should_fail(t))
        return NULL;
    block_head *h = malloc(sizeof(block_head) + size);
    cr_assert_not_null(h, "the test machine is out of memory");
    h->tag = TAG_LIVE;
    h->size = size;
    link_block(t, h);
    t->live++;
    t->live_bytes += size;
    if (t->live_bytes > t->peak_bytes)
        t->peak_bytes = t->live_bytes;
    return h + 1;
}

static void *t_realloc(void *ctx, void *ptr, size_t size)
{
    ax_test_alloc *t = ctx;
    cr_assert_not_null(ptr, "axle must not realloc NULL");
    cr_assert_gt(size, 0, "axle asked for 0 bytes");
    block_head *h = head_of(ptr);
    if (should_fail(t))
        return NULL;
    size_t old = (size_t)h->size;
    unlink_block(t, h);
    block_head *nh = realloc(h, sizeof(block_head) + size);
    cr_assert_not_null(nh, "the test machine is out of memory");
    nh->size = size;
    link_block(t, nh);
    t->live_bytes = t->live_bytes - old + size;
    if (t->live_bytes > t->peak_bytes)
        t->peak_bytes = t->live_bytes;
    return nh + 1;
}

static void t_free(void *ctx, void *ptr)
{
    ax_test_alloc *t = ctx;
    cr_assert_not_null(ptr, "axle must not free NULL");
    block_head *h = head_of(ptr);
    h->tag = TAG_DEAD;
    unlink_block(t, h);
    t->live--;
    t->live_bytes -= (size_t)h->size;
    free(h);
}

void ax_test_alloc_init(ax_test_alloc *t)
{
    memset(t, 0, sizeof(*t));
    t->a.malloc = t_malloc;
    t->a.realloc = t_realloc;
    t->a.free = t_free;
    t->a.ctx = t;
    t->fail_at = SIZE_MAX;
}

void ax_test_alloc_reclaim(ax_test_alloc *t)
{
    while (t->blocks != NULL) {
        block_head *h = t->blocks;
        unlink_block(t, h);
        t->live--;
        t->live_bytes -= (size_t)h->size;
        free(h);
    }
}

void ax_test_alloc_fail_at(ax_test_alloc *t, size_t index, bool persist)
{
    t->calls = 0;
    t->failures = 0;
    t->fail_at = index;
    t->fail_persist = persist;
}

/* One run with allocation `index` failing. Returns 0 if the run behaved,
 * -1 with the reason in why. *reached tells whether the failure happened. */
static int run_once(ax_test_scenario fn, void *ud, size_t index, bool persist,
                    bool *reached, char *why, size_t why_len)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_test_alloc_fail_at(&t, index, persist);
    int rc = fn(&t.a, ud);
    const char *mode = persist ? "and every later one" : "once";
    size_t leaked = t.live, leaked_bytes = t.live_bytes;
    ax_test_alloc_reclaim(&t); /* so a detected leak is not reported twice */
    *reached = t.failures > 0;
    if (*reached && rc != 0 && rc != AX_ENOMEM) {
        snprintf(why, why_len, "allocation %zu failing (%s): returned %s, want AX_ENOMEM or 0",
                 index, mode, ax_err_name(rc));
        return -1;
    }
    if (!*reached && rc != 0) {
        snprintf(why, why_len, "no allocation failed, yet the scenario returned %s",
                 ax_err_name(rc));
        return -1;
    }
    if (leaked != 0) {
        snprintf(why, why_len, "allocation %zu failing (%s): %zu blocks (%zu bytes) leaked",
                 index, mode, leaked, leaked_bytes);
        return -1;
    }
    return 0;
}

int ax_test_each_failure_check(ax_test_scenario fn, void *ud, size_t *allocs,
                               char *why, size_t why_len)
{
    /* A scenario that allocates without bound would loop here forever; no
     * unit-test scenario needs more than this many allocations. */
    const size_t max_allocs = 100000;
    for (size_t i = 0; i < max_allocs; i++) {
        bool reached_once, reached_all;
        if (run_once(fn, ud, i, false, &reached_once, why, why_len) < 0 ||
            run_once(fn, ud, i, true, &reached_all, why, why_len) < 0)
            return -1;
        if (!reached_once && !reached_all) {
            *allocs = i;
            return 0;
        }
    }
    snprintf(why, why_len, "scenario still allocating after %zu calls", max_allocs);
    return -1;
}

size_t ax_test_each_failure(ax_test_scenario fn, void *ud)
{
    char why[256];
    size_t allocs = 0;
    int rc = ax_test_each_failure_check(fn, ud, &allocs, why, sizeof(why));
    cr_assert_eq(rc, 0, "%s", why);
    return allocs;
}
