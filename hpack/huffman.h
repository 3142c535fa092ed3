/*
 * Huffman coding of string literals (RFC 7541 section 5.2, Appendix B):
 * the generated tables (tables.c, from gen/hpack_gen.c) and the coder's
 * internal entry points.
 */
#ifndef AXLE_HPACK_HUFFMAN_H
#define AXLE_HPACK_HUFFMAN_H

#include <stddef.h>
#include <stdint.h>

/* A decoding-table entry (see gen/hpack_gen.c for how the tables work):
 *   bits 0-5    bits consumed in all    bits 8-15   the first symbol
 *   bits 16-23  the second symbol       bits 24-28  bits the first took
 *   bits 30-31  symbols given (0-2), or 3 for a link: then bits 8-23 are
 *               the subtable's offset in ax__hpack_huff_sub and bits 0-5
 *               how many bits index it.
 * A leaf giving no symbol is EOS. The layout serves the decoding loop: the
 * shift by the bits consumed takes the entry as it is (a 64-bit shift uses
 * only the low 6 bits of its count), which keeps the chain from one lookup
 * to the next short; the output advances by the entry's top two bits; and
 * the two symbols are one 16-bit store. */
#define AX__HUFF_ROOT_BITS 12
#define AX__HUFF_COUNT_SHIFT 30
#define AX__HUFF_SYM_SHIFT 8
#define AX__HUFF_FIRST_SHIFT 24
#define AX__HUFF_LINK (3u << AX__HUFF_COUNT_SHIFT)

#define AX__HUFF_BITS(e) ((e) & 63u)
#define AX__HUFF_COUNT(e) ((e) >> AX__HUFF_COUNT_SHIFT)
#define AX__HUFF_IS_LINK(e) ((e) >= AX__HUFF_LINK)
#define AX__HUFF_SYM(e) (((e) >> AX__HUFF_SYM_SHIFT) & 0xffu)
#define AX__HUFF_SUB(e) (((e) >> AX__HUFF_SYM_SHIFT) & 0xffffu)
#define AX__HUFF_FIRST(e) (((e) >> AX__HUFF_FIRST_SHIFT) & 31u)
#define AX__HUFF_IS_EOS(e) (AX__HUFF_COUNT(e) == 0)

/* The static table's name index: a perfect hash of (length, first octet,
 * last octet) into AX__HPACK_STATIC_SLOTS slots, each 0 or the static
 * index of the first entry with a given name; ax__hpack_static_mult is the
 * multiplier the generator found that sends each name to its own slot. */
#define AX__HPACK_STATIC_SLOTS 512
#define AX__HPACK_STATIC_SLOT_BITS 9

static inline uint32_t ax__hpack_static_slot(const unsigned char *name, size_t len,
                                             uint32_t mult)
{
    uint32_t key = (uint32_t)len << 16 | (uint32_t)name[0] << 8 | name[len - 1];
    return (key * mult) >> (32 - AX__HPACK_STATIC_SLOT_BITS);
}

extern const uint32_t ax__hpack_huff_code[257];
extern const uint8_t ax__hpack_huff_len[257];
extern const uint32_t ax__hpack_huff_root[1u << AX__HUFF_ROOT_BITS];
extern const uint32_t ax__hpack_huff_sub[];
extern const uint8_t ax__hpack_static_slots[AX__HPACK_STATIC_SLOTS];
extern const uint32_t ax__hpack_static_mult;

#endif /* AXLE_HPACK_HUFFMAN_H */
