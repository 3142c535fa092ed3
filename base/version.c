/* The version of the library that was linked, for comparison with the one a
 * program was compiled against. */
#include "axle/base.h"

#define AX__STR2(x) #x
#define AX__STR(x) AX__STR2(x)

unsigned ax_version(void)
{
    return AX_VERSION_HEX;
}

const char *ax_version_string(void)
{
    return AX__STR(AX_VERSION_MAJOR) "." AX__STR(AX_VERSION_MINOR) "." AX__STR(
        AX_VERSION_PATCH);
}
