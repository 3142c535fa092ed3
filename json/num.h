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
 * may follow). */
int ax__json_parse_number(const char *p, size_t len, ax__json_num *out);

/* Shortest text that reads back as exactly d (finite only): always contains
 * '.' or 'e' so that it reads back as a double (1.0, -0.0, 1e+300, 5e-324).
 * Writes at most 32 bytes, no terminating NUL; returns the length. */
size_t ax__json_format_double(double d, char *buf);

/* Decimal integers, no terminating NUL; at most 20 / 21 bytes; return the
 * length. */
size_t ax__json_format_u64(uint64_t v, char *buf);
size_t ax__json_format_i64(int64_t v, char *buf);

#endif
