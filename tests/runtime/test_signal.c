#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "axle/runtime.h"
#include "support/suite.h"

AX_SUITE(signal);

typedef struct got {
    int count;
    int signum;
    bool stop_loop;
} got;

static void on_sig(ax_signal *s, int signum, void *ud)
{
    got *g = ud;
    g->count++;
    g->signum = signum;
    if (g->stop_loop)
        ax_signal_stop(s);
}

static ax_loop *new_loop(void)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    return loop;
}

/* Runs the loop until g has seen `want` deliveries (bounded). */
static void run_until(ax_loop *loop, const got *g, int want)
{
    for (int i = 0; i < 100 && g->count < want; i++)
        ax_loop_run(loop, AX_RUN_ONCE);
}

Test(signal, int_term_hup_become_callbacks)
{
    ax_loop *loop = new_loop();
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        ax_signal s;
        got g = {0, 0, false};
        ax_signal_init(loop, &s);
        cr_assert_eq(ax_signal_start(&s, sigs[i], on_sig, &g), 0);
        cr_assert(ax_signal_is_active(&s));
        cr_assert_eq(raise(sigs[i]), 0);
        run_until(loop, &g, 1);
        cr_assert_eq(g.count, 1, "signal %d not delivered", sigs[i]);
        cr_assert_eq(g.signum, sigs[i]);
        ax_signal_stop(&s);
        ax_signal_stop(&s);
    }
    cr_assert_eq(ax_loop_free(loop), 0);
}

static void *raise_from_thread(void *arg)
{
    (void)arg;
    kill(getpid(), SIGUSR1);
    return NULL;
}

Test(signal, delivered_whatever_thread_the_kernel_picks)
{
    ax_loop *loop = new_loop();
    ax_signal s;
    got g = {0, 0, false};
    ax_signal_init(loop, &s);
    cr_assert_eq(ax_signal_start(&s, SIGUSR1, on_sig, &g), 0);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, raise_from_thread, NULL), 0);
    pthread_join(t, NULL);
    run_until(loop, &g, 1);
    cr_assert_eq(g.count, 1);
    ax_signal_stop(&s);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(signal, every_watcher_on_every_loop_is_told)
{
    ax_loop *a = new_loop(), *b = new_loop();
    ax_signal s1, s2, s3;
    got g1 = {0, 0, false}, g2 = {0, 0, false}, g3 = {0, 0, false};
    ax_signal_init(a, &s1);
    ax_signal_init(a, &s2);
    ax_signal_init(b, &s3);
    cr_assert_eq(ax_signal_start(&s1, SIGUSR2, on_sig, &g1), 0);
    cr_assert_eq(ax_signal_start(&s2, SIGUSR2, on_sig, &g2), 0);
    cr_assert_eq(ax_signal_start(&s3, SIGUSR2, on_sig, &g3), 0);
    cr_assert_eq(raise(SIGUSR2), 0);
    run_until(a, &g2, 1);
    run_until(b, &g3, 1);
    cr_assert_eq(g1.count, 1);
    cr_assert_eq(g2.count, 1);
    cr_assert_eq(g3.count, 1);
    ax_signal_stop(&s1);
    ax_signal_stop(&s2);
    ax_signal_stop(&s3);
    cr_assert_eq(ax_loop_free(a), 0);
    cr_assert_eq(ax_loop_free(b), 0);
}

static void previous_handler(int signum)
{
    (void)signum;
}

Test(signal, the_previous_disposition_comes_back)
{
    struct sigaction mine, now;
    memset(&mine, 0, sizeof(mine));
    mine.sa_handler = previous_handler;
    sigaction(SIGUSR1, &mine, NULL);

    ax_loop *loop = new_loop();
    ax_signal s;
    got g = {0, 0, true};
    ax_signal_init(loop, &s);
    cr_assert_eq(ax_signal_start(&s, SIGUSR1, on_sig, &g), 0);
    sigaction(SIGUSR1, NULL, &now);
    cr_assert(now.sa_handler != previous_handler, "axle owns it while watched");
    cr_assert_eq(raise(SIGUSR1), 0);
    run_until(loop, &g, 1);
    cr_assert_eq(g.count, 1);
    cr_assert_not(ax_signal_is_active(&s), "stopped itself in its callback");
    sigaction(SIGUSR1, NULL, &now);
    cr_assert(now.sa_handler == previous_handler, "not restored");
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(signal, misuse_is_refused)
{
    ax_loop *loop = new_loop();
    ax_signal s;
    got g = {0, 0, false};
    ax_signal_init(loop, &s);
    cr_assert_eq(ax_signal_start(&s, SIGKILL, on_sig, &g), AX_EINVAL);
    cr_assert_eq(ax_signal_start(&s, SIGSTOP, on_sig, &g), AX_EINVAL);
    cr_assert_eq(ax_signal_start(&s, 0, on_sig, &g), AX_EINVAL);
    cr_assert_eq(ax_signal_start(&s, 100000, on_sig, &g), AX_EINVAL);
    cr_assert_eq(ax_signal_start(&s, SIGHUP, NULL, &g), AX_EINVAL);
    cr_assert_eq(ax_signal_start(&s, SIGHUP, on_sig, &g), 0);
    cr_assert_eq(ax_signal_start(&s, SIGINT, on_sig, &g), AX_EBUSY);
    cr_assert_eq(ax_loop_free(loop), AX_EBUSY, "a signal watcher is a handle");
    ax_signal_stop(&s);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(signal, a_signal_before_start_is_not_reported)
{
    ax_loop *loop = new_loop();
    ax_signal s1, s2;
    got g1 = {0, 0, false}, g2 = {0, 0, false};
    ax_signal_init(loop, &s1);
    ax_signal_init(loop, &s2);
    cr_assert_eq(ax_signal_start(&s1, SIGHUP, on_sig, &g1), 0);
    cr_assert_eq(raise(SIGHUP), 0);
    cr_assert_eq(ax_signal_start(&s2, SIGHUP, on_sig, &g2), 0);
    run_until(loop, &g1, 1);
    ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(g1.count, 1);
    cr_assert_eq(g2.count, 0);
    ax_signal_stop(&s1);
    ax_signal_stop(&s2);
    cr_assert_eq(ax_loop_free(loop), 0);
}
