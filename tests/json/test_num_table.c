/*
 * The number conversions' constants, recomputed with exact big-integer
 * arithmetic written here (independent of json/num_parse.c's): every entry
 * of the 128-bit power-of-ten table and the three fixed-point logarithms.
 */
#include <stdint.h>
#include <string.h>

#include "json/num.h"
#include "support/suite.h"

AX_SUITE(json_num_table);

/* Non-negative integers of up to 160 * 32 bits, least significant limb first. */
#define NAT_LIMBS 160
typedef struct nat {
    size_t n;
    uint32_t d[NAT_LIMBS];
} nat;

static void nat_set(nat *a, uint64_t v)
{
    memset(a, 0, sizeof *a);
    a->d[0] = (uint32_t)v;
    a->d[1] = (uint32_t)(v >> 32);
    a->n = 2;
}

static void nat_mul(nat *a, uint32_t m)
{
    uint64_t carry = 0;
    for (size_t i = 0; i < a->n; i++) {
        uint64_t x = (uint64_t)a->d[i] * m + carry;
        a->d[i] = (uint32_t)x;
        carry = x >> 32;
    }
    if (carry) {
        cr_assert_lt(a->n, NAT_LIMBS, "test bignum overflow");
        a->d[a->n++] = (uint32_t)carry;
    }
}

/* a *= base^n, for base 2, 3, 5 or 10 and n >= 0. */
static void nat_pow(nat *a, uint32_t base, int n)
{
    cr_assert_geq(n, 0);
    uint32_t chunk = base == 2 ? 1u << 31 : base == 10 ? 1000000000u : base == 5 ? 1220703125u : 3486784401u;
    int per = base == 2 ? 31 : base == 10 ? 9 : base == 5 ? 13 : 20;
    for (; n >= per; n -= per)
        nat_mul(a, chunk);
    uint32_t rest = 1;
    while (n-- > 0)
        rest *= base;
    nat_mul(a, rest);
}

static int nat_cmp(const nat *a, const nat *b)
{
    for (size_t i = NAT_LIMBS; i-- > 0;) {
        uint32_t x = i < a->n ? a->d[i] : 0, y = i < b->n ? b->d[i] : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

/* (m1 * b1^n1 * 2^t1) against (m2 * b2^n2 * 2^t2), all exponents >= 0. */
static int cmp_products(uint32_t m1, uint32_t b1, int n1, int t1, uint32_t m2, uint32_t b2, int n2, int t2)
{
    nat x, y;
    nat_set(&x, m1);
    nat_set(&y, m2);
    nat_pow(&x, b1, n1);
    nat_pow(&x, 2, t1);
    nat_pow(&y, b2, n2);
    nat_pow(&y, 2, t2);
    return nat_cmp(&x, &y);
}

/* (T + add) * 2^shift for the 128-bit entry T = {high, low}. */
static void nat_from_entry(nat *a, const uint64_t t[2], uint32_t add, int shift)
{
    memset(a, 0, sizeof *a);
    a->n = 5;
    a->d[0] = (uint32_t)t[1];
    a->d[1] = (uint32_t)(t[1] >> 32);
    a->d[2] = (uint32_t)t[0];
    a->d[3] = (uint32_t)(t[0] >> 32);
    for (size_t i = 0; add && i < 5; i++) {
        uint64_t x = (uint64_t)a->d[i] + add;
        a->d[i] = (uint32_t)x;
        add = (uint32_t)(x >> 32);
    }
    nat_pow(a, 2, shift);
}

Test(json_num_table, every_power_of_ten_is_the_truncated_128_bit_mantissa)
{
    for (int e = AX__JSON_POW10_MIN; e <= AX__JSON_POW10_MAX; e++) {
        const uint64_t *t = ax__json_pow10[e - AX__JSON_POW10_MIN];
        cr_assert(t[0] >> 63, "T(%d) is not normalized", e);
        int beta = ax__json_floor_log2_pow10(e);
        int s = 127 - beta; /* T <= 10^e * 2^s < T + 1 */
        nat lo, hi, p;
        nat_set(&p, 1);
        if (e >= 0) {
            /* T * 2^-s <= 10^e < (T + 1) * 2^-s, both sides times 2^max(s, 0) */
            nat_pow(&p, 10, e);
            nat_pow(&p, 2, s > 0 ? s : 0);
            nat_from_entry(&lo, t, 0, s < 0 ? -s : 0);
            nat_from_entry(&hi, t, 1, s < 0 ? -s : 0);
        } else {
            /* T * 10^-e <= 2^s < (T + 1) * 10^-e */
            nat_pow(&p, 2, s);
            nat_from_entry(&lo, t, 0, 0);
            nat_pow(&lo, 10, -e);
            nat_from_entry(&hi, t, 1, 0);
            nat_pow(&hi, 10, -e);
        }
        cr_assert(nat_cmp(&lo, &p) <= 0, "T(%d) too large", e);
        cr_assert(nat_cmp(&p, &hi) < 0, "T(%d) too small", e);
        bool exact = nat_cmp(&lo, &p) == 0;
        cr_assert_eq(exact, e >= 0 && e <= AX__JSON_POW10_EXACT_MAX,
                     "T(%d) exactness disagrees with AX__JSON_POW10_EXACT_MAX", e);
    }
}

Test(json_num_table, floor_log2_pow10_is_exact)
{
    for (int e = -1100; e <= 1100; e++) {
        int b = ax__json_floor_log2_pow10(e);
        if (e >= 0) { /* 2^b <= 10^e < 2^(b+1) */
            cr_assert(cmp_products(1, 2, b, 0, 1, 10, e, 0) <= 0, "e=%d", e);
            cr_assert(cmp_products(1, 10, e, 0, 1, 2, b + 1, 0) < 0, "e=%d", e);
        } else { /* 10^-e <= 2^-b and 2^(-b-1) < 10^-e */
            cr_assert(cmp_products(1, 10, -e, 0, 1, 2, -b, 0) <= 0, "e=%d", e);
            cr_assert(cmp_products(1, 2, -b - 1, 0, 1, 10, -e, 0) < 0, "e=%d", e);
        }
    }
}

Test(json_num_table, floor_log10_pow2_is_exact)
{
    for (int q = -1100; q <= 1100; q++) {
        int k = ax__json_floor_log10_pow2(q);
        if (q >= 0) { /* 10^k <= 2^q < 10^(k+1) */
            cr_assert(cmp_products(1, 10, k, 0, 1, 2, q, 0) <= 0, "q=%d", q);
            cr_assert(cmp_products(1, 2, q, 0, 1, 10, k + 1, 0) < 0, "q=%d", q);
        } else { /* 2^-q <= 10^-k and 10^(-k-1) < 2^-q */
            cr_assert(cmp_products(1, 2, -q, 0, 1, 10, -k, 0) <= 0, "q=%d", q);
            cr_assert(cmp_products(1, 10, -k - 1, 0, 1, 2, -q, 0) < 0, "q=%d", q);
        }
    }
}

Test(json_num_table, floor_log10_three_quarters_pow2_is_exact)
{
    for (int q = -1100; q <= 1100; q++) {
        int k = ax__json_floor_log10_three_quarters_pow2(q);
        /* 10^k <= 3 * 2^(q-2) < 10^(k+1), times 4 and moved to integers */
        if (k >= 0) {
            cr_assert_geq(q, 1, "q=%d", q);
            cr_assert(cmp_products(4, 10, k, 0, 3, 2, q, 0) <= 0, "q=%d", q);
            cr_assert(cmp_products(3, 2, q, 0, 4, 10, k + 1, 0) < 0, "q=%d", q);
        } else if (q >= 0) { /* only 3/4 * 2^0 is below 1 with q >= 0 */
            cr_assert_eq(q, 0);
            cr_assert_eq(k, -1, "0.1 <= 0.75 < 1");
        } else { /* 4 * 2^-q <= 3 * 10^-k and 3 * 10^(-k-1) < 4 * 2^-q */
            cr_assert(cmp_products(4, 2, -q, 0, 3, 10, -k, 0) <= 0, "q=%d", q);
            cr_assert(cmp_products(3, 10, -k - 1, 0, 4, 2, -q, 0) < 0, "q=%d", q);
        }
    }
}
