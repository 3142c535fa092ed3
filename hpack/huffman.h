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
 *   bits 0-7    the first symbol        bits 8-15   the second symbol
 *   bits 16-17  symbols given (0-2)     bits 18-22  bits the first took
 *   bit 23      a link: bits 0-15 are the subtable's offset in
 *               ax__hpack_huff_sub, bits 24-31 how many bits index it
 *   bits 24-31  bits consumed in all (a leaf)
 * A leaf giving no symbol is EOS. The layout puts what every step needs
 * where it costs least: the two symbols are one 16-bit store, the bits
 * consumed one shift. */
#define AX__HUFF_ROOT_BITS 12
#define AX__HUFF_COUNT_SHIFT 16
#define AX__HUFF_FIRST_SHIFT 18
#define AX__HUFF_BITS_SHIFT 24
#define AX__HUFF_LINK (1u << 23)

#define AX__HUFF_BITS(e) ((e) >> AX__HUFF_BITS_SHIFT)
#define AX__HUFF_COUNT(e) (((e) >> AX__HUFF_COUNT_SHIFT) & 3u)
#define AX__HUFF_FIRST(e) (((e) >> AX__HUFF_FIRST_SHIFT) & 31u)
#define AX__HUFF_IS_EOS(e) (AX__HUFF_COUNT(e) == 0)

/* The static table's name index: AX__HPACK_STATIC_SLOTS slots, each 0 or
 * the static index of the first entry with a given name. */
#define AX__HPACK_STATIC_SLOTS 128

extern const uint32_t ax__hpack_huff_code[257];
extern const uint8_t ax__hpack_huff_len[257];
extern const uint32_t ax__hpack_huff_root[1u << AX__HUFF_ROOT_BITS];
extern const uint32_t ax__hpack_huff_sub[];
extern const uint8_t ax__hpack_static_slots[AX__HPACK_STATIC_SLOTS];

#endif /* AXLE_HPACK_HUFFMAN_H */
