/*
 * Private: how the thread pool hands finished work back to a loop.
 */
#ifndef AXLE_RUNTIME_POOL_INTERNAL_H
#define AXLE_RUNTIME_POOL_INTERNAL_H

#include "axle/runtime.h"

/* Any thread: queues w on its loop's inbox and wakes the loop (post.c). */
void ax__loop_complete_work(ax_loop *loop, ax_work *w);

/* Loop thread: runs w's done callback (pool.c). */
void ax__work_complete(ax_loop *loop, ax_work *w);

#endif /* AXLE_RUNTIME_POOL_INTERNAL_H */
