/*
 * axle/runtime.h — the event loop: IO watchers, timers, cross-thread posts,
 * deferred callbacks, signals and the thread pool.
 *
 * (Being written; see issue "runtime". Only the timer link is defined so far.)
 */
#ifndef AXLE_RUNTIME_H
#define AXLE_RUNTIME_H

#include <stdint.h>

#include "axle/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Private: a timer's place in its loop's timer wheel (runtime/timer_wheel.h).
 * Embedded in ax_timer so that starting a timer never allocates. */
typedef struct ax__timer_link {
    struct ax__timer_link *prev;
    struct ax__timer_link *next;
    uint64_t deadline;          /* ms on the loop's clock */
    uint32_t where;             /* which list holds it; see timer_wheel.h */
} ax__timer_link;

#ifdef __cplusplus
}
#endif

#endif /* AXLE_RUNTIME_H */
