/*
 * The static table (RFC 7541 section 2.3.1 and Appendix A). The encoder
 * finds names in it with ax__hpack_static_find_name (hpack_int.h): a
 * perfect hash of the name's length and first and last octets, generated
 * into tables.c; the entries sharing a name sit next to each other, so an
 * exact match is a short scan from there.
 */
#include "hpack/hash.h"
#include "hpack/hpack_int.h"
#include "hpack/huffman.h"
#include "hpack/static_table.h"

const ax__hpack_static_entry ax__hpack_static[62] = {
    {"", "", 0, 0},
#define AX__STATIC_ROW(i, n, v) {n, v, sizeof(n) - 1, sizeof(v) - 1},
    AX__HPACK_STATIC_TABLE(AX__STATIC_ROW)
#undef AX__STATIC_ROW
};
