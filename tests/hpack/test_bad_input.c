/*
 * Hostile and broken header blocks, one test each: every one must end in a
 * precise decoding error (AX_EPROTO, a reason naming the rule, the offset of
 * the bad representation), after which the decoder refuses further use; or,
 * for a header list past the limit, in AX_ELIMIT at bounded cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axle/hpack.h"
#include "hpack/hpack_int.h"
#include "hpack/hpack_test.h"
#include "support/suite.h"
#include "support/test_alloc.h"

AX_SUITE(hpack_bad);

/* Decodes hex with a fresh decoder; expects AX_EPROTO with a reason that
 * contains `why` at offset `at`, and a decoder that then refuses work. */
static void expect_error(const char *hex, const char *why, size_t at)
{
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, NULL), 0);
    unsigned char wire[256];
    size_t len = th_hex(hex, wire, sizeof(wire));
    th_list l = {0};
    int rc = th_decode(&d, wire, len, &l);
    cr_assert_eq(rc, AX_EPROTO, "%s: got %s", hex, ax_err_name(rc));
    size_t off = 99;
    const char *reason = ax_hpack_decoder_error(&d, &off);
    cr_assert_not_null(reason);
    cr_assert_not_null(strstr(reason, why), "%s: reason '%s' lacks '%s'", hex, reason, why);
    cr_assert_eq(off, at, "%s: offset %zu, want %zu", hex, off, at);
    ax_hpack_field f;
    cr_assert_eq(ax_hpack_decoder_next(&d, &f), AX_ESTATE);
    cr_assert_eq(ax_hpack_decoder_begin(&d, "\x82", 1), AX_ESTATE, "a failed decoder stays failed");
    th_list_free(&l);
    ax_hpack_decoder_free(&d);
}

Test(hpack_bad, truncated_integers)
{
    expect_error("ff", "ends inside an integer", 0);          /* index, continuation missing */
    expect_error("82 1f 80", "ends inside an integer", 1);    /* continuation bit, no next octet */
    expect_error("00 7f", "ends inside an integer", 0);       /* string length cut short */
}

Test(hpack_bad, integers_past_2_to_the_32)
{
    /* 127 + 2^32: one past UINT32_MAX. */
    expect_error("ff 80 80 80 80 10", "above 2^32-1", 0);
    expect_error("ff ff ff ff ff 7f", "above 2^32-1", 0);
    /* Over-long: zero continuation octets that add nothing. */
    expect_error("ff 80 80 80 80 80 00", "longer than 6 octets", 0);
    /* A string length past 2^32. */
    expect_error("00 7f ff ff ff ff 7f", "above 2^32-1", 0);
}

Test(hpack_bad, string_length_past_the_end)
{
    expect_error("00 05 61 62", "past the end of the block", 0);
    expect_error("82 40 01 61 05 61", "past the end of the block", 1);
    expect_error("00 01 61", "ends before a string literal", 0); /* value missing */
    expect_error("00 85 ff ff", "past the end of the block", 0);   /* Huffman too */
}

Test(hpack_bad, huffman_eos_inside_a_string)
{
    /* EOS (30 ones) and two bits of padding. */
    expect_error("00 84 ff ff ff ff 00", "EOS", 0);
    /* 'a' then EOS then padding. */
    expect_error("00 01 61 85 1f ff ff ff ff", "EOS", 0);
}

Test(hpack_bad, huffman_padding_too_long)
{
    /* 'a' (00011) and 11 bits of ones. */
    expect_error("00 82 1f ff 00", "padding", 0);
    /* Eight ones alone: a whole octet of padding. */
    expect_error("00 81 ff 00", "padding", 0);
}

Test(hpack_bad, huffman_padding_not_ones)
{
    /* 'a' (00011) and 000. */
    expect_error("00 81 18 00", "padding", 0);
    /* '0' (00000) and 101. */
    expect_error("00 01 61 81 05", "padding", 0);
}

Test(hpack_bad, index_zero)
{
    expect_error("80", "index 0", 0);
    expect_error("82 80", "index 0", 1);
}

Test(hpack_bad, index_past_the_table)
{
    expect_error("be", "past the end of the dynamic table", 0);        /* 62, empty table */
    expect_error("40 01 61 01 62 bf", "past the end of the dynamic table", 5); /* 63, one entry */
    expect_error("7f 00 01 61", "past the end of the dynamic table", 0); /* name index 63 */
    expect_error("ff ff ff ff ff 07", "past the end of the dynamic table", 0); /* 2^31 + 126 */
}

Test(hpack_bad, size_update_after_a_field)
{
    expect_error("82 20", "after a header field", 1);
    expect_error("20 82 3f e1 1f", "after a header field", 2);
}

Test(hpack_bad, size_update_above_the_limit)
{
    expect_error("3f e2 1f", "above the limit", 0); /* 4097 > 4096 */
    /* 4096 itself is fine, and so are several updates before the fields. */
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, NULL), 0);
    unsigned char wire[16];
    size_t len = th_hex("20 3f e1 1f 82", wire, sizeof(wire));
    th_list l = {0};
    cr_assert_eq(th_decode(&d, wire, len, &l), 0);
    cr_assert_eq(ax_hpack_decoder_table_limit(&d), 4096);
    th_list_free(&l);
    ax_hpack_decoder_free(&d);
}

Test(hpack_bad, lowered_setting_requires_an_update)
{
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, NULL), 0);
    cr_assert_eq(ax_hpack_decoder_set_max_table_size(&d, 100), 0);
    th_list l = {0};
    unsigned char wire[16];
    size_t len = th_hex("82", wire, sizeof(wire));
    cr_assert_eq(th_decode(&d, wire, len, &l), AX_EPROTO);
    cr_assert_not_null(strstr(ax_hpack_decoder_error(&d, NULL), "size update"));
    ax_hpack_decoder_free(&d);

    cr_assert_eq(ax_hpack_decoder_init(&d, NULL), 0);
    cr_assert_eq(ax_hpack_decoder_set_max_table_size(&d, 100), 0);
    len = th_hex("3f 45 82", wire, sizeof(wire)); /* update to 100 */
    cr_assert_eq(th_decode(&d, wire, len, &l), 0);
    cr_assert_eq(ax_hpack_decoder_table_limit(&d), 100);
    th_list_free(&l);
    ax_hpack_decoder_free(&d);
}

/* The HPACK bomb: one 4 KB entry, then 10,000 one-octet references to it
 * (40 MB of header list from 10 KB of block). The decoder must stop
 * returning fields at the list limit, keep its table in sync (the next
 * block decodes), and allocate no more than its table, whatever the count. */
Test(hpack_bad, hpack_bomb_stops_at_the_list_limit_in_bounded_memory)
{
    enum { VALUE = 4096 - 32 - 1, REFS = 10000 };
    size_t len = 0;
    unsigned char *block = malloc(16 + VALUE + REFS);
    block[len++] = 0x40; /* literal with incremental indexing, new name */
    block[len++] = 0x01;
    block[len++] = 'x';
    block[len++] = 0x7f; /* value length 127 + ... */
    uint32_t v = VALUE - 127;
    while (v >= 128) {
        block[len++] = (unsigned char)(0x80 | (v & 0x7f));
        v >>= 7;
    }
    block[len++] = (unsigned char)v;
    memset(block + len, 'A', VALUE);
    len += VALUE;
    memset(block + len, 0xbe, REFS); /* index 62: the entry */
    len += REFS;

    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.allocator = &t.a;
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, &o), 0);
    cr_assert_eq(ax_hpack_decoder_begin(&d, block, len), 0);
    ax_hpack_field f;
    int rc;
    size_t returned = 0;
    while ((rc = ax_hpack_decoder_next(&d, &f)) == 1)
        returned++;
    cr_assert_eq(rc, AX_ELIMIT);
    /* 64 KB of list at 4 KB a field: 16 fields, no more. */
    cr_assert_eq(returned, AX_HPACK_DEFAULT_MAX_LIST_SIZE / (VALUE + 1 + 32));
    /* The table (twice its 4 KB limit, a few records) and nothing more:
     * 8,512 bytes when this was written. */
    cr_assert_lt(t.peak_bytes, 12 * 1024, "the bomb cost %zu bytes", t.peak_bytes);

    /* The table is intact: the next block uses the entry. */
    th_list l = {0};
    cr_assert_eq(th_decode(&d, "\xbe", 1, &l), 0);
    cr_assert_eq(l.count, 1);
    cr_assert_eq(l.fields[0].value_len, VALUE);
    th_list_free(&l);
    ax_hpack_decoder_free(&d);
    cr_assert_eq(t.live, 0);
    free(block);
}

/* A Huffman string far larger than any limit is measured, never stored. */
Test(hpack_bad, huge_huffman_literal_is_not_stored)
{
    enum { CODED = 200000 };
    unsigned char *block = malloc(CODED + 16);
    size_t len = 0;
    block[len++] = 0x00;
    block[len++] = 0x01;
    block[len++] = 'x';
    block[len++] = 0xff; /* Huffman, length 127 + ... */
    uint32_t v = CODED - 127;
    while (v >= 128) {
        block[len++] = (unsigned char)(0x80 | (v & 0x7f));
        v >>= 7;
    }
    block[len++] = (unsigned char)v;
    memset(block + len, 0x00, CODED); /* "00000000..." : 8 symbols per 5 octets */
    len += CODED;
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.allocator = &t.a;
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, &o), 0);
    th_list l = {0};
    cr_assert_eq(th_decode(&d, block, len, &l), AX_ELIMIT);
    cr_assert_eq(l.count, 0);
    cr_assert_lt(t.peak_bytes, 80 * 1024, "peak %zu", t.peak_bytes);
    th_list_free(&l);
    ax_hpack_decoder_free(&d);
    free(block);
}

Test(hpack_bad, misuse_is_a_state_error)
{
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, NULL), 0);
    ax_hpack_field f;
    cr_assert_eq(ax_hpack_decoder_next(&d, &f), AX_ESTATE, "no block begun");
    cr_assert_eq(ax_hpack_decoder_begin(&d, "\x82\x84", 2), 0);
    cr_assert_eq(ax_hpack_decoder_next(&d, &f), 1);
    cr_assert_eq(ax_hpack_decoder_begin(&d, "\x82", 1), AX_ESTATE, "previous block unfinished");
    cr_assert_eq(ax_hpack_decoder_set_max_table_size(&d, 10), AX_ESTATE);
    cr_assert_eq(ax_hpack_decoder_next(&d, &f), 1);
    cr_assert_eq(ax_hpack_decoder_next(&d, &f), 0);
    cr_assert_eq(ax_hpack_decoder_next(&d, &f), AX_ESTATE, "the block is over");
    cr_assert_null(ax_hpack_decoder_error(&d, NULL));
    ax_hpack_decoder_free(&d);

    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.max_header_list_size = 0;
    cr_assert_eq(ax_hpack_decoder_init(&d, &o), AX_EINVAL);
}

/* Section 4.4: a literal with incremental indexing may name an entry that
 * its own insertion evicts; the new entry must still get that name. The
 * table here is 100 octets: "name: v1" (38) then "name: <50 octets>" by
 * index 62 needs 86, so the named entry goes first. */
Test(hpack_bad, insertion_that_evicts_its_own_name)
{
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.max_table_size = 100;
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, &o), 0);
    unsigned char wire[128];
    size_t len = th_hex("40 04 6e616d65 02 7631", wire, sizeof(wire)); /* name: v1 */
    th_list l = {0};
    cr_assert_eq(th_decode(&d, wire, len, &l), 0);
    cr_assert_eq(ax_hpack_decoder_table_size(&d), 38);
    len = 0;
    wire[len++] = 0x7e; /* incremental indexing, name index 62 */
    wire[len++] = 50;
    memset(wire + len, 'z', 50);
    len += 50;
    th_list_clear(&l);
    cr_assert_eq(th_decode(&d, wire, len, &l), 0);
    cr_assert_eq(l.count, 1);
    cr_assert_str_eq(l.fields[0].name, "name");
    cr_assert_eq(l.fields[0].value_len, 50);
    ax_hpack_field f;
    cr_assert_eq(ax_hpack_decoder_table_entry(&d, 1, &f), 0);
    cr_assert(f.name.len == 4 && memcmp(f.name.ptr, "name", 4) == 0);
    cr_assert_eq(ax_hpack_decoder_table_entry(&d, 2, &f), AX_ERANGE, "the old entry was evicted");
    cr_assert_eq(ax_hpack_decoder_table_size(&d), 86);
    th_list_free(&l);
    ax_hpack_decoder_free(&d);
}

/* A block of nothing but size updates costs time linear in its length and
 * no memory; then a field ends them. */
Test(hpack_bad, many_size_updates_are_bounded)
{
    enum { N = 100000 };
    unsigned char *block = malloc(N + 1);
    memset(block, 0x20, N); /* size update to 0, N times */
    block[N] = 0x82;
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.allocator = &t.a;
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, &o), 0);
    th_list l = {0};
    cr_assert_eq(th_decode(&d, block, N + 1, &l), 0);
    cr_assert_eq(l.count, 1);
    cr_assert_eq(ax_hpack_decoder_table_limit(&d), 0);
    cr_assert_eq(t.calls, 0, "no allocation");
    th_list_free(&l);
    ax_hpack_decoder_free(&d);
    free(block);
}

/* The dynamic table against a model: random literals with incremental
 * indexing into a 200-octet table, each naming a random live entry (so
 * insertions keep evicting the entry they take their name from, and the
 * ring keeps wrapping: the name's octets may lie where the new entry
 * goes), checked field by field and entry by entry. */
typedef struct model_entry {
    char name[16];
    size_t name_len;
    size_t value_len;
    char fill;
} model_entry;

static void model_insert(model_entry *m, size_t *count, size_t *size, model_entry e,
                         size_t limit)
{
    size_t esize = e.name_len + e.value_len + 32;
    while (*count > 0 && *size + esize > limit) { /* evict the oldest */
        (*count)--;
        *size -= m[*count].name_len + m[*count].value_len + 32;
    }
    if (esize > limit)
        return;
    memmove(m + 1, m, *count * sizeof(*m));
    m[0] = e;
    (*count)++;
    *size += esize;
}

Test(hpack_bad, dynamic_table_matches_a_model)
{
    enum { LIMIT = 200 };
    uint64_t seed = 42;
    unsigned char block[256], value[128];
    for (int run = 0; run < 300; run++) {
        ax_hpack_decoder_options o;
        ax_hpack_decoder_options_init(&o);
        o.max_table_size = LIMIT;
        ax_hpack_decoder d;
        cr_assert_eq(ax_hpack_decoder_init(&d, &o), 0);
        model_entry m[16];
        size_t count = 0, size = 0;
        for (int step = 0; step < 40; step++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            size_t pick = count > 0 && (seed >> 40) % 4 != 0 ? (size_t)(seed >> 20) % count + 1 : 0;
            model_entry e;
            if (pick > 0) {
                e = m[pick - 1];
            } else {
                e.name_len = (size_t)snprintf(e.name, sizeof(e.name), "n%d-%d", run, step);
            }
            e.value_len = (size_t)(seed >> 50) % 120;
            e.fill = (char)('a' + step % 26);
            size_t len = ax__hpack_int_encode(block, 0x40, 6, pick > 0 ? 61 + pick : 0);
            if (pick == 0) {
                block[len++] = (unsigned char)e.name_len;
                memcpy(block + len, e.name, e.name_len);
                len += e.name_len;
            }
            len += ax__hpack_int_encode(block + len, 0x00, 7, e.value_len);
            memset(value, e.fill, e.value_len);
            memcpy(block + len, value, e.value_len);
            len += e.value_len;

            cr_assert_eq(ax_hpack_decoder_begin(&d, block, len), 0);
            ax_hpack_field f;
            cr_assert_eq(ax_hpack_decoder_next(&d, &f), 1, "run %d step %d: %s", run, step,
                         ax_hpack_decoder_error(&d, NULL));
            cr_assert(f.name.len == e.name_len && memcmp(f.name.ptr, e.name, e.name_len) == 0,
                      "run %d step %d: wrong name", run, step);
            cr_assert(f.value.len == e.value_len &&
                      (e.value_len == 0 || memcmp(f.value.ptr, value, e.value_len) == 0));
            cr_assert_eq(ax_hpack_decoder_next(&d, &f), 0);

            model_insert(m, &count, &size, e, LIMIT);
            cr_assert_eq(ax_hpack_decoder_table_size(&d), size, "run %d step %d", run, step);
            for (size_t i = 0; i < count; i++) {
                cr_assert_eq(ax_hpack_decoder_table_entry(&d, i + 1, &f), 0);
                cr_assert(f.name.len == m[i].name_len &&
                          memcmp(f.name.ptr, m[i].name, m[i].name_len) == 0,
                          "run %d step %d entry %zu name", run, step, i + 1);
                cr_assert_eq(f.value.len, m[i].value_len);
                for (size_t k = 0; k < f.value.len; k++)
                    cr_assert_eq(f.value.ptr[k], (unsigned char)m[i].fill);
            }
            cr_assert_eq(ax_hpack_decoder_table_entry(&d, count + 1, &f), AX_ERANGE);
        }
        ax_hpack_decoder_free(&d);
    }
}

/* Section 4.4: an entry larger than the whole table empties it and is not
 * added; the field itself is still decoded. */
Test(hpack_bad, entry_larger_than_the_table_empties_it)
{
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.max_table_size = 256;
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, &o), 0);
    unsigned char block[512];
    size_t len = th_hex("40 01 61 01 62 40 01 63 01 64", block, sizeof(block)); /* a: b, c: d */
    th_list l = {0};
    cr_assert_eq(th_decode(&d, block, len, &l), 0);
    cr_assert_eq(ax_hpack_decoder_table_size(&d), 68);
    len = 0;
    block[len++] = 0x40;
    block[len++] = 0x01;
    block[len++] = 'x';
    len += ax__hpack_int_encode(block + len, 0x00, 7, 300);
    memset(block + len, 'y', 300);
    len += 300;
    th_list_clear(&l);
    cr_assert_eq(th_decode(&d, block, len, &l), 0);
    cr_assert_eq(l.count, 1);
    cr_assert_eq(l.fields[0].value_len, 300);
    cr_assert_eq(ax_hpack_decoder_table_size(&d), 0, "the table is emptied");
    ax_hpack_field f;
    cr_assert_eq(ax_hpack_decoder_table_entry(&d, 1, &f), AX_ERANGE);
    th_list_free(&l);
    ax_hpack_decoder_free(&d);
}
