/*
 * HPACK: axle's decoder and encoder against nghttp2's (nghttp2_hd_inflate_*
 * and nghttp2_hd_deflate_*), on the hpack-test-case stories of
 * ../shared/corpus/hpack (AXLE_CORPUS overrides the corpus root).
 *
 *   decode   the blocks of nghttp2/ (indexing + Huffman when shorter) and
 *            of go-hpack/ (Huffman literals, no table use);
 *   encode   the header lists of raw-data/, and the total size of what each
 *            encoder produced for them.
 *
 * Each story is one connection: a fresh decoder or encoder (table size
 * 4096 for both libraries) decodes or encodes its blocks in order. A round
 * runs the whole set REPS times; the two libraries alternate round by round
 * (bench.h) and the medians are printed with their ratio. Rates count the
 * octets of header names and values (MB/s) and header fields per second.
 * The consumer of both decoders folds each name's and value's length and
 * first and last octets into a checksum (which must agree between them):
 * that proves every field was really produced, without timing a consumer's
 * own work on top of the decoders'.
 */
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "axle/hpack.h"
#include "bench.h"

#ifdef AX_HAVE_NGHTTP2
#include <nghttp2/nghttp2.h>
#endif

#define STORIES 32
#define ROUNDS 11
#define REPS 8

/* ---- the corpus: a small JSON reader for the story files ------------------ */

typedef struct field {
    char *name, *value;
    size_t name_len, value_len;
} field;

typedef struct story_case {
    unsigned char *wire; /* decode sets */
    size_t wire_len;
    field *fields;
    size_t nfields;
} story_case;

typedef struct story {
    story_case *cases;
    size_t ncases;
} story;

typedef struct corpus {
    story stories[STORIES];
    size_t blocks, fields, octets, wire_octets;
} corpus;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "hpack bench: out of memory\n");
        exit(1);
    }
    return p;
}

/* The story files are regular: strings with the escapes \" \\ \/ \uXXXX
 * (ASCII only here). This reads a string at p (after the quote). */
static char *json_string(const char **pp, size_t *len)
{
    const char *p = *pp;
    size_t n = 0, cap = 64;
    char *out = xmalloc(cap);
    for (; *p != '"'; p++) {
        if (n + 4 >= cap) {
            cap *= 2;
            out = realloc(out, cap);
            if (out == NULL)
                exit(1);
        }
        if (*p != '\\') {
            out[n++] = *p;
            continue;
        }
        p++;
        if (*p == 'u') {
            out[n++] = (char)strtol((char[]){p[1], p[2], p[3], p[4], 0}, NULL, 16);
            p += 4;
        } else {
            out[n++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
        }
    }
    out[n] = '\0';
    *len = n;
    *pp = p + 1;
    return out;
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Reads one story: every "wire" and every "headers" list, in order. */
static void load_story(const char *path, story *st, corpus *c, bool want_wire)
{
    size_t len;
    char *text = bench_read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "hpack bench: cannot read %s\n", path);
        exit(1);
    }
    size_t cap = 16;
    st->cases = xmalloc(cap * sizeof(story_case));
    st->ncases = 0;
    const char *p = strstr(text, "\"cases\"");
    while (p != NULL && (p = strstr(p, "\"headers\"")) != NULL) {
        if (st->ncases == cap) {
            cap *= 2;
            st->cases = realloc(st->cases, cap * sizeof(story_case));
        }
        story_case *sc = &st->cases[st->ncases++];
        memset(sc, 0, sizeof(*sc));
        /* "wire" may come before or after "headers" within the case:
         * look back to the case's opening brace. */
        if (want_wire) {
            const char *w = p;
            while (w > text && strncmp(w, "\"wire\"", 6) != 0 && *w != '{')
                w--;
            if (*w == '{')
                w = strstr(p, "\"wire\"");
            w = strchr(w + 6, '"') + 1;
            const char *e = strchr(w, '"');
            sc->wire_len = (size_t)(e - w) / 2;
            sc->wire = xmalloc(sc->wire_len);
            for (size_t i = 0; i < sc->wire_len; i++)
                sc->wire[i] = (unsigned char)(hexval(w[2 * i]) << 4 | hexval(w[2 * i + 1]));
            c->wire_octets += sc->wire_len;
        }
        p = strchr(p, '[') + 1;
        size_t fcap = 16;
        sc->fields = xmalloc(fcap * sizeof(field));
        for (;;) {
            while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')
                p++;
            if (*p == ']')
                break;
            /* { "name": "value" } */
            p = strchr(p, '"') + 1;
            if (sc->nfields == fcap) {
                fcap *= 2;
                sc->fields = realloc(sc->fields, fcap * sizeof(field));
            }
            field *f = &sc->fields[sc->nfields++];
            f->name = json_string(&p, &f->name_len);
            p = strchr(p, '"') + 1;
            f->value = json_string(&p, &f->value_len);
            p = strchr(p, '}') + 1;
            c->fields++;
            c->octets += f->name_len + f->value_len;
        }
        c->blocks++;
    }
    free(text);
}

static bool load_set(const char *root, const char *set, corpus *c)
{
    memset(c, 0, sizeof(*c));
    for (int s = 0; s < STORIES; s++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/hpack/%s/story_%02d.json", root, set, s);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            return false;
        fclose(f);
        load_story(path, &c->stories[s], c, strcmp(set, "raw-data") != 0);
    }
    return true;
}

/* ---- axle ------------------------------------------------------------------ */

typedef struct job {
    corpus *c;
    uint64_t checksum;
    size_t encoded; /* octets the last encode round produced */
} job;

static uint64_t sum_bytes(const unsigned char *p, size_t n)
{
    return n == 0 ? 1 : n + p[0] + p[n - 1];
}

static double axle_decode(void *ctx)
{
    job *j = ctx;
    uint64_t t0 = bench_now_ns();
    for (int r = 0; r < REPS; r++) {
        for (int s = 0; s < STORIES; s++) {
            story *st = &j->c->stories[s];
            ax_hpack_decoder d;
            ax_hpack_decoder_init(&d, NULL);
            for (size_t i = 0; i < st->ncases; i++) {
                ax_hpack_decoder_begin(&d, st->cases[i].wire, st->cases[i].wire_len);
                ax_hpack_field f;
                int rc;
                while ((rc = ax_hpack_decoder_next(&d, &f)) == 1)
                    j->checksum += sum_bytes(f.name.ptr, f.name.len) +
                                   sum_bytes(f.value.ptr, f.value.len);
                if (rc != 0) {
                    fprintf(stderr, "axle decode failed: %s\n", ax_hpack_decoder_error(&d, NULL));
                    exit(1);
                }
            }
            ax_hpack_decoder_free(&d);
        }
    }
    return bench_rate((double)j->c->octets * REPS, bench_now_ns() - t0);
}

static ax_hpack_field **axle_fields;

static double axle_encode(void *ctx)
{
    job *j = ctx;
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    size_t total = 0;
    uint64_t t0 = bench_now_ns();
    for (int r = 0; r < REPS; r++) {
        total = 0;
        size_t k = 0;
        for (int s = 0; s < STORIES; s++) {
            story *st = &j->c->stories[s];
            ax_hpack_encoder e;
            ax_hpack_encoder_init(&e, NULL);
            for (size_t i = 0; i < st->ncases; i++, k++) {
                ax_bytes_mut_clear(&out);
                if (ax_hpack_encode(&e, axle_fields[k], st->cases[i].nfields, &out) != 0)
                    exit(1);
                total += ax_bytes_mut_view(&out).len;
            }
            ax_hpack_encoder_free(&e);
        }
    }
    uint64_t ns = bench_now_ns() - t0;
    ax_bytes_mut_free(&out);
    j->encoded = total;
    return bench_rate((double)j->c->octets * REPS, ns);
}

/* ---- nghttp2 ------------------------------------------------------------------ */

#ifdef AX_HAVE_NGHTTP2
static double ng_decode(void *ctx)
{
    job *j = ctx;
    uint64_t t0 = bench_now_ns();
    for (int r = 0; r < REPS; r++) {
        for (int s = 0; s < STORIES; s++) {
            story *st = &j->c->stories[s];
            nghttp2_hd_inflater *inf;
            if (nghttp2_hd_inflate_new(&inf) != 0)
                exit(1);
            for (size_t i = 0; i < st->ncases; i++) {
                const uint8_t *in = st->cases[i].wire;
                size_t left = st->cases[i].wire_len;
                for (;;) {
                    nghttp2_nv nv;
                    int flags = 0;
                    ssize_t n = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, left, 1);
                    if (n < 0) {
                        fprintf(stderr, "nghttp2 decode failed\n");
                        exit(1);
                    }
                    in += n;
                    left -= (size_t)n;
                    if (flags & NGHTTP2_HD_INFLATE_EMIT)
                        j->checksum += sum_bytes(nv.name, nv.namelen) + sum_bytes(nv.value, nv.valuelen);
                    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
                        nghttp2_hd_inflate_end_headers(inf);
                        break;
                    }
                }
            }
            nghttp2_hd_inflate_del(inf);
        }
    }
    return bench_rate((double)j->c->octets * REPS, bench_now_ns() - t0);
}

static nghttp2_nv **ng_fields;

static double ng_encode(void *ctx)
{
    job *j = ctx;
    static uint8_t buf[1 << 20];
    size_t total = 0;
    uint64_t t0 = bench_now_ns();
    for (int r = 0; r < REPS; r++) {
        total = 0;
        size_t k = 0;
        for (int s = 0; s < STORIES; s++) {
            story *st = &j->c->stories[s];
            nghttp2_hd_deflater *def;
            if (nghttp2_hd_deflate_new(&def, 4096) != 0)
                exit(1);
            for (size_t i = 0; i < st->ncases; i++, k++) {
                ssize_t n = nghttp2_hd_deflate_hd(def, buf, sizeof(buf), ng_fields[k],
                                                         st->cases[i].nfields);
                if (n < 0)
                    exit(1);
                total += (size_t)n;
            }
            nghttp2_hd_deflate_del(def);
        }
    }
    uint64_t ns = bench_now_ns() - t0;
    j->encoded = total;
    return bench_rate((double)j->c->octets * REPS, ns);
}
#endif

/* ---- report -------------------------------------------------------------------- */

static void print_line(const char *what, const corpus *c, double axle, double peer, bool have_peer)
{
    double per_field = (double)c->fields / (double)c->octets; /* fields per octet */
    printf("%-22s axle %8.1f MB/s %7.2f M headers/s", what, axle / 1e6, axle * per_field / 1e6);
    if (have_peer)
        printf("   nghttp2 %8.1f MB/s %7.2f M headers/s   axle/nghttp2 %.2fx", peer / 1e6,
               peer * per_field / 1e6, axle / peer);
    printf("\n");
}

int main(void)
{
    const char *root = bench_corpus_root();
    static corpus sets[3];
    const char *names[3] = {"nghttp2", "go-hpack", "raw-data"};
    for (int i = 0; i < 3; i++) {
        if (!load_set(root, names[i], &sets[i])) {
            printf("hpack: corpus not found under %s/hpack (set AXLE_CORPUS); nothing measured\n", root);
            return 0;
        }
    }
#ifndef AX_HAVE_NGHTTP2
    printf("nghttp2: not installed, comparator skipped\n");
#endif
    printf("hpack: %zu stories per set, %zu blocks, %zu header fields, %zu octets of names and values;"
           " %d rounds of %d passes, medians\n",
           (size_t)STORIES, sets[2].blocks, sets[2].fields, sets[2].octets, ROUNDS, REPS);

    for (int i = 0; i < 2; i++) {
        job a = {&sets[i], 0, 0};
        char what[64];
        snprintf(what, sizeof(what), "decode %s (%zu KB)", names[i], sets[i].wire_octets / 1024);
#ifdef AX_HAVE_NGHTTP2
        job b = {&sets[i], 0, 0};
        bench_ab r = bench_alternate(axle_decode, &a, ng_decode, &b, ROUNDS);
        if (a.checksum / (ROUNDS + 1) != b.checksum / (ROUNDS + 1))
            printf("warning: the decoders disagree (checksums %llu, %llu)\n",
                   (unsigned long long)a.checksum, (unsigned long long)b.checksum);
        print_line(what, &sets[i], r.a, r.b, true);
#else
        double m;
        bench_interleave((bench_round_fn[]){axle_decode}, (void *[]){&a}, 1, ROUNDS, &m);
        print_line(what, &sets[i], m, 0, false);
#endif
    }

    corpus *raw = &sets[2];
    axle_fields = xmalloc(raw->blocks * sizeof(*axle_fields));
#ifdef AX_HAVE_NGHTTP2
    ng_fields = xmalloc(raw->blocks * sizeof(*ng_fields));
#endif
    size_t k = 0;
    for (int s = 0; s < STORIES; s++) {
        for (size_t i = 0; i < raw->stories[s].ncases; i++, k++) {
            story_case *sc = &raw->stories[s].cases[i];
            axle_fields[k] = xmalloc(sc->nfields * sizeof(ax_hpack_field));
            for (size_t f = 0; f < sc->nfields; f++) {
                axle_fields[k][f].name = ax_slice_make(sc->fields[f].name, sc->fields[f].name_len);
                axle_fields[k][f].value = ax_slice_make(sc->fields[f].value, sc->fields[f].value_len);
                axle_fields[k][f].flags = 0;
            }
#ifdef AX_HAVE_NGHTTP2
            ng_fields[k] = xmalloc(sc->nfields * sizeof(nghttp2_nv));
            for (size_t f = 0; f < sc->nfields; f++) {
                ng_fields[k][f].name = (uint8_t *)sc->fields[f].name;
                ng_fields[k][f].namelen = sc->fields[f].name_len;
                ng_fields[k][f].value = (uint8_t *)sc->fields[f].value;
                ng_fields[k][f].valuelen = sc->fields[f].value_len;
                ng_fields[k][f].flags = NGHTTP2_NV_FLAG_NONE;
            }
#endif
        }
    }
    job a = {raw, 0, 0};
#ifdef AX_HAVE_NGHTTP2
    job b = {raw, 0, 0};
    bench_ab r = bench_alternate(axle_encode, &a, ng_encode, &b, ROUNDS);
    print_line("encode raw-data", raw, r.a, r.b, true);
    printf("encoded size           axle %zu octets   nghttp2 %zu octets   axle/nghttp2 %.4f\n",
           a.encoded, b.encoded, (double)a.encoded / (double)b.encoded);
#else
    double m;
    bench_interleave((bench_round_fn[]){axle_encode}, (void *[]){&a}, 1, ROUNDS, &m);
    print_line("encode raw-data", raw, m, 0, false);
    printf("encoded size           axle %zu octets\n", a.encoded);
#endif
    return 0;
}
