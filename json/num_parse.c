/*
 * json/num_parse.c — JSON number text to int64 / uint64 / double.
 *
 * PROVISIONAL: validates the RFC 8259 §6 grammar itself, then converts
 * doubles with strtod_l in a C locale. To be replaced by an exact,
 * libc-independent converter.
 */
#include "json/num.h"

#include "base/alloc.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static locale_t c_locale(void)
{
    static locale_t loc;
    if (!loc)
        loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    return loc;
}

int ax__json_parse_number(const char *p, size_t len, ax__json_num *out)
{
    size_t i = 0;
    int neg = 0, is_int = 1;
    if (i < len && p[i] == '-') { neg = 1; i++; }
    if (i >= len || !is_digit(p[i])) return AX_EINVAL;
    size_t int_start = i;
    if (p[i] == '0') {
        i++;
        if (i < len && is_digit(p[i])) return AX_EINVAL; /* leading zero */
    } else {
        while (i < len && is_digit(p[i])) i++;
    }
    size_t int_end = i;
    if (i < len && p[i] == '.') {
        is_int = 0;
        i++;
        if (i >= len || !is_digit(p[i])) return AX_EINVAL;
        while (i < len && is_digit(p[i])) i++;
    }
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        is_int = 0;
        i++;
        if (i < len && (p[i] == '+' || p[i] == '-')) i++;
        if (i >= len || !is_digit(p[i])) return AX_EINVAL;
        while (i < len && is_digit(p[i])) i++;
    }
    if (is_int && !(neg && int_end - int_start == 1 && p[int_start] == '0')) {
        uint64_t u = 0;
        int over = 0;
        for (size_t k = int_start; k < int_end; k++) {
            unsigned d = (unsigned)(p[k] - '0');
            if (u > (UINT64_MAX - d) / 10) { over = 1; break; }
            u = u * 10 + d;
        }
        if (!over) {
            if (!neg && u <= (uint64_t)INT64_MAX) {
                out->kind = AX__JSON_NUM_INT64; out->v.i = (int64_t)u; return (int)i;
            }
            if (!neg) {
                out->kind = AX__JSON_NUM_UINT64; out->v.u = u; return (int)i;
            }
            if (u <= (uint64_t)INT64_MAX + 1) {
                out->kind = AX__JSON_NUM_INT64;
                out->v.i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
                return (int)i;
            }
        }
    }
    char stackbuf[128];
    char *buf = stackbuf;
    char *heap = NULL;
    if (i >= sizeof stackbuf) {
        heap = ax__malloc(ax__allocator_or_default(NULL), i + 1);
        if (!heap) return AX_ENOMEM;
        buf = heap;
    }
    memcpy(buf, p, i);
    buf[i] = '\0';
    double d = strtod_l(buf, NULL, c_locale());
    if (heap) ax__free(ax__allocator_or_default(NULL), heap);
    if (isinf(d)) return AX_ERANGE;
    out->kind = AX__JSON_NUM_DOUBLE;
    out->v.d = d;
    return (int)i;
}
