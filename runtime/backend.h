/*
 * Private: the interface between the loop and a reactor backend.
 *
 * A readiness backend (epoll, poll, kqueue) keeps the interest set and
 * reports which descriptors are ready; the loop owns everything else. Each
 * backend is one file, backend_<name>.c, with no knowledge of watchers,
 * timers or posts. docs/runtime.md describes how kqueue and a completion
 * backend (IOCP) fit this interface.
 */
#ifndef AXLE_RUNTIME_BACKEND_H
#define AXLE_RUNTIME_BACKEND_H

#include "axle/runtime.h"

/* One harvested event. fd is set to -1 when the watcher is stopped before
 * the event is dispatched (see ax_io_stop). */
typedef struct ax__event {
    int fd;
    unsigned events; /* AX_READABLE | AX_WRITABLE | AX_ERROR | AX_HANGUP */
} ax__event;

typedef struct ax__backend_ops {
    const char *name;
    /* Creates the backend's state in loop->backend (with loop->alloc). */
    int (*init)(ax_loop *loop);
    void (*destroy)(ax_loop *loop);
    /* Changes fd's registration from old to new interest (AX_READABLE |
     * AX_WRITABLE); old 0 adds, new 0 removes. Removing never fails. */
    int (*update)(ax_loop *loop, int fd, unsigned old_interest,
                  unsigned new_interest);
    /* Waits up to timeout_ms (-1: no limit) and stores at most max ready
     * descriptors in out. Returns how many, 0 when interrupted by a signal,
     * or a negative AX_E code. */
    int (*wait)(ax_loop *loop, int timeout_ms, ax__event *out, int max);
    /* A descriptor that is readable while events are pending, or AX_ENOTSUP. */
    int (*fd)(const ax_loop *loop);
} ax__backend_ops;

#ifdef __linux__
extern const ax__backend_ops ax__backend_epoll;
#endif
extern const ax__backend_ops ax__backend_poll;

#endif /* AXLE_RUNTIME_BACKEND_H */
