/*
 * Fuzzes the request parser: the first byte picks the piece size (1..16) and
 * small limits; the rest is a request stream (pipelined requests, bodies,
 * anything). The whole buffer through the vector scanners and the pieces
 * through the plain C ones must report the same events and both fail or
 * neither; nothing may read outside the input or hang.
 */
#include "h1_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    h1_compare(AX_H1_REQUESTS, NULL, data[0], data + 1, size - 1, data[0] & 0x40);
    return 0;
}
