/*
 * The static table (RFC 7541 section 2.3.1 and Appendix A) and the
 * encoder's way into it: a hash of the name finds the first entry with that
 * name in a generated index (tables.c), and the entries sharing a name sit
 * next to each other, so an exact match is a short scan from there.
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

unsigned ax__hpack_static_find_name(const unsigned char *name, size_t len,
                                    uint32_t hash)
{
    size_t slot = hash & (AX__HPACK_STATIC_SLOTS - 1);
    for (;;) {
        unsigned i = ax__hpack_static_slots[slot];
        if (i == 0)
            return 0;
        const ax__hpack_static_entry *e = &ax__hpack_static[i];
        if (e->name_len == len && ax__hpack_equal((const unsigned char *)e->name, name, len))
            return i;
        slot = (slot + 1) & (AX__HPACK_STATIC_SLOTS - 1);
    }
}
