/*
 * Fuzzes the response parser: the first byte picks the piece size, small
 * limits, whether the peer closes at the end (bodies read until close) and
 * which request the responses answer (GET, HEAD or CONNECT); the rest is a
 * response stream. Same checks as h1_request.
 */
#include "h1_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 65536)
        return 0;
    static const char *const methods[] = {"GET", "HEAD", "CONNECT", "POST"};
    h1_compare(AX_H1_RESPONSES, methods[data[1] & 3], data[0], data + 2, size - 2,
               data[0] & 0x40);
    return 0;
}
