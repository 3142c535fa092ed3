/*
 * The process default allocator. This is the only file in axle that calls
 * libc's malloc, realloc and free; the dependency guard (mk/depguard.sh)
 * checks that no other object file references them.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "axle/base.h"
#include "base/alloc.h"

static void *libc_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void *libc_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return realloc(ptr, size);
}

static void libc_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}

/* The default may change only while it is OPEN. A setter moves it to SETTING
 * for the duration of the copy; the first user moves it to SEALED for good. */
enum { DEFAULT_OPEN, DEFAULT_SETTING, DEFAULT_SEALED };

static ax_allocator g_default = {libc_malloc, libc_realloc, libc_free, NULL};
static atomic_int g_default_state = DEFAULT_OPEN;

const ax_allocator *ax_allocator_default(void)
{
    int state = atomic_load_explicit(&g_default_state, memory_order_acquire);
    while (state != DEFAULT_SEALED) {
        /* A setter in progress is copying four pointers: wait for it. */
        if (state == DEFAULT_OPEN &&
            atomic_compare_exchange_weak_explicit(
                &g_default_state, &state, DEFAULT_SEALED,
                memory_order_acq_rel, memory_order_acquire))
            break;
        state = atomic_load_explicit(&g_default_state, memory_order_acquire);
    }
    return &g_default;
}

int ax_allocator_set_default(const ax_allocator *a)
{
    if (a == NULL || a->malloc == NULL || a->realloc == NULL || a->free == NULL)
        return AX_EINVAL;
    int expected = DEFAULT_OPEN;
    if (!atomic_compare_exchange_strong_explicit(
            &g_default_state, &expected, DEFAULT_SETTING,
            memory_order_acq_rel, memory_order_acquire))
        return AX_EBUSY;
    g_default = *a;
    atomic_store_explicit(&g_default_state, DEFAULT_OPEN, memory_order_release);
    return 0;
}

void *ax__array_grow(const ax_allocator *a, void *items, size_t *cap, size_t need,
                     size_t size, size_t min_cap)
{
    size_t n = *cap < min_cap ? min_cap : *cap;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return NULL;
        n *= 2;
    }
    if (n == *cap && items != NULL)
        return items;
    void *grown = items == NULL ? ax__malloc_array(a, n, size)
                                : ax__realloc_array(a, items, n, size);
    if (grown != NULL)
        *cap = n;
    return grown;
}
