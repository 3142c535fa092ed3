/*
 * The static table (RFC 7541 section 2.3.1 and Appendix A) and the
 * encoder's way into it: a perfect hash of the name's length and first and
 * last octets finds the only static name it can be in a generated index
 * (tables.c); the entries sharing a name sit next to each other, so an exact
 * match is a short scan from there.
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

unsigned ax__hpack_static_find_name(const unsigned char *name, size_t len)
{
    if (len == 0)
        return 0;
    unsigned i = ax__hpack_static_slots[ax__hpack_static_slot(name, len, ax__hpack_static_mult)];
    const ax__hpack_static_entry *e = &ax__hpack_static[i];
    return i != 0 && e->name_len == len && ax__hpack_equal((const unsigned char *)e->name, name, len)
               ? i : 0;
}
