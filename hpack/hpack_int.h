/*
 * Internals shared by the files of the hpack module: integers (section
 * 5.1), Huffman strings (5.2), the static table (2.3.1, Appendix A) and the
 * dynamic table (2.3.2, 4). Each is in its own file; this header is the
 * glue, and nothing here is public.
 */
#ifndef AXLE_HPACK_INT_H
#define AXLE_HPACK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "axle/hpack.h"
#include "hpack/hash.h"
#include "hpack/huffman.h"

/* Error paths marked cold stay out of the hot loops' way. */
#if defined(__GNUC__) || defined(__clang__)
#define AX__HPACK_COLD __attribute__((cold, noinline))
#else
#define AX__HPACK_COLD
#endif

/* ---- integers (integer.c) ------------------------------------------------ */

/* The most octets an encoded integer may take on input: the prefix octet and
 * five continuation octets carry any value below 2^32. Longer encodings are
 * refused (section 5.1 lets a decoder bound the octet length). */
#define AX__HPACK_INT_MAX_OCTETS 6

/* The longest integer this module writes: a 64-bit value on a 1-bit prefix. */
#define AX__HPACK_INT_MAX_ENCODED 11

enum {
    AX__HPACK_INT_TRUNCATED = -1, /* the block ended inside the integer */
    AX__HPACK_INT_OVERFLOW = -2   /* above 2^32 - 1, or too many octets */
};

/* Decodes an integer with an N-bit prefix (1..8) starting at *p (< end);
 * on success advances *p past it and returns 0, else returns one of the
 * codes above and leaves *p alone. */
int ax__hpack_int_decode_slow(const unsigned char **p, const unsigned char *end,
                              unsigned prefix_bits, uint32_t *out);

static inline int ax__hpack_int_decode(const unsigned char **p,
                                       const unsigned char *end,
                                       unsigned prefix_bits, uint32_t *out)
{
    unsigned mask = (1u << prefix_bits) - 1;
    unsigned v = **p & mask;
    if (v < mask) { /* the common case: the value fits the prefix */
        *out = v;
        (*p)++;
        return 0;
    }
    return ax__hpack_int_decode_slow(p, end, prefix_bits, out);
}

/* Writes value with an N-bit prefix into dst, the octet's high bits set to
 * `pattern` (the representation's type bits). Returns octets written (at
 * most AX__HPACK_INT_MAX_ENCODED). */
static inline size_t ax__hpack_int_encode(unsigned char *dst, unsigned pattern,
                                          unsigned prefix_bits, uint64_t value)
{
    unsigned mask = (1u << prefix_bits) - 1;
    if (value < mask) {
        dst[0] = (unsigned char)(pattern | value);
        return 1;
    }
    size_t n = 0;
    dst[n++] = (unsigned char)(pattern | mask);
    value -= mask;
    while (value >= 128) {
        dst[n++] = (unsigned char)(0x80 | (value & 0x7f));
        value >>= 7;
    }
    dst[n++] = (unsigned char)value;
    return n;
}

/* ---- Huffman (huffman.c) -------------------------------------------------- */

/* Decodes src[0, len) into dst, which must have room for 8 * len / 5 + 1
 * octets (the +1: the decoder stores two symbols at a time). Octets from
 * src up to `limit` (>= src + len) may be read, never used: the decoder
 * loads eight at a time. Returns the decoded length or -1 with *why set. */
long ax__hpack_huff_decode(const unsigned char *src, size_t len, const unsigned char *limit,
                           unsigned char *dst, const char **why);

/* The decoded length of src without storing it (validating it all the
 * same): for strings too long to keep. Returns -1 with *why set. */
long ax__hpack_huff_measure(const unsigned char *src, size_t len, const char **why);

/* Encoded length in octets, and encoding (dst must hold that many). */
size_t ax__hpack_huff_len_of(const unsigned char *s, size_t len);
size_t ax__hpack_huff_encode(const unsigned char *s, size_t len, unsigned char *dst);

/* Encodes s into dst only if that is shorter than s: returns the encoded
 * length, or 0 when it would not be shorter (dst then holds garbage). One
 * pass, giving up as soon as the output reaches len octets; dst needs
 * len + 8 octets. */
size_t ax__hpack_huff_encode_shorter(const unsigned char *s, size_t len, unsigned char *dst);

/* ---- static table (static_table.c) ---------------------------------------- */

typedef struct ax__hpack_static_entry {
    const char *name;
    const char *value;
    uint8_t name_len;
    uint8_t value_len;
} ax__hpack_static_entry;

/* Indexed 1..61 as in Appendix A; [0] is empty. */
extern const ax__hpack_static_entry ax__hpack_static[62];

/* The static index of `name`'s first entry, or 0: the generated perfect
 * hash of its length and first and last octets names the one static name
 * it can be (tables.c), and one comparison settles it. */
static inline unsigned ax__hpack_static_find_name(const unsigned char *name, size_t len)
{
    if (len == 0)
        return 0;
    unsigned i = ax__hpack_static_slots[ax__hpack_static_slot(name, len, ax__hpack_static_mult)];
    const ax__hpack_static_entry *e = &ax__hpack_static[i];
    return i != 0 && e->name_len == len && ax__hpack_equal((const unsigned char *)e->name, name, len)
               ? i : 0;
}

/* ---- dynamic table (table.c) ------------------------------------------------ */

struct ax__hpack_entry {
    uint32_t off;        /* name bytes at data[off], value right after */
    uint32_t name_len;
    uint32_t value_len;
    uint32_t wraps;      /* the first entry placed at 0 after a wrap */
    uint32_t name_hash;  /* encoder only, like the rest */
    uint32_t full_hash;
    uint64_t next_name;  /* the next older entry in the same chain (an id) */
    uint64_t next_full;
};

/* limit: the initial maximum size; indexed: keep the hash chains the
 * encoder searches. Allocates nothing. */
void ax__hpack_table_init(ax_hpack_table *t, const ax_allocator *a, size_t limit,
                          bool indexed);
void ax__hpack_table_free(ax_hpack_table *t);

/* Sets the maximum size (section 4.3: evicting the oldest entries until
 * the size fits). Storage already allocated grows to fit a larger limit.
 * Returns 0 or AX_ENOMEM (the table unchanged). */
int ax__hpack_table_set_limit(ax_hpack_table *t, size_t limit);

/* Adds an entry (section 4.4): evicts the oldest entries until it fits;
 * one larger than the limit empties the table and is not added. `name` may
 * point into the table itself (a name indexed from an entry about to be
 * evicted). Returns 1 when added, 0 when too large to add, AX_ENOMEM (the
 * table unchanged). Hashes are used only by an indexed table. */
int ax__hpack_table_insert(ax_hpack_table *t, ax_slice name, ax_slice value,
                           uint32_t name_hash, uint32_t full_hash);

/* Entry i, 1 = newest (HPACK index 61 + i); i must be in 1..count. */
static inline const struct ax__hpack_entry *ax__hpack_table_get(const ax_hpack_table *t,
                                                                size_t i)
{
    return &t->entries[(t->first + t->count - i) & (t->entries_cap - 1)];
}

static inline ax_slice ax__hpack_entry_name(const ax_hpack_table *t,
                                            const struct ax__hpack_entry *e)
{
    return ax_slice_make(t->data + e->off, e->name_len);
}

static inline ax_slice ax__hpack_entry_value(const ax_hpack_table *t,
                                             const struct ax__hpack_entry *e)
{
    return ax_slice_make(t->data + e->off + e->name_len, e->value_len);
}

/* Encoder search: returns the 1-based dynamic index of an entry equal to
 * (name, value), or 0; when there is none and name_index is not NULL,
 * *name_index receives one of an entry with that name (or 0). */
size_t ax__hpack_table_find(const ax_hpack_table *t, ax_slice name, ax_slice value,
                            uint32_t name_hash, uint32_t full_hash,
                            size_t *name_index);

#endif /* AXLE_HPACK_INT_H */
