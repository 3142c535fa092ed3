/*
 * Groups of loops: N threads, each running its own loop, started together
 * and stopped together. What a multi-core server needs: every loop opens its
 * own SO_REUSEPORT listener in setup, and the kernel spreads connections.
 */
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "runtime/loop.h"

typedef struct loop_member {
    ax_loop_group *group;
    unsigned index;
    pthread_t thread;
    ax_loop *loop;
    int setup_rc;
    int run_rc;
} loop_member;

struct ax_loop_group {
    const ax_allocator *alloc;
    ax_loop_group_options opts;
    pthread_mutex_t mu;
    pthread_cond_t ready;   /* a member finished its setup */
    unsigned nready;
    bool abort;             /* a setup failed: everyone stops */
    int error;              /* the first setup's error */
    unsigned n;
    loop_member members[];
};

void ax_loop_group_options_init(ax_loop_group_options *o)
{
    memset(o, 0, sizeof(*o));
    ax_loop_options_init(&o->loop);
}

static void report_ready(loop_member *m)
{
    ax_loop_group *g = m->group;
    pthread_mutex_lock(&g->mu);
    g->nready++;
    if (m->setup_rc < 0) {
        /* Recorded here, under the lock: the caller of ax_loop_group_start
         * may stop waiting before the other members have set up, so it must
         * not read their setup_rc. */
        if (!g->abort)
            g->error = m->setup_rc;
        g->abort = true;
    }
    pthread_cond_broadcast(&g->ready);
    pthread_mutex_unlock(&g->mu);
}

/* Waits until every member has reported; returns whether to run. */
static bool wait_for_all(ax_loop_group *g)
{
    pthread_mutex_lock(&g->mu);
    while (g->nready < g->n && !g->abort)
        pthread_cond_wait(&g->ready, &g->mu);
    bool run = !g->abort;
    pthread_mutex_unlock(&g->mu);
    return run;
}

static int first_error(ax_loop_group *g)
{
    pthread_mutex_lock(&g->mu);
    int rc = g->error;
    pthread_mutex_unlock(&g->mu);
    return rc;
}

/* Runs the loop until the group stops, then tears down and frees it. */
static void member_run(loop_member *m)
{
    ax_loop_group *g = m->group;
    if (wait_for_all(g)) {
        ax_loop_set_keepalive(m->loop, true);
        int rc = ax_loop_run(m->loop, AX_RUN_DEFAULT);
        m->run_rc = rc < 0 ? rc : 0;
        ax_loop_set_keepalive(m->loop, false);
    }
    if (g->opts.teardown != NULL)
        g->opts.teardown(m->loop, m->index, g->opts.ud);
    /* One more pass for what teardown deferred or posted. Teardown must stop
     * every handle setup started; if it did not, the loop cannot be freed and
     * the group reports AX_EBUSY rather than hang. */
    (void)ax_loop_run(m->loop, AX_RUN_NOWAIT);
}

static void member_forget_loop(loop_member *m)
{
    ax_loop_group *g = m->group;
    pthread_mutex_lock(&g->mu);
    ax_loop *loop = m->loop;
    m->loop = NULL; /* ax_loop_group_stop must not reach it any more */
    pthread_mutex_unlock(&g->mu);
    int rc = ax_loop_free(loop);
    if (rc < 0 && m->run_rc == 0)
        m->run_rc = rc;
}

static void *member_main(void *arg)
{
    loop_member *m = arg;
    ax_loop_group *g = m->group;
    ax_loop *loop = NULL;
    m->setup_rc = ax_loop_new(&g->opts.loop, &loop);
    pthread_mutex_lock(&g->mu);
    m->loop = loop;
    pthread_mutex_unlock(&g->mu);
    if (m->setup_rc == 0 && g->opts.setup != NULL) {
        int rc = g->opts.setup(m->loop, m->index, g->opts.ud);
        /* Only a negative return is a failure; a positive one must not
         * leave a member that neither runs nor aborts the group. */
        m->setup_rc = rc < 0 ? rc : 0;
    }
    report_ready(m);
    if (m->setup_rc == 0)
        member_run(m);
    if (m->loop != NULL)
        member_forget_loop(m);
    return NULL;
}

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 1024 ? 1024 : (unsigned)n;
}

int ax_loop_group_start(const ax_loop_group_options *o, ax_loop_group **out)
{
    unsigned n = o->loops == 0 ? online_cpus() : o->loops;
    const ax_allocator *a = ax__allocator_or_default(o->loop.allocator);
    ax_loop_group *g = ax__malloc(a, sizeof(*g) + n * sizeof(loop_member));
    if (g == NULL)
        return AX_ENOMEM;
    memset(g, 0, sizeof(*g) + n * sizeof(loop_member));
    g->alloc = a;
    g->opts = *o;
    g->n = n;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->ready, NULL);

    unsigned started = 0;
    int rc = 0;
    for (; started < n; started++) {
        loop_member *m = &g->members[started];
        m->group = g;
        m->index = started;
        int err = pthread_create(&m->thread, NULL, member_main, m);
        if (err != 0) {
            rc = ax_err_from_errno(err);
            break;
        }
    }
    if (rc < 0) {
        pthread_mutex_lock(&g->mu);
        g->abort = true;
        g->n = started; /* only these will report */
        pthread_cond_broadcast(&g->ready);
        pthread_mutex_unlock(&g->mu);
    } else if (!wait_for_all(g)) {
        rc = first_error(g);
    }
    if (rc < 0) {
        ax_loop_group_stop(g);
        ax_loop_group_join(g);
        return rc;
    }
    *out = g;
    return 0;
}

ax_loop *ax_loop_group_loop(ax_loop_group *g, unsigned i)
{
    return i < g->n ? g->members[i].loop : NULL;
}

unsigned ax_loop_group_size(const ax_loop_group *g)
{
    return g->n;
}

void ax_loop_group_stop(ax_loop_group *g)
{
    /* Under the lock, so that no member frees its loop meanwhile. */
    pthread_mutex_lock(&g->mu);
    for (unsigned i = 0; i < g->n; i++) {
        if (g->members[i].loop != NULL)
            ax_loop_stop_async(g->members[i].loop);
    }
    pthread_mutex_unlock(&g->mu);
}

int ax_loop_group_join(ax_loop_group *g)
{
    int rc = 0;
    for (unsigned i = 0; i < g->n; i++) {
        pthread_join(g->members[i].thread, NULL);
        if (rc == 0 && g->members[i].run_rc < 0)
            rc = g->members[i].run_rc;
    }
    pthread_cond_destroy(&g->ready);
    pthread_mutex_destroy(&g->mu);
    ax__free(g->alloc, g);
    return rc;
}
