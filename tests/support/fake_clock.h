/*
 * A clock the test moves by hand, for loops created with it: timers fire
 * when the test says time has passed, never because the machine was slow.
 */
#ifndef AXLE_TEST_FAKE_CLOCK_H
#define AXLE_TEST_FAKE_CLOCK_H

#include <stdint.h>

#include "axle/runtime.h"

typedef struct fake_clock {
    uint64_t ns;
} fake_clock;

static inline uint64_t fake_clock_read(void *ud)
{
    return ((fake_clock *)ud)->ns;
}

static inline void fake_clock_advance_ms(fake_clock *c, uint64_t ms)
{
    c->ns += ms * 1000000u;
}

/* Loop options using c, starting at an arbitrary non-zero time. */
static inline void fake_clock_options(fake_clock *c, ax_loop_options *o)
{
    c->ns = UINT64_C(1000000000) * 1000u + 12345678u; /* not 64 ms aligned */
    ax_loop_options_init(o);
    o->clock_ns = fake_clock_read;
    o->clock_ud = c;
}

#endif /* AXLE_TEST_FAKE_CLOCK_H */
