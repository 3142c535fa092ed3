/*
 * Fuzzes chunked framing: the input (after a selector byte) is the body of a
 * request whose head says Transfer-Encoding: chunked, so nearly every input
 * reaches chunk sizes, extensions, data, the last chunk and trailers. Same
 * checks as h1_request, and the decoded body can never exceed the input.
 */
#include "h1_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char head[] = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    if (size < 1 || size > 65536)
        return 0;
    size_t hl = sizeof(head) - 1;
    uint8_t *msg = malloc(hl + size - 1 + 1);
    memcpy(msg, head, hl);
    memcpy(msg + hl, data + 1, size - 1);
    h1_compare(AX_H1_REQUESTS, NULL, data[0], msg, hl + size - 1, 0);
    free(msg);
    return 0;
}
