#include "support/suite.h"

#if defined(__SANITIZE_ADDRESS__)
#define AX_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AX_HAVE_LSAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define AX_HAVE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AX_HAVE_TSAN 1
#endif
#endif

#ifdef AX_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#endif

void ax_test_teardown(void)
{
#ifdef AX_HAVE_LSAN
    /* An assertion failing in a teardown is only logged by Criterion, so a
     * leak ends the worker instead: the test is then reported as crashed. */
    if (__lsan_do_recoverable_leak_check() != 0) {
        fprintf(stderr, "memory leaked during this test (LeakSanitizer report above)\n");
        abort();
    }
#endif
}

#ifdef AX_HAVE_TSAN
/* Criterion ignores the exit status ThreadSanitizer sets when a worker
 * exits, as it does LeakSanitizer's: stop the worker at the first report
 * instead, so that the test fails. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "halt_on_error=1";
}

/* Criterion (its BoxFort part) maps the arena it shares with its workers at
 * 0x200000000000 + rand_r() % 2^22 * 16 MiB, and gives up after a few draws
 * that land on mapped memory. ThreadSanitizer reserves all of that range but
 * 0x550000000000-0x568000000000, so nearly every run died at once with
 * "Could not initialize inheritable arena" (Criterion issue #274). Defined
 * in the executable, this rand_r is the one Criterion calls: its draws all
 * land in the top of that window, above where the kernel loads the test
 * binary. Nothing else in the test binary uses rand_r. */
int rand_r(unsigned *seed);
int rand_r(unsigned *seed)
{
    unsigned x = *seed != 0 ? *seed : 0x9e3779b9u;
    x ^= x << 13; /* xorshift32 */
    x ^= x >> 17;
    x ^= x << 5;
    *seed = x;
    return (int)(0x366000u + x % 0x1f00u); /* 0x566000000000 to 0x567f00000000 */
}
#endif
