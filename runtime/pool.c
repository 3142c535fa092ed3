/*
 * The thread pool: N workers around one bounded FIFO of caller-embedded
 * ax_work. A finished (or cancelled) item goes back to its loop through the
 * loop's inbox (post.c), where its done callback runs.
 *
 * States of an ax_work, all changed under the pool's mutex except the last:
 *   IDLE -> QUEUED (submit) -> RUNNING (a worker took it) -> FINISHED
 *   QUEUED -> FINISHED (cancel)
 *   FINISHED -> IDLE (its loop ran done; loop thread, no lock needed)
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "runtime/loop.h"
#include "runtime/pool_internal.h"

enum { WORK_IDLE = 0, WORK_QUEUED, WORK_RUNNING, WORK_FINISHED };

#define DEFAULT_MAX_QUEUED 65536

struct ax_pool {
    const ax_allocator *alloc;
    pthread_mutex_t mu;
    pthread_cond_t wake;       /* signalled when work arrives or on shutdown */
    ax_work *head, *tail;      /* queued, oldest first */
    size_t queued, max_queued;
    bool shutting_down;
    unsigned nthreads;
    pthread_t *threads;
};

void ax_pool_options_init(ax_pool_options *o)
{
    memset(o, 0, sizeof(*o));
    o->max_queued = DEFAULT_MAX_QUEUED;
}

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 1024 ? 1024 : (unsigned)n;
}

/* Unlinks w from the queue. Lock held. */
static void queue_remove(ax_pool *p, ax_work *w)
{
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        p->head = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    else
        p->tail = w->prev;
    w->next = w->prev = NULL;
    p->queued--;
}

static void queue_append(ax_pool *p, ax_work *w)
{
    w->next = NULL;
    w->prev = p->tail;
    if (p->tail != NULL)
        p->tail->next = w;
    else
        p->head = w;
    p->tail = w;
    p->queued++;
}

static void *worker_main(void *arg)
{
    ax_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->head == NULL && !p->shutting_down)
            pthread_cond_wait(&p->wake, &p->mu);
        if (p->head == NULL)
            break; /* shutting down and drained */
        ax_work *w = p->head;
        queue_remove(p, w);
        w->state = WORK_RUNNING;
        pthread_mutex_unlock(&p->mu);

        w->work(w, w->ud);

        pthread_mutex_lock(&p->mu);
        w->state = WORK_FINISHED;
        w->status = 0;
        /* Hand back under the lock so ax_pool_cancel never sees a
         * FINISHED item that is not yet on its way to the loop. */
        ax__loop_complete_work(w->loop, w);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Workers run with every signal blocked: signals are for the application's
 * threads (and axle's signal watchers), never for a pool thread. */
static int start_worker(pthread_t *t, ax_pool *p)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(t, NULL, worker_main, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc == 0 ? 0 : ax_err_from_errno(rc);
}

/* Lock held: refuses new work and wakes the workers, which finish what is
 * queued and exit. */
static void begin_shutdown(ax_pool *p)
{
    p->shutting_down = true;
    pthread_cond_broadcast(&p->wake);
}

static void join_workers(ax_pool *p, unsigned started)
{
    for (unsigned i = 0; i < started; i++)
        pthread_join(p->threads[i], NULL);
}

static void stop_workers(ax_pool *p, unsigned started)
{
    pthread_mutex_lock(&p->mu);
    begin_shutdown(p);
    pthread_mutex_unlock(&p->mu);
    join_workers(p, started);
}

static void pool_release(ax_pool *p)
{
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
    ax__free(p->alloc, p->threads);
    ax__free(p->alloc, p);
}

int ax_pool_new(const ax_pool_options *o, ax_pool **out)
{
    ax_pool_options defaults;
    if (o == NULL) {
        ax_pool_options_init(&defaults);
        o = &defaults;
    }
    const ax_allocator *a = ax__allocator_or_default(o->allocator);
    ax_pool *p = ax__malloc(a, sizeof(*p));
    if (p == NULL)
        return AX_ENOMEM;
    memset(p, 0, sizeof(*p));
    p->alloc = a;
    p->max_queued = o->max_queued == 0 ? DEFAULT_MAX_QUEUED : o->max_queued;
    p->nthreads = o->threads == 0 ? online_cpus() : o->threads;
    p->threads = ax__malloc_array(a, p->nthreads, sizeof(pthread_t));
    if (p->threads == NULL) {
        ax__free(a, p);
        return AX_ENOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    for (unsigned i = 0; i < p->nthreads; i++) {
        int rc = start_worker(&p->threads[i], p);
        if (rc < 0) {
            stop_workers(p, i);
            pool_release(p);
            return rc;
        }
    }
    *out = p;
    return 0;
}

void ax_work_init(ax_work *w)
{
    memset(w, 0, sizeof(*w));
}

int ax_pool_submit(ax_pool *p, ax_loop *loop, ax_work *w, ax_work_fn work,
                   ax_work_done_cb done, void *ud)
{
    if (work == NULL || done == NULL)
        return AX_EINVAL;
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    if (w->pool != NULL)
        rc = AX_EBUSY; /* submitted and its done callback has not run */
    else if (p->shutting_down)
        rc = AX_ESTATE;
    else if (p->queued >= p->max_queued)
        rc = AX_ELIMIT;
    if (rc == 0) {
        w->pool = p;
        w->loop = loop;
        w->work = work;
        w->done = done;
        w->ud = ud;
        w->status = 0;
        w->state = WORK_QUEUED;
        queue_append(p, w);
        ax__loop_activate(loop);
        pthread_cond_signal(&p->wake);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* Lock held: w leaves the queue and goes to its loop as cancelled. */
static void cancel_queued(ax_pool *p, ax_work *w)
{
    queue_remove(p, w);
    w->state = WORK_FINISHED;
    w->status = AX_ECANCELED;
    ax__loop_complete_work(w->loop, w);
}

int ax_pool_cancel(ax_work *w)
{
    ax_pool *p = w->pool;
    if (p == NULL)
        return AX_EINVAL;
    pthread_mutex_lock(&p->mu);
    int rc;
    if (w->state == WORK_QUEUED) {
        cancel_queued(p, w);
        rc = 0;
    } else {
        rc = w->state == WORK_IDLE ? AX_EINVAL : AX_EBUSY;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void ax__work_complete(ax_loop *loop, ax_work *w)
{
    /* The pool may be gone by now (ax_pool_free does not wait for loops to
     * collect completions), so only w's own fields are used. */
    w->state = WORK_IDLE;
    w->pool = NULL;
    ax__loop_deactivate(loop);
    w->done(w, w->status, w->ud);
}

void ax_pool_free(ax_pool *p, ax_pool_shutdown how)
{
    if (p == NULL)
        return;
    /* One critical section: a submit from another loop's thread cannot slip
     * in between the cancellations and the refusal of new work, to be run
     * by the workers when AX_POOL_CANCEL was asked for. */
    pthread_mutex_lock(&p->mu);
    if (how == AX_POOL_CANCEL) {
        while (p->head != NULL)
            cancel_queued(p, p->head);
    }
    begin_shutdown(p);
    pthread_mutex_unlock(&p->mu);
    join_workers(p, p->nthreads);
    pool_release(p);
}
