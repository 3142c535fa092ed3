/*
 * Encoder and decoder together: randomized header lists under changing
 * table sizes must decode to what was encoded, flags included, with both
 * tables always the same size; and every allocation failure, in either,
 * must come back as AX_ENOMEM (decoder) or a still-correct block (encoder,
 * which sends without indexing when its table cannot grow), leaking nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axle/hpack.h"
#include "hpack/hpack_test.h"
#include "support/suite.h"
#include "support/test_alloc.h"

AX_SUITE(hpack_roundtrip);

static uint64_t rng(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

static const char *const names[] = {
    ":method", ":path", ":status", "content-type", "cookie", "authorization", "date",
    "x-custom", "set-cookie", "content-length", "user-agent", "accept", ":authority", "",
};

static const char *const values[] = {
    "GET", "/", "/index.html?q=1", "200", "text/html", "", "gzip, deflate", "a=b",
    "Mon, 21 Oct 2013 20:13:21 GMT", "\x00\x01\xff binary", "https://www.example.com",
};

typedef struct gen {
    ax_hpack_field fields[32];
    char store[32][2][6000];
    size_t n;
} gen;

static ax_slice random_string(uint64_t *s, char *buf, bool name)
{
    uint64_t kind = rng(s) % 10;
    if (kind < 6) {
        const char *w = name ? names[rng(s) % (sizeof(names) / sizeof(names[0]))]
                             : values[rng(s) % (sizeof(values) / sizeof(values[0]))];
        size_t len = strlen(w);
        if (!name && w == values[9])
            len = 10; /* with its NUL */
        memcpy(buf, w, len);
        return ax_slice_make(buf, len);
    }
    size_t len = kind == 9 ? rng(s) % 5000 : rng(s) % 40;
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)(kind == 8 ? rng(s) % 256 : 'a' + rng(s) % 26);
    return ax_slice_make(buf, len);
}

static void generate(gen *g, uint64_t *s)
{
    g->n = rng(s) % 20;
    for (size_t i = 0; i < g->n; i++) {
        g->fields[i].name = random_string(s, g->store[i][0], true);
        g->fields[i].value = random_string(s, g->store[i][1], false);
        uint64_t f = rng(s) % 10;
        g->fields[i].flags = f == 0 ? AX_HPACK_NEVER_INDEXED : f == 1 ? AX_HPACK_NO_INDEX : 0;
    }
}

static void check(const gen *g, const th_list *l)
{
    cr_assert_eq(l->count, g->n);
    for (size_t i = 0; i < g->n; i++) {
        const ax_hpack_field *f = &g->fields[i];
        const th_field *t = &l->fields[i];
        cr_assert(t->name_len == f->name.len && memcmp(t->name, f->name.ptr, f->name.len) == 0,
                  "field %zu name", i);
        cr_assert(t->value_len == f->value.len && memcmp(t->value, f->value.ptr, f->value.len) == 0,
                  "field %zu value", i);
        bool never = f->flags & AX_HPACK_NEVER_INDEXED;
        if (never)
            cr_assert(t->flags & AX_HPACK_NEVER_INDEXED, "field %zu lost never-indexed", i);
    }
}

Test(hpack_roundtrip, random_lists_under_changing_table_sizes)
{
    static const size_t sizes[] = {0, 1, 64, 256, 4096, 8192, 65536};
    static gen g;
    uint64_t seed = 12345;
    ax_hpack_encoder_options eo;
    ax_hpack_encoder_options_init(&eo);
    eo.max_table_size = 65536;
    ax_hpack_encoder e;
    cr_assert_eq(ax_hpack_encoder_init(&e, &eo), 0);
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.max_header_list_size = 1 << 20;
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, &o), 0);
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    th_list l = {0};
    for (int block = 0; block < 600; block++) {
        if (rng(&seed) % 8 == 0) {
            size_t size = sizes[rng(&seed) % 7];
            if (rng(&seed) % 2) { /* a dip below, then the new size */
                size_t dip = sizes[rng(&seed) % 7];
                cr_assert_eq(ax_hpack_encoder_set_peer_max_table_size(&e, dip), 0);
            }
            cr_assert_eq(ax_hpack_encoder_set_peer_max_table_size(&e, size), 0);
            if (size > ax_hpack_decoder_table_limit(&d) || size < ax_hpack_decoder_table_limit(&d))
                cr_assert_eq(ax_hpack_decoder_set_max_table_size(&d, size > 65536 ? 65536 : size), 0);
        }
        generate(&g, &seed);
        ax_bytes_mut_clear(&out);
        cr_assert_eq(ax_hpack_encode(&e, g.fields, g.n, &out), 0);
        ax_slice b = ax_bytes_mut_view(&out);
        th_list_clear(&l);
        int rc = th_decode(&d, b.ptr, b.len, &l);
        cr_assert_eq(rc, 0, "block %d: %s (%s)", block, ax_err_name(rc), ax_hpack_decoder_error(&d, NULL));
        check(&g, &l);
        cr_assert_eq(ax_hpack_decoder_table_size(&d), ax_hpack_encoder_table_size(&e), "block %d", block);
        cr_assert_eq(ax_hpack_decoder_table_limit(&d), ax_hpack_encoder_table_limit(&e), "block %d", block);
        cr_assert_leq(ax_hpack_encoder_table_size(&e), ax_hpack_encoder_table_limit(&e));
    }
    th_list_free(&l);
    ax_bytes_mut_free(&out);
    ax_hpack_encoder_free(&e);
    ax_hpack_decoder_free(&d);
}

Test(hpack_roundtrip, encoder_flags_choose_the_representation)
{
    ax_hpack_encoder e;
    cr_assert_eq(ax_hpack_encoder_init(&e, NULL), 0);
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    ax_hpack_field f = {ax_slice_make("x-secret", 8), ax_slice_make("hunter2", 7), AX_HPACK_NEVER_INDEXED};
    cr_assert_eq(ax_hpack_encode(&e, &f, 1, &out), 0);
    cr_assert_eq(ax_bytes_mut_view(&out).ptr[0] & 0xf0, 0x10, "never indexed literal");
    cr_assert_eq(ax_hpack_encoder_table_size(&e), 0);
    ax_bytes_mut_clear(&out);
    f.flags = AX_HPACK_NO_INDEX;
    cr_assert_eq(ax_hpack_encode(&e, &f, 1, &out), 0);
    cr_assert_eq(ax_bytes_mut_view(&out).ptr[0] & 0xf0, 0x00, "literal without indexing");
    cr_assert_eq(ax_hpack_encoder_table_size(&e), 0);
    ax_bytes_mut_clear(&out);
    f.flags = 0;
    cr_assert_eq(ax_hpack_encode(&e, &f, 1, &out), 0);
    cr_assert_eq(ax_bytes_mut_view(&out).ptr[0], 0x40, "literal with incremental indexing");
    ax_bytes_mut_clear(&out);
    cr_assert_eq(ax_hpack_encode(&e, &f, 1, &out), 0);
    cr_assert_eq(ax_bytes_mut_view(&out).len, 1, "now an index");
    cr_assert_eq(ax_bytes_mut_view(&out).ptr[0], 0xbe);
    /* Policy: credentials never indexed, even unflagged. */
    ax_bytes_mut_clear(&out);
    ax_hpack_field a = {ax_slice_make("authorization", 13), ax_slice_make("Basic Zm9v", 10), 0};
    cr_assert_eq(ax_hpack_encode(&e, &a, 1, &out), 0);
    cr_assert_eq(ax_bytes_mut_view(&out).ptr[0], 0x10 | 0x0f, "never indexed, name index 23");
    ax_bytes_mut_clear(&out);
    ax_hpack_field sc = {ax_slice_make("set-cookie", 10), ax_slice_make("id=a3fWa; Secure", 16), 0};
    cr_assert_eq(ax_hpack_encode(&e, &sc, 1, &out), 0);
    cr_assert_eq(ax_bytes_mut_view(&out).ptr[0], 0x10 | 0x0f, "set-cookie never indexed");
    cr_assert_eq(ax_bytes_mut_view(&out).ptr[1], 55 - 15, "name index 55");
    /* Volatile values go without indexing, and leave the table alone. */
    ax_bytes_mut_clear(&out);
    size_t before = ax_hpack_encoder_table_size(&e);
    ax_hpack_field cl = {ax_slice_make("content-length", 14), ax_slice_make("1234", 4), 0};
    cr_assert_eq(ax_hpack_encode(&e, &cl, 1, &out), 0);
    cr_assert_eq(ax_bytes_mut_view(&out).ptr[0], 0x0f, "without indexing, name index 28");
    cr_assert_eq(ax_hpack_encoder_table_size(&e), before);
    /* A lowered peer setting opens the next block with the size update. */
    ax_bytes_mut_clear(&out);
    cr_assert_eq(ax_hpack_encoder_set_peer_max_table_size(&e, 0), 0);
    cr_assert_eq(ax_hpack_encoder_set_peer_max_table_size(&e, 100), 0);
    cr_assert_eq(ax_hpack_encode(&e, NULL, 0, &out), 0);
    ax_slice v = ax_bytes_mut_view(&out);
    cr_assert_eq(v.len, 3);
    cr_assert_eq(v.ptr[0], 0x20, "first the minimum, 0");
    cr_assert_eq(v.ptr[1], 0x3f);
    cr_assert_eq(v.ptr[2], 100 - 31, "then the final size, 100");
    cr_assert_eq(ax_hpack_encoder_table_size(&e), 0);
    ax_bytes_mut_free(&out);
    ax_hpack_encoder_free(&e);
}

/* ---- allocation failures ----------------------------------------------------- */

static const char *const blocks[] = {
    "828684418cf1e3c2e5f23a6ba0ab90f4ff",
    "828684be5886a8eb10649cbf",
    "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
    "3f e1 1f 40 01 78 7f 80 01 " /* size update, then a 255-octet value */
    "61616161616161616161616161616161616161616161616161616161616161616161616161616161"
    "61616161616161616161616161616161616161616161616161616161616161616161616161616161"
    "61616161616161616161616161616161616161616161616161616161616161616161616161616161"
    "61616161616161616161616161616161616161616161616161616161616161616161616161616161"
    "61616161616161616161616161616161616161616161616161616161616161616161616161616161"
    "61616161616161616161616161616161616161616161616161616161616161616161616161616161"
    "616161616161616161616161616161",
};

static int decode_scenario(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.allocator = a;
    ax_hpack_decoder d;
    int rc = ax_hpack_decoder_init(&d, &o);
    for (size_t b = 0; rc == 0 && b < sizeof(blocks) / sizeof(blocks[0]); b++) {
        unsigned char wire[512];
        size_t len = th_hex(blocks[b], wire, sizeof(wire));
        th_list l = {0};
        rc = th_decode(&d, wire, len, &l);
        th_list_free(&l);
    }
    if (rc == AX_ENOMEM) {
        ax_hpack_field f;
        cr_assert_eq(ax_hpack_decoder_next(&d, &f), AX_ESTATE, "a decoder out of memory is done");
    }
    ax_hpack_decoder_free(&d);
    return rc;
}

Test(hpack_roundtrip, decoder_survives_every_allocation_failure)
{
    size_t allocs = ax_test_each_failure(decode_scenario, NULL);
    cr_assert_geq(allocs, 2, "the scenario must allocate (table, scratch)");
}

static int encode_scenario(const ax_allocator *a, void *ud)
{
    (void)ud;
    ax_hpack_encoder_options eo;
    ax_hpack_encoder_options_init(&eo);
    eo.allocator = a;
    eo.max_table_size = 8192;
    ax_hpack_encoder e;
    int rc = ax_hpack_encoder_init(&e, &eo);
    ax_hpack_decoder d;
    ax_hpack_decoder_init(&d, NULL);
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, a);
    uint64_t seed = 99;
    static gen g;
    for (int b = 0; rc == 0 && b < 12; b++) {
        if (b == 6) {
            ax_hpack_encoder_set_peer_max_table_size(&e, 8192); /* the table grows */
            ax_hpack_decoder_set_max_table_size(&d, 8192);
        }
        generate(&g, &seed);
        ax_bytes_mut_clear(&out);
        rc = ax_hpack_encode(&e, g.fields, g.n, &out);
        if (rc != 0)
            break; /* nothing was emitted: the decoder never sees this block */
        ax_slice v = ax_bytes_mut_view(&out);
        th_list l = {0};
        cr_assert_eq(th_decode(&d, v.ptr, v.len, &l), 0, "a block made under memory pressure must decode");
        check(&g, &l);
        th_list_free(&l);
        cr_assert_eq(ax_hpack_decoder_table_size(&d), ax_hpack_encoder_table_size(&e));
    }
    ax_bytes_mut_free(&out);
    ax_hpack_encoder_free(&e);
    ax_hpack_decoder_free(&d);
    return rc;
}

Test(hpack_roundtrip, encoder_survives_every_allocation_failure)
{
    size_t allocs = ax_test_each_failure(encode_scenario, NULL);
    cr_assert_geq(allocs, 2);
}
