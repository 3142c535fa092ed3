/*
 * The generated table: json/num_pow10.c must be exactly what
 * json/gen/num_pow10_gen.c writes (so nobody edits one without the other),
 * and the generator's entries must be the linked ones. (What the entries
 * should be is checked independently by test_num_table.c.)
 */
#define AX_JSON_POW10_GEN_NO_MAIN
#include "../../json/gen/num_pow10_gen.c"

#include <stdlib.h>

#include "support/files.h"
#include "support/suite.h"

AX_SUITE(json_num_pow10);

Test(json_num_pow10, generated_file_matches_the_generator)
{
    char *want = NULL;
    size_t want_len = 0;
    FILE *f = open_memstream(&want, &want_len);
    cr_assert_not_null(f);
    num_pow10_gen_write(f);
    fclose(f);
    size_t have_len;
    char *have = ax_test_read_file("json/num_pow10.c", &have_len);
    cr_assert_not_null(have, "run the tests from the repository root");
    cr_assert_eq(have_len, want_len, "json/num_pow10.c is stale: regenerate it (see its first line)");
    cr_assert_eq(memcmp(have, want, want_len), 0,
                 "json/num_pow10.c differs from the generator's output: regenerate it");
    free(have);
    free(want);
}

Test(json_num_pow10, linked_entries_are_the_generated_ones)
{
    for (int e = AX__JSON_POW10_MIN; e <= AX__JSON_POW10_MAX; e++) {
        uint64_t t[2];
        gen_entry(e, t);
        cr_assert_eq(t[0], ax__json_pow10[e - AX__JSON_POW10_MIN][0], "10^%d", e);
        cr_assert_eq(t[1], ax__json_pow10[e - AX__JSON_POW10_MIN][1], "10^%d", e);
    }
}
