/*
 * Fuzzes the HPACK decoder with arbitrary header blocks. The first octet
 * picks the limits (table size, list size); the rest is split into blocks
 * at 0xFE 0xFE markers so that the dynamic table carries over between them,
 * as on a connection. Every block must end in 1-field steps then 0,
 * AX_ELIMIT or AX_EPROTO (AX_ENOMEM never: the allocator does not fail);
 * every field handed out must be readable (ASan checks the views), and
 * after AX_EPROTO the decoder must refuse further use.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "axle/hpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every octet at the edges of each view is read into this. */
static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const size_t tables[4] = {0, 256, 4096, 65536};
    static const size_t lists[4] = {64, 1024, 16384, 65536};
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.max_table_size = tables[data[0] & 3];
    o.max_header_list_size = lists[(data[0] >> 2) & 3];
    ax_hpack_decoder d;
    if (ax_hpack_decoder_init(&d, &o) != 0)
        abort();
    data++;
    size--;
    while (size > 0) {
        size_t len = 0;
        while (len + 1 < size && !(data[len] == 0xfe && data[len + 1] == 0xfe))
            len++;
        if (len + 1 == size)
            len = size;
        if (ax_hpack_decoder_begin(&d, data, len) != 0)
            abort();
        ax_hpack_field f;
        int rc;
        while ((rc = ax_hpack_decoder_next(&d, &f)) == 1) {
            if (f.name.len > 0)
                sink += f.name.ptr[0] + f.name.ptr[f.name.len - 1];
            if (f.value.len > 0)
                sink += f.value.ptr[0] + f.value.ptr[f.value.len - 1];
        }
        if (ax_hpack_decoder_table_size(&d) > ax_hpack_decoder_table_limit(&d))
            abort();
        if (rc == AX_EPROTO) {
            if (ax_hpack_decoder_error(&d, NULL) == NULL || ax_hpack_decoder_begin(&d, data, 0) != AX_ESTATE)
                abort();
            break;
        }
        if (rc != 0 && rc != AX_ELIMIT)
            abort();
        size_t skip = len + 2 <= size ? len + 2 : size;
        data += skip;
        size -= skip;
    }
    ax_hpack_decoder_free(&d);
    return 0;
}
