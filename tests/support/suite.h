/*
 * Every test file declares each of its suites with AX_SUITE(name). That adds
 * a teardown which, in AddressSanitizer builds, runs LeakSanitizer at the end
 * of every test and fails the test if anything leaked. (Criterion runs tests
 * in worker processes and ignores the exit status LeakSanitizer sets when a
 * worker exits, so without this a leak would only print a report.)
 * mk/check-suites.sh fails the build when a suite is not declared this way.
 */
#ifndef AXLE_TEST_SUITE_H
#define AXLE_TEST_SUITE_H

#include <criterion/criterion.h>

void ax_test_teardown(void);

#define AX_SUITE(name) TestSuite(name, .fini = ax_test_teardown)

#endif /* AXLE_TEST_SUITE_H */
