/*
 * The hpack-test-case stories (../shared/corpus/hpack, or $AXLE_CORPUS):
 * every block encoded by nghttp2 and by go-hpack must decode to exactly the
 * header list raw-data/ gives for it, one decoder per story as one
 * connection would have; and our encoder's blocks for the raw-data lists
 * must decode back to the same lists. Skipped when the corpus is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axle/hpack.h"
#include "hpack/hpack_test.h"
#include "support/suite.h"

AX_SUITE(hpack_corpus);

#define STORIES 32

static tj *load_story(const char *dir, int n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/story_%02d.json", dir, n);
    size_t len;
    char *text = ax_test_read_file(path, &len);
    cr_assert_not_null(text, "cannot read %s", path);
    tj *doc = tj_parse(text, len);
    cr_assert_not_null(doc, "%s: bad JSON", path);
    free(text);
    return doc;
}

static const tj *cases_of(const tj *doc)
{
    const tj *cases = tj_get(doc, "cases");
    cr_assert(cases != NULL && cases->kind == TJ_ARR);
    return cases->child;
}

/* Compares a decoded list with a case's "headers": [{name: value}, ...]. */
static void check_list(const th_list *l, const tj *c, const char *where)
{
    const tj *headers = tj_get(c, "headers");
    cr_assert(headers != NULL && headers->kind == TJ_ARR);
    size_t i = 0;
    for (const tj *h = headers->child; h != NULL; h = h->next, i++) {
        const tj *kv = h->child;
        cr_assert(kv != NULL && kv->kind == TJ_STR);
        cr_assert_lt(i, l->count, "%s: only %zu fields decoded", where, l->count);
        const th_field *f = &l->fields[i];
        cr_assert(f->name_len == kv->key_len && memcmp(f->name, kv->key, kv->key_len) == 0,
                  "%s field %zu: name '%s', want '%s'", where, i, f->name, kv->key);
        cr_assert(f->value_len == kv->len && memcmp(f->value, kv->str, kv->len) == 0,
                  "%s field %zu (%s): value '%s', want '%s'", where, i, f->name, f->value, kv->str);
    }
    cr_assert_eq(i, l->count, "%s: %zu fields decoded, want %zu", where, l->count, i);
}

static void decode_set(const char *set)
{
    char buf[512], rbuf[512];
    const char *dir = th_corpus_dir(buf, sizeof(buf), set);
    const char *raw_dir = th_corpus_dir(rbuf, sizeof(rbuf), "raw-data");
    if (dir == NULL || raw_dir == NULL)
        cr_skip_test("corpus not found (set AXLE_CORPUS)");
    size_t blocks = 0, fields = 0;
    th_list l = {0};
    for (int s = 0; s < STORIES; s++) {
        tj *doc = load_story(dir, s), *raw = load_story(raw_dir, s);
        ax_hpack_decoder d;
        cr_assert_eq(ax_hpack_decoder_init(&d, NULL), 0);
        const tj *rc = cases_of(raw);
        for (const tj *c = cases_of(doc); c != NULL; c = c->next, rc = rc->next) {
            cr_assert_not_null(rc, "%s story %d has more cases than raw-data", set, s);
            const tj *size = tj_get(c, "header_table_size");
            if (size != NULL && (size_t)size->num > ax_hpack_decoder_table_limit(&d))
                cr_assert_eq(ax_hpack_decoder_set_max_table_size(&d, (size_t)size->num), 0);
            const tj *wire = tj_get(c, "wire");
            cr_assert(wire != NULL && wire->kind == TJ_STR);
            /* Exactly the block's size: under AddressSanitizer a read past
             * its end (the Huffman decoder loads eight octets at a time)
             * would be caught. */
            size_t cap = wire->len / 2 > 0 ? wire->len / 2 : 1;
            unsigned char *bytes = malloc(cap);
            size_t len = th_hex(wire->str, bytes, cap);
            th_list_clear(&l);
            char where[64];
            snprintf(where, sizeof(where), "%s story %d block %zu", set, s, blocks);
            int r = th_decode(&d, bytes, len, &l);
            cr_assert_eq(r, 0, "%s: %s (%s)", where, ax_err_name(r), ax_hpack_decoder_error(&d, NULL));
            check_list(&l, rc, where);
            check_list(&l, c, where);
            fields += l.count;
            blocks++;
            free(bytes);
        }
        ax_hpack_decoder_free(&d);
        tj_free(doc);
        tj_free(raw);
    }
    th_list_free(&l);
    /* The corpus README's totals: all of it was seen. */
    cr_assert_eq(blocks, 3384);
    cr_assert_eq(fields, 39359);
}

Test(hpack_corpus, nghttp2_stories_decode_to_raw_data)
{
    decode_set("nghttp2");
}

Test(hpack_corpus, go_hpack_stories_decode_to_raw_data)
{
    decode_set("go-hpack");
}

/* Our encoder on the raw-data lists, at four table sizes (0: no table at
 * all) and with Huffman coding off at one, decoded back. */
Test(hpack_corpus, raw_data_round_trips_through_our_encoder)
{
    char rbuf[512];
    const char *raw_dir = th_corpus_dir(rbuf, sizeof(rbuf), "raw-data");
    if (raw_dir == NULL)
        cr_skip_test("corpus not found (set AXLE_CORPUS)");
    static const size_t sizes[] = {4096, 256, 65536, 0, 4096};
    th_list l = {0};
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    for (int s = 0; s < STORIES; s++) {
        tj *raw = load_story(raw_dir, s);
        for (size_t z = 0; z < 5; z++) {
            ax_hpack_encoder e;
            ax_hpack_encoder_options eo;
            ax_hpack_encoder_options_init(&eo);
            eo.max_table_size = sizes[z];
            eo.huffman = z != 4;
            cr_assert_eq(ax_hpack_encoder_init(&e, &eo), 0);
            ax_hpack_decoder d;
            ax_hpack_decoder_options o;
            ax_hpack_decoder_options_init(&o);
            o.max_table_size = sizes[z];
            cr_assert_eq(ax_hpack_decoder_init(&d, &o), 0);
            cr_assert_eq(ax_hpack_encoder_set_peer_max_table_size(&e, sizes[z]), 0);
            for (const tj *c = cases_of(raw); c != NULL; c = c->next) {
                ax_hpack_field fields[256];
                size_t n = 0;
                for (const tj *h = tj_get(c, "headers")->child; h != NULL; h = h->next, n++) {
                    cr_assert_lt(n, 256);
                    fields[n].name = ax_slice_make(h->child->key, h->child->key_len);
                    fields[n].value = ax_slice_make(h->child->str, h->child->len);
                    fields[n].flags = 0;
                }
                ax_bytes_mut_clear(&out);
                cr_assert_eq(ax_hpack_encode(&e, fields, n, &out), 0);
                ax_slice block = ax_bytes_mut_view(&out);
                th_list_clear(&l);
                int r = th_decode(&d, block.ptr, block.len, &l);
                cr_assert_eq(r, 0, "story %d size %zu: %s (%s)", s, sizes[z], ax_err_name(r),
                             ax_hpack_decoder_error(&d, NULL));
                check_list(&l, c, "round trip");
                cr_assert_eq(ax_hpack_decoder_table_size(&d), ax_hpack_encoder_table_size(&e));
            }
            ax_hpack_encoder_free(&e);
            ax_hpack_decoder_free(&d);
        }
        tj_free(raw);
    }
    ax_bytes_mut_free(&out);
    th_list_free(&l);
}
