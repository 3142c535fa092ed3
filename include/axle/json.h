/*
 * axle/json.h — a strict RFC 8259 JSON parser, document model and writer.
 *
 *   ax_json_parse      text -> an immutable document (ax_json_doc)
 *   ax_json_reader     the same, for input that arrives in pieces, and for
 *                      several documents in one stream (JSON lines,
 *                      concatenated JSON), without re-parsing from the start
 *   ax_json_val        a value inside a document: type, scalars, O(1) array
 *                      indexing, lookup by key, iteration
 *   ax_json_mut        a builder: mutable values put together and changed in
 *                      any order, then frozen into a document
 *   ax_json_write      a document (or any value in it) -> text, compact or
 *                      pretty, into an ax_bytes_mut or a caller's buffer
 *   ax_json_writer     a streaming writer (begin object, key, value, end)
 *                      for output built without a document
 *
 * The parser accepts exactly the RFC 8259 grammar: no comments, trailing
 * commas, single quotes, NaN/Infinity, leading '+' or leading zeros, raw
 * control characters in strings, or bytes that are not UTF-8 (RFC 8259
 * section 8.1) unless an option relaxes that. Duplicate keys in an object are
 * kept in order (section 4 leaves their meaning open); ax_json_get returns
 * the value of the last one, as most implementations do.
 *
 * A document owns all its memory: a copy of the strings (decoded, each
 * followed by a NUL) and the value nodes, in one or a few blocks from its
 * allocator, freed at once by ax_json_doc_free. Every ax_json_val pointer
 * and every string it hands out lives exactly as long as its document.
 * Documents are immutable and may be read from several threads at once.
 *
 * Errors: syntax and encoding errors are AX_EPROTO, a number too large for
 * a double AX_ERANGE, nesting deeper than the limit or input larger than the
 * limit AX_ELIMIT; each comes with an ax_json_error giving the byte offset,
 * line, column and a reason.
 */
#ifndef AXLE_JSON_H
#define AXLE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "axle/base.h"
#include "axle/bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- parsing ----------------------------------------------------------- */

typedef struct ax_json_parse_options {
    const ax_allocator *allocator; /* NULL: the default allocator */
    /* Deepest nesting of arrays and objects accepted; the root container is
     * depth 1. Default 512. The parser never recurses, so any value is safe
     * for the C stack; the limit bounds the memory of hostile input. */
    size_t max_depth;
    /* ax_json_reader only: the most input bytes it holds at once (the
     * document in progress and whatever follows it, not yet read); default
     * 64 MiB. Feeding past it fails with AX_ELIMIT. */
    size_t max_buffer;
    /* Replace each invalid UTF-8 sequence inside a string by U+FFFD instead
     * of failing (invalid bytes outside strings are always an error).
     * Default false. */
    bool replace_invalid_utf8;
    /* Accept \u escapes of unpaired surrogates (U+D800..U+DFFF), decoded as
     * 3-byte generalised UTF-8 (WTF-8); the writer escapes them back as \u.
     * Default false: rejected, as RFC 8259 section 8.2 allows. */
    bool allow_lone_surrogates;
    /* Keep numbers as their text (AX_JSON_RAW) instead of converting them;
     * the grammar is still checked, and numbers too large for a double are
     * accepted. ax_json_get_double and friends convert on request.
     * Default false. */
    bool raw_numbers;
} ax_json_parse_options;

/* Fills *o with the defaults above. */
AX_API void ax_json_parse_options_init(ax_json_parse_options *o);

/* Where and why parsing failed. Lines and columns count from 1; the column
 * counts bytes, so a multi-byte character counts as several. */
typedef struct ax_json_error {
    int code;           /* the AX_E code the function returned */
    size_t offset;      /* bytes from the start of the input (for the
                           reader, from the first byte ever fed) */
    size_t line;
    size_t column;
    const char *reason; /* a static sentence, never NULL after an error */
} ax_json_error;

typedef struct ax_json_doc ax_json_doc; /* opaque */
typedef struct ax_json_val ax_json_val; /* opaque; lives in its document */

/* Parses exactly one JSON text (whitespace may surround it) from
 * text[0, len) into a new document, *out. text is borrowed: the document
 * keeps its own copy. o may be NULL for the defaults; err may be NULL.
 * Returns 0; AX_EPROTO (grammar, UTF-8, escapes), AX_ERANGE (a number past
 * DBL_MAX), AX_ELIMIT (nesting deeper than max_depth), AX_ENOMEM; on error
 * *out is NULL and *err says where and why. */
AX_API int ax_json_parse(const void *text, size_t len,
                         const ax_json_parse_options *o, ax_json_doc **out,
                         ax_json_error *err);

/* Frees the document and everything in it. NULL is ignored. */
AX_API void ax_json_doc_free(ax_json_doc *doc);

/* The root value; never NULL for a parsed or built document. */
AX_API const ax_json_val *ax_json_doc_root(const ax_json_doc *doc);

/* ---- incremental reading ----------------------------------------------- */

typedef struct ax_json_reader ax_json_reader; /* opaque */

/* A reader with options o (NULL: defaults), copied. Returns 0 or AX_ENOMEM. */
AX_API int ax_json_reader_new(const ax_json_parse_options *o,
                              ax_json_reader **out);

/* Frees the reader and any input it still holds. NULL is ignored. */
AX_API void ax_json_reader_free(ax_json_reader *r);

/* Appends data[0, len) (copied) to the reader's input. Returns 0;
 * AX_ELIMIT if the reader would then hold more than max_buffer bytes
 * not yet read; AX_ESTATE after ax_json_reader_end or after an error;
 * AX_ENOMEM (nothing appended). */
AX_API int ax_json_reader_feed(ax_json_reader *r, const void *data,
                               size_t len);

/* Declares that no more input will come, so that a number at the very end
 * can complete and truncation is reported as an error. */
AX_API void ax_json_reader_end(ax_json_reader *r);

/* Parses on from where the last call stopped (bytes already consumed are
 * not looked at again; a token cut by the end of the input is re-read
 * from its first byte). Returns 1 and sets *out to the next complete
 * document (the caller owns it); 0 when more input is needed; AX_EOF when
 * ax_json_reader_end was called and only whitespace remains; otherwise an
 * error as for ax_json_parse (err, when not NULL, says where; offsets count
 * from the first byte ever fed), after which the reader only returns that
 * error again. Documents may follow each other with or without whitespace
 * in between (JSON lines, concatenated JSON). */
AX_API int ax_json_reader_next(ax_json_reader *r, ax_json_doc **out,
                               ax_json_error *err);

/* ---- reading values ---------------------------------------------------- */

typedef enum ax_json_type {
    AX_JSON_NULL = 0,
    AX_JSON_BOOL,
    AX_JSON_NUMBER,
    AX_JSON_STRING,
    AX_JSON_ARRAY,
    AX_JSON_OBJECT
} ax_json_type;

/* How a number is held. */
typedef enum ax_json_num_kind {
    AX_JSON_INT64 = 0, /* an integer that fits int64_t */
    AX_JSON_UINT64,    /* a positive integer past INT64_MAX that fits uint64_t */
    AX_JSON_DOUBLE,    /* any other number, correctly rounded */
    AX_JSON_RAW        /* the number's text (raw_numbers option) */
} ax_json_num_kind;

/* The value's type. v must not be NULL (likewise below, unless said). */
AX_API ax_json_type ax_json_type_of(const ax_json_val *v);

/* For a number, how it is held; AX_EINVAL (negative) for other types. */
AX_API int ax_json_num_kind_of(const ax_json_val *v);

/* True for true, false for false and for every non-boolean. */
AX_API bool ax_json_get_bool(const ax_json_val *v);

/* The number as int64_t. Returns 0; AX_EINVAL if v is not a number;
 * AX_ERANGE if it is not an integer that fits (then *out is unchanged). */
AX_API int ax_json_get_int64(const ax_json_val *v, int64_t *out);

/* The number as uint64_t; errors as ax_json_get_int64. */
AX_API int ax_json_get_uint64(const ax_json_val *v, uint64_t *out);

/* The number as the nearest double (integers past 2^53 round). Returns 0;
 * AX_EINVAL if v is not a number; AX_ERANGE for a raw number past DBL_MAX. */
AX_API int ax_json_get_double(const ax_json_val *v, double *out);

/* A string's bytes (UTF-8, decoded, NUL-terminated; it may also contain
 * NULs written as \u0000, hence *len) or, for an AX_JSON_RAW number, its
 * text (not NUL-terminated). NULL for other types. len may be NULL. */
AX_API const char *ax_json_get_str(const ax_json_val *v, size_t *len);

/* Elements of an array, members (key-value pairs) of an object; 0 for
 * every other type. */
AX_API size_t ax_json_len(const ax_json_val *v);

/* The i-th element of an array, in O(1); NULL if v is not an array or i is
 * out of range. */
AX_API const ax_json_val *ax_json_at(const ax_json_val *v, size_t i);

/* The key (a string value) and the value of an object's i-th member, in
 * document order, in O(1); NULL if v is not an object or i is out of range. */
AX_API const ax_json_val *ax_json_key_at(const ax_json_val *v, size_t i);
AX_API const ax_json_val *ax_json_value_at(const ax_json_val *v, size_t i);

/* The value of the member named key[0, key_len) of object v, comparing
 * bytes; with duplicate keys the last one wins. Linear in the object's size.
 * NULL if v is not an object or has no such member. */
AX_API const ax_json_val *ax_json_get(const ax_json_val *v, const char *key,
                                      size_t key_len);

/* Whether a and b hold the same JSON value: same types, equal strings,
 * equal numbers as held (1 and 1.0 differ; raw numbers compare as text;
 * 0.0 and -0.0 differ), arrays equal element by element, objects with equal
 * members in the same order. No recursion: safe at any depth. Returns 1 when
 * equal, 0 when not, AX_ENOMEM when nesting past 64 levels needed memory
 * (from the default allocator) that could not be had. */
AX_API int ax_json_equal(const ax_json_val *a, const ax_json_val *b);

/* ---- building documents ------------------------------------------------ */

/* A builder owns mutable values (ax_json_mval) in an arena of its own: make
 * scalars and containers, put them together and change them in any order,
 * then freeze a tree into an immutable ax_json_doc (a copy; the builder may
 * go on and make more). Every value lives until ax_json_mut_free; values
 * removed from a container are no longer in any tree but their memory is
 * only returned then. Not thread-safe. */
typedef struct ax_json_mut ax_json_mut;   /* opaque */
typedef struct ax_json_mval ax_json_mval; /* opaque; lives in its builder */

/* A new, empty builder with allocator a (NULL: default). Returns 0 or
 * AX_ENOMEM. */
AX_API int ax_json_mut_new(const ax_allocator *a, ax_json_mut **out);

/* Frees the builder and every value made with it. NULL is ignored. */
AX_API void ax_json_mut_free(ax_json_mut *m);

/* New values, not yet in any container. NULL when out of memory; also for
 * a string that is not UTF-8 (it is copied) and for a NaN or infinite
 * double, which JSON cannot represent. */
AX_API ax_json_mval *ax_json_mut_null(ax_json_mut *m);
AX_API ax_json_mval *ax_json_mut_bool(ax_json_mut *m, bool v);
AX_API ax_json_mval *ax_json_mut_int64(ax_json_mut *m, int64_t v);
AX_API ax_json_mval *ax_json_mut_uint64(ax_json_mut *m, uint64_t v);
AX_API ax_json_mval *ax_json_mut_double(ax_json_mut *m, double v);
AX_API ax_json_mval *ax_json_mut_string(ax_json_mut *m, const char *s, size_t len);
AX_API ax_json_mval *ax_json_mut_array(ax_json_mut *m);
AX_API ax_json_mval *ax_json_mut_object(ax_json_mut *m);

/* Appends v to the end of array arr. Returns 0; AX_EINVAL if arr is not an
 * array, v is already in a container, v is arr or contains it (a cycle),
 * or they come from different builders. */
AX_API int ax_json_mut_append(ax_json_mval *arr, ax_json_mval *v);

/* Sets member key[0, len) (copied; must be UTF-8) of object obj to v: the
 * value of the last member with that key is replaced (it leaves the tree),
 * or a new member is appended. Returns 0; AX_EINVAL as for
 * ax_json_mut_append or for a key that is not UTF-8; AX_ENOMEM. */
AX_API int ax_json_mut_set(ax_json_mval *obj, const char *key, size_t len,
                           ax_json_mval *v);

/* Removes every member named key[0, len) from obj. Returns how many were
 * removed (0 or more), or AX_EINVAL if obj is not an object. */
AX_API int ax_json_mut_remove(ax_json_mval *obj, const char *key, size_t len);

/* A deep copy of a document's value v into builder m, to modify a parsed
 * document. Returns 0 and sets *out; AX_ENOMEM. No recursion. */
AX_API int ax_json_mut_copy(ax_json_mut *m, const ax_json_val *v,
                            ax_json_mval **out);

/* Freezes the tree under root into a new immutable document, *out (the
 * caller frees it with ax_json_doc_free; it uses the builder's allocator).
 * The builder is unchanged. Returns 0, AX_EINVAL if root is NULL, or
 * AX_ENOMEM. No recursion. */
AX_API int ax_json_mut_to_doc(const ax_json_mut *m, ax_json_mval *root,
                              ax_json_doc **out);

/* ---- writing ----------------------------------------------------------- */

typedef struct ax_json_write_options {
    /* Newlines and indentation; compact (no whitespace at all) when false.
     * Default false. */
    bool pretty;
    /* Spaces per level when pretty, 0 to 16; default 2. */
    unsigned indent;
    /* Escape every non-ASCII character as \uXXXX (with surrogate pairs
     * past U+FFFF), so the output is 7-bit. Default false: UTF-8 as is. */
    bool ascii_only;
    /* Deepest nesting written (default 512): deeper input fails with
     * AX_ELIMIT rather than use unbounded memory. */
    size_t max_depth;
} ax_json_write_options;

/* Fills *o with the defaults above. */
AX_API void ax_json_write_options_init(ax_json_write_options *o);

/* Appends v (and everything in it) as JSON text to out; o may be NULL for
 * the defaults. Strings are escaped per RFC 8259 section 7 (the two that
 * must be, control characters, and with ascii_only all non-ASCII); numbers
 * are written exactly (doubles as the shortest text that reads back to the
 * same double). Returns 0; AX_ELIMIT past max_depth or out's limit;
 * AX_ENOMEM. On error out holds a partial text; clear it. */
AX_API int ax_json_write(const ax_json_val *v, const ax_json_write_options *o,
                         ax_bytes_mut *out);

/* The same into the caller's buf[0, cap), without allocating (except for
 * nesting deeper than 64, which uses the default allocator). Returns the
 * length written (no NUL is added), or AX_ERANGE if it does not fit,
 * AX_ELIMIT, AX_ENOMEM. */
AX_API int ax_json_write_buf(const ax_json_val *v,
                             const ax_json_write_options *o, void *buf,
                             size_t cap);

/* ---- streaming writer -------------------------------------------------- */

/* Caller-embedded; fields are private. Writes straight into an ax_bytes_mut
 * the caller owns, checking the grammar as it goes (a key only inside an
 * object, a value after each key, ends that match their begins). */
typedef struct ax_json_writer {
    ax_bytes_mut *out;
    ax_json_write_options opts;
    size_t depth;
    int error;                  /* first error; every later call returns it */
    bool after_key;             /* a key was written, its value is due */
    bool has_root;              /* a complete top-level value was written */
    unsigned char is_obj[64];   /* bit per level: inside an object */
    unsigned char has_items[64];/* bit per level: the container has an item */
} ax_json_writer;

/* Starts a writer appending to out (borrowed, must outlive the writer) with
 * options o (NULL: defaults; max_depth is capped at 512). Cannot fail. */
AX_API void ax_json_writer_init(ax_json_writer *w, ax_bytes_mut *out,
                                const ax_json_write_options *o);

/* Each of the following returns 0; AX_ESTATE when the call breaks the
 * grammar (a key outside an object or twice in a row, a value where a key
 * is due, an end that does not match, anything after the top-level value
 * is complete); AX_ELIMIT past max_depth or out's limit; AX_ENOMEM;
 * AX_EINVAL for a string that is not UTF-8 or a double that is NaN or
 * infinite. The first error sticks: every later call returns it. */
AX_API int ax_json_writer_begin_object(ax_json_writer *w);
AX_API int ax_json_writer_end_object(ax_json_writer *w);
AX_API int ax_json_writer_begin_array(ax_json_writer *w);
AX_API int ax_json_writer_end_array(ax_json_writer *w);
AX_API int ax_json_writer_key(ax_json_writer *w, const char *key, size_t len);
AX_API int ax_json_writer_string(ax_json_writer *w, const char *s, size_t len);
AX_API int ax_json_writer_int64(ax_json_writer *w, int64_t v);
AX_API int ax_json_writer_uint64(ax_json_writer *w, uint64_t v);
AX_API int ax_json_writer_double(ax_json_writer *w, double v);
AX_API int ax_json_writer_bool(ax_json_writer *w, bool v);
AX_API int ax_json_writer_null(ax_json_writer *w);
/* Writes a whole value from a document (any depth within max_depth). */
AX_API int ax_json_writer_value(ax_json_writer *w, const ax_json_val *v);

/* Returns 0 when one complete top-level value has been written; AX_ESTATE
 * while containers are open or nothing was written; or the sticky error. */
AX_API int ax_json_writer_finish(const ax_json_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* AXLE_JSON_H */
