/*
 * A small deterministic generator for tests: a fixed seed gives the same
 * sequence on every run, so a failure found by a random sweep reproduces.
 */
#ifndef AXLE_TEST_RNG_H
#define AXLE_TEST_RNG_H

#include <stdint.h>

/* xorshift64 (Marsaglia); *state must not be 0. */
static inline uint64_t ax_test_rng(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

#endif /* AXLE_TEST_RNG_H */
