/*
 * json/num.h — JSON number conversions (private to the json module).
 *
 * Text to number (RFC 8259 §6 grammar, correctly rounded) and number to the
 * shortest text that reads back exactly. See docs/json-numbers.md for how.
 */
#ifndef AX_JSON_NUM_H
#define AX_JSON_NUM_H

#include <stddef.h>
#include <stdint.h>

#include "axle/base.h"

/* The kinds a JSON number converts to. */
typedef enum ax__json_num_kind {
    AX__JSON_NUM_INT64,
    AX__JSON_NUM_UINT64,
    AX__JSON_NUM_DOUBLE
} ax__json_num_kind;

typedef struct ax__json_num {
    ax__json_num_kind kind;
    union {
        int64_t i;
        uint64_t u;
        double d;
    } v;
} ax__json_num;

/* Scans the JSON number (RFC 8259 §6) that starts at p[0] within p[0..len)
 * and converts it. Returns the number of bytes it spans (> 0), or AX_EINVAL
 * when p does not start with a valid number (leading zero, '+', '.5', '1.',
 * '1e', ...), or AX_ERANGE when its magnitude exceeds DBL_MAX (1e400); it
 * never reads p[len] or beyond. A number without fraction or exponent that
 * fits int64_t is INT64, else one that fits uint64_t is UINT64; all others
 * are DOUBLE, correctly rounded (ties to even), locale-independent; "-0" is
 * DOUBLE -0.0; underflow gives 0 or a subnormal. The caller decides whether
 * the number is complete (at the end of an incremental chunk, more digits
 * may follow). A number spanning more than INT_MAX bytes is AX_ERANGE. Never
 * allocates; any length costs time linear in it and at most ~1.7 KiB of stack. */
int ax__json_parse_number(const char *p, size_t len, ax__json_num *out);

/* ax__json_parse_number for a caller that has already scanned the number's
 * sign and integer part: p[0..int_end) is an optional '-' and 1 or more
 * digits without a leading zero (unless the only digit), and w their value
 * modulo 2^64. The same result as ax__json_parse_number(p, len, out),
 * without reading those digits again (the parser's integer fast path hands
 * over here when it meets a '.'). */
int ax__json_parse_number_after_int(const char *p, size_t len, size_t int_end, uint64_t w,
                                    ax__json_num *out);

/* Shortest text that reads back as exactly d (finite only): always contains
 * '.' or 'e' so that it reads back as a double (1.0, -0.0, 1e+300, 5e-324).
 * Writes at most 32 bytes, no terminating NUL; returns the length (at most
 * 26). buf must have room for all 32: bytes past the returned length may be
 * overwritten (the text is laid out with fixed-size copies). NaN and the
 * infinities are not JSON and the caller must refuse them; given one anyway,
 * it writes some number text, still within the 32 bytes. */
size_t ax__json_format_double(double d, char *buf);

/* Decimal integers, no terminating NUL; at most 20 / 21 bytes; return the
 * length. */
size_t ax__json_format_u64(uint64_t v, char *buf);
size_t ax__json_format_i64(int64_t v, char *buf);

/* ---- shared by num_parse.c and num_format.c ------------------------------ */

/* ax__json_pow10[e - AX__JSON_POW10_MIN] holds T(e) = floor(10^e * 2^(127 - b(e)))
 * as {high 64 bits, low 64 bits}, where b(e) = floor(log2(10^e)), so that
 * 2^127 <= T(e) < 2^128 and 10^e = (T(e) + x) * 2^(b(e) - 127) with 0 <= x < 1.
 * T(e) is exact (x = 0) for 0 <= e <= AX__JSON_POW10_EXACT_MAX. The range covers
 * what parsing needs (10^-342 times a 19-digit mantissa is below half the
 * smallest subnormal; 10^309 is above DBL_MAX) and what formatting needs
 * (10^k for k in [-292, 326]: Dragonbox's k = 2 - floor(q * log10(2)) for
 * the least subnormal's q = -1074 is 326). Defined in json/num_pow10.c,
 * written by json/gen/num_pow10_gen.c; tests/json/test_num_table.c
 * recomputes every entry with its own exact big-integer arithmetic. */
#define AX__JSON_POW10_MIN (-342)
#define AX__JSON_POW10_MAX 326
#define AX__JSON_POW10_EXACT_MAX 55
extern const uint64_t ax__json_pow10[AX__JSON_POW10_MAX - AX__JSON_POW10_MIN + 1][2];

/* The full 128-bit product a * b: returns the low half, stores the high half. */
static inline uint64_t ax__json_mul128(uint64_t a, uint64_t b, uint64_t *hi)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    u128 p = (u128)a * b;
    *hi = (uint64_t)(p >> 64);
    return (uint64_t)p;
#else
    /* Schoolbook on 32-bit halves, for compilers without a 128-bit type. */
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return (mid << 32) | (uint32_t)ll;
#endif
}

/* Fixed-point logarithms (>> of a negative value is arithmetic on every
 * compiler axle supports). tests/json/test_num_table.c checks each against
 * exact integer arithmetic over |argument| <= 1100, more than the
 * conversions use (doubles have 2^-1074 <= 2^q < 2^1024).
 *   floor(e * log2(10))                                                   */
static inline int ax__json_floor_log2_pow10(int e)
{
    return (int)(((int64_t)e * 3483294) >> 20);
}

/*   floor(q * log10(2))                                                   */
static inline int ax__json_floor_log10_pow2(int q)
{
    return (int)(((int64_t)q * INT64_C(661971961083)) >> 41);
}

/*   floor(log10(3/4 * 2^q))                                               */
static inline int ax__json_floor_log10_three_quarters_pow2(int q)
{
    return (int)(((int64_t)q * INT64_C(661971961083) - INT64_C(274743187321)) >> 41);
}

#endif
