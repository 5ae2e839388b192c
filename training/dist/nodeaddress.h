#pragma once

// Which of this node's addresses a data-parallel run uses to reach the other nodes (torch-free, POSIX
// sockets). torch.distributed binds Gloo to the address the host name resolves to and falls back to
// loopback; on a node whose host name maps to 127.0.0.1/127.0.1.1 (Debian's /etc/hosts does that), or
// to an address of another machine, that silently cuts the node off from its peers
// (docs/distributed.md "Several nodes and Slurm").

#include <string>

namespace pairtune {

// Every address `host` resolves to is a loopback one (127.0.0.0/8, ::1), or it is "localhost".
bool resolvesToLoopback(const std::string &host);

// The address Gloo should bind and advertise when GLOO_SOCKET_IFNAME is not set:
// - "127.0.0.1" when the rendezvous (`masterAddr`) is on loopback: one machine, no network needed;
// - "" (torch's own choice, the host name's address) when the host name resolves to a non-loopback
//   address of this node, as torch.distributed does;
// - otherwise this node's address on the route to `masterAddr`, i.e. on the network the other nodes
//   reached the rendezvous through ("" when there is none).
std::string glooBindAddress(const std::string &masterAddr);

// Why the other nodes may not reach `masterAddr`, for an error message ("" when nothing looks wrong):
// the run spans nodes (WORLD_SIZE above LOCAL_WORLD_SIZE) yet MASTER_ADDR, torchrun's name for the
// node of rank 0, is a loopback address here.
std::string masterAddressHint(const std::string &masterAddr, int worldSize, int localWorldSize);

} // namespace pairtune
