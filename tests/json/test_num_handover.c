/*
 * The parser's integer fast path hands a number over to
 * ax__json_parse_number_after_int when it meets a '.', with the integer
 * part already scanned. Every such number must come out exactly as
 * ax__json_parse_number reads the same text on its own: the same value bits,
 * the same kind, the same acceptance and the same error.
 */
#include <stdio.h>
#include <string.h>

#include "axle/json.h"
#include "json/num.h"
#include "support/rng.h"
#include "support/suite.h"

AX_SUITE(json_num_handover);

static uint64_t hs_state = 0x9E3779B97F4A7C15u;

static uint64_t hs_rng(void)
{
    return ax_test_rng(&hs_state);
}

static void digits(char *buf, size_t *p, unsigned n, bool first_nonzero)
{
    for (unsigned k = 0; k < n; k++)
        buf[(*p)++] = (char)('0' + (k == 0 && first_nonzero ? 1 + hs_rng() % 9 : hs_rng() % 10));
}

/* "[-]int.frac[e[+-]x]" with integer parts of 1 to 30 digits (past 19, w
 * wraps modulo 2^64), "0." forms, and fractions of 1 to 30 digits. */
static void random_fraction(char *buf)
{
    size_t p = 0;
    if (hs_rng() & 1)
        buf[p++] = '-';
    if (hs_rng() % 4 == 0)
        buf[p++] = '0';
    else
        digits(buf, &p, 1 + (unsigned)(hs_rng() % 30), true);
    buf[p++] = '.';
    digits(buf, &p, 1 + (unsigned)(hs_rng() % 30), false);
    if (hs_rng() % 3 == 0)
        p += (size_t)sprintf(buf + p, "e%d", (int)(hs_rng() % 700) - 350);
    buf[p] = '\0';
}

/* Parses "[text]" as a document and compares its element with what
 * ax__json_parse_number makes of text. */
static void check_same(const char *text)
{
    char doc_text[128];
    snprintf(doc_text, sizeof doc_text, "[%s]", text);
    ax__json_num want;
    int wr = ax__json_parse_number(text, strlen(text), &want);
    bool whole = wr == (int)strlen(text);
    ax_json_doc *doc = NULL;
    int rc = ax_json_parse(doc_text, strlen(doc_text), NULL, &doc, NULL);
    if (!whole) {
        cr_assert_neq(rc, 0, "<%s> is not a number, yet the document parsed", text);
        return;
    }
    if (wr == AX_ERANGE) {
        cr_assert_eq(rc, AX_ERANGE, "<%s>: %d", text, rc);
        return;
    }
    cr_assert_eq(rc, 0, "<%s>: %d", text, rc);
    const ax_json_val *v = ax_json_at(ax_json_doc_root(doc), 0);
    cr_assert_eq(ax_json_num_kind_of(v), (int)want.kind, "<%s>", text);
    double got;
    cr_assert_eq(ax_json_get_double(v, &got), 0);
    uint64_t gb, wb;
    memcpy(&gb, &got, sizeof gb);
    memcpy(&wb, &want.v.d, sizeof wb);
    cr_assert_eq(gb, wb, "<%s>: got %a, want %a", text, got, want.v.d);
    ax_json_doc_free(doc);
}

Test(json_num_handover, fractions_read_as_on_their_own)
{
    char buf[96];
    for (int i = 0; i < 20000; i++) {
        random_fraction(buf);
        check_same(buf);
    }
}

Test(json_num_handover, edges_of_the_integer_part)
{
    static const char *const cases[] = {
        "0.0", "-0.0", "0.5", "-0.5", "9.5", "1.0e0",
        "9007199254740993.0",          /* 2^53 + 1: a tie, to even */
        "18446744073709551615.5",      /* 2^64 - 1 before the point */
        "18446744073709551616.25",     /* 2^64: w wraps to 0 */
        "123456789012345678901234567890.5",
        "-65.613616999999977", "43.474709000000132",
        "1.7976931348623157e308", "1.8e308", "4.9406564584124654e-324",
        /* not numbers: the fast path must not accept them either */
        "1.", "-1.", "1.e5", "01.5", "-01.5", "00.5", "1.5.5", "1..5", "-.5",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_same(cases[i]);
}

/* An integer part far past 19 digits (w has wrapped many times over, and
 * only the text decides) before the '.', in a document: the same double as
 * the conversion alone, and time linear in the length. */
Test(json_num_handover, long_integer_parts)
{
    static char text[20010], doc_text[20020];
    for (size_t len = 20; len <= 20000; len *= 10) {
        for (size_t i = 0; i < len; i++)
            text[i] = (char)('1' + i % 9);
        memcpy(text + len, ".75e-3", 7);
        ax__json_num want;
        int wr = ax__json_parse_number(text, strlen(text), &want);
        snprintf(doc_text, sizeof doc_text, "[%s]", text);
        ax_json_doc *doc = NULL;
        int rc = ax_json_parse(doc_text, strlen(doc_text), NULL, &doc, NULL);
        if (len > 400) { /* past DBL_MAX: both refuse */
            cr_assert_eq(wr, AX_ERANGE, "len %zu: %d", len, wr);
            cr_assert_eq(rc, AX_ERANGE, "len %zu: %d", len, rc);
            continue;
        }
        cr_assert_eq(wr, (int)strlen(text), "len %zu: %d", len, wr);
        cr_assert_eq(rc, 0, "len %zu: %d", len, rc);
        double got;
        cr_assert_eq(ax_json_get_double(ax_json_at(ax_json_doc_root(doc), 0), &got), 0);
        cr_assert_eq(memcmp(&got, &want.v.d, sizeof got), 0, "len %zu: got %a, want %a", len, got,
                     want.v.d);
        ax_json_doc_free(doc);
    }
}
