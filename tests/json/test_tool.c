/*
 * axle-json, run as a program: exit codes, output, and the
 * "FILE:line:col: reason" message. The tool is found beside the test
 * binary (BUILD/tests/axle-tests -> BUILD/bin/axle-json); the tests skip
 * when it has not been built.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json/json_test.h"

AX_SUITE(json_tool);

static bool tool_path(char *out, size_t cap)
{
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL)
        return false;
    *slash = '\0';
    snprintf(out, cap, "%s/../bin/axle-json", self);
    return access(out, X_OK) == 0;
}

typedef struct run_result {
    int status;
    char out[4096];
    char err[4096];
} run_result;

static void read_fd(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t k;
    while (n + 1 < cap && (k = read(fd, buf + n, cap - 1 - n)) > 0)
        n += (size_t)k;
    buf[n] = '\0';
}

/* Runs the tool with arg1 (may be NULL) and path (may be NULL), feeding
 * stdin_text on standard input. */
static void run(const char *tool, const char *arg1, const char *path, const char *stdin_text,
                run_result *r)
{
    char in_path[] = "/tmp/axle-json-in-XXXXXX";
    int in = mkstemp(in_path);
    cr_assert_geq(in, 0);
    if (stdin_text != NULL)
        cr_assert_eq(write(in, stdin_text, strlen(stdin_text)), (ssize_t)strlen(stdin_text));
    lseek(in, 0, SEEK_SET);
    int out[2], err[2];
    cr_assert_eq(pipe(out), 0);
    cr_assert_eq(pipe(err), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(in, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        const char *argv[4] = {tool, NULL, NULL, NULL};
        int i = 1;
        if (arg1 != NULL)
            argv[i++] = arg1;
        if (path != NULL)
            argv[i++] = path;
        execv(tool, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    read_fd(out[0], r->out, sizeof(r->out));
    read_fd(err[0], r->err, sizeof(r->err));
    close(out[0]);
    close(err[0]);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    close(in);
    unlink(in_path);
}

Test(json_tool, valid_input_compact_pretty_check)
{
    char tool[1100];
    if (!tool_path(tool, sizeof(tool)))
        cr_skip_test("axle-json not built");
    run_result r;
    run(tool, NULL, NULL, "{ \"a\" : [1, 2.50, \"x\\u00e9\"] }", &r);
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.out, "{\"a\":[1,2.5,\"x\xc3\xa9\"]}\n");
    cr_assert_str_eq(r.err, "");
    run(tool, "--pretty", "-", "[1,{\"b\":null}]", &r);
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.out, "[\n  1,\n  {\n    \"b\": null\n  }\n]\n");
    run(tool, "--check", NULL, "[true]", &r);
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.out, "", "--check writes nothing");
    run(tool, "--compact", NULL, " \"s\" ", &r);
    cr_assert_str_eq(r.out, "\"s\"\n");
}

Test(json_tool, invalid_input_names_file_line_column)
{
    char tool[1100];
    if (!tool_path(tool, sizeof(tool)))
        cr_skip_test("axle-json not built");
    run_result r;
    run(tool, "--check", NULL, "{\n  \"a\": 1,\n  \"b\": [1,,2]\n}\n", &r);
    cr_assert_eq(r.status, 1);
    cr_assert_str_eq(r.out, "");
    cr_assert_str_eq(r.err, "<stdin>:3:11: expected a value\n");
    char path[] = "/tmp/axle-json-file-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_eq(write(fd, "[1,2,]", 6), 6);
    close(fd);
    run(tool, NULL, path, NULL, &r);
    cr_assert_eq(r.status, 1);
    char want[256];
    snprintf(want, sizeof(want), "%s:1:6: trailing comma in array\n", path);
    cr_assert_str_eq(r.err, want);
    cr_assert_str_eq(r.out, "");
    unlink(path);
    run(tool, NULL, "/nonexistent/x.json", NULL, &r);
    cr_assert_eq(r.status, 2);
    run(tool, "--frobnicate", NULL, "1", &r);
    cr_assert_eq(r.status, 2);
}
