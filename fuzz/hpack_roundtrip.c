/*
 * Encode -> decode round trip on header lists built from the input: every
 * list must come back exactly (names, values, never-indexed flags), the two
 * dynamic tables must stay the same size, and table size changes (peer
 * settings) may come between blocks.
 *
 * Input: a program of records. Record: op octet, then
 *   op % 4 == 0        change the table size to sizes[next octet % 6]
 *   otherwise          one field: flags octet, name length octet, name,
 *                      value length (2 octets), value; a field with op & 0x80
 *                      also ends the block.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "axle/hpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 64

static const uint8_t *take(const uint8_t **p, const uint8_t *end, size_t n)
{
    if ((size_t)(end - *p) < n)
        return NULL;
    const uint8_t *q = *p;
    *p += n;
    return q;
}

static void round_trip(ax_hpack_encoder *e, ax_hpack_decoder *d, ax_bytes_mut *out,
                       const ax_hpack_field *fields, size_t n)
{
    ax_bytes_mut_clear(out);
    if (ax_hpack_encode(e, fields, n, out) != 0)
        abort();
    ax_slice b = ax_bytes_mut_view(out);
    if (ax_hpack_decoder_begin(d, b.ptr, b.len) != 0)
        abort();
    ax_hpack_field f;
    size_t i = 0;
    int rc;
    while ((rc = ax_hpack_decoder_next(d, &f)) == 1) {
        if (i >= n || f.name.len != fields[i].name.len || f.value.len != fields[i].value.len ||
            (f.name.len && memcmp(f.name.ptr, fields[i].name.ptr, f.name.len)) ||
            (f.value.len && memcmp(f.value.ptr, fields[i].value.ptr, f.value.len)) ||
            ((fields[i].flags & AX_HPACK_NEVER_INDEXED) && !(f.flags & AX_HPACK_NEVER_INDEXED)))
            abort();
        i++;
    }
    if (rc != 0 || i != n)
        abort();
    if (ax_hpack_decoder_table_size(d) != ax_hpack_encoder_table_size(e))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t sizes[6] = {0, 32, 100, 256, 4096, 16384};
    ax_hpack_encoder_options eo;
    ax_hpack_encoder_options_init(&eo);
    eo.max_table_size = 16384;
    eo.huffman = size > 0 && (data[0] & 1);
    ax_hpack_encoder e;
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.max_table_size = 16384;
    o.max_header_list_size = 1 << 24;
    ax_hpack_decoder d;
    if (ax_hpack_encoder_init(&e, &eo) != 0 || ax_hpack_decoder_init(&d, &o) != 0)
        abort();
    ax_hpack_encoder_set_peer_max_table_size(&e, 16384);
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    ax_hpack_field fields[MAX_FIELDS];
    size_t n = 0;
    const uint8_t *p = data, *end = data + size;
    const uint8_t *op;
    while ((op = take(&p, end, 1)) != NULL) {
        if (*op % 4 == 0) {
            const uint8_t *s = take(&p, end, 1);
            if (s == NULL)
                break;
            size_t z = sizes[*s % 6];
            ax_hpack_encoder_set_peer_max_table_size(&e, z);
            if (z != ax_hpack_decoder_table_limit(&d))
                ax_hpack_decoder_set_max_table_size(&d, z);
            /* a size change takes effect with the next block */
            round_trip(&e, &d, &out, fields, n);
            n = 0;
            continue;
        }
        const uint8_t *flags = take(&p, end, 1), *nl = take(&p, end, 1);
        if (flags == NULL || nl == NULL)
            break;
        const uint8_t *name = take(&p, end, *nl);
        const uint8_t *vl = take(&p, end, 2);
        if (name == NULL || vl == NULL)
            break;
        size_t vlen = ((size_t)vl[0] << 8 | vl[1]) % 2048;
        const uint8_t *value = take(&p, end, vlen);
        if (value == NULL)
            break;
        fields[n].name = ax_slice_make(name, *nl);
        fields[n].value = ax_slice_make(value, vlen);
        fields[n].flags = *flags & (AX_HPACK_NEVER_INDEXED | AX_HPACK_NO_INDEX);
        n++;
        if ((*op & 0x80) || n == MAX_FIELDS) {
            round_trip(&e, &d, &out, fields, n);
            n = 0;
        }
    }
    round_trip(&e, &d, &out, fields, n);
    ax_bytes_mut_free(&out);
    ax_hpack_encoder_free(&e);
    ax_hpack_decoder_free(&d);
    return 0;
}
