#include "support/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *ax_test_corpus_root(void)
{
    const char *root = getenv("AXLE_CORPUS");
    return root != NULL && root[0] != '\0' ? root : "../shared/corpus";
}

bool ax_test_corpus_path(char *buf, size_t cap, const char *rel)
{
    int n = snprintf(buf, cap, "%s/%s", ax_test_corpus_root(), rel);
    return n > 0 && (size_t)n < cap && access(buf, R_OK) == 0;
}

char *ax_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n + 1);
    size_t got = buf != NULL ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (buf == NULL || got != (size_t)n) {
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}
