/*
 * Fuzzes the JSON number conversions (json/num_parse.c, json/num_format.c).
 *
 * Parse: the input is the text (libFuzzer's buffer is exactly `size` bytes, so
 * AddressSanitizer catches any read past len). The span and AX_EINVAL must
 * match a plain reference reading of the RFC 8259 §6 grammar written here;
 * an accepted number must have the kind its text calls for, and the value
 * glibc gives it in the C locale (strtoull/strtoll for integers, strtod_l
 * for doubles, whose infinity must be AX_ERANGE).
 *
 * The handover entry (ax__json_parse_number_after_int, given the integer
 * part already read) must agree with it.
 *
 * Format: the first 8 bytes, as a double's bits when finite, must format to
 * at most 26 bytes with a '.' or an 'e', never touch buf[32..], and read back
 * to the same bits through both our parser and strtod_l.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static locale_t c_locale(void)
{
    static locale_t loc;
    if (!loc)
        loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!loc)
        abort();
    return loc;
}

static bool digit(const char *p, size_t i, size_t len)
{
    return i < len && p[i] >= '0' && p[i] <= '9';
}

/* The reference: the span of the number at p, or -1; *integer when it has
 * neither fraction nor exponent. */
static long reference_span(const char *p, size_t len, bool *integer)
{
    size_t i = 0;
    *integer = true;
    if (i < len && p[i] == '-')
        i++;
    if (!digit(p, i, len))
        return -1;
    if (p[i] == '0') {
        i++;
        if (digit(p, i, len))
            return -1;
    } else {
        while (digit(p, i, len))
            i++;
    }
    if (i < len && p[i] == '.') {
        *integer = false;
        i++;
        if (!digit(p, i, len))
            return -1;
        while (digit(p, i, len))
            i++;
    }
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        *integer = false;
        i++;
        if (i < len && (p[i] == '+' || p[i] == '-'))
            i++;
        if (!digit(p, i, len))
            return -1;
        while (digit(p, i, len))
            i++;
    }
    return (long)i;
}

/* The parser's handover entry, given the integer part already read, must
 * agree with the whole-number entry point. */
static void check_handover(const char *p, size_t len, int r, const ax__json_num *n)
{
    size_t i = p[0] == '-';
    uint64_t w = 0;
    while (digit(p, i, len))
        w = w * 10 + (uint64_t)(p[i++] - '0');
    size_t digits = i - (p[0] == '-');
    if (digits == 0 || i >= len || p[i] != '.' || (digits > 1 && p[i - digits] == '0'))
        return;
    ax__json_num h;
    memset(&h, 0, sizeof h);
    int rh = ax__json_parse_number_after_int(p, len, i, w, &h);
    if (rh != r || (r > 0 && (h.kind != n->kind || h.v.u != n->v.u)))
        abort();
}

static void check_parse(const char *p, size_t len)
{
    ax__json_num n;
    memset(&n, 0, sizeof n);
    int r = ax__json_parse_number(p, len, &n);
    if (len > 0)
        check_handover(p, len, r, &n);
    bool integer;
    long want = reference_span(p, len, &integer);
    if (want < 0) {
        if (r != AX_EINVAL)
            abort();
        return;
    }
    char *text = malloc((size_t)want + 1);
    if (!text)
        return;
    memcpy(text, p, (size_t)want);
    text[want] = '\0';
    bool neg = text[0] == '-';
    if (integer && !(neg && strcmp(text, "-0") == 0)) {
        char *end;
        errno = 0;
        if (!neg) {
            unsigned long long u = strtoull(text, &end, 10);
            if (errno == 0) {
                bool small = u <= INT64_MAX;
                if (r != want || n.kind != (small ? AX__JSON_NUM_INT64 : AX__JSON_NUM_UINT64) || n.v.u != u)
                    abort();
                free(text);
                return;
            }
        } else {
            long long s = strtoll(text, &end, 10);
            if (errno == 0) {
                if (r != want || n.kind != AX__JSON_NUM_INT64 || n.v.i != s)
                    abort();
                free(text);
                return;
            }
        }
    }
    double d = strtod_l(text, NULL, c_locale());
    free(text);
    if (isinf(d)) {
        if (r != AX_ERANGE)
            abort();
        return;
    }
    if (r != want || n.kind != AX__JSON_NUM_DOUBLE || memcmp(&n.v.d, &d, sizeof d) != 0)
        abort();
}

static void check_format(const uint8_t *data)
{
    double d;
    memcpy(&d, data, sizeof d);
    if (!isfinite(d))
        return;
    char buf[40];
    memset(buf, '#', sizeof buf);
    size_t n = ax__json_format_double(d, buf);
    if (n == 0 || n > 26 || (!memchr(buf, '.', n) && !memchr(buf, 'e', n)))
        abort();
    for (size_t i = 32; i < sizeof buf; i++) {
        if (buf[i] != '#')
            abort();
    }
    ax__json_num v;
    if (ax__json_parse_number(buf, n, &v) != (int)n || v.kind != AX__JSON_NUM_DOUBLE ||
        memcmp(&v.v.d, &d, sizeof d) != 0)
        abort();
    buf[n] = '\0';
    double back = strtod_l(buf, NULL, c_locale());
    if (memcmp(&back, &d, sizeof d) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_parse((const char *)data, size);
    if (size >= 8)
        check_format(data);
    return 0;
}
