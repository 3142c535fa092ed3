/*
 * Private allocation helpers used by every axle module. They add the two
 * checks every call site would otherwise repeat: choosing the default when the
 * caller passed NULL, and refusing sizes whose computation would overflow.
 */
#ifndef AXLE_BASE_ALLOC_H
#define AXLE_BASE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "axle/base.h"

/* The allocator an object should use when its options name `a`. */
static inline const ax_allocator *ax__allocator_or_default(const ax_allocator *a)
{
    return a != NULL ? a : ax_allocator_default();
}

/* size must be > 0. */
static inline void *ax__malloc(const ax_allocator *a, size_t size)
{
    return a->malloc(a->ctx, size);
}

/* n * size bytes, or NULL when the product overflows or is zero. */
static inline void *ax__malloc_array(const ax_allocator *a, size_t n, size_t size)
{
    if (n == 0 || size == 0 || n > SIZE_MAX / size)
        return NULL;
    return a->malloc(a->ctx, n * size);
}

/* On failure returns NULL and ptr stays valid (and owned by the caller). */
static inline void *ax__realloc(const ax_allocator *a, void *ptr, size_t size)
{
    return a->realloc(a->ctx, ptr, size);
}

static inline void *ax__realloc_array(const ax_allocator *a, void *ptr,
                                      size_t n, size_t size)
{
    if (n == 0 || size == 0 || n > SIZE_MAX / size)
        return NULL;
    return a->realloc(a->ctx, ptr, n * size);
}

/* Grows an array of *cap elements of `size` bytes (items NULL when *cap is
 * 0) so that it holds at least `need`, doubling from min_cap. Returns the
 * array, possibly moved, and updates *cap; new elements are uninitialised.
 * Returns NULL on overflow or allocation failure, leaving items and *cap as
 * they were. Every growable table in axle goes through here. */
void *ax__array_grow(const ax_allocator *a, void *items, size_t *cap, size_t need,
                     size_t size, size_t min_cap);

/* NULL is allowed and ignored, so cleanup paths stay short. */
static inline void ax__free(const ax_allocator *a, void *ptr)
{
    if (ptr != NULL)
        a->free(a->ctx, ptr);
}

#endif /* AXLE_BASE_ALLOC_H */
