/*
 * Helpers shared by the benchmark programs (one program per .c file in bench/):
 * a monotonic clock, medians, and an A/B runner that alternates its two
 * subjects round by round (A B A B ...), so that whatever drifts during a
 * run (CPU frequency, a noisy neighbour, page cache) touches both alike and
 * the ratio of their medians stays meaningful.
 */
#ifndef AXLE_BENCH_H
#define AXLE_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Nanoseconds on the monotonic clock. */
static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Per second, for `ops` operations that took `ns` nanoseconds. */
static inline double bench_rate(double ops, uint64_t ns)
{
    return ns == 0 ? 0.0 : ops * 1e9 / (double)ns;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of v[0..n) (n > 0); sorts v in place. */
static inline double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), bench_cmp_double);
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One round of a subject: does a fixed amount of work and returns its rate
 * (operations per second; larger is better). */
typedef double (*bench_round_fn)(void *ctx);

#define BENCH_MAX_ROUNDS 99
#define BENCH_MAX_SUBJECTS 8

/* Runs one untimed warm-up round of each of the n subjects, then rounds
 * of all of them in turn (S0 S1 ... S0 S1 ...), `rounds` times (at most
 * BENCH_MAX_ROUNDS), and writes each subject's median rate to medians[].
 * Interleaving puts every subject in the same stretch of time. */
static inline void bench_interleave(const bench_round_fn *fns, void *const *ctxs,
                                    size_t n, int rounds, double *medians)
{
    static double rates[BENCH_MAX_SUBJECTS][BENCH_MAX_ROUNDS];
    if (n > BENCH_MAX_SUBJECTS)
        n = BENCH_MAX_SUBJECTS;
    if (rounds > BENCH_MAX_ROUNDS)
        rounds = BENCH_MAX_ROUNDS;
    if (rounds < 1)
        rounds = 1;
    for (size_t s = 0; s < n; s++)
        fns[s](ctxs[s]);
    for (int r = 0; r < rounds; r++) {
        for (size_t s = 0; s < n; s++)
            rates[s][r] = fns[s](ctxs[s]);
    }
    for (size_t s = 0; s < n; s++)
        medians[s] = bench_median(rates[s], (size_t)rounds);
}

typedef struct bench_ab {
    double a;     /* median rate of A */
    double b;     /* median rate of B */
    double ratio; /* a / b: how many times faster A is */
} bench_ab;

/* A, B, A, B, ... after a warm-up of each: both medians and their ratio. */
static inline bench_ab bench_alternate(bench_round_fn a, void *actx,
                                       bench_round_fn b, void *bctx, int rounds)
{
    const bench_round_fn fns[2] = {a, b};
    void *const ctxs[2] = {actx, bctx};
    double m[2];
    bench_interleave(fns, ctxs, 2, rounds, m);
    bench_ab r = {m[0], m[1], m[1] > 0 ? m[0] / m[1] : 0.0};
    return r;
}

/* The benchmark corpus: $AXLE_CORPUS, else ../shared/corpus (relative to
 * the repository, where make bench runs). A user's clone has none; each
 * benchmark then says so and exits 0. */
static inline const char *bench_corpus_root(void)
{
    const char *root = getenv("AXLE_CORPUS");
    return root != NULL && root[0] != '\0' ? root : "../shared/corpus";
}

/* Reads a whole file into malloc'd memory with a NUL after it (*len does
 * not count it); NULL if it cannot be read. */
static inline char *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n + 1);
    size_t got = buf != NULL ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (buf == NULL || got != (size_t)n) {
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}

#endif /* AXLE_BENCH_H */
