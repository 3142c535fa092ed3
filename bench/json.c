/*
 * JSON parse and write throughput on the nativejson-benchmark corpus
 * (../shared/corpus/json: twitter, citm_catalog, canada), axle against cJSON
 * and jansson when they are installed (AX_HAVE_CJSON, AX_HAVE_JANSSON).
 *
 * parse       MB/s of input turned into a document, freeing excluded (each
 *             document is freed after its clock stops)
 * parse+free  the same with freeing inside the clock
 * write       MB/s of input size, from a parsed document to compact text
 *             (axle into a reused ax_bytes_mut; cJSON_PrintUnformatted and
 *             json_dumps allocate their output, which is freed in the clock)
 *
 * `bench/json [NAME]` runs only the files whose name contains NAME.
 * Subjects alternate round by round; medians of the rounds are printed with
 * axle's ratio to each peer (above 1: axle is faster).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axle/bytes.h"
#include "axle/json.h"
#include "bench.h"

#ifdef AX_HAVE_CJSON
#include <cJSON.h>
#endif
#ifdef AX_HAVE_JANSSON
#include <jansson.h>
#endif

#define ROUNDS 11
#define ROUND_BYTES (8u << 20) /* input bytes processed per round */

typedef struct input {
    const char *name;
    char *text;
    size_t len;
    size_t reps; /* documents per round */
} input;

typedef struct subject {
    const char *name;
    double (*parse)(const input *in, bool with_free);
    double (*write)(const input *in);
} subject;

/* ---- axle --------------------------------------------------------------- */

static double axle_parse(const input *in, bool with_free)
{
    uint64_t total = 0;
    for (size_t i = 0; i < in->reps; i++) {
        ax_json_doc *doc;
        uint64_t t0 = bench_now_ns();
        if (ax_json_parse(in->text, in->len, NULL, &doc, NULL) != 0)
            abort();
        if (with_free)
            ax_json_doc_free(doc);
        total += bench_now_ns() - t0;
        if (!with_free)
            ax_json_doc_free(doc);
    }
    return bench_rate((double)in->len * (double)in->reps / 1e6, total);
}

static double axle_write(const input *in)
{
    ax_json_doc *doc;
    if (ax_json_parse(in->text, in->len, NULL, &doc, NULL) != 0)
        abort();
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    uint64_t total = 0;
    for (size_t i = 0; i < in->reps; i++) {
        ax_bytes_mut_clear(&out);
        uint64_t t0 = bench_now_ns();
        if (ax_json_write(ax_json_doc_root(doc), NULL, &out) != 0)
            abort();
        total += bench_now_ns() - t0;
    }
    ax_bytes_mut_free(&out);
    ax_json_doc_free(doc);
    return bench_rate((double)in->len * (double)in->reps / 1e6, total);
}

/* ---- cJSON -------------------------------------------------------------- */

#ifdef AX_HAVE_CJSON
static double cjson_parse(const input *in, bool with_free)
{
    uint64_t total = 0;
    for (size_t i = 0; i < in->reps; i++) {
        uint64_t t0 = bench_now_ns();
        cJSON *j = cJSON_ParseWithLength(in->text, in->len);
        if (j == NULL)
            abort();
        if (with_free)
            cJSON_Delete(j);
        total += bench_now_ns() - t0;
        if (!with_free)
            cJSON_Delete(j);
    }
    return bench_rate((double)in->len * (double)in->reps / 1e6, total);
}

static double cjson_write(const input *in)
{
    cJSON *j = cJSON_ParseWithLength(in->text, in->len);
    if (j == NULL)
        abort();
    uint64_t total = 0;
    for (size_t i = 0; i < in->reps; i++) {
        uint64_t t0 = bench_now_ns();
        char *s = cJSON_PrintUnformatted(j);
        if (s == NULL)
            abort();
        free(s);
        total += bench_now_ns() - t0;
    }
    cJSON_Delete(j);
    return bench_rate((double)in->len * (double)in->reps / 1e6, total);
}
#endif

/* ---- jansson ------------------------------------------------------------ */

#ifdef AX_HAVE_JANSSON
static double jansson_parse(const input *in, bool with_free)
{
    uint64_t total = 0;
    for (size_t i = 0; i < in->reps; i++) {
        json_error_t err;
        uint64_t t0 = bench_now_ns();
        json_t *j = json_loadb(in->text, in->len, 0, &err);
        if (j == NULL)
            abort();
        if (with_free)
            json_decref(j);
        total += bench_now_ns() - t0;
        if (!with_free)
            json_decref(j);
    }
    return bench_rate((double)in->len * (double)in->reps / 1e6, total);
}

static double jansson_write(const input *in)
{
    json_error_t err;
    json_t *j = json_loadb(in->text, in->len, 0, &err);
    if (j == NULL)
        abort();
    uint64_t total = 0;
    for (size_t i = 0; i < in->reps; i++) {
        uint64_t t0 = bench_now_ns();
        char *s = json_dumps(j, JSON_COMPACT);
        if (s == NULL)
            abort();
        free(s);
        total += bench_now_ns() - t0;
    }
    json_decref(j);
    return bench_rate((double)in->len * (double)in->reps / 1e6, total);
}
#endif

static const subject subjects[] = {
    {"axle", axle_parse, axle_write},
#ifdef AX_HAVE_CJSON
    {"cJSON", cjson_parse, cjson_write},
#endif
#ifdef AX_HAVE_JANSSON
    {"jansson", jansson_parse, jansson_write},
#endif
};
#define NSUBJ (sizeof(subjects) / sizeof(subjects[0]))

/* ---- rounds ------------------------------------------------------------- */

typedef struct job {
    const subject *s;
    const input *in;
    int what; /* 0 parse, 1 parse+free, 2 write */
} job;

static double run_job(void *ctx)
{
    const job *j = ctx;
    if (j->what == 2)
        return j->s->write(j->in);
    return j->s->parse(j->in, j->what == 1);
}

static int load(const char *dir, input *in)
{
    char path[2100];
    snprintf(path, sizeof(path), "%s/%s", dir, in->name);
    in->text = bench_read_file(path, &in->len);
    if (in->text == NULL)
        return -1;
    in->reps = ROUND_BYTES / in->len + 1;
    return 0;
}

int main(int argc, char **argv)
{
    /* optional: a file name to run only that file (while tuning) */
    const char *only = argc > 1 ? argv[1] : NULL;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/json", bench_corpus_root());
    input inputs[3] = {{"twitter.json", 0, 0, 0}, {"citm_catalog.json", 0, 0, 0},
                       {"canada.json", 0, 0, 0}};
#ifndef AX_HAVE_CJSON
    printf("cJSON: not installed, comparator skipped\n");
#endif
#ifndef AX_HAVE_JANSSON
    printf("jansson: not installed, comparator skipped\n");
#endif
    static const char *const what_name[3] = {"parse", "parse+free", "write"};
    printf("%-18s %-10s", "file", "test");
    for (size_t s = 0; s < NSUBJ; s++)
        printf(" %10s", subjects[s].name);
    printf("   (MB/s, medians of %d rounds)\n", ROUNDS);
    for (int f = 0; f < 3; f++) {
        if (only != NULL && strstr(inputs[f].name, only) == NULL)
            continue;
        if (load(dir, &inputs[f]) != 0) {
            printf("%s/%s: not found, benchmark skipped\n", dir, inputs[f].name);
            return 0;
        }
        for (int w = 0; w < 3; w++) {
            job jobs[NSUBJ];
            bench_round_fn fns[NSUBJ];
            void *ctxs[NSUBJ];
            double med[NSUBJ];
            for (size_t s = 0; s < NSUBJ; s++) {
                jobs[s] = (job){&subjects[s], &inputs[f], w};
                fns[s] = run_job;
                ctxs[s] = &jobs[s];
            }
            bench_interleave(fns, ctxs, NSUBJ, ROUNDS, med);
            printf("%-18s %-10s", inputs[f].name, what_name[w]);
            for (size_t s = 0; s < NSUBJ; s++)
                printf(" %10.1f", med[s]);
            for (size_t s = 1; s < NSUBJ; s++)
                printf("   axle/%s %.2fx", subjects[s].name, med[s] > 0 ? med[0] / med[s] : 0.0);
            printf("\n");
            fflush(stdout);
        }
        free(inputs[f].text);
    }
    return 0;
}
