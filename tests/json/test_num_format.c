/*
 * ax__json_format_double and the integer formatters: the notation, and for
 * millions of doubles that the text reads back to the same bits and is as
 * short as any decimal that does (checked against a reference search with
 * glibc's snprintf and strtod in the C locale) and, among the shortest, the
 * closest to the double.
 */
#include <float.h>
#include <locale.h>
#include <math.h> /* isfinite only: the test binary links no libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/num.h"
#include "support/rng.h"
#include "support/suite.h"

AX_SUITE(json_num_format);

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* Neighbours and powers of two by their bits (the test binary has no libm). */
static double next_up(double d) /* d >= 0, finite */
{
    return from_bits(bits_of(d) + 1);
}

static double next_down(double d) /* d > 0 */
{
    return from_bits(bits_of(d) - 1);
}

static double pow2(int e) /* -1074 <= e <= 1023 */
{
    return e >= -1022 ? from_bits((uint64_t)(e + 1023) << 52) : from_bits(UINT64_C(1) << (e + 1074));
}

static void expect_text(double d, const char *want)
{
    char buf[64];
    memset(buf, '#', sizeof buf);
    size_t n = ax__json_format_double(d, buf);
    cr_assert_eq(n, strlen(want), "%a: got \"%.*s\", want \"%s\"", d, (int)n, buf, want);
    cr_assert_eq(memcmp(buf, want, n), 0, "%a: got \"%.*s\", want \"%s\"", d, (int)n, buf, want);
    for (size_t i = 32; i < sizeof buf; i++)
        cr_assert_eq(buf[i], '#', "wrote past 32 bytes");
}

Test(json_num_format, notation)
{
    expect_text(0.0, "0.0");
    expect_text(-0.0, "-0.0");
    expect_text(1.0, "1.0");
    expect_text(-1.0, "-1.0");
    expect_text(0.1, "0.1");
    expect_text(0.3, "0.3");
    expect_text(1.5, "1.5");
    expect_text(100.0, "100.0");
    expect_text(123.456, "123.456");
    expect_text(-65.613616999999977, "-65.61361699999998");
    expect_text(9007199254740992.0, "9007199254740992.0");
    expect_text(9007199254740994.0, "9007199254740994.0"); /* 2^53 + 2: q > 0 */
    expect_text(1e15, "1000000000000000.0");
    expect_text(1e20, "100000000000000000000.0");
    expect_text(1.2345678901234568e20, "123456789012345680000.0");
    expect_text(1e21, "1e+21");
    expect_text(1.2345678901234568e21, "1.2345678901234568e+21");
    expect_text(1e23, "1e+23");
    expect_text(0.001, "0.001");
    expect_text(1e-7, "0.0000001");
    expect_text(-1.2345678901234566e-7, "-0.00000012345678901234566"); /* the longest shape */
    expect_text(1e-8, "1e-8");
    expect_text(1.5e-8, "1.5e-8");
    expect_text(1e300, "1e+300");
    expect_text(DBL_MAX, "1.7976931348623157e+308");
    expect_text(-DBL_MAX, "-1.7976931348623157e+308");
    expect_text(DBL_MIN, "2.2250738585072014e-308");
    expect_text(0x0.fffffffffffffp-1022, "2.225073858507201e-308");
    expect_text(0x1p-1074, "5e-324");
    expect_text(-0x1p-1074, "-5e-324");
    expect_text(0x2p-1074, "1e-323");
    expect_text(0x3p-1074, "1.5e-323");
    expect_text(0x1p1023, "8.98846567431158e+307");
    expect_text(5e-324 * 3, "1.5e-323");
    expect_text(2.0 / 3.0, "0.6666666666666666");
    expect_text(1.0 / 3.0, "0.3333333333333333");
}

Test(json_num_format, non_finite_input_stays_within_32_bytes)
{
    /* Not JSON, refused by callers; a mistaken call must still be harmless. */
    const uint64_t patterns[] = {UINT64_C(0x7FF0000000000000), UINT64_C(0xFFF0000000000000),
                                 UINT64_C(0x7FF8000000000000), UINT64_C(0xFFFFFFFFFFFFFFFF),
                                 UINT64_C(0x7FF0000000000001)};
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        char buf[64];
        memset(buf, '#', sizeof buf);
        size_t n = ax__json_format_double(from_bits(patterns[i]), buf);
        cr_assert(n > 0 && n <= 26, "%zu", n);
        for (size_t j = 32; j < sizeof buf; j++)
            cr_assert_eq(buf[j], '#', "wrote past 32 bytes");
    }
}

Test(json_num_format, integers)
{
    char buf[32];
    const struct {
        uint64_t v;
        const char *s;
    } u[] = {{0, "0"}, {9, "9"}, {10, "10"}, {99, "99"}, {100, "100"}, {12345, "12345"},
             {9999999999999999999u, "9999999999999999999"}, {10000000000000000000u, "10000000000000000000"},
             {UINT64_MAX, "18446744073709551615"}};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        size_t n = ax__json_format_u64(u[i].v, buf);
        cr_assert_eq(n, strlen(u[i].s));
        cr_assert_eq(memcmp(buf, u[i].s, n), 0, "%s", u[i].s);
    }
    const struct {
        int64_t v;
        const char *s;
    } s[] = {{0, "0"}, {-1, "-1"}, {-10, "-10"}, {INT64_MAX, "9223372036854775807"},
             {INT64_MIN, "-9223372036854775808"}};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        size_t n = ax__json_format_i64(s[i].v, buf);
        cr_assert_eq(n, strlen(s[i].s));
        cr_assert_eq(memcmp(buf, s[i].s, n), 0, "%s", s[i].s);
    }
    /* every 1- to 20-digit boundary */
    uint64_t p = 1;
    for (int d = 1; d <= 20; d++) {
        char want[32];
        snprintf(want, sizeof want, "%llu", (unsigned long long)p);
        size_t n = ax__json_format_u64(p, buf);
        cr_assert(n == strlen(want) && memcmp(buf, want, n) == 0, "%s", want);
        snprintf(want, sizeof want, "%llu", (unsigned long long)(p - 1));
        n = ax__json_format_u64(p - 1, buf);
        cr_assert(n == strlen(want) && memcmp(buf, want, n) == 0, "%s", want);
        if (d < 20)
            p *= 10;
    }
}

/* ---- round trip and shortness ----------------------------------------------- */

static locale_t c_locale;

/* The significant digits of a formatted number, without leading or trailing
 * zeros ("100.0" -> "1", "0.00125" -> "125", "1.5e-8" -> "15"). */
static size_t significant(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] >= '0' && s[i] <= '9' && (k > 0 || s[i] != '0'))
            out[k++] = s[i];
    }
    while (k > 1 && out[k - 1] == '0')
        k--;
    if (k == 0)
        out[k++] = '0';
    out[k] = '\0';
    return k;
}

/* d (finite, nonzero) correctly rounded to p significant digits, if that
 * reads back as d. */
static bool rounded_reads_back(double d, int p, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.*e", p - 1, d);
    return strtod_l(buf, NULL, c_locale) == d;
}

/* Formats d and checks: reads back (through our parser and through strtod);
 * has a '.' or an 'e'; at most 26 bytes. With `shortest`: no decimal with
 * fewer digits reads back (`full`: every length is tried, else one fewer,
 * which suffices where the rounding interval is symmetric), and when the
 * correctly rounded decimal of the same length reads back, ours is it. */
static void check(double d, bool shortest, bool full)
{
    char buf[64], ref[64], a[32], b[32];
    size_t n = ax__json_format_double(d, buf);
    cr_assert(n <= 26, "%a: %zu bytes", d, n);
    buf[n] = '\0';
    cr_assert(memchr(buf, '.', n) || memchr(buf, 'e', n), "%s has neither '.' nor 'e'", buf);
    ax__json_num v;
    cr_assert_eq(ax__json_parse_number(buf, n, &v), (int)n, "%s", buf);
    cr_assert_eq(v.kind, AX__JSON_NUM_DOUBLE, "%s", buf);
    cr_assert_eq(bits_of(v.v.d), bits_of(d), "%a -> %s -> %a", d, buf, v.v.d);
    cr_assert_eq(bits_of(strtod_l(buf, NULL, c_locale)), bits_of(d), "%a -> %s (strtod)", d, buf);
    if (!shortest || d == 0)
        return;
    int digits = (int)significant(buf, n, a);
    for (int p = full ? 1 : digits - 1; p >= 1 && p < digits; p++)
        cr_assert(!rounded_reads_back(d, p, ref, sizeof ref), "%a: %s is longer than %s", d, buf, ref);
    if (rounded_reads_back(d, digits, ref, sizeof ref)) {
        significant(ref, strlen(ref), b);
        cr_assert_str_eq(a, b, "%a: %s is not the closest (%s)", d, buf, ref);
    }
}

static uint64_t rng_state = UINT64_C(0x2545F4914F6CDD1D);
static uint64_t rng(void)
{
    return ax_test_rng(&rng_state);
}

static void setup_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    cr_assert_neq(c_locale, (locale_t)0);
}

Test(json_num_format, random_bit_patterns_read_back)
{
    setup_locale();
    for (int i = 0; i < 1000000; i++) {
        double d = from_bits(rng());
        if (isfinite(d))
            check(d, false, false);
    }
    freelocale(c_locale);
}

Test(json_num_format, random_bit_patterns_are_shortest_and_closest)
{
    setup_locale();
    for (int i = 0; i < 150000; i++) {
        double d = from_bits(rng());
        if (isfinite(d))
            check(d, true, i < 10000); /* the first 10,000: every shorter length */
    }
    freelocale(c_locale);
}

Test(json_num_format, powers_of_two_and_their_neighbours)
{
    /* c = 2^52: the rounding interval is asymmetric (the "irregular" case). */
    setup_locale();
    for (int e = -1074; e <= 1023; e++) {
        double d = pow2(e);
        check(d, true, true);
        check(next_down(d), true, false);
        if (e < 1023)
            check(next_up(d), true, false);
    }
    freelocale(c_locale);
}

Test(json_num_format, subnormals_and_powers_of_ten)
{
    setup_locale();
    for (uint64_t c = 1; c < 20000; c++) {
        check(from_bits(c), true, c < 1000);
        check(from_bits((UINT64_C(1) << 52) - c), true, false);
    }
    for (int e = -323; e <= 308; e++) {
        char s[16];
        snprintf(s, sizeof s, "1e%d", e);
        double d = strtod_l(s, NULL, c_locale);
        check(d, true, true);
        check(next_down(d), true, false);
        check(next_up(d), true, false);
    }
    freelocale(c_locale);
}

Test(json_num_format, products_that_land_on_integers)
{
    /* m * 5^k * 2^j: scaled by 10^-k these are exact integers, the case
     * where the truncated table entry sits just under the true product. */
    setup_locale();
    for (int k = 1; k <= 22; k++) {
        uint64_t p5 = 1;
        for (int i = 0; i < k; i++)
            p5 *= 5;
        for (int i = 0; i < 400; i++) {
            uint64_t m = (rng() % ((UINT64_C(1) << 53) / p5)) | 1;
            double d = (double)(m * p5) * pow2((int)(rng() % 200));
            check(d, true, false);
            check(next_down(d), true, false);
        }
    }
    /* integers, and integers times powers of ten */
    for (int i = 0; i < 20000; i++) {
        double d = (double)(rng() >> (rng() % 64));
        check(d, true, false);
        check(d * 1e10, true, false);
    }
    freelocale(c_locale);
}

Test(json_num_format, halfway_decimals_go_to_the_even_digit)
{
    /* m * 2^-j with m odd, 2^52 <= m < 2^53 and j >= 2: the exact value
     * has one digit more than the 17 that suffice and it is a 5, so the two
     * nearest 17-digit decimals are equally close and both read back
     * (unless a shorter one does). */
    setup_locale();
    for (int j = 2; j <= 12; j++) {
        for (int i = 0; i < 2000; i++) {
            uint64_t m = (UINT64_C(1) << 52) | (rng() & ((UINT64_C(1) << 52) - 1)) | 1;
            check((double)m * pow2(-j), true, false);
        }
    }
    freelocale(c_locale);
}
