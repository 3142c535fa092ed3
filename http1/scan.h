/*
 * Byte-class scanners for the HTTP/1.1 parser. Each returns the index of the
 * first byte of p[0, n) outside its class, or n when every byte is inside.
 * They never read past p + n (the guard-page test holds them to it).
 *
 * On x86-64 they look at 32 (AVX2) or 16 (SSE2, SSSE3) bytes at a time, chosen once
 * from the CPU; elsewhere, or after ax__h1_scan_force_scalar(), a plain C loop
 * over a table does the same job. The tests run every message through both.
 */
#ifndef AXLE_HTTP1_SCAN_H
#define AXLE_HTTP1_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bits of ax__h1_class[c]. */
enum {
    AX__H1_TCHAR = 1,   /* token character (RFC 9110 section 5.6.2) */
    AX__H1_VCHAR = 2,   /* field-vchar or SP / HTAB: field value and reason
                           phrase bytes (RFC 9110 section 5.5), obs-text too */
    AX__H1_TARGET = 4,  /* a byte a request-target may hold: visible ASCII */
    AX__H1_HEX = 8      /* HEXDIG */
};

extern const uint8_t ax__h1_class[256];

/* 0 plain C, 1 SSE2, 2 SSSE3, 3 AVX2; -1 until the first
 * ax__h1_scan_level(). */
extern int ax__h1_simd;

/* The index of the first byte of p[0, n) whose class lacks `bit`, or n. */
static inline size_t ax__h1_scan_class(const unsigned char *p, size_t n, uint8_t bit)
{
    size_t i = 0;
    /* Four at a time: the loop-carried work is one table load per byte. */
    for (; i + 4 <= n; i += 4) {
        if (!(ax__h1_class[p[i]] & bit))
            return i;
        if (!(ax__h1_class[p[i + 1]] & bit))
            return i + 1;
        if (!(ax__h1_class[p[i + 2]] & bit))
            return i + 2;
        if (!(ax__h1_class[p[i + 3]] & bit))
            return i + 3;
    }
    for (; i < n; i++) {
        if (!(ax__h1_class[p[i]] & bit))
            return i;
    }
    return n;
}

/* The vector loops, for n >= 16 (out of line). */
size_t ax__h1_scan_token_vec(const unsigned char *p, size_t n);
size_t ax__h1_scan_target_vec(const unsigned char *p, size_t n);
size_t ax__h1_scan_value_vec(const unsigned char *p, size_t n);

/* Short runs (a few bytes left in a buffer that arrives in pieces) stay in
 * the plain loop: entering the vector code costs more than it saves there. */
static inline bool ax__h1_use_vec(size_t n)
{
    return n >= 16 && __atomic_load_n(&ax__h1_simd, __ATOMIC_RELAXED) > 0;
}

/* Token bytes (method, field name). */
static inline size_t ax__h1_scan_token(const unsigned char *p, size_t n)
{
    return ax__h1_use_vec(n) ? ax__h1_scan_token_vec(p, n)
                             : ax__h1_scan_class(p, n, AX__H1_TCHAR);
}

/* Request-target bytes: 0x21..0x7E. */
static inline size_t ax__h1_scan_target(const unsigned char *p, size_t n)
{
    return ax__h1_use_vec(n) ? ax__h1_scan_target_vec(p, n)
                             : ax__h1_scan_class(p, n, AX__H1_TARGET);
}

/* Field-value bytes: HTAB, SP, 0x21..0x7E, 0x80..0xFF (so it stops at CR, LF,
 * NUL, any other control and DEL). */
static inline size_t ax__h1_scan_value(const unsigned char *p, size_t n)
{
    return ax__h1_use_vec(n) ? ax__h1_scan_value_vec(p, n)
                             : ax__h1_scan_class(p, n, AX__H1_VCHAR);
}

/* Which implementation the scanners use: 0 plain C, 1 SSE2, 2 SSSE3 (token
 * bytes by nibble tables), 3 AVX2 (and SSSE3). Chooses
 * it from the CPU on the first call (ax_h1_parser_init makes that call). */
int ax__h1_scan_level(void);

/* Makes every scanner use the plain C loop (enabled true) or the best the
 * CPU has (false), process-wide. For tests and benchmarks. */
void ax__h1_scan_force_scalar(bool enabled);

#endif /* AXLE_HTTP1_SCAN_H */
