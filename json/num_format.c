/*
 * json/num_format.c — numbers to JSON text: integers exactly, doubles as the
 * shortest decimal that reads back to the same double.
 *
 * The shortest digits come from Schubfach (R. Giulietti, "The Schubfach way
 * to render doubles", 2020), written here from the paper: scale the double's
 * rounding interval by a power of ten chosen so that the interval is at least
 * 1 and under 10 units wide, then at most four candidates remain (the two
 * multiples of ten around it, the two integers around it) and a few exact
 * comparisons pick the shortest, closest one. The scaling uses the 128-bit
 * powers of ten shared with the parser (num.h); docs/json-numbers.md explains
 * why the rounded products compare exactly.
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

/* ---- shortest digits (Schubfach) ----------------------------------------- */

/* A decimal f * 10^e. */
typedef struct decimal {
    uint64_t f;
    int e;
} decimal;

/* x * 10^e scaled by 2^-128, rounded to odd: the floor, with its last bit
 * set when anything was discarded. With x < 2^60 the rounded product keeps
 * every comparison with an even integer that the exact one has, which is all
 * the digit choice below asks of it.
 *
 * The table holds T <= 10^e * 2^s < T + 1 (s = 127 - floor(log2(10^e))).
 * x * T is then at most x < 2^60 units (of 2^-128) under the exact product:
 * the floor is right unless x * T lies that close under an integer, and then
 * the exact product is that integer: for doubles, x * 10^e * 2^s is an
 * integer or stays farther from one than that (checked for every double by
 * the script in docs/json-numbers.md; the integer cases are tested by
 * tests/json/test_num_format.c). */
static inline uint64_t round_to_odd(int e, uint64_t x)
{
    const uint64_t *t = ax__json_pow10[e - AX__JSON_POW10_MIN];
    uint64_t hh, lh;
    uint64_t hl = ax__json_mul128(x, t[0], &hh);
    uint64_t p0 = ax__json_mul128(x, t[1], &lh);
    uint64_t p1 = hl + lh;
    uint64_t p2 = hh + (p1 < hl);
    if (e >= 0 && e <= AX__JSON_POW10_EXACT_MAX)
        return p2 | ((p1 | p0) != 0); /* T exact: so is the product */
    /* Does the fraction p1:p0 plus x pass 2^128? Then the exact product is
     * the integer p2 + 1. */
    uint64_t s0 = p0 + x;
    uint64_t s1 = p1 + (s0 < p0);
    bool crosses = (s1 < p1) & ((s1 | s0) != 0);
    return crosses ? p2 + 1 : p2 | 1;
}

/* The shortest decimal in the rounding interval of c * 2^q (c > 0), the
 * closest one when several are as short (ties to even digits). */
static inline decimal shortest(uint64_t c, int q)
{
    /* Irregular spacing: at a power of two the next double down is only half
     * as far away, so the interval's lower end is closer. */
    bool irregular = c == (UINT64_C(1) << FRAC_BITS) && q > -1074;
    int k = irregular ? ax__json_floor_log10_three_quarters_pow2(q) : ax__json_floor_log10_pow2(q);
    /* Everything is scaled by 4 so that the interval ends (c +- 1/2, or
     * c - 1/4) are integers. h makes (cb << h) * T / 2^128 equal
     * cb * 2^q * 10^-k; it lies in [1, 4], so cb << h < 2^59. */
    int h = q + ax__json_floor_log2_pow10(-k) + 1;
    uint64_t cb = c << 2;
    uint64_t cbl = cb - (irregular ? 1 : 2);
    uint64_t cbr = cb + 2;
    uint64_t vb = round_to_odd(-k, cb << h);
    uint64_t vbl = round_to_odd(-k, cbl << h);
    uint64_t vbr = round_to_odd(-k, cbr << h);
    /* An even c rounds its interval's ends to itself when reading back:
     * they belong to the interval. An odd c's ends do not. */
    uint64_t out = c & 1;
    uint64_t s = vb >> 2; /* floor(c * 2^q * 10^-k) */
    /* Every candidate is computed and the choice made by selection, not by
     * branches (& and | rather than && and ||): which one wins depends on
     * the digits and would mispredict.
     *
     * One digit fewer: the multiples of ten around s. The interval is under
     * 10 wide, so at most one of them lies inside; if exactly one does, it is
     * the answer. (The paper asks s >= 100 because Java wants at least two
     * digits; here s >= 10, so the least subnormal is "5e-324".) */
    uint64_t sp10 = s / 10 * 10, tp10 = sp10 + 10;
    bool upin = (s >= 10) & (vbl + out <= sp10 << 2);
    bool wpin = (s >= 10) & ((tp10 << 2) + out <= vbr);
    /* Full length: s or s + 1, whichever alone is inside; when both are,
     * the closer to v (the even one on a tie). */
    uint64_t t = s + 1;
    bool uin = vbl + out <= s << 2;
    bool win = (t << 2) + out <= vbr;
    uint64_t mid = (s << 2) + 2; /* 4 * (s + 1/2) */
    bool closer_s = (vb < mid) | ((vb == mid) & ((s & 1) == 0));
    uint64_t full = uin & (!win | closer_s) ? s : t;
    uint64_t shorter = upin ? sp10 : tp10;
    return (decimal){upin != wpin ? shorter : full, k};
}

/* The decimal for a positive finite double given by its fields. */
static decimal to_decimal(int biased, uint64_t frac)
{
    uint64_t c = frac; /* subnormal: c * 2^-1074 */
    int q = -1074;
    if (biased != 0) {
        c |= UINT64_C(1) << FRAC_BITS;
        q = biased - 1075;
        if (q < 0 && q > -FRAC_BITS - 1) {
            /* An integer below 2^53 is its own shortest decimal. */
            uint64_t f = c >> -q;
            if (f << -q == c)
                return (decimal){f, 0};
        }
    }
    /* one call site, so that shortest() is inlined */
    return shortest(c, q);
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
