/*
 * json/num_parse.c — JSON number text (RFC 8259 §6) to int64_t, uint64_t or a
 * correctly rounded double, without libc's strtod (which reads the locale's
 * decimal point) and without allocating.
 *
 * The common number of a document, "[-]int.frac[e[+-]ddd]" with at most 19
 * digits and 16 after the point, is read and converted straight-line when
 * 18 bytes follow its '.' (fast_fraction below); everything else, and
 * anything that path cannot decide, goes the general way.
 *
 * A double is reached by the first of three ways that can decide
 * (docs/json-numbers.md gives the reasoning behind each):
 *   1. Clinger: mantissa <= 2^53 and |exponent| <= 22. Both are exact doubles,
 *      so one IEEE multiplication or division rounds once, correctly.
 *   2. Eisel-Lemire: the first 19 significant digits times a 128-bit
 *      truncated power of ten. The product's error is known to be below one
 *      unit of its 128th bit, so the rounding is certain unless the product
 *      lies within that error of a rounding boundary.
 *   3. Exact: big integers compare the decimal with the halfway point between
 *      two neighbouring doubles. Only the first 800 significant digits and a
 *      sticky "something nonzero follows" digit are kept: a halfway point has
 *      at most 768 significant digits, so the comparison stays exact while
 *      the memory stays fixed (three 512-byte numbers on the stack).
 */
#include "json/num.h"

#include <float.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#define FRAC_BITS 52
#define FRAC_MASK ((UINT64_C(1) << FRAC_BITS) - 1)
#define INF_BITS UINT64_C(0x7FF0000000000000)
#define NEED_EXACT UINT64_MAX /* Eisel-Lemire could not decide */

/* The exponent saturates here while scanning: no count of digits in an input
 * of at most INT_MAX bytes can bring it back into the range of doubles. */
#define EXP_SATURATE INT64_C(1000000000000000)

/* Digits kept for the exact comparison (see the top of the file). */
#define EXACT_DIGITS 800

/* The number as written: where its digits are, and its exponent. */
typedef struct num_text {
    const char *int_digits;  /* int_len >= 1 digits before any '.' */
    const char *frac_digits; /* frac_len digits after the '.' */
    size_t int_len;
    size_t frac_len;
    int64_t exp; /* the explicit exponent (0 when absent), saturated */
    size_t lead_zeros; /* zeros before the first significant digit */
} num_text;

static inline bool is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

/* ---- eight digits at a time ---------------------------------------------- */

static inline uint64_t load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v; /* the first character in the low byte */
}

/* The eight bytes minus '0' each: a digit becomes its value 0..9. A byte
 * below '0' borrows from the next one, a later character: that only
 * disturbs bytes after one that is not a digit. */
static inline uint64_t minus_zeros(uint64_t v)
{
    return v - UINT64_C(0x3030303030303030);
}

/* How many of the eight bytes of t = minus_zeros(v), from the first, were
 * ASCII digits: adding 0x76 sets a byte's high bit exactly when it is above
 * 9, and a byte that was below '0' (wrapped) or at least 0xB0 has it set
 * already. A carry or borrow between bytes comes only from a byte that was
 * not a digit, and only reaches later ones, which no longer count. */
static inline unsigned leading_digits8(uint64_t t)
{
    uint64_t bad = (t | (t + UINT64_C(0x7676767676767676))) & UINT64_C(0x8080808080808080);
    return bad ? (unsigned)__builtin_ctzll(bad) / 8 : 8;
}

/* The value of eight digit values (bytes 0..9), the first most significant.
 * Each step joins neighbouring lanes, high lane times its weight plus low
 * lane, with one multiplication: bytes -> 16-bit lanes of two digits
 * (x 2561 = 10 * 256 + 1) -> 32-bit lanes of four (x 6553601 = 100 * 65536
 * + 1) -> eight (x 42949672960001 = 10000 * 2^32 + 1). No lane can carry into
 * the next (99, 9999, 99999999 fit). */
static inline uint32_t value8(uint64_t t)
{
    t = (t * 2561) >> 8;
    t = ((t & UINT64_C(0x00FF00FF00FF00FF)) * 6553601) >> 16;
    return (uint32_t)(((t & UINT64_C(0x0000FFFF0000FFFF)) * UINT64_C(42949672960001)) >> 32);
}

/* The value of the first n (1 to 7) digit values of t: moved to the top,
 * zeros shifted in below them. */
static inline uint32_t value_first(uint64_t t, unsigned n)
{
    return value8(t << (64 - 8 * n));
}

static const uint32_t pow10_u32[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* Consumes the digits at *s (up to end) into w, modulo 2^64: eight bytes at
 * a time while eight remain (in a document they nearly always do), the
 * digits among them counted and valued at once; byte by byte at the end. */
static inline void scan_digits(const char **s, const char *end, uint64_t *w)
{
    const char *p = *s;
    uint64_t x = *w;
    while (end - p >= 8) {
        uint64_t t = minus_zeros(load8(p));
        unsigned n = leading_digits8(t);
        if (n == 8) {
            x = x * 100000000 + value8(t);
            p += 8;
            continue;
        }
        if (n > 0) {
            x = x * pow10_u32[n] + value_first(t, n);
            p += n;
        }
        *s = p;
        *w = x;
        return;
    }
    while (p < end && is_digit(*p))
        x = x * 10 + (uint64_t)(*p++ - '0');
    *s = p;
    *w = x;
}

static inline char digit_at(const num_text *t, size_t i)
{
    return i < t->int_len ? t->int_digits[i] : t->frac_digits[i - t->int_len];
}

static inline int clz64(uint64_t x)
{
    return __builtin_clzll(x);
}

/* ---- integers ------------------------------------------------------------ */

/* A number without fraction or exponent, as INT64 or UINT64 when it fits.
 * w holds its digits accumulated modulo 2^64, exact when int_len <= 19. */
static bool to_integer(const num_text *t, bool neg, uint64_t w, ax__json_num *out)
{
    if (t->int_len > 20)
        return false;
    if (t->int_len == 20) { /* recompute, watching for overflow */
        w = 0;
        for (size_t i = 0; i < 20; i++) {
            uint64_t d = (uint64_t)(t->int_digits[i] - '0');
            if (w > (UINT64_MAX - d) / 10)
                return false;
            w = w * 10 + d;
        }
    }
    if (!neg && w > (uint64_t)INT64_MAX) {
        out->kind = AX__JSON_NUM_UINT64;
        out->v.u = w;
        return true;
    }
    if (!neg) {
        out->kind = AX__JSON_NUM_INT64;
        out->v.i = (int64_t)w;
        return true;
    }
    if (w == 0 || w > (uint64_t)INT64_MAX + 1)
        return false; /* "-0" is the double -0.0 */
    out->kind = AX__JSON_NUM_INT64;
    out->v.i = w == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)w;
    return true;
}

/* ---- way 1: Clinger ------------------------------------------------------ */

static const double exact_pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* w * 10^q in one correctly rounded operation, when both are exact doubles.
 * Needs the operation done in double precision (not x87's extended). */
static bool clinger(uint64_t w, int64_t q, double *d)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    if (w <= (UINT64_C(1) << 53) && q >= -22 && q <= 22) {
        double x = (double)w;
        *d = q < 0 ? x / exact_pow10[-q] : x * exact_pow10[q];
        return true;
    }
#else
    (void)w, (void)q, (void)d, (void)exact_pow10;
#endif
    return false;
}

/* ---- way 2: Eisel-Lemire ------------------------------------------------- */

/* The bits of w * 10^q (w > 0) rounded to nearest, ties to even, or
 * NEED_EXACT when `decide` is set and the product lies too close to a
 * rounding boundary to be sure. With `decide` clear it returns its best
 * guess, which is within one unit in the last place of the answer.
 * Inlined at each use: the call was a sixth of a 17-digit number's cost. */
static inline __attribute__((always_inline)) uint64_t
eisel_lemire(uint64_t w, int64_t q, bool decide)
{
    if (q < AX__JSON_POW10_MIN)
        return 0; /* below 10^19 * 10^-343, under half the least subnormal */
    if (q > 308)
        return INF_BITS; /* at least 10^309 */
    int lz = clz64(w);
    w <<= lz;
    const uint64_t *t = ax__json_pow10[q - AX__JSON_POW10_MIN];
    /* The 192-bit product w * T(q) as p2:p1:p0. */
    uint64_t hh, lh;
    uint64_t hl = ax__json_mul128(w, t[0], &hh);
    uint64_t p0 = ax__json_mul128(w, t[1], &lh);
    uint64_t p1 = hl + lh;
    uint64_t p2 = hh + (p1 < hl);
    /* The product has its leading bit at 190 + msb; the value's leading bit
     * is then 2^(63 + msb + b(q) - lz) (see the table in num.h). */
    int msb = (int)(p2 >> 63);
    int biased = ax__json_floor_log2_pow10((int)q) + 63 + msb - lz + 1023;
    /* Bit `shift` of p2 is the rounding bit: half a unit of the last place
     * of 53 significant bits, or of the fewer a subnormal keeps. */
    int shift = 9 + msb;
    if (biased <= 0) {
        shift += 1 - biased;
        if (shift > 63)
            return 0; /* below half the least subnormal (no ties from 19 digits) */
    }
    uint64_t below_mask = (UINT64_C(1) << shift) - 1;
    uint64_t m = p2 >> shift;
    bool up;
    if (q >= 0 && q <= AX__JSON_POW10_EXACT_MAX) {
        /* T(q) is exact, so is the product: a true tie goes to even. */
        bool sticky = (p2 & below_mask) | p1 | p0;
        up = (m & 1) && (sticky || (m & 2));
    } else {
        /* The exact product is p + e with 0 < e < 2^64 (w < 2^64 times the
         * truncation of T, under 1): strictly above p, so never a tie, and
         * a carry out of p0 can reach the rounding bit only when every bit
         * of p1 and of p2 below `shift` is one. */
        if (decide && p1 == UINT64_MAX && (p2 & below_mask) == below_mask)
            return NEED_EXACT;
        up = m & 1;
    }
    m = (m >> 1) + up;
    if (biased <= 0)
        return m; /* a carry into bit 52 yields the least normal, as it should */
    if (m >> (FRAC_BITS + 1)) {
        m >>= 1;
        biased++;
    }
    if (biased >= 2047)
        return INF_BITS;
    return ((uint64_t)biased << FRAC_BITS) | (m & FRAC_MASK);
}

/* ---- way 3: exact comparison with big integers --------------------------- */

/* 4096 bits; the largest operand is about 2,700 bits: 801 decimal digits,
 * or (2m + 1) * 5^1124 for the smallest exponent the digits can reach. */
#define BIG_LIMBS 128

typedef struct big {
    size_t n; /* limbs in use, least significant first; no high zero limb */
    uint32_t limb[BIG_LIMBS];
} big;

static void big_set_u64(big *b, uint64_t v)
{
    b->limb[0] = (uint32_t)v;
    b->limb[1] = (uint32_t)(v >> 32);
    b->n = b->limb[1] ? 2 : b->limb[0] ? 1 : 0;
}

/* b = b * m + a. */
static void big_mul_add(big *b, uint32_t m, uint32_t a)
{
    uint64_t carry = a;
    for (size_t i = 0; i < b->n; i++) {
        uint64_t x = (uint64_t)b->limb[i] * m + carry;
        b->limb[i] = (uint32_t)x;
        carry = x >> 32;
    }
    if (carry && b->n < BIG_LIMBS)
        b->limb[b->n++] = (uint32_t)carry;
}

static void big_mul_pow5(big *b, int64_t n)
{
    static const uint32_t pow5_13 = 1220703125; /* the largest power of 5 in 32 bits */
    for (; n >= 13; n -= 13)
        big_mul_add(b, pow5_13, 0);
    uint32_t rest = 1;
    while (n-- > 0)
        rest *= 5;
    big_mul_add(b, rest, 0);
}

static void big_shl(big *b, int64_t bits)
{
    if (b->n == 0)
        return;
    size_t limbs = (size_t)(bits / 32), n = b->n;
    unsigned sh = (unsigned)(bits % 32);
    if (n + limbs + 1 > BIG_LIMBS)
        return; /* unreachable within the bounds above; never write past the end */
    if (sh == 0) {
        for (size_t i = n; i-- > 0;)
            b->limb[i + limbs] = b->limb[i];
    } else {
        b->limb[n + limbs] = b->limb[n - 1] >> (32 - sh);
        for (size_t i = n - 1; i > 0; i--)
            b->limb[i + limbs] = (b->limb[i] << sh) | (b->limb[i - 1] >> (32 - sh));
        b->limb[limbs] = b->limb[0] << sh;
        n++;
    }
    memset(b->limb, 0, limbs * sizeof b->limb[0]);
    b->n = n + limbs;
    while (b->n && b->limb[b->n - 1] == 0)
        b->n--;
}

static int big_cmp(const big *a, const big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (size_t i = a->n; i-- > 0;) {
        if (a->limb[i] != b->limb[i])
            return a->limb[i] < b->limb[i] ? -1 : 1;
    }
    return 0;
}

/* The significant digits as a big integer d, with value = d * 10^*q: the
 * first EXACT_DIGITS, then one more digit 1 if any later digit is nonzero. */
static void big_from_digits(const num_text *t, big *d, int64_t *q)
{
    size_t total = t->int_len + t->frac_len;
    size_t first = t->lead_zeros;
    size_t take = total - first < EXACT_DIGITS ? total - first : EXACT_DIGITS;
    d->n = 0;
    uint32_t chunk = 0, scale = 1;
    for (size_t i = first; i < first + take; i++) {
        chunk = chunk * 10 + (uint32_t)(digit_at(t, i) - '0');
        scale *= 10;
        if (scale == 1000000000) {
            big_mul_add(d, scale, chunk);
            chunk = 0, scale = 1;
        }
    }
    if (scale > 1)
        big_mul_add(d, scale, chunk);
    *q = t->exp - (int64_t)t->frac_len + (int64_t)(total - first - take);
    for (size_t i = first + take; i < total; i++) {
        if (digit_at(t, i) != '0') {
            big_mul_add(d, 10, 1);
            *q -= 1;
            break;
        }
    }
}

/* Compares d * 10^q with the point halfway between the positive finite
 * double with these bits and the next one up: (2m + 1) * 2^(e - 1). */
static int cmp_halfway(const big *d, int64_t q, uint64_t bits)
{
    int biased = (int)(bits >> FRAC_BITS);
    uint64_t m = bits & FRAC_MASK;
    int64_t e = -1074;
    if (biased > 0) {
        m |= UINT64_C(1) << FRAC_BITS;
        e = biased - 1075;
    }
    big x = *d, y;
    big_set_u64(&y, 2 * m + 1);
    /* d * 5^q * 2^q against (2m + 1) * 2^(e - 1): fives to the side that
     * keeps integers, then twos to the side with the larger power. */
    if (q >= 0)
        big_mul_pow5(&x, q);
    else
        big_mul_pow5(&y, -q);
    if (q > e - 1)
        big_shl(&x, q - (e - 1));
    else
        big_shl(&y, (e - 1) - q);
    return big_cmp(&x, &y);
}

/* The correctly rounded bits, starting from a guess within one unit in the
 * last place: step up while the decimal lies above the halfway point. */
static uint64_t exact_bits(const num_text *t, uint64_t guess)
{
    big d;
    int64_t q;
    big_from_digits(t, &d, &q);
    uint64_t bits = guess > 0 ? guess - 1 : 0;
    for (int i = 0; i < 2 && bits < INF_BITS; i++) {
        int c = cmp_halfway(&d, q, bits);
        if (c < 0 || (c == 0 && (bits & 1) == 0))
            return bits;
        bits++;
    }
    return bits;
}

/* ---- the double ---------------------------------------------------------- */

/* The first 19 significant digits, and whether any later one is nonzero. */
static uint64_t first_19_digits(const num_text *t, bool *truncated)
{
    size_t total = t->int_len + t->frac_len, i = t->lead_zeros;
    uint64_t w = 0;
    for (size_t end = i + 19; i < end; i++)
        w = w * 10 + (uint64_t)(digit_at(t, i) - '0');
    *truncated = false;
    for (; i < total; i++) {
        if (digit_at(t, i) != '0') {
            *truncated = true;
            break;
        }
    }
    return w;
}

/* The bits of the magnitude, correctly rounded; INF_BITS on overflow.
 * w is the digits accumulated modulo 2^64 while scanning. */
static uint64_t to_double_bits(num_text *t, uint64_t w)
{
    size_t z = 0;
    if (t->int_digits[0] == '0') {
        z = 1;
        while (z - 1 < t->frac_len && t->frac_digits[z - 1] == '0')
            z++;
    }
    t->lead_zeros = z;
    size_t nsig = t->int_len + t->frac_len - z;
    if (nsig == 0)
        return 0;
    int64_t q = t->exp - (int64_t)t->frac_len;
    uint64_t bits;
    if (nsig <= 19) {
        double d;
        if (clinger(w, q, &d)) {
            memcpy(&bits, &d, sizeof bits);
            return bits;
        }
        bits = eisel_lemire(w, q, true);
        if (bits != NEED_EXACT)
            return bits;
    } else {
        /* The value lies in [w, w + 1) * 10^q: when both ends round alike,
         * so does everything between them. */
        bool truncated;
        w = first_19_digits(t, &truncated);
        q += (int64_t)(nsig - 19);
        bits = eisel_lemire(w, q, true);
        if (!truncated && bits != NEED_EXACT)
            return bits;
        if (bits != NEED_EXACT && bits == eisel_lemire(w + 1, q, true))
            return bits;
    }
    return exact_bits(t, eisel_lemire(w, q, false));
}

/* ---- the fast path -------------------------------------------------------- */

/* Eisel-Lemire for the fast path's numbers with an exponent, kept out of
 * line (they are rarer than plain fractions): the bits, or NEED_EXACT when
 * the general path must decide (including overflow, which it reports). */
static __attribute__((noinline)) uint64_t fast_exponent_bits(uint64_t w, int64_t q)
{
    if (w == 0)
        return 0;
    double d;
    uint64_t bits;
    if (clinger(w, q, &d)) {
        memcpy(&bits, &d, sizeof bits);
        return bits;
    }
    bits = eisel_lemire(w, q, true);
    return bits >= INF_BITS ? NEED_EXACT : bits;
}

/* The common number of a document, "[-]int.frac[e[+-]d[d[d]]]" with at
 * most 19 digits and at most 16 after the point (every number of
 * canada.json is one), converted straight-line: the fraction in two 8-byte
 * loads, then, without an exponent, Clinger when the digits fit 53 bits,
 * else one 64 x 64-bit Eisel-Lemire product. s is at the '.', the integer
 * part before it has int_len digits of value w, and at least 18 bytes from s
 * are readable (end - s >= 18). Returns the number's length, or 0 when it
 * is not of this form or the fast conversion cannot decide: the general
 * path then takes it from the start of the fraction. */
static inline __attribute__((always_inline)) int fast_fraction(const char *p, const char *s,
                                                               const char *end, bool neg,
                                                               size_t int_len, uint64_t w,
                                                               ax__json_num *out)
{
    const char *f = s + 1;
    uint64_t a = minus_zeros(load8(f));
    unsigned n = leading_digits8(a);
    if (n == 8) {
        uint64_t b = minus_zeros(load8(f + 8));
        unsigned nb = leading_digits8(b);
        if (nb == 8) {
            if ((unsigned)((unsigned char)f[16] - '0') <= 9)
                return 0; /* more than 16 digits after the point */
            w = (w * 100000000 + value8(a)) * 100000000 + value8(b);
        } else {
            w = w * 100000000 + value8(a);
            if (nb > 0)
                w = w * pow10_u32[nb] + value_first(b, nb);
        }
        n += nb;
    } else {
        if (n == 0)
            return 0; /* "1." is not a number: the general path says so */
        w = w * pow10_u32[n] + value_first(a, n);
    }
    if (int_len + n > 19)
        return 0; /* w is not exact */
    const char *x = f + n;
    if ((*x | 0x20) == 'e') {
        /* an exponent of 1 to 3 digits: x[0..6) readable */
        if (end - x < 6)
            return 0;
        x++;
        bool eneg = *x == '-';
        x += *x == '-' || *x == '+';
        unsigned e = (unsigned char)x[0] - '0', e1 = (unsigned char)x[1] - '0';
        if (e > 9)
            return 0; /* "1.5e" is not a number: the general path says so */
        x++;
        if (e1 <= 9) {
            unsigned e2 = (unsigned char)x[1] - '0';
            e = e * 10 + e1;
            x++;
            if (e2 <= 9) {
                e = e * 10 + e2;
                x++;
                if ((unsigned)((unsigned char)*x - '0') <= 9)
                    return 0; /* four digits or more */
            }
        }
        uint64_t bits = fast_exponent_bits(w, (eneg ? -(int64_t)e : (int64_t)e) - (int64_t)n);
        if (bits == NEED_EXACT)
            return 0;
        bits |= (uint64_t)neg << 63;
        out->kind = AX__JSON_NUM_DOUBLE;
        memcpy(&out->v.d, &bits, sizeof bits);
        return (int)(x - p);
    }
    /* w * 10^-n, 1 <= n <= 16 */
    uint64_t bits;
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    if (w <= (UINT64_C(1) << 53)) {
        double d = (double)w / exact_pow10[n]; /* Clinger: both exact, one rounding */
        memcpy(&bits, &d, sizeof bits);
    } else
#endif
    {
        /* Eisel-Lemire with the table entry's high half only: the low half
         * adds less than one unit to the low 64 bits of w * hi, so at most
         * a carry of one into `top`, which moves no bit from the rounding
         * bit up unless every bit below it is one (then ask the general
         * path). The value is in [2^53 * 10^-16, 10^19) and its exact
         * product lies strictly above the truncated one, as in
         * eisel_lemire(). */
        int lz = clz64(w);
        int q = -(int)n;
        uint64_t top;
        ax__json_mul128(w << lz, ax__json_pow10[q - AX__JSON_POW10_MIN][0], &top);
        int msb = (int)(top >> 63);
        int shift = 9 + msb;
        uint64_t below_mask = (UINT64_C(1) << shift) - 1;
        if ((top & below_mask) == below_mask)
            return 0;
        uint64_t m = top >> shift;
        m = (m >> 1) + (m & 1);
        int biased = ax__json_floor_log2_pow10(q) + 63 + msb - lz + 1023;
        if (m >> (FRAC_BITS + 1)) { /* rounded up to 2^53 */
            m >>= 1;
            biased++;
        }
        bits = ((uint64_t)biased << FRAC_BITS) | (m & FRAC_MASK);
    }
    bits |= (uint64_t)neg << 63;
    out->kind = AX__JSON_NUM_DOUBLE;
    memcpy(&out->v.d, &bits, sizeof bits);
    return (int)(f + n - p);
}

/* ---- the grammar (RFC 8259 §6) ------------------------------------------- */

/*   number = [ minus ] int [ frac ] [ exp ]
 *   int    = zero / ( digit1-9 *DIGIT )
 *   frac   = decimal-point 1*DIGIT
 *   exp    = e [ minus / plus ] 1*DIGIT */
static int parse_after_int(const char *p, const char *s, const char *end, bool neg, num_text *tp,
                           uint64_t w, ax__json_num *out);

int ax__json_parse_number(const char *p, size_t len, ax__json_num *out)
{
    const char *s = p, *end = p + len;
    bool neg = s < end && *s == '-';
    s += neg;
    if (s == end || !is_digit(*s))
        return AX_EINVAL;
    num_text t = {.int_digits = s, .frac_digits = NULL, .frac_len = 0, .exp = 0};
    uint64_t w = 0;
    if (*s == '0') {
        s++;
        if (s < end && is_digit(*s))
            return AX_EINVAL; /* leading zero */
    } else {
        scan_digits(&s, end, &w);
    }
    if (end - s >= 18 && *s == '.') {
        int n = fast_fraction(p, s, end, neg, (size_t)(s - t.int_digits), w, out);
        if (n > 0)
            return n;
    }
    return parse_after_int(p, s, end, neg, &t, w, out);
}

/* Kept out of line so that the fast path saves no registers. */
static __attribute__((noinline)) int after_int_general(const char *p, size_t len, size_t int_end,
                                                       uint64_t w, ax__json_num *out)
{
    bool neg = *p == '-';
    num_text t = {.int_digits = p + neg, .frac_digits = NULL, .frac_len = 0, .exp = 0};
    return parse_after_int(p, p + int_end, p + len, neg, &t, w, out);
}

int ax__json_parse_number_after_int(const char *p, size_t len, size_t int_end, uint64_t w,
                                    ax__json_num *out)
{
    if (len - int_end >= 18 && p[int_end] == '.') {
        bool neg = *p == '-';
        int n = fast_fraction(p, p + int_end, p + len, neg, int_end - neg, w, out);
        if (n > 0)
            return n;
    }
    return after_int_general(p, len, int_end, w, out);
}

/* The rest of the grammar from s, the end of the integer part t->int_digits
 * (whose digits, modulo 2^64, are w): fraction, exponent, conversion. */
static int parse_after_int(const char *p, const char *s, const char *end, bool neg, num_text *tp,
                           uint64_t w, ax__json_num *out)
{
    num_text t = *tp;
    t.int_len = (size_t)(s - t.int_digits);
    bool integer = true;
    if (s < end && *s == '.') {
        t.frac_digits = ++s;
        scan_digits(&s, end, &w);
        t.frac_len = (size_t)(s - t.frac_digits);
        if (t.frac_len == 0)
            return AX_EINVAL;
        integer = false;
    }
    if (s < end && (*s | 0x20) == 'e') {
        s++;
        bool eneg = s < end && *s == '-';
        if (s < end && (*s == '-' || *s == '+'))
            s++;
        const char *digits = s;
        int64_t e = 0;
        for (; s < end && is_digit(*s); s++) {
            if (e < EXP_SATURATE)
                e = e * 10 + (*s - '0');
        }
        if (s == digits)
            return AX_EINVAL;
        t.exp = eneg ? -e : e;
        integer = false;
    }
    if ((size_t)(s - p) > INT_MAX)
        return AX_ERANGE;
    if (integer && to_integer(&t, neg, w, out))
        return (int)(s - p);
    uint64_t bits = to_double_bits(&t, w);
    if (bits >= INF_BITS)
        return AX_ERANGE;
    bits |= (uint64_t)neg << 63;
    out->kind = AX__JSON_NUM_DOUBLE;
    memcpy(&out->v.d, &bits, sizeof bits);
    return (int)(s - p);
}
