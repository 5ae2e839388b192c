#!/bin/bash
# Issue 19 across machines, on one machine: two network namespaces stand for two nodes (10.19.0.1 and
# 10.19.0.2 on a veth pair, each with its own host name and /etc/hosts), each running Debian's torchrun
# (python3 -m torch.distributed.run, -r 2 -t 2: docs/pitfalls.md §8) with --nnodes 2 --nproc_per_node 1
# around `pairtune-cli train`. The run folder is on the one file system both see, as a cluster's shared
# file system. Checks, each against something real (docs/distributed.md "Several nodes and Slurm"):
#   A. c10d rendezvous at node1:PORT (host names that resolve to the nodes' addresses, as on a cluster):
#      2 nodes x 16 end where 1 process x 32 ends (losses, exported weights, and the exported models'
#      embeddings of the 402 texts within 5e-5); only rank 0's node writes a run folder, the same files.
#   B. static rendezvous by address (--node_rank, --master_addr 10.19.0.1) on nodes whose host names map
#      to 127.0.1.1 (Debian's /etc/hosts): Gloo must bind the address on the route to MASTER_ADDR, not
#      loopback (dist/nodeaddress.h); the same weights as A's single process.
#   C. the process on node2 SIGKILLed after a checkpoint (dropout on): node1's torchrun exits non-zero
#      within 60 s naming the rank; `--resume` on both nodes ends at the weights of the same run left
#      uninterrupted.
# Needs root (network, mount and UTS namespaces); exits 77 when they cannot be made. Every torchrun is
# bounded by `timeout`; the namespaces and the scratch folder are removed on any exit.
# Usage: bench/multinode_netns.sh [--quick] [PAIRTUNE_CLI]   (default build/app/pairtune-cli); about 80 s
# on 2 cores, --quick (A and B only: ctest's tst_multinode_netns, label slow) about 35 s.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = --quick ] && { quick=1; shift; }
cli=$(realpath "${1:-$root/build/app/pairtune-cli}")
python=${PAIRTUNE_PYTHON:-/usr/bin/python3}
export PAIRTUNE_DIST_TIMEOUT=60 PAIRTUNE_DIST_JOIN_TIMEOUT=60
unset GLOO_SOCKET_IFNAME TP_SOCKET_IFNAME WORLD_SIZE RANK MASTER_ADDR MASTER_PORT

skip() { echo "SKIP: $*" >&2; exit 77; }
[ -x "$cli" ] || { echo "no pairtune-cli at $cli" >&2; exit 1; }
"$python" -c "import torch.distributed.run" 2>/dev/null || skip "$python cannot import torch.distributed.run"
command -v ip >/dev/null && command -v unshare >/dev/null && command -v nsenter >/dev/null ||
    skip "needs ip (iproute2), unshare and nsenter (util-linux)"

tag=$$
scratch=$(mktemp -d /tmp/multinode-netns.XXXXXX)
. "$root/bench/netns_nodes.sh"
cleanup() {
    netns_nodes_down
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
netns_nodes_up $tag || skip "cannot create network namespaces (needs root / CAP_NET_ADMIN)"

# Host files: "cluster" (every node's name resolves to its address) and "debian" (each node's own name
# maps to 127.0.1.1, the other's is unknown: only addresses work).
printf '127.0.0.1 localhost\n10.19.0.1 node1\n10.19.0.2 node2\n' >"$scratch/hosts.cluster"
printf '127.0.0.1 localhost\n127.0.1.1 node1 node2\n' >"$scratch/hosts.debian"
onnode "$ns1" probe "$scratch/hosts.cluster" true 2>/dev/null ||
    skip "cannot give a namespace its own host name and /etc/hosts (unshare --uts --mount)"
torchrun=("$python" -m torch.distributed.run --nnodes 2 --nproc_per_node 1 -r 2 -t 2)
now() { date +%s.%N; }
seconds() { "$python" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

cd "$scratch"
"$python" - <<'EOF'
with open("pairs.tsv", "w") as f:
    f.write("anchor\tpositive\n")
    for i in range(201):  # tests/training/dist/torchruntest.h writePairs
        f.write(f"what is the code of item {i}\titem {i} has the code {(i * 7919) % 10007}\n")
EOF
cut -f1,2 pairs.tsv | tail -n +2 | tr '\t' '\n' >texts.txt
# tst_distributedtraining's recipe (12 steps of 32, dropout off) and tst_distributedfaults' (dropout on).
exact=(train --data "$scratch/pairs.tsv" --base builtin --epochs 2 --lr 2e-4 --warmup-steps 2 --no-dropout
    --fp32 --max-seq-length 16 --eval-sample all --threads 1 --quiet)
faults=(train --data "$scratch/pairs.tsv" --base builtin --epochs 4 --batch-size 16 --lr 2e-4
    --warmup-steps 2 --max-seq-length 16 --eval-sample all --checkpoint-every 2 --keep-checkpoints 0
    --threads 1 --quiet)

# twonodes HOSTS LOG RENDEZVOUS... -- ARGS...: both nodes at once, each bounded; node i's output in LOG.i.
twonodes() {
    local hosts=$1 log=$2
    shift 2
    local rdzv=() args=()
    while [ "$1" != "--" ]; do rdzv+=("$1"); shift; done
    shift
    args=("$@")
    local n pids=()
    for n in 1 2; do
        local ns=$ns1
        [ $n = 2 ] && ns=$ns2
        local per=("${rdzv[@]//@NODE_RANK@/$((n - 1))}")
        ONNODE_TIMEOUT=300 onnode "$ns" "node$n" "$hosts" "${torchrun[@]}" "${per[@]}" \
            --no_python "$cli" "${args[@]//@NODE@/$n}" >"$log.$n" 2>&1 &
        pids+=($!)
    done
    local rc=0
    wait "${pids[0]}" || rc=1
    wait "${pids[1]}" || rc=1
    return $rc
}
echo "== A. c10d rendezvous at node1 (host names resolve to the nodes' addresses)"
t0=$(now)
"$cli" "${exact[@]}" --batch-size 32 --out "$scratch/single" >single.log 2>&1 || fail "single process: $(tail -3 single.log)"
t1=$(now)
twonodes hosts.cluster a.log --rdzv_backend c10d --rdzv_endpoint node1:29511 --rdzv_id a$tag -- \
    "${exact[@]}" --batch-size 16 --out "$scratch/two-node@NODE@" ||
    fail "two nodes: $(tail -5 a.log.1 a.log.2)"
t2=$(now)
echo "single process x 32: $(seconds "$t0" "$t1") s; 2 nodes x 16: $(seconds "$t1" "$t2") s"
folders=$(ls -d two-node* 2>/dev/null | tr '\n' ' ')
[ "$(ls -d two-node* | wc -l)" = 1 ] || fail "expected one run folder (rank 0's node), found: $folders"
folder=${folders% }
echo "run folder written by rank 0's node only: $folder ($(grep -l 'run folder:' a.log.* | tr '\n' ' '))"
for run in single "$folder"; do
    "$cli" embed --model "$run/model" --input texts.txt --output "$run.npy" --threads 1 >/dev/null 2>&1
done
a=$("$python" "$root/bench/multinode_compare.py" single "$folder" single.npy "$folder.npy")
echo "A: $a"
"$python" -c "
import json, sys; r = json.loads(sys.argv[1])
assert r['same_files'] and r['steps'] == [12, 12], r
assert r['max_loss_diff'] < 1e-5 and r['max_weight_diff'] < 1e-5 and r['max_embedding_diff'] < 5e-5, r
assert r['max_weight_moved'] > 1e-4, r" "$a" || fail "A: 2 nodes x 16 differ from 1 x 32"

echo "== B. static rendezvous by address; the nodes' host names map to 127.0.1.1"
t0=$(now)
twonodes hosts.debian b.log --node_rank @NODE_RANK@ --master_addr 10.19.0.1 --master_port 29512 -- \
    "${exact[@]}" --batch-size 16 --out "$scratch/static" || fail "static rendezvous: $(tail -5 b.log.1 b.log.2)"
t1=$(now)
b=$("$python" "$root/bench/multinode_compare.py" single static)
echo "B ($(seconds "$t0" "$t1") s): $b"
"$python" -c "
import json, sys; r = json.loads(sys.argv[1])
assert r['same_files'] and r['max_weight_diff'] < 1e-5, r" "$b" || fail "B: differs from 1 x 32"

[ $quick = 1 ] && { echo "PASS (quick: A and B)"; exit 0; }

echo "== C. node2's process killed after a checkpoint; --resume on both nodes"
twonodes hosts.cluster c0.log --rdzv_backend c10d --rdzv_endpoint node1:29513 --rdzv_id c0$tag -- \
    "${faults[@]}" --out "$scratch/whole" || fail "uninterrupted run: $(tail -5 c0.log.1 c0.log.2)"
twonodes hosts.cluster c1.log --rdzv_backend c10d --rdzv_endpoint node1:29514 --rdzv_id c1$tag -- \
    "${faults[@]}" --out "$scratch/killed" &
launcher=$!
for _ in $(seq 1 1200); do
    [ -f killed/checkpoints/step-8/trainer_state.json ] && break
    kill -0 $launcher 2>/dev/null || break
    sleep 0.05
done
victim=""
for pid in $(ip netns pids "$ns2"); do
    # Its command line, not /proc/PID/comm (which reads "exe" for torchrun's workers here).
    case "$(tr '\0' '\n' </proc/"$pid"/cmdline 2>/dev/null | head -n 1)" in */pairtune-cli) victim=$pid ;; esac
done
[ -n "$victim" ] || fail "node2's pairtune-cli was not running at the checkpoint: $(ls killed/checkpoints 2>&1 | tr '\n' ' ') $(tail -n 5 c1.log.1 c1.log.2)"
victimRank=$(tr '\0' '\n' </proc/"$victim"/environ | sed -n 's/^RANK=//p')
kill -9 "$victim"
t0=$(now)
# node1's torchrun: the first of the two background jobs; wait for both (node2's agent ends too).
while kill -0 $launcher 2>/dev/null && [ "$(seconds "$t0" "$(now)" | cut -d. -f1)" -lt 120 ]; do sleep 0.1; done
t1=$(now)
if wait $launcher; then rc1=0; else rc1=1; fi
stopped=$(seconds "$t0" "$t1")
survivorRank=$((1 - victimRank))
message=$(grep -o "distributed training, rank $survivorRank of 2: [^:]*" c1.log.1 | head -n 1 || true)
echo "killed rank $victimRank on node2 (pid $victim); both torchruns ended ${stopped} s later (non-zero: $rc1)"
echo "node1: ${message:-<no message naming its rank>}"
grep -E "exitcode|Signal|SIGKILL" c1.log.2 | head -n 2 | sed 's/^/node2: /'
[ "$rc1" = 1 ] || fail "C: the run with a killed process exited 0"
[ -n "$message" ] || fail "C: node1's process did not name its rank: $(tail -5 c1.log.1)"
"$python" -c "import sys; sys.exit(float(sys.argv[1]) >= 60)" "$stopped" || fail "C: took ${stopped} s to stop"
[ ! -f killed/model/model.safetensors ] || fail "C: the killed run exported a model"
t0=$(now)
twonodes hosts.cluster c2.log --rdzv_backend c10d --rdzv_endpoint node1:29515 --rdzv_id c2$tag -- \
    train --resume "$scratch/killed" --quiet || fail "resume: $(tail -5 c2.log.1 c2.log.2)"
t1=$(now)
c=$("$python" "$root/bench/multinode_compare.py" whole killed)
echo "C: resumed on both nodes ($(seconds "$t0" "$t1") s) vs uninterrupted: $c"
"$python" -c "
import json, sys; r = json.loads(sys.argv[1])
assert r['steps'][0] == r['steps'][1] and r['max_weight_diff'] <= 1e-6, r" "$c" || fail "C: resume differs"
echo "PASS"
