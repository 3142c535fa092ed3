/*
 * axle-json [--check | --pretty | --compact] [FILE | -]
 *
 * Reads one JSON text (FILE, or standard input for "-" or no FILE, then
 * named <stdin>), checks it strictly (RFC 8259) and writes it back to
 * standard output compact (the default) or pretty; with --check it writes
 * nothing. Exit 0 when the text is valid; exit 1 with "FILE:line:col:
 * reason" on standard error when it is not; exit 2 on a usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axle/json.h"

enum mode { CHECK, PRETTY, COMPACT };

static int usage(void)
{
    fprintf(stderr, "usage: axle-json [--check | --pretty | --compact] [FILE | -]\n");
    return 2;
}

/* All of fp in a malloc'd buffer; NULL on a read or memory error. */
static char *read_all(FILE *fp, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, fp);
        if (ferror(fp))
            break;
        if (n < cap) {
            *len = n;
            return buf;
        }
        char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (bigger == NULL)
            break;
        buf = bigger;
        cap *= 2;
    }
    free(buf);
    return NULL;
}

/* Writes v as text to stdout, growing the buffer until it fits. */
static int print_value(const ax_json_val *v, bool pretty)
{
    ax_json_write_options o;
    ax_json_write_options_init(&o);
    o.pretty = pretty;
    size_t cap = 65536;
    for (;;) {
        char *buf = malloc(cap);
        if (buf == NULL)
            return AX_ENOMEM;
        int n = ax_json_write_buf(v, &o, buf, cap - 1);
        if (n >= 0) {
            buf[n] = '\n';
            size_t ok = fwrite(buf, 1, (size_t)n + 1, stdout);
            free(buf);
            return ok == (size_t)n + 1 && fflush(stdout) == 0 ? 0 : AX_EIO;
        }
        free(buf);
        if (n != AX_ERANGE || cap > (size_t)INT32_MAX / 2)
            return n;
        cap *= 2;
    }
}

int main(int argc, char **argv)
{
    enum mode mode = COMPACT;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0)
            mode = CHECK;
        else if (strcmp(argv[i], "--pretty") == 0)
            mode = PRETTY;
        else if (strcmp(argv[i], "--compact") == 0)
            mode = COMPACT;
        else if ((argv[i][0] == '-' && argv[i][1] != '\0') || path != NULL)
            return usage();
        else
            path = argv[i];
    }
    bool use_stdin = path == NULL || strcmp(path, "-") == 0;
    const char *name = use_stdin ? "<stdin>" : path;
    FILE *fp = use_stdin ? stdin : fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "axle-json: %s: %s\n", name, strerror(errno));
        return 2;
    }
    size_t len = 0;
    char *text = read_all(fp, &len);
    if (!use_stdin)
        fclose(fp);
    if (text == NULL) {
        fprintf(stderr, "axle-json: %s: read error\n", name);
        return 2;
    }
    ax_json_doc *doc;
    ax_json_error err;
    int rc = ax_json_parse(text, len, NULL, &doc, &err);
    free(text);
    if (rc != 0) {
        fprintf(stderr, "%s:%zu:%zu: %s\n", name, err.line, err.column, err.reason);
        return 1;
    }
    int status = 0;
    if (mode != CHECK && (rc = print_value(ax_json_doc_root(doc), mode == PRETTY)) != 0) {
        fprintf(stderr, "axle-json: %s: %s\n", name, ax_strerror(rc));
        status = 2;
    }
    ax_json_doc_free(doc);
    return status;
}
