/*
 * Driving an axle loop from someone else's event loop: here a plain poll(2)
 * loop written in the test, which knows nothing of axle but the backend
 * descriptor, the timeout, and "process what is ready".
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "axle/runtime.h"
#include "support/suite.h"

AX_SUITE(embed);

typedef struct state {
    int read_seen, timer_seen, post_seen;
    ax_loop *loop;
} state;

static void on_read(ax_io *io, unsigned events, void *ud)
{
    (void)events;
    char buf[16];
    if (read(io->fd, buf, sizeof(buf)) > 0)
        ((state *)ud)->read_seen++;
    ax_io_stop(io);
}

static void on_timer(ax_timer *t, void *ud)
{
    (void)t;
    ((state *)ud)->timer_seen++;
}

static void on_post(void *ud)
{
    ((state *)ud)->post_seen++;
}

static void *poster(void *arg)
{
    state *s = arg;
    cr_assert_eq(ax_loop_post(s->loop, on_post, s), 0);
    return NULL;
}

Test(embed, a_foreign_poll_loop_drives_axle)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    int fd = ax_loop_backend_fd(loop);
    if (strcmp(ax_loop_backend_name(loop), "poll") == 0) {
        cr_assert_eq(fd, AX_ENOTSUP, "the poll backend has no descriptor to give");
        cr_assert_eq(ax_loop_free(loop), 0);
        return;
    }
    cr_assert_geq(fd, 0);

    state s = {0, 0, 0, loop};
    int p[2];
    cr_assert_eq(pipe(p), 0);
    ax_io io;
    ax_io_init(loop, &io, p[0], on_read, &s);
    cr_assert_eq(ax_io_start(&io, AX_READABLE), 0);
    ax_timer t;
    ax_timer_init(loop, &t);
    cr_assert_eq(ax_timer_start(&t, 20, 0, on_timer, &s), 0);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, poster, &s), 0);
    cr_assert_eq(write(p[1], "x", 1), 1);

    /* The foreign loop: it also has a descriptor of its own to watch. */
    int mine[2];
    cr_assert_eq(pipe(mine), 0);
    int foreign_events = 0;
    cr_assert_eq(write(mine[1], "y", 1), 1);
    for (int round = 0; round < 200; round++) {
        if (s.read_seen && s.timer_seen && s.post_seen && foreign_events)
            break;
        struct pollfd fds[2] = {{fd, POLLIN, 0}, {mine[0], POLLIN, 0}};
        int timeout = ax_loop_backend_timeout(loop);
        cr_assert_geq(timeout, -1);
        if (timeout < 0 || timeout > 100)
            timeout = 100; /* the foreign loop's own cap */
        int n = poll(fds, 2, timeout);
        cr_assert_geq(n, 0);
        if (fds[1].revents & POLLIN) {
            char c;
            cr_assert_eq(read(mine[0], &c, 1), 1);
            foreign_events++;
        }
        /* Whether woken by the descriptor or by the timeout: process. */
        cr_assert_geq(ax_loop_run(loop, AX_RUN_NOWAIT), 0);
    }
    pthread_join(th, NULL);
    cr_assert_eq(s.read_seen, 1);
    cr_assert_eq(s.timer_seen, 1);
    cr_assert_eq(s.post_seen, 1);
    cr_assert_eq(foreign_events, 1);
    cr_assert_eq(ax_loop_backend_timeout(loop), -1, "nothing left to time");
    cr_assert_eq(ax_loop_free(loop), 0);
    close(p[0]);
    close(p[1]);
    close(mine[0]);
    close(mine[1]);
}

Test(embed, the_backend_fd_is_readable_exactly_when_axle_has_io)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    int fd = ax_loop_backend_fd(loop);
    if (fd < 0) {
        cr_assert_eq(ax_loop_free(loop), 0);
        return;
    }
    int p[2];
    cr_assert_eq(pipe(p), 0);
    state s = {0, 0, 0, loop};
    ax_io io;
    ax_io_init(loop, &io, p[0], on_read, &s);
    cr_assert_eq(ax_io_start(&io, AX_READABLE), 0);
    struct pollfd pfd = {fd, POLLIN, 0};
    cr_assert_eq(poll(&pfd, 1, 0), 0, "nothing ready yet");
    cr_assert_eq(write(p[1], "x", 1), 1);
    cr_assert_eq(poll(&pfd, 1, 1000), 1);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 0);
    cr_assert_eq(s.read_seen, 1);
    cr_assert_eq(poll(&pfd, 1, 0), 0, "drained");
    cr_assert_eq(ax_loop_free(loop), 0);
    close(p[0]);
    close(p[1]);
}
