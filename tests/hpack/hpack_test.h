/*
 * Helpers shared by the hpack tests: hex, decoded header lists, and a tiny
 * JSON reader for the hpack-test-case stories in ../shared/corpus/hpack
 * (the tests may not use axle's json module, which has its own tests).
 */
#ifndef AXLE_TEST_HPACK_H
#define AXLE_TEST_HPACK_H

#include <stdbool.h>
#include <stddef.h>

#include "axle/hpack.h"
#include "support/files.h"

/* Hex digits to octets, skipping spaces; returns the octet count. */
size_t th_hex(const char *hex, unsigned char *out, size_t cap);

/* A decoded header list, copied out of the decoder. */
typedef struct th_field {
    char *name;
    size_t name_len;
    char *value;
    size_t value_len;
    unsigned flags;
} th_field;

typedef struct th_list {
    th_field *fields;
    size_t count, cap;
} th_list;

void th_list_add(th_list *l, const void *name, size_t nlen, const void *value,
                 size_t vlen, unsigned flags);
void th_list_clear(th_list *l);
void th_list_free(th_list *l);

/* Decodes a whole block into l (appending); returns what the last
 * ax_hpack_decoder_next returned (0, AX_ELIMIT or an error). */
int th_decode(ax_hpack_decoder *d, const void *block, size_t len, th_list *l);

/* ---- a tiny JSON reader --------------------------------------------------- */

typedef enum { TJ_NULL, TJ_BOOL, TJ_NUM, TJ_STR, TJ_ARR, TJ_OBJ } tj_kind;

typedef struct tj {
    tj_kind kind;
    double num;
    char *str;          /* TJ_STR: decoded octets; also an object member's key */
    size_t len;
    char *key;          /* set on object members */
    size_t key_len;
    struct tj *child;   /* first element / member */
    struct tj *next;
} tj;

/* Parses text; NULL on a syntax error. Free with tj_free. */
tj *tj_parse(const char *text, size_t len);
void tj_free(tj *v);
const tj *tj_get(const tj *obj, const char *key);

/* The stories: the directory's path (AXLE_CORPUS or ../shared/corpus, plus
 * "/hpack/<set>"), NULL when the corpus is absent. */
const char *th_corpus_dir(char *buf, size_t cap, const char *set);


#endif /* AXLE_TEST_HPACK_H */
