/*
 * JSON number conversions alone (json/num_parse.c, json/num_format.c) against
 * libc: ax__json_parse_number against strtod, ax__json_format_double against
 * snprintf("%.17g") (the usual way to print a double that reads back; it is
 * not the shortest, so axle also writes fewer bytes).
 *
 * Two sets of numbers:
 *   canada     every number in ../shared/corpus/json/canada.json (GeoJSON
 *              coordinates, mostly 15-17 significant digits), as written
 *   random     1M random finite doubles (random bit patterns, fixed seed),
 *              parsed from their %.17g text
 * The numbers sit in one buffer separated by commas; axle is given the rest
 * of the buffer as its length, as a document parser does, and strtod finds
 * the end itself.
 * "handover" reads as json/parse.c does inside a document: the integer part
 * byte by byte, then ax__json_parse_number_after_int from the '.'.
 * Each line gives the median nanoseconds per number of each subject over
 * interleaved rounds (axle, libc, axle, libc, ...) and libc/axle (above 1:
 * axle is faster). AXLE_CORPUS overrides the corpus root; without canada.json
 * the random set still runs.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "json/num.h"

#define ROUNDS 15
#define RANDOM_COUNT 1000000u

typedef struct numbers {
    const char *name;
    char *text;        /* the numbers, each followed by a ',' */
    size_t text_len;
    size_t *start;     /* where each number begins in text */
    uint32_t *len;     /* its length */
    double *value;     /* its value */
    size_t count;
} numbers;

static volatile uint64_t sink; /* keeps results alive */

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* ---- subjects ------------------------------------------------------------ */

static double run_axle_parse(void *ctx)
{
    const numbers *n = ctx;
    uint64_t acc = 0, t0 = bench_now_ns();
    for (size_t i = 0; i < n->count; i++) {
        ax__json_num v;
        /* the rest of the text as the length, as inside a document */
        acc += (uint64_t)ax__json_parse_number(n->text + n->start[i], n->text_len - n->start[i], &v);
        acc ^= v.v.u;
    }
    uint64_t t = bench_now_ns() - t0;
    sink ^= acc;
    return bench_rate((double)n->count, t);
}

/* As json/parse.c reads a number inside a document: the integer part byte
 * by byte, then, at a '.', the rest handed over with its value. */
static double run_axle_handover(void *ctx)
{
    const numbers *n = ctx;
    uint64_t acc = 0, t0 = bench_now_ns();
    for (size_t i = 0; i < n->count; i++) {
        const char *s = n->text + n->start[i], *d0 = s + (*s == '-'), *q = d0;
        size_t rest = n->text_len - n->start[i];
        uint64_t w = 0;
        unsigned dig;
        while ((dig = (unsigned)(unsigned char)*q - '0') <= 9) {
            w = w * 10 + dig;
            q++;
        }
        ax__json_num v;
        int r = *q == '.' && q > d0 && (*d0 != '0' || q - d0 == 1)
                    ? ax__json_parse_number_after_int(s, rest, (size_t)(q - s), w, &v)
                    : ax__json_parse_number(s, rest, &v);
        acc += (uint64_t)r;
        acc ^= v.v.u;
    }
    uint64_t t = bench_now_ns() - t0;
    sink ^= acc;
    return bench_rate((double)n->count, t);
}

static double run_strtod(void *ctx)
{
    const numbers *n = ctx;
    uint64_t acc = 0, t0 = bench_now_ns();
    for (size_t i = 0; i < n->count; i++) {
        char *end;
        double d = strtod(n->text + n->start[i], &end);
        acc += (uint64_t)(end - n->text);
        acc ^= bits_of(d);
    }
    uint64_t t = bench_now_ns() - t0;
    sink ^= acc;
    return bench_rate((double)n->count, t);
}

static double run_axle_format(void *ctx)
{
    const numbers *n = ctx;
    char buf[64];
    uint64_t acc = 0, t0 = bench_now_ns();
    for (size_t i = 0; i < n->count; i++) {
        size_t len = ax__json_format_double(n->value[i], buf);
        acc += len + (unsigned char)buf[len - 1];
    }
    uint64_t t = bench_now_ns() - t0;
    sink ^= acc;
    return bench_rate((double)n->count, t);
}

static double run_snprintf(void *ctx)
{
    const numbers *n = ctx;
    char buf[64];
    uint64_t acc = 0, t0 = bench_now_ns();
    for (size_t i = 0; i < n->count; i++) {
        int len = snprintf(buf, sizeof buf, "%.17g", n->value[i]);
        acc += (uint64_t)len + (unsigned char)buf[len - 1];
    }
    uint64_t t = bench_now_ns() - t0;
    sink ^= acc;
    return bench_rate((double)n->count, t);
}

/* ---- the number sets ------------------------------------------------------- */

static bool numbers_alloc(numbers *n, size_t count, size_t text_cap)
{
    n->text = malloc(text_cap);
    n->start = malloc(count * sizeof *n->start);
    n->len = malloc(count * sizeof *n->len);
    n->value = malloc(count * sizeof *n->value);
    n->count = 0;
    n->text_len = 0;
    return n->text && n->start && n->len && n->value;
}

static void numbers_free(numbers *n)
{
    free(n->text);
    free(n->start);
    free(n->len);
    free(n->value);
}

/* Appends text[0..len) as the next number (values come from axle's parser,
 * which the tests hold to strtod's results). */
static void numbers_add(numbers *n, size_t *used, const char *text, size_t len)
{
    memcpy(n->text + *used, text, len);
    n->text[*used + len] = ',';
    ax__json_num v;
    int r = ax__json_parse_number(text, len, &v);
    double d = v.kind == AX__JSON_NUM_DOUBLE ? v.v.d : v.kind == AX__JSON_NUM_INT64 ? (double)v.v.i : (double)v.v.u;
    n->start[n->count] = *used;
    n->len[n->count] = (uint32_t)len;
    n->value[n->count] = r > 0 ? d : 0.0;
    n->count++;
    *used += len + 1;
    n->text_len = *used;
}

/* Every number token outside strings in a JSON text. */
static bool load_canada(numbers *n, const char *root)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/json/canada.json", root);
    size_t len;
    char *json = bench_read_file(path, &len);
    if (!json)
        return false;
    if (!numbers_alloc(n, len / 2 + 1, len + 1)) {
        free(json);
        return false;
    }
    n->name = "canada";
    size_t used = 0;
    for (size_t i = 0; i < len;) {
        char c = json[i];
        if (c == '"') { /* skip a string */
            for (i++; i < len && json[i] != '"'; i++)
                i += json[i] == '\\';
            i++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t j = i;
            while (j < len && strchr("-+.eE0123456789", json[j]))
                j++;
            numbers_add(n, &used, json + i, j - i);
            i = j;
        } else {
            i++;
        }
    }
    free(json);
    return n->count > 0;
}

static bool load_random(numbers *n)
{
    if (!numbers_alloc(n, RANDOM_COUNT, (size_t)RANDOM_COUNT * 26))
        return false;
    n->name = "random";
    uint64_t s = 2026, used = 0;
    while (n->count < RANDOM_COUNT) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double d;
        memcpy(&d, &s, sizeof d);
        if (!isfinite(d))
            continue;
        char buf[32];
        int len = snprintf(buf, sizeof buf, "%.17g", d);
        numbers_add(n, &used, buf, (size_t)len);
    }
    return true;
}

/* ---- main ------------------------------------------------------------------ */

static void compare(const char *what, const numbers *n, bench_round_fn axle, bench_round_fn libc,
                    const char *libc_name)
{
    bench_ab r = bench_alternate(axle, (void *)n, libc, (void *)n, ROUNDS);
    printf("%-7s %-8s  axle %6.1f ns/number   %-17s %6.1f ns/number   libc/axle %5.2fx\n", n->name, what,
           1e9 / r.a, libc_name, 1e9 / r.b, r.ratio);
}

static void report(const numbers *n)
{
    char buf[64];
    size_t axle_bytes = 0, libc_bytes = 0;
    for (size_t i = 0; i < n->count; i++) {
        axle_bytes += ax__json_format_double(n->value[i], buf);
        libc_bytes += (size_t)snprintf(buf, sizeof buf, "%.17g", n->value[i]);
    }
    printf("%-7s %zu numbers; formatted: axle %.1f bytes/number, %%.17g %.1f\n", n->name, n->count,
           (double)axle_bytes / (double)n->count, (double)libc_bytes / (double)n->count);
    compare("parse", n, run_axle_parse, run_strtod, "strtod");
    compare("handover", n, run_axle_handover, run_strtod, "strtod");
    compare("format", n, run_axle_format, run_snprintf, "snprintf %.17g");
}

int main(void)
{
    const char *root = bench_corpus_root();
    numbers canada, random;
    if (load_canada(&canada, root)) {
        report(&canada);
        numbers_free(&canada);
    } else {
        printf("canada: %s/json/canada.json not found, set skipped\n", root);
    }
    if (!load_random(&random)) {
        fprintf(stderr, "json_num: out of memory\n");
        return 1;
    }
    report(&random);
    numbers_free(&random);
    return 0;
}
