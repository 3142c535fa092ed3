/*
 * Byte-class scanners for the HTTP/1.1 parser. Each returns the index of the
 * first byte of p[0, n) outside its class, or n when every byte is inside.
 * They never read past p + n (the guard-page test holds them to it).
 *
 * On x86-64 they look at 32 (AVX2) or 16 (SSE2) bytes at a time, chosen once
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

/* Token bytes (method, field name). */
size_t ax__h1_scan_token(const unsigned char *p, size_t n);

/* Request-target bytes: 0x21..0x7E. */
size_t ax__h1_scan_target(const unsigned char *p, size_t n);

/* Field-value bytes: HTAB, SP, 0x21..0x7E, 0x80..0xFF (so it stops at CR, LF,
 * NUL, any other control and DEL). */
size_t ax__h1_scan_value(const unsigned char *p, size_t n);

/* Which implementation the scanners use: 0 plain C, 1 SSE2, 2 AVX2. */
int ax__h1_scan_level(void);

/* Makes every scanner use the plain C loop (enabled false) or the best the
 * CPU has (true), process-wide. For tests and benchmarks. */
void ax__h1_scan_force_scalar(bool enabled);

#endif /* AXLE_HTTP1_SCAN_H */
