#include "dist/nodeaddress.h"

#include <climits>

#include <arpa/inet.h>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pairtune {
namespace {

using AddressList = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

AddressList resolve(const std::string &host, int socketType, int flags = 0)
{
    addrinfo hints {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socketType;
    hints.ai_flags = flags;
    addrinfo *found = nullptr;
    if (host.empty() || getaddrinfo(host.c_str(), "1", &hints, &found) != 0)
        found = nullptr;
    return AddressList(found, &freeaddrinfo);
}

bool isLoopback(const sockaddr *address)
{
    if (address->sa_family == AF_INET)
        return (ntohl(reinterpret_cast<const sockaddr_in *>(address)->sin_addr.s_addr) >> 24) == 127;
    if (address->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6 *>(address)->sin6_addr);
    return false;
}

std::string numeric(const sockaddr *address, socklen_t length)
{
    char text[NI_MAXHOST] = {};
    if (getnameinfo(address, length, text, sizeof text, nullptr, 0, NI_NUMERICHOST) != 0)
        return {};
    return text;
}

// As torch's doesHostnameResolveToUsableAddress, but loopback does not count: the host name resolves
// to an address this node can bind (one of its own) that is not loopback.
bool hostNameHasNodeAddress()
{
    char name[HOST_NAME_MAX + 1] = {};
    if (gethostname(name, sizeof name - 1) != 0)
        return false;
    const AddressList found = resolve(name, SOCK_STREAM);
    for (const addrinfo *a = found.get(); a; a = a->ai_next) {
        if (isLoopback(a->ai_addr))
            continue;
        const int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0)
            continue;
        const bool bound = bind(fd, a->ai_addr, a->ai_addrlen) == 0;
        close(fd);
        if (bound)
            return true;
    }
    return false;
}

// The source address the kernel picks for a datagram to `host` (connect() on UDP sends nothing).
std::string addressTowards(const std::string &host)
{
    const AddressList found = resolve(host, SOCK_DGRAM);
    for (const addrinfo *a = found.get(); a; a = a->ai_next) {
        const int fd = socket(a->ai_family, SOCK_DGRAM, 0);
        if (fd < 0)
            continue;
        sockaddr_storage local {};
        socklen_t length = sizeof local;
        const bool routed = connect(fd, a->ai_addr, a->ai_addrlen) == 0
            && getsockname(fd, reinterpret_cast<sockaddr *>(&local), &length) == 0;
        close(fd);
        if (routed && !isLoopback(reinterpret_cast<const sockaddr *>(&local)))
            return numeric(reinterpret_cast<const sockaddr *>(&local), length);
    }
    return {};
}

} // namespace

bool resolvesToLoopback(const std::string &host)
{
    if (host == "localhost")
        return true;
    const AddressList found = resolve(host, SOCK_STREAM);
    if (!found)
        return false;
    for (const addrinfo *a = found.get(); a; a = a->ai_next)
        if (!isLoopback(a->ai_addr))
            return false;
    return true;
}

std::string glooBindAddress(const std::string &masterAddr)
{
    if (resolvesToLoopback(masterAddr))
        return "127.0.0.1";
    if (hostNameHasNodeAddress())
        return {};
    return addressTowards(masterAddr);
}

std::string masterAddressHint(const std::string &masterAddr, int worldSize, int localWorldSize)
{
    if (worldSize <= localWorldSize || !resolvesToLoopback(masterAddr))
        return {};
    return " MASTER_ADDR=" + masterAddr
        + " is a loopback address on this node, yet the run spans nodes (WORLD_SIZE "
        + std::to_string(worldSize) + ", LOCAL_WORLD_SIZE " + std::to_string(localWorldSize)
        + "): torchrun sets it to the host name of rank 0's node, which must resolve on every node to that "
          "node's address on the network between them (fix /etc/hosts or DNS; Debian maps the host name to "
          "127.0.1.1), or start torchrun with --node_rank and --master_addr set to rank 0's address instead "
          "of a --rdzv_endpoint.";
}

} // namespace pairtune
