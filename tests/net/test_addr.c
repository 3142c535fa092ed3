#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "axle/net.h"
#include "support/suite.h"

AX_SUITE(addr);

static void round_trip(const char *text, int family, int port)
{
    ax_addr a;
    cr_assert_eq(ax_addr_parse(text, &a), 0, "%s", text);
    cr_assert_eq(a.ss.ss_family, family, "%s", text);
    cr_assert_eq(ax_addr_port(&a), port, "%s", text);
    char buf[200];
    int n = ax_addr_format(&a, buf, sizeof(buf));
    cr_assert_eq(n, (int)strlen(text), "%s", text);
    cr_assert_str_eq(buf, text);
}

Test(addr, round_trips)
{
    round_trip("127.0.0.1:8080", AF_INET, 8080);
    round_trip("0.0.0.0:0", AF_INET, 0);
    round_trip("255.255.255.255:65535", AF_INET, 65535);
    round_trip("[::1]:443", AF_INET6, 443);
    round_trip("[::]:0", AF_INET6, 0);
    round_trip("[2001:db8::1:2]:80", AF_INET6, 80);
    round_trip("[::ffff:10.0.0.1]:1", AF_INET6, 1);
    round_trip("unix:/tmp/axle.sock", AF_UNIX, -1);
}

Test(addr, parse_fields)
{
    ax_addr a;
    cr_assert_eq(ax_addr_parse("10.1.2.3:258", &a), 0);
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a.ss;
    cr_assert_eq(a.len, sizeof(*s4));
    cr_assert_eq(ntohs(s4->sin_port), 258);
    cr_assert_eq(ntohl(s4->sin_addr.s_addr), 0x0a010203u);
    cr_assert_eq(ax_addr_parse("unix:/x", &a), 0);
    const struct sockaddr_un *un = (const struct sockaddr_un *)&a.ss;
    cr_assert_str_eq(un->sun_path, "/x");
}

Test(addr, rejects)
{
    static const char *bad[] = {
        "", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536", "127.0.0.1:-1",
        "127.0.0.1:+1", "127.0.0.1:8o", "127.0.0.1:123456", "1.2.3:80",
        "1.2.3.4.5:80", "256.0.0.1:80", "localhost:80", " 127.0.0.1:80",
        "127.0.0.1:80 ", "::1:80", "[::1]", "[::1]:", "[::1]80", "[::1:80",
        "[]:80", "[1.2.3.4]:80", "[::g]:80", "unix:", "garbage",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ax_addr a;
        memset(&a, 0x5a, sizeof(a));
        cr_assert_eq(ax_addr_parse(bad[i], &a), AX_EINVAL, "accepted \"%s\"", bad[i]);
    }
    ax_addr a;
    cr_assert_eq(ax_addr_parse(NULL, &a), AX_EINVAL);
    char longpath[300];
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    memcpy(longpath, "unix:/", 6);
    cr_assert_eq(ax_addr_parse(longpath, &a), AX_EINVAL);
}

Test(addr, format_errors)
{
    ax_addr a;
    cr_assert_eq(ax_addr_parse("[2001:db8::1]:8080", &a), 0);
    char buf[64];
    cr_assert_eq(ax_addr_format(&a, buf, 5), AX_ERANGE);
    int n = ax_addr_format(&a, buf, sizeof(buf));
    cr_assert_gt(n, 0);
    cr_assert_eq(ax_addr_format(&a, buf, (size_t)n), AX_ERANGE, "no room for the NUL");
    cr_assert_eq(ax_addr_format(&a, buf, (size_t)n + 1), n);
    memset(&a, 0, sizeof(a));
    cr_assert_eq(ax_addr_format(&a, buf, sizeof(buf)), AX_EINVAL);
    a.len = sizeof(struct sockaddr_in);
    a.ss.ss_family = AF_APPLETALK;
    cr_assert_eq(ax_addr_format(&a, buf, sizeof(buf)), AX_EINVAL);
    cr_assert_eq(ax_addr_port(&a), -1);
    cr_assert_eq(ax_addr_port(NULL), -1);
}
