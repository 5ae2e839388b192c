# Two "nodes" on this machine, sourced by bench/multinode_netns.sh and bench/slurm_local.sh: network
# namespaces $ns1 (10.19.0.1) and $ns2 (10.19.0.2) joined by a veth pair, and `onnode` to run a command
# in one of them under its own host name and /etc/hosts. Needs root; the caller removes them
# (netns_nodes_down) in its EXIT trap.

# netns_nodes_up TAG: creates the namespaces pt19n1-TAG / pt19n2-TAG; returns 1 when it cannot.
netns_nodes_up() {
    ns1=pt19n1-$1 ns2=pt19n2-$1
    local veth1=p19a$1 veth2=p19b$1
    ip netns add "$ns1" 2>/dev/null || return 1
    ip netns add "$ns2" &&
        ip link add "$veth1" type veth peer name "$veth2" &&
        ip link set "$veth1" netns "$ns1" &&
        ip link set "$veth2" netns "$ns2" &&
        ip -n "$ns1" addr add 10.19.0.1/24 dev "$veth1" &&
        ip -n "$ns2" addr add 10.19.0.2/24 dev "$veth2" &&
        ip -n "$ns1" link set lo up && ip -n "$ns2" link set lo up &&
        ip -n "$ns1" link set "$veth1" up && ip -n "$ns2" link set "$veth2" up
}

# netns_nodes_down: SIGKILLs what still runs in the namespaces (only this script's processes are there)
# and deletes them.
netns_nodes_down() {
    local ns pid
    for ns in ${ns1:-} ${ns2:-}; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
}

# onnode NS NAME HOSTS CMD...: CMD in namespace NS with host name NAME and the file HOSTS as /etc/hosts
# (its own UTS and mount namespaces). nsenter rather than `ip netns exec`, which remounts /sys and so
# hides the cgroup mounts slurmd needs. With ONNODE_TIMEOUT set, CMD is killed after that many seconds.
onnode() {
    local ns=$1 name=$2 hosts=$3
    shift 3
    ${ONNODE_TIMEOUT:+timeout -k 10 "$ONNODE_TIMEOUT"} nsenter --net=/run/netns/"$ns" unshare --uts --mount \
        bash -c 'mount --bind "$0" /etc/hosts && hostname "$1" && shift && exec "$@"' "$hosts" "$name" "$@"
}
