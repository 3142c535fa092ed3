/*
 * Reading test data: whole files, and the shared benchmark corpus, which a
 * user's clone does not have (tests that use it skip when it is absent).
 */
#ifndef AXLE_TEST_FILES_H
#define AXLE_TEST_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* The corpus root: $AXLE_CORPUS, else "../shared/corpus" (relative to the
 * repository, where the tests run). */
const char *ax_test_corpus_root(void);

/* Writes "<root>/<rel>" into buf; true if it exists and can be read. */
bool ax_test_corpus_path(char *buf, size_t cap, const char *rel);

/* Reads a whole file into malloc'd memory with a NUL after it (*len does
 * not count it); NULL if it cannot be read. Free with free(). */
char *ax_test_read_file(const char *path, size_t *len);

#endif /* AXLE_TEST_FILES_H */
