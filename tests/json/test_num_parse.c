/*
 * ax__json_parse_number: the RFC 8259 §6 grammar, the integer kinds, and
 * correct rounding — the edge cases, halfway points, mantissas far
 * past 800 digits, exponents far out of range, and agreement with glibc's
 * strtod (in the C locale, the reference) on random decimals of many shapes.
 */
#include <float.h>
#include <locale.h>
#include <math.h> /* isfinite, isinf only: the test binary links no libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "json/num.h"
#include "support/rng.h"
#include "support/suite.h"

AX_SUITE(json_num_parse);

static int parse(const char *s, ax__json_num *n)
{
    return ax__json_parse_number(s, strlen(s), n);
}

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* s parses whole as the double `want`, bit for bit. */
static void expect_double(const char *s, double want)
{
    ax__json_num n;
    memset(&n, 0xA5, sizeof n);
    int r = parse(s, &n);
    cr_assert_eq(r, (int)strlen(s), "\"%.60s\": returned %d", s, r);
    cr_assert_eq(n.kind, AX__JSON_NUM_DOUBLE, "\"%.60s\": kind %d", s, n.kind);
    cr_assert_eq(bits_of(n.v.d), bits_of(want), "\"%.60s\": got %a, want %a", s, n.v.d, want);
}

static void expect_int(const char *s, int64_t want)
{
    ax__json_num n;
    cr_assert_eq(parse(s, &n), (int)strlen(s), "%s", s);
    cr_assert_eq(n.kind, AX__JSON_NUM_INT64, "%s", s);
    cr_assert_eq(n.v.i, want, "%s", s);
}

static void expect_uint(const char *s, uint64_t want)
{
    ax__json_num n;
    cr_assert_eq(parse(s, &n), (int)strlen(s), "%s", s);
    cr_assert_eq(n.kind, AX__JSON_NUM_UINT64, "%s", s);
    cr_assert_eq(n.v.u, want, "%s", s);
}

static void expect_error(const char *s, int err)
{
    ax__json_num n;
    int r = parse(s, &n);
    cr_assert_eq(r, err, "\"%.60s\": returned %d, want %d", s, r, err);
}

/* ---- grammar ------------------------------------------------------------- */

Test(json_num_parse, rejects_what_rfc8259_forbids)
{
    const char *bad[] = {
        "",    "-",     "+1",  ".5",   "-.5",  "1.",   "1.e5", "1e",   "1e+",  "1e-",
        "1E",  "01",    "-01", "00",   "0123", "- 1",  "+",    "e5",   "-e5",  "NaN",
        "nan", "Infinity", "-Infinity", "inf", "1ee5", "1e+-5", " 1",  "\t1", "1.-5",
        "-00", "-0.",   "--1", ".",    "e",    "\xd9\xa1", /* ARABIC-INDIC DIGIT ONE */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(bad[i], AX_EINVAL);
}

Test(json_num_parse, stops_where_the_number_ends)
{
    /* The caller judges what follows; the span ends at the last digit. */
    const struct {
        const char *s;
        int span;
    } cases[] = {
        {"1.5x", 3},  {"1e5.5", 3}, {"0.0.0", 3}, {"12,", 2},  {"-3]", 2},
        {"7}", 1},    {"0 1", 1},   {"1e5e5", 3}, {"2E-3 ", 4}, {"0-1", 1},
        {"1.25e+2:", 7}, {"0x10", 1},
        /* the same with 8 bytes or more to read: the word-at-a-time scan must
         * stop at the bytes just around the digits ('/' and ':' to '?') and
         * at bytes with the high bit set */
        {"12:4567890123", 2},     {"0.5;;;;;;;;;;", 3},    {"1e5<<<<<<<<<<", 3},
        {"-7===========", 2},     {"3.25?xxxxxxxx", 4},    {"98765432>0000", 8},
        {"123456789/123", 9},     {"1.2345678\xff" "12", 9}, {"4.0e-12345678\x80", 13},
        {"0.12345678901234567890:", 22}, {"12345678901234567890123456789012345678/", 38},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ax__json_num n;
        cr_assert_eq(parse(cases[i].s, &n), cases[i].span, "%s", cases[i].s);
    }
}

Test(json_num_parse, never_reads_past_len)
{
    /* Each text ends at a page boundary with an unreadable page after it. */
    long page = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(map, MAP_FAILED);
    cr_assert_eq(mprotect(map + page, (size_t)page, PROT_NONE), 0);
    const char *texts[] = {"0", "-", "-0", "123", "1.5", "1.", "1e", "1e+", "1e+7", "9223372036854775807",
                           "18446744073709551616", "0.1e-400", "1.7976931348623157e308",
                           "2.47032822920623272088284396434110686182529901307162382212792841250337753635104"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        char *at = map + page - len;
        memcpy(at, texts[i], len);
        ax__json_num n;
        int r = ax__json_parse_number(at, len, &n);
        cr_assert(r == (int)len || r == AX_EINVAL, "%s: %d", texts[i], r);
    }
    /* A length shorter than the text is honoured. */
    ax__json_num n;
    cr_assert_eq(ax__json_parse_number("12345", 3, &n), 3);
    cr_assert_eq(n.v.i, 123);
    cr_assert_eq(ax__json_parse_number("1.5", 2, &n), AX_EINVAL, "\"1.\" is incomplete");
    munmap(map, (size_t)page * 2);
}

/* ---- integers ------------------------------------------------------------ */

Test(json_num_parse, integers_keep_their_kind_at_the_boundaries)
{
    expect_int("0", 0);
    expect_int("-1", -1);
    expect_int("9007199254740993", 9007199254740993); /* 2^53 + 1, exact */
    expect_int("-9007199254740993", -9007199254740993);
    expect_int("9223372036854775807", INT64_MAX);
    expect_int("-9223372036854775808", INT64_MIN);
    expect_int("1000000000000000000", 1000000000000000000);
    expect_uint("9223372036854775808", UINT64_C(9223372036854775808));
    expect_uint("18446744073709551615", UINT64_MAX);
    expect_uint("10000000000000000000", UINT64_C(10000000000000000000));
    expect_double("18446744073709551616", 18446744073709551616.0);
    expect_double("-9223372036854775809", -9223372036854775808.0);
    expect_double("99999999999999999999", 1e20);
    expect_double("100000000000000000000000", 1e23);
    expect_double("-0", -0.0);
    /* A fraction or an exponent makes a double, even when integral. */
    expect_double("1.0", 1.0);
    expect_double("1e2", 100.0);
    expect_double("0.0", 0.0);
    expect_double("-0.0", -0.0);
    expect_double("-0e5", -0.0);
}

/* ---- doubles: the edges -------------------------------------------- */

Test(json_num_parse, edge_values_round_correctly)
{
    expect_double("9007199254740993.0", 9007199254740992.0);   /* 2^53 + 1: tie, to even */
    expect_double("9007199254740995.0", 9007199254740996.0);   /* tie, to even (up) */
    expect_double("9007199254740993.0000000000000000001", 9007199254740994.0);
    expect_double("9007199254740991.0", 9007199254740991.0);   /* 2^53 - 1 */
    expect_double("1e308", 1e308);
    expect_double("1.7976931348623157e308", DBL_MAX);
    expect_double("-1.7976931348623157e308", -DBL_MAX);
    expect_double("1.7976931348623158e308", DBL_MAX);         /* below the halfway to 2^1024 */
    expect_double("5e-324", 0x1p-1074);
    expect_double("4.9406564584124654e-324", 0x1p-1074);
    expect_double("2.4703282292062328e-324", 0x1p-1074);      /* just above half of it */
    expect_double("2.4703282292062327e-324", 0.0);            /* just below */
    expect_double("-2.4703282292062327e-324", -0.0);
    expect_double("1e-400", 0.0);
    expect_double("-1e-400", -0.0);
    expect_double("2.2250738585072014e-308", DBL_MIN);
    expect_double("2.2250738585072011e-308", 0x0.fffffffffffffp-1022); /* largest subnormal */
    expect_double("2.2250738585072012e-308", DBL_MIN); /* rounds up across the boundary */
    expect_double("0.1", 0.1);
    expect_double("1e23", 1e23);
    expect_double("8.98846567431158e307", 0x1p1023);
    expect_double("123456789012345678901234567890e-10", 12345678901234567890.123456789);
    expect_double("0.000001", 1e-6);
    expect_double("7.2057594037927933e16", 72057594037927936.0);
    expect_double("1E2", 100.0);
    expect_double("1e+2", 100.0);
    expect_double("1.5E-1", 0.15);
    expect_error("1e400", AX_ERANGE);
    expect_error("-1e400", AX_ERANGE);
    expect_error("1.8e308", AX_ERANGE);
    expect_error("1e309", AX_ERANGE);
}

Test(json_num_parse, exact_halfway_points_go_to_even)
{
    /* 1 + 2^-53, halfway between 1 and the next double; exact decimal. */
    const char *half = "1.00000000000000011102230246251565404236316680908203125";
    expect_double(half, 1.0);
    char buf[4200];
    snprintf(buf, sizeof buf, "%s1", half); /* a hair above */
    expect_double(buf, 1.0 + 0x1p-52);
    /* 1 + 3 * 2^-53: halfway between odd and even, goes up to even */
    expect_double("1.00000000000000033306690738754696212708950042724609375", 1.0 + 0x1p-51);
    /* The sticky digit beyond 800: zeros keep the tie, a late 1 breaks it. */
    int n = snprintf(buf, sizeof buf, "%s", half);
    memset(buf + n, '0', 3000);
    buf[n + 3000] = '\0';
    expect_double(buf, 1.0);
    buf[n + 3000] = '1';
    buf[n + 3001] = '\0';
    expect_double(buf, 1.0 + 0x1p-52);
    /* 2^-1075, half the least subnormal: ties to even gives 0. */
    snprintf(buf, sizeof buf, "%.800Le", 0x1p-1075L);
    expect_double(buf, 0.0);
    size_t len = strlen(buf); /* "2.4703...e-324": put a 1 before the exponent */
    char *e = strchr(buf, 'e');
    memmove(e + 1, e, strlen(e) + 1);
    *e = '1';
    cr_assert_eq(strlen(buf), len + 1);
    expect_double(buf, 0x1p-1074);
    /* 3 * 2^-1075, halfway between the two least subnormals: up to even. */
    snprintf(buf, sizeof buf, "%.800Le", 0x3p-1075L);
    expect_double(buf, 0x1p-1073);
    /* 2^1024 - 2^970, halfway between DBL_MAX and 2^1024: to even, which overflows. */
    snprintf(buf, sizeof buf, "%.0Lf", (long double)DBL_MAX + 0x1p970L);
    expect_error(buf, AX_ERANGE);
    buf[strlen(buf) - 1]--; /* ...792 -> ...791: below the halfway */
    expect_double(buf, DBL_MAX);
}

Test(json_num_parse, long_mantissas_and_far_exponents)
{
    char buf[6000];
    /* 100 digits of pi */
    expect_double("3.141592653589793238462643383279502884197169399375105820974944592307816406286208998628034825342117067",
                  3.141592653589793);
    /* 1 followed by 5000 zeros, scaled back down */
    buf[0] = '1';
    memset(buf + 1, '0', 5000);
    strcpy(buf + 5001, "e-5000");
    expect_double(buf, 1.0);
    /* 0.(5000 zeros)1 scaled back up */
    memcpy(buf, "0.", 2);
    memset(buf + 2, '0', 5000);
    strcpy(buf + 5002, "1e5001");
    expect_double(buf, 1.0);
    /* all-zero mantissas stay zero whatever the exponent */
    expect_double("0e999999999999999999999999", 0.0);
    expect_double("-0.000e-999999999999999999999", -0.0);
    expect_double("1e-999999999999999999999999", 0.0);
    expect_error("1e999999999999999999999999", AX_ERANGE);
    expect_error("0.0000000000000000000001e999999999999999999999999", AX_ERANGE);
    /* a million zeros between a halfway point and its deciding digit: the
     * sticky digit still decides, in linear time and fixed memory */
    const char *half = "1.00000000000000011102230246251565404236316680908203125";
    size_t hl = strlen(half), zeros = 1000000;
    char *big = malloc(hl + zeros + 2);
    cr_assert_not_null(big);
    memcpy(big, half, hl);
    memset(big + hl, '0', zeros);
    big[hl + zeros] = '1';
    big[hl + zeros + 1] = '\0';
    expect_double(big, 1.0 + 0x1p-52);
    big[hl + zeros] = '\0';
    expect_double(big, 1.0);
    free(big);
    /* 800 nines then an exponent putting them just under DBL_MAX's halfway */
    memset(buf, '9', 800);
    strcpy(buf + 800, "e-492");
    expect_double(buf, 1e308);
}

/* ---- agreement with strtod ------------------------------------------------- */

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);
static uint64_t rng(void)
{
    return ax_test_rng(&rng_state);
}

static double random_finite_double(void)
{
    for (;;) {
        uint64_t b = rng() & ~(UINT64_C(1) << 63);
        double d;
        memcpy(&d, &b, sizeof d);
        if (isfinite(d))
            return d;
    }
}

/* The next double up from a finite d >= 0 (by its bits: no libm here). */
static double next_up(double d)
{
    double r;
    uint64_t b = bits_of(d) + 1;
    memcpy(&r, &b, sizeof r);
    return r;
}

/* One random decimal text of one of several shapes. */
static void random_decimal(char *buf, size_t cap, unsigned shape)
{
    double d = random_finite_double();
    switch (shape) {
    case 0: /* round-trip form */
        snprintf(buf, cap, "%.17g", d);
        break;
    case 1: /* short, rounded */
        snprintf(buf, cap, "%.*g", (int)(rng() % 20) + 1, d);
        break;
    case 2: { /* random digits, random exponent */
        int nd = (int)(rng() % 40) + 1, p = 0;
        for (int k = 0; k < nd; k++)
            buf[p++] = (char)('0' + (k == 0 ? 1 + rng() % 9 : rng() % 10));
        snprintf(buf + p, cap - (size_t)p, "e%d", (int)(rng() % 700) - 350);
        break;
    }
    case 3: { /* near and exactly at halfway points, printed from long double */
        double up = next_up(d);
        if (!isfinite(up))
            up = d;
        long double mid = ((long double)d + (long double)up) / 2;
        snprintf(buf, cap, "%.*Le", (rng() & 1) ? 780 : (int)(rng() % 40) + 10, mid);
        break;
    }
    case 4: { /* hundreds of digits */
        int nd = (int)(rng() % 900) + 1, p = 0;
        buf[p++] = '0';
        buf[p++] = '.';
        for (int k = 0; k < nd; k++)
            buf[p++] = (char)('0' + rng() % 10);
        snprintf(buf + p, cap - (size_t)p, "e%d", (int)(rng() % 660) - 320);
        break;
    }
    default: /* integers with a .5 */
        snprintf(buf, cap, "%llu.5e%d", (unsigned long long)(rng() >> (rng() % 64)), (int)(rng() % 40) - 20);
        break;
    }
}

Test(json_num_parse, agrees_with_strtod_on_random_decimals)
{
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    cr_assert_neq(c, (locale_t)0);
    char buf[1300];
    for (int i = 0; i < 60000; i++) {
        random_decimal(buf, sizeof buf, (unsigned)(i % 6));
        double want = strtod_l(buf, NULL, c);
        ax__json_num n;
        /* Every other number is followed by more of a document, as inside
         * an array: the span must still end at the number. */
        size_t len = strlen(buf);
        if (i & 1)
            snprintf(buf + len, sizeof buf - len, "%s", (i & 2) ? ",1234567890123]" : "] , \"x\": 1e5}");
        int r = ax__json_parse_number(buf, strlen(buf), &n);
        buf[len] = '\0';
        if (isinf(want)) {
            cr_assert_eq(r, AX_ERANGE, "%s", buf);
            continue;
        }
        cr_assert_eq(r, (int)strlen(buf), "%s", buf);
        double got = n.kind == AX__JSON_NUM_DOUBLE ? n.v.d
                     : n.kind == AX__JSON_NUM_INT64 ? (double)n.v.i : (double)n.v.u;
        if (n.kind == AX__JSON_NUM_DOUBLE)
            cr_assert_eq(bits_of(got), bits_of(want), "%s: got %a, want %a", buf, got, want);
    }
    freelocale(c);
}

Test(json_num_parse, reads_back_every_round_trip_form)
{
    char buf[40];
    for (int i = 0; i < 300000; i++) {
        double d = random_finite_double();
        if (rng() & 1)
            d = -d;
        int len = snprintf(buf, sizeof buf, "%.17e", d);
        ax__json_num n;
        cr_assert_eq(ax__json_parse_number(buf, (size_t)len, &n), len, "%s", buf);
        cr_assert_eq(bits_of(n.v.d), bits_of(d), "%s", buf);
    }
}
