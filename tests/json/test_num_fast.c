/*
 * The parser's fast path for "[-]int.frac[exp]" (json/num_parse.c,
 * fast_fraction): taken only when 18 bytes follow the '.', as inside a
 * document. The same text given with exactly its own length never takes it,
 * so each number is read both ways (and through the parser's handover entry)
 * and must give the same kind, bits and length. The numbers are built to hit
 * the fast path's edges: 1 to 17 fraction digits (one or two 8-byte loads and the byte after them; 17 go the general way),
 * 19 and 20 significant digits in all, digits that fit 53 bits (Clinger) or
 * not (one Eisel-Lemire product), runs of 9s and exact ties that leave the
 * one product undecided, leading zeros, and whatever follows the digits (an
 * exponent of any length and range, a second '.', a delimiter).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "json/num.h"
#include "support/rng.h"
#include "support/suite.h"

AX_SUITE(json_num_fast);

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);
static uint64_t rng(void)
{
    return ax_test_rng(&rng_state);
}

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* text[0..len) read with its exact length and with 24 bytes of ",   ..."
 * after it (fast path where it applies), the number's own span alone
 * (general path), and through the handover entry point: all agree. */
static void agree(const char *text, size_t len)
{
    char padded[128];
    cr_assert_lt(len + 24, sizeof padded);
    memcpy(padded, text, len);
    memset(padded + len, ' ', 24);
    padded[len] = ',';
    ax__json_num general, fast;
    memset(&general, 0, sizeof general);
    memset(&fast, 0, sizeof fast);
    int ng = ax__json_parse_number(text, len, &general);
    int nf = ax__json_parse_number(padded, len + 24, &fast);
    cr_assert_eq(nf, ng, "%.*s: length %d with room after it, %d without", (int)len, text, nf, ng);
    if (ng <= 0)
        return;
    /* The number alone, exactly its span: never the fast path (which needs
     * 18 bytes after the '.', and 6 from an 'e'), whatever followed it. */
    int ns = ax__json_parse_number(text, (size_t)ng, &general);
    cr_assert_eq(ns, ng, "%.*s", (int)len, text);
    cr_assert_eq(fast.kind, general.kind, "%.*s", (int)len, text);
    cr_assert_eq(fast.v.u, general.v.u, "%.*s: %a with room after it, %a without", (int)len, text, fast.v.d,
                 general.v.d);
    /* the handover: the integer part already read */
    const char *d0 = padded + (padded[0] == '-'), *q = d0;
    uint64_t w = 0;
    while (*q >= '0' && *q <= '9')
        w = w * 10 + (uint64_t)(*q++ - '0');
    if (*q != '.' || q == d0 || (*d0 == '0' && q - d0 > 1))
        return;
    ax__json_num handed;
    memset(&handed, 0, sizeof handed);
    int nh = ax__json_parse_number_after_int(padded, len + 24, (size_t)(q - padded), w, &handed);
    cr_assert_eq(nh, ng, "%.*s (handover)", (int)len, text);
    cr_assert_eq(handed.v.u, general.v.u, "%.*s (handover)", (int)len, text);
}

static void agree_str(const char *text)
{
    agree(text, strlen(text));
}

static void expect_bits(const char *text, uint64_t want)
{
    char padded[64];
    size_t len = strlen(text);
    memcpy(padded, text, len);
    memset(padded + len, ' ', 24);
    ax__json_num v;
    cr_assert_eq(ax__json_parse_number(padded, len + 24, &v), (int)len, "%s", text);
    cr_assert_eq(v.kind, AX__JSON_NUM_DOUBLE, "%s", text);
    cr_assert_eq(bits_of(v.v.d), want, "%s: %a", text, v.v.d);
    agree_str(text);
}

Test(json_num_fast, known_values)
{
    expect_bits("0.0", 0);
    expect_bits("-0.0", UINT64_C(0x8000000000000000));
    expect_bits("0.0000000000000000", 0);
    expect_bits("1.5", UINT64_C(0x3FF8000000000000));
    expect_bits("-65.613616999999977", bits_of(-65.613616999999977));
    expect_bits("0.1", UINT64_C(0x3FB999999999999A));
    expect_bits("0.0000000000000001", bits_of(1e-16));
    /* 2^53 + 1 and 2^53 + 3 written with a fraction: exact ties, which the
     * one product cannot decide (the general path rounds them to even) */
    expect_bits("9007199254740993.0", UINT64_C(0x4340000000000000));
    expect_bits("9007199254740995.0", UINT64_C(0x4340000000000002));
    expect_bits("9007199254740993.00", UINT64_C(0x4340000000000000));
    expect_bits("4503599627370496.5", UINT64_C(0x4330000000000000)); /* 2^52 + 1/2: tie, to even */
    expect_bits("4503599627370497.5", UINT64_C(0x4330000000000002)); /* to even, up */
    expect_bits("1.7976931348623157", bits_of(1.7976931348623157));
    expect_bits("999999999999999.9999", bits_of(999999999999999.9999)); /* 19 digits */
    expect_bits("9999999999999999999.9", bits_of(9999999999999999999.9)); /* 20: general */
}

Test(json_num_fast, what_follows_the_digits)
{
    agree_str("1.5e3");
    agree_str("1.5E-3");
    agree_str("1.5e");
    agree_str("1.5.5");
    agree_str("1.");
    agree_str("1.x");
    agree_str("-0.");
    agree_str("1.23456789e+2");
    agree_str("1.2345678901234567e2");
    agree_str("1.12345678");   /* exactly 8: the second load finds no digit */
    agree_str("1.123456789");  /* 9 */
    agree_str("1.1234567890123456"); /* 16: both loads full */
    agree_str("1.1234567890123456e-5");
    agree_str("123.1234567890123456"); /* 19 digits in all */
    agree_str("1234.1234567890123456"); /* 20: general */
    agree_str("1.12345678901234567");
    /* exponents: Clinger, Eisel-Lemire, the ends of the range, too long */
    expect_bits("1.5e3", bits_of(1500.0));
    expect_bits("1.5e-3", bits_of(0.0015));
    expect_bits("-2.5E+22", bits_of(-2.5e22));
    expect_bits("1.0e23", UINT64_C(0x44B52D02C7E14AF6));
    expect_bits("1.7976931348623157e308", UINT64_C(0x7FEFFFFFFFFFFFFF));
    expect_bits("2.2250738585072014e-308", UINT64_C(0x0010000000000000));
    expect_bits("4.9406564584124654e-324", 1);
    expect_bits("2.4703282292062328e-324", 1);
    expect_bits("2.4703282292062327e-324", 0);
    expect_bits("1.0e-400", 0);
    expect_bits("0.0e999", 0);
    expect_bits("-0.0e-999", UINT64_C(0x8000000000000000));
    agree_str("1.8e308");  /* overflow: AX_ERANGE both ways */
    agree_str("1.0e999");
    agree_str("1.0e1000"); /* four exponent digits: general */
    agree_str("1.0e+");
    agree_str("1.0e-");
    agree_str("1.0e007");
}

Test(json_num_fast, random_fractions_agree_with_the_general_path)
{
    static const char *const tails[] = {"", "e5", "E-3", ".5", "x", "]", "9", "e"};
    for (int i = 0; i < 300000; i++) {
        char text[96];
        size_t k = 0;
        uint64_t r = rng();
        if (r & 1)
            text[k++] = '-';
        int int_len = 1 + (int)((r >> 1) % 7);
        int frac_len = 1 + (int)((r >> 4) % 17);
        bool zero_int = (r >> 9) % 4 == 0;
        bool nines = (r >> 11) % 5 == 0;
        int lead_zeros = (r >> 13) % 3 == 0 ? (int)((r >> 15) % 9) : 0;
        if (zero_int)
            text[k++] = '0';
        else
            for (int j = 0; j < int_len; j++)
                text[k++] = (char)('0' + (j == 0 ? 1 + rng() % 9 : nines ? 9 : rng() % 10));
        text[k++] = '.';
        for (int j = 0; j < frac_len; j++)
            text[k++] = (char)('0' + (j < lead_zeros ? 0 : nines ? 9 : rng() % 10));
        if ((r >> 23) % 2 == 0) {
            const char *tail = tails[(r >> 20) % 8];
            memcpy(text + k, tail, strlen(tail));
            k += strlen(tail);
        } else { /* an exponent: sign or none, 0 to 4 digits */
            text[k++] = (r >> 24) & 1 ? 'e' : 'E';
            text[k++] = "+-9"[(r >> 25) % 3];
            for (int j = 0; j < (int)((r >> 27) % 5); j++)
                text[k++] = (char)('0' + rng() % 10);
        }
        agree(text, k);
    }
}

Test(json_num_fast, every_byte_after_every_digit_count)
{
    /* the 8-byte digit tests against every byte value at every place of
     * both loads: a non-digit ends the number there, whatever its value */
    for (int at = 0; at < 17; at++) {
        for (int c = 0; c < 256; c++) {
            char text[40] = "7.1234567890123456789";
            text[2 + at] = (char)c;
            agree(text, 21);
            text[0] = '0'; /* and with a zero integer part */
            agree(text, 21);
        }
    }
}
