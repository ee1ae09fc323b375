// Linked into the static loadlens-cli only. libssl.a pulls libcrypto's BIO address helpers in
// (BIO_lookup_ex, BIO_gethostbyname, BIO_ADDR_hostname_string), which reference getaddrinfo,
// gethostbyname and getnameinfo; LoadLens
// never calls them, it connects by itself. glibc's static versions of these load NSS modules
// (shared libraries of the system) at run time, which the static collector must not do, and
// warn at link time. These definitions take their place and fail; the marker tells core's
// resolver (core/clickhouse/connection.cpp) to read /etc/hosts itself.
#include <netdb.h>

extern "C" {

extern const int loadlens_resolver_without_nss;
const int loadlens_resolver_without_nss = 1;

int getaddrinfo(const char *, const char *, const addrinfo *, addrinfo **result)
{
    if (result)
        *result = nullptr;
    return EAI_FAIL;
}

void freeaddrinfo(addrinfo *) {}

int getnameinfo(const sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t, int)
{
    return EAI_FAIL;
}

hostent *gethostbyname(const char *)
{
    h_errno = NO_RECOVERY;
    return nullptr;
}

} // extern "C"
