/*
 * The generated tables: hpack/tables.c must be exactly what the generator
 * writes today (so nobody edits one without the other), and the tables
 * must say what Appendix B and Appendix A say.
 */
#define AX_HPACK_GEN_NO_MAIN
#include "../../hpack/gen/hpack_gen.c"

#include <criterion/criterion.h>

#include "axle/hpack.h"
#include "hpack/hpack_int.h"
#include "hpack/hpack_test.h"
#include "support/suite.h"

AX_SUITE(hpack_tables);

Test(hpack_tables, generated_file_matches_the_generator)
{
    char *want = NULL;
    size_t want_len = 0;
    FILE *f = open_memstream(&want, &want_len);
    cr_assert_not_null(f);
    hpack_gen_write(f);
    fclose(f);
    size_t have_len;
    char *have = ax_test_read_file("hpack/tables.c", &have_len);
    cr_assert_not_null(have, "run the tests from the repository root");
    cr_assert_eq(have_len, want_len, "hpack/tables.c is stale: regenerate it (see its first line)");
    cr_assert_eq(memcmp(have, want, want_len), 0,
                 "hpack/tables.c differs from the generator's output: regenerate it");
    free(have);
    free(want);
}

Test(hpack_tables, linked_tables_are_the_generated_ones)
{
    FILE *f = fopen("/dev/null", "w");
    cr_assert_not_null(f);
    hpack_gen_write(f); /* fills root, sub and slots */
    fclose(f);
    cr_assert_eq(memcmp(root, ax__hpack_huff_root, sizeof(root)), 0);
    cr_assert_eq(memcmp(sub, ax__hpack_huff_sub, sub_len * sizeof(uint32_t)), 0);
    cr_assert_eq(memcmp(slots, ax__hpack_static_slots, sizeof(slots)), 0);
    cr_assert_eq(mult, ax__hpack_static_mult);
    for (int s = 0; s < 257; s++) {
        cr_assert_eq(ax__hpack_huff_code[s], huffman_code[s].code);
        cr_assert_eq(ax__hpack_huff_len[s], huffman_code[s].len);
    }
}

/* Appendix B is a complete prefix code: the Kraft sum is exactly 1 and no
 * code is a prefix of another; a few codes as the RFC prints them. */
Test(hpack_tables, huffman_code_is_appendix_b)
{
    uint64_t kraft = 0; /* in units of 2^-30 */
    for (int s = 0; s < 257; s++) {
        cr_assert(huffman_code[s].len >= 5 && huffman_code[s].len <= 30);
        kraft += (uint64_t)1 << (30 - huffman_code[s].len);
        for (int t = 0; t < 257; t++) {
            if (t == s || huffman_code[t].len < huffman_code[s].len)
                continue;
            cr_assert_neq(huffman_code[t].code >> (huffman_code[t].len - huffman_code[s].len),
                          huffman_code[s].code, "code %d is a prefix of code %d", s, t);
        }
    }
    cr_assert_eq(kraft, (uint64_t)1 << 30);
    cr_assert_eq(huffman_code['/'].code, 0x18);
    cr_assert_eq(huffman_code['/'].len, 6);
    cr_assert_eq(huffman_code['0'].code, 0x0);
    cr_assert_eq(huffman_code['0'].len, 5);
    cr_assert_eq(huffman_code[0].code, 0x1ff8);
    cr_assert_eq(huffman_code[0].len, 13);
    cr_assert_eq(huffman_code[255].code, 0x3ffffee);
    cr_assert_eq(huffman_code[255].len, 26);
    cr_assert_eq(huffman_code[256].code, 0x3fffffff);
    cr_assert_eq(huffman_code[256].len, 30);
}

/* Every static name is found at its first entry, and names that are not
 * in the static table (same length and ends as one, or not) are not. */
Test(hpack_tables, static_names_are_found_by_the_perfect_hash)
{
    for (unsigned i = 1; i <= AX__HPACK_STATIC_COUNT; i++) {
        const char *name = ax__hpack_static[i].name;
        unsigned first = i;
        while (first > 1 && strcmp(ax__hpack_static[first - 1].name, name) == 0)
            first--;
        cr_assert_eq(ax__hpack_static_find_name((const unsigned char *)name, strlen(name)), first,
                     "%s", name);
    }
    static const char *const strangers[] = {"x-custom", "", "a", "dat", "datE", "Date",
                                            "content-lengti", "accept-charsez", ":pat"};
    for (size_t i = 0; i < sizeof(strangers) / sizeof(strangers[0]); i++)
        cr_assert_eq(ax__hpack_static_find_name((const unsigned char *)strangers[i],
                                                strlen(strangers[i])), 0, "%s", strangers[i]);
}

/* Every symbol alone and every pair of symbols decodes back: that walks
 * every root entry's one- and two-symbol paths and every subtable. */
Test(hpack_tables, every_symbol_and_pair_round_trips)
{
    unsigned char in[3], enc[16], out[16];
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned b = 0; b <= 256; b++) {
            in[0] = (unsigned char)a;
            in[1] = (unsigned char)b;
            size_t n = b == 256 ? 1 : 2;
            size_t len = ax_hpack_huffman_encode(in, n, enc);
            cr_assert_eq(len, ax_hpack_huffman_encoded_len(in, n));
            size_t got = 0;
            cr_assert_eq(ax_hpack_huffman_decode(enc, len, out, sizeof(out), &got), 0,
                         "symbols %u %u", a, b);
            cr_assert_eq(got, n);
            cr_assert_eq(memcmp(out, in, n), 0, "symbols %u %u", a, b);
        }
    }
}

/* Long strings take the decoder's fast path (eight octets at a time). */
Test(hpack_tables, long_random_strings_round_trip)
{
    uint64_t seed = 7;
    static unsigned char in[4096], enc[4096 * 4], out[4096 * 8];
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(seed % sizeof(in));
        unsigned alphabet = round % 3 == 0 ? 256 : (round % 3 == 1 ? 64 : 16);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            in[i] = (unsigned char)(round % 3 == 1 ? 'A' + (seed >> 33) % alphabet
                                                   : (seed >> 33) % alphabet);
        }
        size_t len = ax_hpack_huffman_encode(in, n, enc);
        size_t got = 0;
        cr_assert_eq(ax_hpack_huffman_decode(enc, len, out, sizeof(out), &got), 0);
        cr_assert_eq(got, n);
        cr_assert_eq(memcmp(out, in, n), 0, "round %d", round);
    }
}
