/*
 * json/num_format.c — numbers to JSON text.
 *
 * PROVISIONAL: shortest digits found by trying snprintf %.{1..17}g until
 * the text reads back exactly. To be replaced by a libc-independent
 * shortest-digits algorithm.
 */
#include "json/num.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t ax__json_format_u64(uint64_t v, char *buf)
{
    char tmp[20];
    size_t n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (size_t k = 0; k < n; k++) buf[k] = tmp[n - 1 - k];
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

size_t ax__json_format_double(double d, char *buf)
{
    static locale_t loc;
    if (!loc) loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t old = uselocale(loc);
    char tmp[40];
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d) break;
    }
    uselocale(old);
    int has = 0;
    for (int k = 0; k < n; k++)
        if (tmp[k] == '.' || tmp[k] == 'e') has = 1;
    if (!has) { tmp[n++] = '.'; tmp[n++] = '0'; }
    memcpy(buf, tmp, (size_t)n);
    return (size_t)n;
}
