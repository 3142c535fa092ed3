#include "support/suite.h"

#if defined(__SANITIZE_ADDRESS__)
#define AX_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AX_HAVE_LSAN 1
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
