/*
 * A test driver for the HTTP/1.1 parser: feeds a message in pieces the way a
 * network would (whole, byte by byte, split at a position), keeps the unread
 * bytes ending exactly at a PROT_NONE guard page so that any read past the
 * input crashes, and writes what the parser reported as a transcript:
 *
 *   REQ <method> <target> <version> <name>=<value>;...|   RESP / INFO
 *   DATA:<bytes>| (consecutive pieces merged)   TRL <name>=<value>;...|
 *   END|  PAUSED|  H2|  CLOSED|  ERR <status>|
 */
#ifndef AXLE_TEST_H1_FEED_H
#define AXLE_TEST_H1_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "axle/http1.h"

typedef struct h1_feed {
    ax_h1_kind kind;
    const char *expect_method; /* responses: the request's method */
    bool eof;                  /* close after the input */
    const ax_h1_options *opt;  /* NULL: defaults */
} h1_feed;

/* Parses msg[0, len) delivered in pieces: piece sizes 0 = whole, otherwise
 * the first piece is `first` bytes and the rest come `step` bytes at a time.
 * Writes the transcript into out (NUL-terminated) and returns the last
 * return code (0 or the error). */
int h1_feed_run(const h1_feed *f, const char *msg, size_t len, size_t first,
                size_t step, char *out, size_t out_len);

/* Runs msg through every way of feeding it (whole, byte by byte, 16-byte
 * pieces, split in two at every position), each with the vector and the plain
 * C scanners, and asserts that every run gives the transcript want. */
void h1_expect_everywhere(const h1_feed *f, const char *name, const char *msg, size_t len,
                          const char *want);

#endif
