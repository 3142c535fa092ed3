/*
 * The boundary cases of the shortest-digit algorithm in json/num_format.c
 * (Dragonbox), each written to its exact text and read back to the same
 * bits: the ends of the power-of-ten table (k = 326 for subnormals, k = -292
 * for 2^1023), the smallest and largest normals, the irregular intervals at
 * powers of two (including the two exponents where the lower end is an
 * integer and the one where the nearest digit is a tie), integer-valued
 * doubles on both sides of 2^53, decimals halfway between two 17-digit
 * candidates, and the notation's switch points. The texts are the shortest
 * round-trip decimals (closest, ties to even) as Python's repr gives them,
 * laid out in this module's notation.
 */
#include <stdint.h>
#include <string.h>

#include "json/num.h"
#include "support/suite.h"

AX_SUITE(json_num_dragonbox);

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* d written is exactly `want`, and `want` reads back as d (both signs). */
static void expect_written(uint64_t bits, const char *want)
{
    for (int sign = 0; sign < 2; sign++) {
        double d = from_bits(bits | (uint64_t)sign << 63);
        char expected[40], buf[40];
        expected[0] = '-';
        strcpy(expected + sign, want);
        size_t n = ax__json_format_double(d, buf);
        cr_assert_eq(n, strlen(expected), "%a: got \"%.*s\", want \"%s\"", d, (int)n, buf, expected);
        cr_assert_eq(memcmp(buf, expected, n), 0, "%a: got \"%.*s\", want \"%s\"", d, (int)n, buf, expected);
        ax__json_num v;
        cr_assert_eq(ax__json_parse_number(buf, n, &v), (int)n, "%s", expected);
        cr_assert_eq(v.kind, AX__JSON_NUM_DOUBLE, "%s", expected);
        cr_assert_eq(bits_of(v.v.d), bits_of(d), "%s read back as %a, not %a", expected, v.v.d, d);
    }
}

Test(json_num_dragonbox, ends_of_the_range)
{
    expect_written(UINT64_C(0x0000000000000001), "5e-324"); /* 2^-1074: k = 326, the table's end */
    expect_written(UINT64_C(0x0000000000000002), "1e-323");
    expect_written(UINT64_C(0x0000000000000003), "1.5e-323");
    expect_written(UINT64_C(0x000FFFFFFFFFFFFF), "2.225073858507201e-308");  /* largest subnormal */
    expect_written(UINT64_C(0x0010000000000000), "2.2250738585072014e-308"); /* smallest normal */
    expect_written(UINT64_C(0x0010000000000001), "2.225073858507202e-308");
    expect_written(UINT64_C(0x0020000000000000), "4.450147717014403e-308");  /* 2^-1021, irregular */
    expect_written(UINT64_C(0x0028000000000000), "6.675221575521604e-308");
    expect_written(UINT64_C(0x7FEFFFFFFFFFFFFF), "1.7976931348623157e+308"); /* DBL_MAX: k = -290 */
    expect_written(UINT64_C(0x7FE0000000000000), "8.98846567431158e+307");   /* 2^1023: k = -292 */
    expect_written(UINT64_C(0x7FD0000000000000), "4.49423283715579e+307");   /* 2^1022 */
}

Test(json_num_dragonbox, irregular_intervals_at_powers_of_two)
{
    /* 2^-25: the nearest 17 digits are a tie (the only exponent, -77, where
     * 2^52 * 2^q * 10^k is a half-integer); the even one wins. */
    expect_written(UINT64_C(0x3E60000000000000), "2.9802322387695312e-8");
    /* 2^54 and 2^55: q = 2 and 3, where the interval's lower end is an integer */
    expect_written(UINT64_C(0x4350000000000000), "18014398509481984.0");
    expect_written(UINT64_C(0x4360000000000000), "36028797018963970.0");
    expect_written(UINT64_C(0x4370000000000000), "72057594037927940.0"); /* 2^56 */
    expect_written(UINT64_C(0x43E0000000000000), "9223372036854776000.0"); /* 2^63 */
    expect_written(UINT64_C(0x4450000000000000), "1.1805916207174113e+21"); /* 2^70 */
}

Test(json_num_dragonbox, integers_around_2_to_the_53)
{
    expect_written(UINT64_C(0x4340000000000000), "9007199254740992.0"); /* 2^53 */
    expect_written(UINT64_C(0x4340000000000001), "9007199254740994.0"); /* 2^53 + 2 */
    expect_written(UINT64_C(0x433FFFFFFFFFFFFF), "9007199254740991.0"); /* 2^53 - 1 */
    /* "9007199254740993" as a double is the tie 2^53 (even) */
    ax__json_num v;
    cr_assert_eq(ax__json_parse_number("9007199254740993.0", 18, &v), 18);
    cr_assert_eq(bits_of(v.v.d), UINT64_C(0x4340000000000000));
    expect_written(UINT64_C(0x44B52D02C7E14AF6), "1e+23"); /* the double nearest 10^23 */
    expect_written(UINT64_C(0x44B52D02C7E14AF7), "1.0000000000000001e+23");
    cr_assert_eq(ax__json_parse_number("1e23", 4, &v), 4);
    cr_assert_eq(bits_of(v.v.d), UINT64_C(0x44B52D02C7E14AF6));
    expect_written(UINT64_C(0x4480F0CF064DD592), "1e+22");
    expect_written(UINT64_C(0x441AC53A7E04BCDA), "123456789012345680000.0"); /* x = 20: still plain */
    expect_written(UINT64_C(0x444B1AE4D6E2EF50), "1e+21");                   /* x = 21 */
}

Test(json_num_dragonbox, halfway_between_two_17_digit_candidates)
{
    /* (2^52 + 1) / 4 = 1125899906842624.25: 18 digits ending in 5, both
     * 17-digit neighbours inside the interval; the even one is written. */
    expect_written(UINT64_C(0x4310000000000001), "1125899906842624.2");
    expect_written(UINT64_C(0x4310000000000003), "1125899906842624.8"); /* ...624.75 */
    expect_written(UINT64_C(0x4300000000000001), "562949953421312.1");  /* ...312.125: 16 digits */
}

Test(json_num_dragonbox, notation_switch_points)
{
    expect_written(UINT64_C(0x3E7AD7F29ABCAF48), "0.0000001"); /* 1e-7: x = -7, plain */
    expect_written(UINT64_C(0x3E501B2B29A4692B), "1.5e-8");    /* x = -8 */
    expect_written(UINT64_C(0x3FB999999999999A), "0.1");
    expect_written(UINT64_C(0x3FD5555555555555), "0.3333333333333333");
}
