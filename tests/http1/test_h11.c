/*
 * Differential test against h11 (python3-h11), when a python3 with h11 is on
 * the machine (skipped otherwise). A few hundred requests are generated from
 * a fixed seed: valid ones (random methods, targets, header names and values,
 * Content-Length and chunked bodies with extensions and trailers) and ones
 * with a defect both parsers must refuse. Each is parsed by axle and by h11
 * (server role); the outcome and everything parsed (method, target, fields
 * with lower-cased names, body, trailers) must agree.
 *
 * Not generated: the shapes where axle is deliberately stricter than h11 or
 * h11 narrower than axle (docs/http1.md): obs-fold in requests, Content-Length
 * with Transfer-Encoding, whitespace after a chunk size, DEL in a value,
 * empty lines before the request line, codings other than chunked, the
 * asterisk-form with a method other than OPTIONS, HTTP versions other than
 * 1.x (h11 reads "HTTP/3.0" as a request; axle answers 505).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axle/http1.h"
#include "support/suite.h"

AX_SUITE(h1_h11);

#define NMSG 400

static const char script[] =
    "import sys, h11\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "pos = 0\n"
    "while pos < len(data):\n"
    "    n = int.from_bytes(data[pos:pos + 8], 'little'); pos += 8\n"
    "    msg = data[pos:pos + n]; pos += n\n"
    "    c = h11.Connection(h11.SERVER)\n"
    "    c.receive_data(msg)\n"
    "    out = []\n"
    "    body = b''\n"
    "    try:\n"
    "        while True:\n"
    "            e = c.next_event()\n"
    "            if e is h11.NEED_DATA or e is h11.PAUSED:\n"
    "                out = None\n"
    "                break\n"
    "            if isinstance(e, h11.Request):\n"
    "                out.append('M' + bytes(e.method).hex() + ' T' + bytes(e.target).hex())\n"
    "                out += ['H' + bytes(k).hex() + '=' + bytes(v).hex() for k, v in e.headers]\n"
    "            elif isinstance(e, h11.Data):\n"
    "                body += bytes(e.data)\n"
    "            elif isinstance(e, h11.EndOfMessage):\n"
    "                if body:\n"
    "                    out.append('D' + body.hex())\n"
    "                out += ['R' + bytes(k).hex() + '=' + bytes(v).hex() for k, v in e.headers]\n"
    "                break\n"
    "    except h11.RemoteProtocolError:\n"
    "        out = ['ERR']\n"
    "    print(' '.join(out) if out is not None else 'INCOMPLETE')\n";

static const char *find_python(void)
{
    static const char *const cands[] = {"/usr/bin/python3", "python3"};
    for (size_t k = 0; k < 2; k++) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "%s -c 'import h11' >/dev/null 2>&1", cands[k]);
        if (system(cmd) == 0)
            return cands[k];
    }
    return NULL;
}

static uint64_t rng_state = 6;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t pick(size_t n)
{
    return (size_t)(rnd() % n);
}

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void put(text *t, const void *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static void put_hex(text *t, const unsigned char *p, size_t n, bool lower)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = lower ? ax_ascii_lower(p[i]) : p[i];
        char h[2] = {digits[c >> 4], digits[c & 15]};
        put(t, h, 2);
    }
}

/* A random field value: visible ASCII and spaces (none at the ends), now and
 * then obs-text. */
static void value(text *m)
{
    size_t n = 1 + pick(24);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)(0x21 + pick(0x7e - 0x21 + 1));
        if (i > 0 && i + 1 < n && pick(8) == 0)
            c = ' ';
        if (pick(40) == 0)
            c = (unsigned char)(0x80 + pick(0x80));
        put(m, &c, 1);
    }
}

/* One request; *defect says whether it carries a defect both must refuse. */
static void generate(text *m, bool *defect)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "X-Custom"};
    static const char *const targets[] = {"/", "/a/b?c=d&e", "/%7Euser/", "/x;p=1", "http://h.example/p", "/~!$&'()*+,;=:@"};
    static const char *const names[] = {"Accept", "user-agent", "X-Trace-Id", "Cookie", "Cache-Control",
                                        "X_Under", "a!#$%&'*+-.^_`|~z", "If-None-Match", "ETag"};
    static const char *const defects[] = {
        "no-host", "space-colon", "at-name", "nul-value", "cl-letters", "bad-chunk", "two-hosts", "ctl-target"};
    size_t d = pick(4) == 0 ? 1 + pick(sizeof(defects) / sizeof(defects[0])) : 0;
    *defect = d != 0;
    const char *what = d ? defects[d - 1] : "";
    puts_(m, methods[pick(6)]);
    puts_(m, " ");
    puts_(m, targets[pick(6)]);
    if (strcmp(what, "ctl-target") == 0)
        puts_(m, "\x01");
    puts_(m, " HTTP/1.1\r\n");
    if (strcmp(what, "no-host") != 0)
        puts_(m, "Host: example.com\r\n");
    if (strcmp(what, "two-hosts") == 0)
        puts_(m, "Host: example.org\r\n");
    size_t nf = pick(6);
    for (size_t k = 0; k < nf; k++) {
        puts_(m, names[pick(9)]);
        puts_(m, k == 0 && strcmp(what, "at-name") == 0 ? "@" : "");
        puts_(m, k == 0 && strcmp(what, "space-colon") == 0 ? " :" : ":");
        puts_(m, pick(3) == 0 ? "" : " ");
        value(m);
        if (k == 0 && strcmp(what, "nul-value") == 0)
            put(m, "\0", 1);
        puts_(m, pick(4) == 0 ? " \r\n" : "\r\n");
    }
    if (nf == 0 && (strcmp(what, "at-name") == 0 || strcmp(what, "space-colon") == 0 ||
                    strcmp(what, "nul-value") == 0))
        puts_(m, strcmp(what, "at-name") == 0 ? "X@: 1\r\n" : strcmp(what, "nul-value") == 0 ? "X: \0\r\n" : "X : 1\r\n");
    size_t body = pick(3);
    if (strcmp(what, "cl-letters") == 0) {
        puts_(m, "Content-Length: 1a\r\n\r\n");
        return;
    }
    if (body == 1 || strcmp(what, "bad-chunk") == 0) {
        puts_(m, "Transfer-Encoding: chunked\r\n\r\n");
        size_t nc = pick(4);
        if (strcmp(what, "bad-chunk") == 0)
            puts_(m, "zz\r\n");
        for (size_t c = 0; c < nc; c++) {
            char line[32];
            size_t n = 1 + pick(40);
            snprintf(line, sizeof(line), pick(2) ? "%zx" : "%zX", n);
            puts_(m, line);
            puts_(m, pick(3) == 0 ? ";ext=1;q=\"a b\"\r\n" : "\r\n");
            for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char)pick(256);
                put(m, &ch, 1);
            }
            puts_(m, "\r\n");
        }
        puts_(m, "0\r\n");
        if (pick(3) == 0) {
            puts_(m, "X-Checksum: ");
            value(m);
            puts_(m, "\r\n");
        }
        puts_(m, "\r\n");
        return;
    }
    if (body == 2) {
        size_t n = pick(60);
        char line[48];
        snprintf(line, sizeof(line), "Content-Length: %zu\r\n\r\n", n);
        puts_(m, line);
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)pick(256);
            put(m, &ch, 1);
        }
        return;
    }
    puts_(m, "\r\n");
}

/* axle's reading of one message, in the script's format. */
static void axle_reading(const text *m, text *out)
{
    ax_h1_parser p;
    cr_assert_eq(ax_h1_parser_init(&p, AX_H1_REQUESTS, NULL), 0);
    unsigned char *buf = malloc(m->len + 1);
    memcpy(buf, m->p, m->len);
    size_t off = 0;
    text t = {NULL, 0, 0};
    text data = {NULL, 0, 0};
    for (;;) {
        ax_h1_event ev;
        int rc = ax_h1_parser_next(&p, buf + off, m->len - off, &ev);
        if (rc < 0) {
            t.len = 0;
            puts_(&t, "ERR");
            break;
        }
        off += (size_t)rc;
        if (ev.type == AX_H1_EV_NEED_DATA) {
            t.len = 0;
            puts_(&t, "INCOMPLETE");
            break;
        }
        if (ev.type != AX_H1_EV_DATA && data.len > 0) {
            puts_(&t, " D");
            put_hex(&t, (unsigned char *)data.p, data.len, false);
            data.len = 0;
        }
        if (ev.type == AX_H1_EV_REQUEST) {
            puts_(&t, "M");
            put_hex(&t, ev.head->method.ptr, ev.head->method.len, false);
            puts_(&t, " T");
            put_hex(&t, ev.head->target.ptr, ev.head->target.len, false);
            for (size_t k = 0; k < ev.head->nheaders; k++) {
                puts_(&t, " H");
                put_hex(&t, ev.head->headers[k].name.ptr, ev.head->headers[k].name.len, true);
                puts_(&t, "=");
                put_hex(&t, ev.head->headers[k].value.ptr, ev.head->headers[k].value.len, false);
            }
        } else if (ev.type == AX_H1_EV_DATA) {
            put(&data, ev.data.ptr, ev.data.len);
        } else if (ev.type == AX_H1_EV_TRAILERS) {
            for (size_t k = 0; k < ev.nheaders; k++) {
                puts_(&t, " R");
                put_hex(&t, ev.headers[k].name.ptr, ev.headers[k].name.len, true);
                puts_(&t, "=");
                put_hex(&t, ev.headers[k].value.ptr, ev.headers[k].value.len, false);
            }
        } else if (ev.type == AX_H1_EV_END) {
            break;
        }
    }
    put(out, t.p, t.len);
    free(t.p);
    free(data.p);
    free(buf);
    ax_h1_parser_free(&p);
}

Test(h1_h11, axle_and_h11_agree)
{
    const char *py = find_python();
    if (py == NULL)
        cr_skip_test("no python3 with h11 (python3-h11): differential test skipped");
    char dir[] = "/tmp/axle-h11-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char corpus[64], prog[64];
    snprintf(corpus, sizeof(corpus), "%s/corpus", dir);
    snprintf(prog, sizeof(prog), "%s/h11_read.py", dir);
    FILE *f = fopen(prog, "w");
    fputs(script, f);
    fclose(f);

    text msgs[NMSG];
    bool defect[NMSG];
    f = fopen(corpus, "wb");
    for (size_t k = 0; k < NMSG; k++) {
        msgs[k] = (text){NULL, 0, 0};
        generate(&msgs[k], &defect[k]);
        uint64_t n = msgs[k].len;
        unsigned char len8[8];
        for (int b = 0; b < 8; b++)
            len8[b] = (unsigned char)(n >> (8 * b));
        fwrite(len8, 1, 8, f);
        fwrite(msgs[k].p, 1, msgs[k].len, f);
    }
    fclose(f);

    char cmd[256];
    snprintf(cmd, sizeof(cmd), "%s %s %s", py, prog, corpus);
    FILE *pipe = popen(cmd, "r");
    cr_assert_not_null(pipe);
    static char line[1 << 16];
    size_t agreed = 0, refused = 0;
    for (size_t k = 0; k < NMSG; k++) {
        cr_assert_not_null(fgets(line, sizeof(line), pipe), "h11 gave no line for message %zu", k);
        line[strcspn(line, "\n")] = '\0';
        text mine = {NULL, 0, 0};
        axle_reading(&msgs[k], &mine);
        cr_assert_str_eq(mine.p, line, "message %zu (%s):\n%.*s\naxle: %s\nh11:  %s", k,
                         defect[k] ? "with a defect" : "valid", (int)msgs[k].len, msgs[k].p,
                         mine.p, line);
        cr_assert_eq(strcmp(mine.p, "ERR") == 0, defect[k], "message %zu", k);
        refused += defect[k];
        agreed++;
        free(mine.p);
        free(msgs[k].p);
    }
    cr_assert_eq(pclose(pipe), 0);
    cr_assert_eq(agreed, NMSG);
    cr_assert_gt(refused, NMSG / 10, "the defects are exercised");
    unlink(corpus);
    unlink(prog);
    rmdir(dir);
}
