/*
 * json/num_format.c — numbers to JSON text: integers exactly, doubles as the
 * shortest decimal that reads back to the same double.
 *
 * The shortest digits come from Dragonbox (J. Jeon, "Dragonbox: A New
 * Floating-Point Binary-to-Decimal Conversion Algorithm", 2020), written
 * here from the paper: scale the double's rounding interval by a power of
 * ten chosen so that it is 100 to 1000 units wide; one 64 x 128-bit product
 * gives its upper end and one division by 1000 tries the shorter candidate,
 * else one by 100 gives the nearest (a second product only for exact ties).
 * The scaling uses the 128-bit powers of ten shared with the parser
 * (num.h), rounded up; docs/json-numbers.md explains why one product is
 * exact enough.
 *
 * Notation: plain decimal when the decimal exponent x of the first digit
 * (d.ddd * 10^x) is in [-7, 20] ("0.001", "123.0", "1e+21" is not plain),
 * else d.ddde[+-]x. Always a '.' or an 'e', so the text reads back as a
 * double: 1.0, -0.0, 0.0000001, 1e-8, 1e+21, 5e-324. At most 26 bytes
 * ("-0.00000012345678901234567" is the longest shape: sign, "0.", six zeros,
 * 17 digits). buf needs room for 32 bytes: the text is written with
 * fixed-size copies that may spill past its end (never past buf[31]).
 */
#include "json/num.h"

#include <stdbool.h>
#include <string.h>

#define FRAC_BITS 52
#define FRAC_MASK ((UINT64_C(1) << FRAC_BITS) - 1)

/* "00" "01" ... "99": two digits per division. */
static const char two_digits[200] = {
    '0', '0', '0', '1', '0', '2', '0', '3', '0', '4', '0', '5', '0', '6', '0', '7', '0', '8', '0', '9',
    '1', '0', '1', '1', '1', '2', '1', '3', '1', '4', '1', '5', '1', '6', '1', '7', '1', '8', '1', '9',
    '2', '0', '2', '1', '2', '2', '2', '3', '2', '4', '2', '5', '2', '6', '2', '7', '2', '8', '2', '9',
    '3', '0', '3', '1', '3', '2', '3', '3', '3', '4', '3', '5', '3', '6', '3', '7', '3', '8', '3', '9',
    '4', '0', '4', '1', '4', '2', '4', '3', '4', '4', '4', '5', '4', '6', '4', '7', '4', '8', '4', '9',
    '5', '0', '5', '1', '5', '2', '5', '3', '5', '4', '5', '5', '5', '6', '5', '7', '5', '8', '5', '9',
    '6', '0', '6', '1', '6', '2', '6', '3', '6', '4', '6', '5', '6', '6', '6', '7', '6', '8', '6', '9',
    '7', '0', '7', '1', '7', '2', '7', '3', '7', '4', '7', '5', '7', '6', '7', '7', '7', '8', '7', '9',
    '8', '0', '8', '1', '8', '2', '8', '3', '8', '4', '8', '5', '8', '6', '8', '7', '8', '8', '8', '9',
    '9', '0', '9', '1', '9', '2', '9', '3', '9', '4', '9', '5', '9', '6', '9', '7', '9', '8', '9', '9',
};

/* ---- integers ------------------------------------------------------------ */

static const uint64_t pow10_u64[20] = {
    UINT64_C(1),
    UINT64_C(10),
    UINT64_C(100),
    UINT64_C(1000),
    UINT64_C(10000),
    UINT64_C(100000),
    UINT64_C(1000000),
    UINT64_C(10000000),
    UINT64_C(100000000),
    UINT64_C(1000000000),
    UINT64_C(10000000000),
    UINT64_C(100000000000),
    UINT64_C(1000000000000),
    UINT64_C(10000000000000),
    UINT64_C(100000000000000),
    UINT64_C(1000000000000000),
    UINT64_C(10000000000000000),
    UINT64_C(100000000000000000),
    UINT64_C(1000000000000000000),
    UINT64_C(10000000000000000000),
};

/* Decimal digits of v: a value of b bits has floor(b * log10(2)) or one more
 * (1233 / 4096 is log10(2) to within what 64 bits need). */
static unsigned count_digits(uint64_t v)
{
    v |= 1; /* the same digits for every v, and 0 has one */
    unsigned bits = 64 - (unsigned)__builtin_clzll(v);
    unsigned t = (bits * 1233) >> 12;
    return t + (v >= pow10_u64[t]);
}

/* Exactly eight digits of v < 10^8 at p[0..8). */
static void write8(char *p, uint32_t v)
{
    uint32_t hi = v / 10000, lo = v % 10000;
    memcpy(p, two_digits + 2 * (hi / 100), 2);
    memcpy(p + 2, two_digits + 2 * (hi % 100), 2);
    memcpy(p + 4, two_digits + 2 * (lo / 100), 2);
    memcpy(p + 6, two_digits + 2 * (lo % 100), 2);
}

/* Writes the n = count_digits(v) digits of v at buf[0..n). */
static void write_digits(char *buf, uint64_t v, unsigned n)
{
    char *p = buf + n;
    while (v >= 100000000) {
        uint64_t q = v / 100000000;
        p -= 8;
        write8(p, (uint32_t)(v - q * 100000000));
        v = q;
    }
    uint32_t u = (uint32_t)v;
    while (u >= 100) {
        p -= 2;
        memcpy(p, two_digits + 2 * (u % 100), 2);
        u /= 100;
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, two_digits + 2 * u, 2);
    } else {
        *--p = (char)('0' + u);
    }
}

size_t ax__json_format_u64(uint64_t v, char *buf)
{
    unsigned n = count_digits(v);
    write_digits(buf, v, n);
    return n;
}

size_t ax__json_format_i64(int64_t v, char *buf)
{
    if (v < 0) {
        buf[0] = '-';
        return 1 + ax__json_format_u64((uint64_t)0 - (uint64_t)v, buf + 1);
    }
    return ax__json_format_u64((uint64_t)v, buf);
}

/* ---- shortest digits (Dragonbox) ----------------------------------------- */

/* A decimal f * 10^e. */
typedef struct decimal {
    uint64_t f;
    int e;
} decimal;

/* Dragonbox (Junekey Jeon, "Dragonbox: A New Floating-Point Binary-to-Decimal
 * Conversion Algorithm", 2020), written here from the paper; the reasoning
 * is in docs/json-numbers.md. The double's rounding interval is scaled by
 * 10^k so that it is between 10^KAPPA and 10^(KAPPA + 1) units wide; one
 * 64 x 128-bit product gives the scaled upper end and its width, one
 * division by 10^(KAPPA + 1) tries the shorter candidate, one by 10^KAPPA
 * rounds to the nearest otherwise. A second product is needed only for
 * exact ties, which the paper shows to be rare (one number in ~100). */
#define KAPPA 2
#define BIG_DIVISOR 1000   /* 10^(KAPPA + 1) */
#define SMALL_DIVISOR 100  /* 10^KAPPA */

/* phi(k) = ceil(10^k * 2^(127 - floor(log2(10^k)))), 2^127 <= phi < 2^128:
 * the parser's table rounds down, and is exact for 0 <= k <=
 * AX__JSON_POW10_EXACT_MAX; elsewhere rounding up adds one. */
typedef struct u128 {
    uint64_t hi, lo;
} u128;

static inline u128 phi(int k)
{
    const uint64_t *t = ax__json_pow10[k - AX__JSON_POW10_MIN];
    uint64_t inexact = (unsigned)k > AX__JSON_POW10_EXACT_MAX;
    uint64_t lo = t[1] + inexact;
    return (u128){t[0] + (lo < inexact), lo};
}

/* The upper 64 bits of u * c / 2^64 (the integer part of u * c / 2^128) and
 * whether the fraction it drops is zero. */
static inline uint64_t mul_upper(uint64_t u, u128 c, bool *is_integer)
{
    uint64_t hh, lh;
    uint64_t hl = ax__json_mul128(u, c.hi, &hh);
    ax__json_mul128(u, c.lo, &lh);
    uint64_t mid = hl + lh;
    *is_integer = mid == 0;
    return hh + (mid < hl);
}

/* For u * c / 2^(128 - beta): bit 0 of its integer part, and whether its
 * fraction is zero (the lower 128 bits of the 192-bit product suffice). */
static inline bool mul_parity(uint64_t u, u128 c, int beta, bool *is_integer)
{
    uint64_t hh, lh; /* hh is not needed: it is all integer part */
    uint64_t hl = ax__json_mul128(u, c.hi, &hh);
    uint64_t lo = ax__json_mul128(u, c.lo, &lh);
    uint64_t mid = hl + lh;
    *is_integer = ((mid << beta) | (lo >> (64 - beta))) == 0;
    return (mid >> (64 - beta)) & 1;
}

/* The regular case: the neighbours c - 1 and c + 1 are 2^q away, the
 * interval is [c - 1/2, c + 1/2] * 2^q, ends included when c is even. */
static inline decimal shortest_regular(uint64_t c, int q)
{
    int minus_k = ax__json_floor_log10_pow2(q) - KAPPA;
    u128 cache = phi(-minus_k);
    /* 2^beta <= 2^q * 10^k < 2^(beta + 1), beta in [6, 9] */
    int beta = q + ax__json_floor_log2_pow10(-minus_k);
    bool include_ends = (c & 1) == 0;
    uint64_t two_c = c << 1;
    /* delta = floor(2^q * 10^k), the interval's width; z = its scaled
     * upper end (c + 1/2) * 2^q * 10^k: integer part and exactness. */
    uint64_t delta = cache.hi >> (63 - beta);
    bool z_is_integer;
    uint64_t z = mul_upper((two_c | 1) << beta, cache, &z_is_integer);

    /* One digit more than the interval's width allows: a multiple of
     * BIG_DIVISOR inside the interval. */
    uint64_t s = z / BIG_DIVISOR;
    uint64_t r = z - s * BIG_DIVISOR;
    if (r < delta) {
        if (r != 0 || !z_is_integer || include_ends)
            return (decimal){s, minus_k + KAPPA + 1};
        /* s * BIG_DIVISOR is the excluded upper end: one step down */
        s--;
        r = BIG_DIVISOR;
    } else if (r == delta) {
        /* s * BIG_DIVISOR is z - delta rounded down; the lower end x is
         * z - delta exactly. floor(x) is s * BIG_DIVISOR (even) when
         * x >= s * BIG_DIVISOR, else one less (odd). */
        bool x_is_integer;
        bool x_odd = mul_parity(two_c - 1, cache, beta, &x_is_integer);
        if (x_odd | (x_is_integer & include_ends))
            return (decimal){s, minus_k + KAPPA + 1};
    }

    /* Otherwise the multiple of SMALL_DIVISOR nearest to the scaled value
     * y = z - delta / 2: there is always one inside the interval. */
    s *= 10;
    uint64_t dist = r - (delta / 2) + (SMALL_DIVISOR / 2);
    bool approx_y_odd = ((dist ^ (SMALL_DIVISOR / 2)) & 1) != 0;
    uint64_t quotient = dist / SMALL_DIVISOR;
    bool divisible = quotient * SMALL_DIVISOR == dist;
    s += quotient;
    if (divisible) {
        /* y's fraction may be below the half the estimate assumed: then
         * floor(y) is one less and so is its parity. When y's fraction is
         * exactly one half, this is a tie: go to the even digit. */
        bool y_is_integer;
        bool y_odd = mul_parity(two_c, cache, beta, &y_is_integer);
        if (y_odd != approx_y_odd)
            s--;
        else if ((s & 1) & y_is_integer)
            s--;
    }
    return (decimal){s, minus_k + KAPPA};
}

/* The irregular case: c = 2^52 at a power of two q > -1074; the neighbour
 * below is only 2^(q - 1) away, so the interval [c - 1/4, c + 1/2] * 2^q is
 * lopsided. Both ends are included (c is even). */
static inline decimal shortest_irregular(int q)
{
    int minus_k = ax__json_floor_log10_three_quarters_pow2(q);
    u128 cache = phi(-minus_k);
    /* 2^beta <= 2^q * 10^k < 2^(beta + 1), beta in [0, 3] */
    int beta = q + ax__json_floor_log2_pow10(-minus_k);
    int shift = 64 - FRAC_BITS - 1 - beta;
    /* The ends, scaled: (2^52 -+ ...) * 2^q * 10^k from the cache's top 64
     * bits, floors (the paper proves the error too small to matter). */
    uint64_t x = (cache.hi - (cache.hi >> (FRAC_BITS + 2))) >> shift;
    uint64_t z = (cache.hi + (cache.hi >> (FRAC_BITS + 1))) >> shift;
    /* The lower end is an integer only for q in [2, 3] (then k = 0 and it
     * is (2^54 - 1) * 2^(q - 2)); otherwise the first integer inside is one
     * up from its floor. */
    x += q < 2 || q > 3;
    uint64_t s = z / 10;
    if (s * 10 >= x)
        return (decimal){s, minus_k + 1};
    /* y = 2^52 * 2^q * 10^k rounded to nearest (half up); a tie happens
     * only at q = -77 (2^(52 + q + k) * 5^k with 52 + q + k = -1), where
     * the even digit wins. */
    s = ((cache.hi >> (shift - 1)) + 1) / 2;
    if (q == -77 && (s & 1))
        s--;
    else if (s < x)
        s++;
    return (decimal){s, minus_k};
}

/* The decimal for a positive finite double given by its fields. */
static decimal to_decimal(int biased, uint64_t frac)
{
    uint64_t c = frac; /* subnormal: c * 2^-1074 */
    int q = -1074;
    if (biased != 0) {
        q = biased - 1075;
        c |= UINT64_C(1) << FRAC_BITS;
        if (q < 0 && q > -FRAC_BITS - 1) {
            /* An integer below 2^53 is its own shortest decimal. */
            uint64_t f = c >> -q;
            if (f << -q == c)
                return (decimal){f, 0};
        }
        if (frac == 0 && biased > 1)
            return shortest_irregular(q);
    }
    return shortest_regular(c, q);
}

/* ---- notation ------------------------------------------------------------ */

/* The eight digits of v < 10^8 as byte values 0..9, first digit in the low
 * byte: split into 4-digit lanes (32 bits each), then 2-digit lanes (16),
 * then digits (8). Each split is lane / 10^k by a multiply and shift that is
 * exact over the lane's range (L * 10486 >> 20 = L / 100 for L < 10^4,
 * L * 103 >> 10 = L / 10 for L < 100), and no product crosses its lane. */
static inline uint64_t digits8(uint32_t v)
{
    uint64_t x = (v / 10000) | ((uint64_t)(v % 10000) << 32);
    uint64_t q = ((x * 10486) >> 20) & UINT64_C(0x0000007F0000007F);
    uint64_t y = q | ((x - q * 100) << 16);
    uint64_t t = ((y * 103) >> 10) & UINT64_C(0x000F000F000F000F);
    return t | ((y - t * 10) << 8);
}

static void store8(char *p, uint64_t digits)
{
    uint64_t ascii = digits | UINT64_C(0x3030303030303030);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    ascii = __builtin_bswap64(ascii);
#endif
    memcpy(p, &ascii, sizeof ascii);
}

/* Writes f < 10^17 as exactly 17 digits (leading zeros) at p[0..17) and
 * returns how many of its last digits are zeros. */
static unsigned write17(char *p, uint64_t f)
{
    uint64_t top = f / UINT64_C(10000000000000000);
    uint64_t rest = f - top * UINT64_C(10000000000000000);
    uint32_t hi = (uint32_t)(rest / 100000000), lo = (uint32_t)(rest % 100000000);
    uint64_t a = digits8(hi), b = digits8(lo);
    p[0] = (char)('0' + top);
    store8(p + 1, a);
    store8(p + 9, b);
    /* Zero digits are zero bytes; the last digit is the high byte. */
    if (b)
        return (unsigned)__builtin_clzll(b) / 8;
    if (a)
        return 8 + (unsigned)__builtin_clzll(a) / 8;
    return 16 + (top == 0);
}

/* The exponent x, |x| <= 324, after "e": a sign and 1 to 3 digits. */
static size_t write_exponent(char *p, int x)
{
    p[0] = x < 0 ? '-' : '+';
    unsigned u = (unsigned)(x < 0 ? -x : x);
    if (u >= 100) {
        p[1] = (char)('0' + u / 100);
        memcpy(p + 2, two_digits + 2 * (u % 100), 2);
        return 4;
    }
    if (u >= 10) {
        memcpy(p + 1, two_digits + 2 * u, 2);
        return 3;
    }
    p[1] = (char)('0' + u);
    return 2;
}

/* Lays out the nd significant digits d[0..nd) (d[nd..] reads as '0's) whose
 * first has decimal exponent x, in the notation described at the top. The
 * copies have fixed sizes and may write past the text, but never past
 * out[31] (out is buf or buf + 1, and buf has 32 bytes): bounds in comments. */
static size_t layout(char *out, const char *d, unsigned nd, int x)
{
    if (x >= 0 && x <= 20) {
        if ((unsigned)x + 1 >= nd) { /* an integer: digits, zeros, ".0" */
            memcpy(out, d, 24);            /* out[0..24) */
            memcpy(out + x + 1, ".0", 2);  /* x <= 20: out[..23) */
            return (size_t)x + 3;
        }
        /* the point inside the digits: x + 1 < nd <= 17, so x <= 15 */
        memcpy(out, d, 16);
        out[x + 1] = '.';
        if (x < 14)
            memcpy(out + x + 2, d + x + 1, 16); /* out[..31) */
        else
            memcpy(out + x + 2, d + x + 1, 8); /* nd - x - 1 <= 2 digits; out[..25) */
        return nd + 1;
    }
    if (x < 0 && x >= -7) { /* "0.", -x - 1 zeros, the digits */
        memcpy(out, "0.000000", 8);
        char *p = out + 1 - x; /* at most out + 8 */
        memcpy(p, d, 16);
        p[16] = d[16]; /* out[..25) */
        return (size_t)(1 - x) + nd;
    }
    /* d[.ddd]e+-x: at most 1 + 1 + 16 + 1 + 4 bytes */
    out[0] = d[0];
    out[1] = '.';
    memcpy(out + 2, d + 1, 16);
    size_t len = nd > 1 ? nd + 1 : 1;
    out[len++] = 'e';
    return len + write_exponent(out + len, x);
}

size_t ax__json_format_double(double v, char *buf)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    size_t neg = bits >> 63;
    buf[0] = '-';
    int biased = (int)((bits >> FRAC_BITS) & 0x7FF);
    uint64_t frac = bits & FRAC_MASK;
    if (biased == 0 && frac == 0) {
        memcpy(buf + neg, "0.0", 3);
        return neg + 3;
    }
    decimal dec = to_decimal(biased, frac);
    /* 17 digit slots, then '0's: layout() reads at most 31 digits */
    char digits[48];
    memset(digits + 17, '0', sizeof digits - 17);
    unsigned zeros = write17(digits, dec.f);
    unsigned n = count_digits(dec.f);
    return neg + layout(buf + neg, digits + 17 - n, n - zeros, dec.e + (int)n - 1);
}
