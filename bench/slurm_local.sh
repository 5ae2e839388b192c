#!/bin/bash
# The studio's Slurm script run by a real Slurm (issue 19, docs/distributed.md "Several nodes and
# Slurm"): Debian's slurmctld and two slurmd, node1 (10.19.0.1) and node2 (10.19.0.2), each in its own
# network namespace (bench/netns_nodes.sh), with a munged of their own, all configured in a scratch
# folder. The script is what "Run on a cluster..." writes (pairtune-cluster-command: the dialog's engine
# functions) for `pairtune-cli train` with the defaults, the dialog's choices set to 2 nodes x 1
# process, endpoint node1:29500, global batch kept; it is submitted unchanged with `sbatch --wait`.
#   job A: the defaults (8 epochs, dropout on): the job ends 0, rank 0 wrote a complete run folder;
#   job B: the same with --no-dropout --fp32 against one process at the global batch, without Slurm:
#          losses, weights and the exported models' embeddings within 5e-5.
# Needs root and the packages slurmctld, slurmd, slurm-client and munge (not installed by the project's
# setup: `apt-get install slurmctld slurmd slurm-client munge`); exits 77 without them. Every daemon
# started here is stopped, and the namespaces and scratch folder removed, on any exit.
# Usage: bench/slurm_local.sh [BUILD_DIR]   (default build); about 2 minutes on 2 cores.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$root/build}")
cli=$build/app/pairtune-cli
tool=$build/bench/pairtune-cluster-command
python=${PAIRTUNE_PYTHON:-/usr/bin/python3}
skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
for program in slurmctld slurmd sbatch scontrol munged nsenter unshare ip; do
    command -v "$program" >/dev/null || skip "needs $program (apt-get install slurmctld slurmd slurm-client munge)"
done
[ -x "$cli" ] && [ -x "$tool" ] || fail "build pairtune-cli and pairtune-cluster-command first"
[ -r /etc/munge/munge.key ] || skip "needs /etc/munge/munge.key (the munge package makes it)"

d=$(mktemp -d /tmp/slurm-local.XXXXXX)
chmod 755 "$d"
daemons=()
. "$root/bench/netns_nodes.sh"
cleanup() {
    local pid
    for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 1
    for pid in "${daemons[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    [ -f "$d/munged.pid" ] && kill "$(cat "$d/munged.pid")" 2>/dev/null || true
    netns_nodes_down
    rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
netns_nodes_up $$ || skip "cannot create network namespaces (needs root / CAP_NET_ADMIN)"

printf '127.0.0.1 localhost\n10.19.0.1 node1\n10.19.0.2 node2\n' >"$d/hosts"
# A munged of our own on its own socket (slurm.conf's AuthInfo), with the package's key.
munged --force --socket="$d/munge.socket" --key-file=/etc/munge/munge.key --pid-file="$d/munged.pid" \
    --log-file="$d/munged.log" --seed-file="$d/munged.seed"
cat >"$d/slurm.conf" <<EOC
ClusterName=pairtune19
SlurmctldHost=node1(10.19.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge.socket
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SwitchType=switch/none
ReturnToService=2
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd-%n.pid
SlurmdSpoolDir=$d/slurmd-%n
StateSaveLocation=$d/state
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd-%n.log
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=node1 NodeAddr=10.19.0.1 CPUs=$(nproc) State=UNKNOWN
NodeName=node2 NodeAddr=10.19.0.2 CPUs=$(nproc) State=UNKNOWN
PartitionName=main Nodes=node1,node2 Default=YES MaxTime=15 State=UP
EOC
mkdir -p "$d/state" "$d/runs"
export SLURM_CONF=$d/slurm.conf
onnode "$ns1" node1 "$d/hosts" slurmctld -D -i >"$d/slurmctld.out" 2>&1 &
daemons+=($!)
onnode "$ns1" node1 "$d/hosts" slurmd -D -N node1 >"$d/slurmd1.out" 2>&1 &
daemons+=($!)
onnode "$ns2" node2 "$d/hosts" slurmd -D -N node2 >"$d/slurmd2.out" 2>&1 &
daemons+=($!)
for _ in $(seq 1 60); do
    [ "$(onnode "$ns1" node1 "$d/hosts" sinfo -h -N -o %t 2>/dev/null | grep -c idle)" = 2 ] && break
    sleep 1
done
onnode "$ns1" node1 "$d/hosts" sinfo -N
[ "$(onnode "$ns1" node1 "$d/hosts" sinfo -h -N -o %t | grep -c idle)" = 2 ] ||
    fail "the 2 slurmd did not come up: $(tail -n 3 "$d"/slurmd*.out "$d/slurmctld.out")"

"$python" -c "
with open('$d/pairs.tsv', 'w') as f:
    f.write('anchor\tpositive\n')
    for i in range(201):  # tests/training/dist/torchruntest.h writePairs
        f.write(f'what is the code of item {i}\titem {i} has the code {(i * 7919) % 10007}\n')"
cut -f1,2 "$d/pairs.tsv" | tail -n +2 | tr '\t' '\n' >"$d/texts.txt"
export PATH=$build/app:$PATH # the script runs pairtune-cli from every node's PATH

# job NAME [TRAIN OPTIONS]: the dialog's Slurm script for these settings, submitted and waited for.
job() {
    local name=$1
    shift
    "$cli" train --data "$d/pairs.tsv" --base builtin --out "$d/runs/$name" "$@" --print-config |
        "$tool" --slurm --nodes 2 --nproc 1 --endpoint node1:29500 >"$d/$name.sh"
    local id
    id=$(cd "$d" && ONNODE_TIMEOUT=600 onnode "$ns1" node1 "$d/hosts" sbatch --parsable --wait -o "$d/$name.out" \
        "$d/$name.sh") || fail "job $name: $(tail -n 20 "$d/$name.out")"
    echo "job $name (Slurm job $id): $(jobtime "$id")"
}

# jobtime ID: the job's start and end as slurmctld recorded them (sbatch --wait polls at growing
# intervals, so its own return says little about the job's length).
jobtime() {
    onnode "$ns1" node1 "$d/hosts" scontrol show job "$1" | "$python" -c "
import re, sys, datetime
t = dict(re.findall(r'(StartTime|EndTime)=(\S+)', sys.stdin.read()))
start, end = (datetime.datetime.fromisoformat(t[k]) for k in ('StartTime', 'EndTime'))
print(f'ran {(end - start).total_seconds():.0f} s ({t[\"StartTime\"]} to {t[\"EndTime\"]})')"
}

echo "== Slurm alone: the script's #SBATCH lines around srun printing each node's name and CPUs"
printf '#!/bin/bash\n#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=1\n#SBATCH --exclusive\nsrun bash -c %s\n' \
    "'echo \$(hostname) nproc=\$(nproc)'" >"$d/probe.sh"
probe=$(cd "$d" && ONNODE_TIMEOUT=120 onnode "$ns1" node1 "$d/hosts" sbatch --parsable --wait -o "$d/probe.out" \
    "$d/probe.sh") || fail "probe job: $(cat "$d/probe.out")"
sort "$d/probe.out"
echo "probe job (Slurm job $probe): $(jobtime "$probe")"

echo "== the script (job A: the defaults, 2 nodes x 1 process, endpoint node1:29500)"
job A
cat "$d/A.sh"
echo "-- job A's output (both tasks, srun)"
tail -n 22 "$d/A.out"
a=$("$python" -c "
import json, os, sys
run = sys.argv[1]
config = json.load(open(run + '/config.json'))
print(json.dumps({'processes': config.get('processes'), 'global_batch_size': config.get('global_batch_size'),
                  'files': sorted(os.listdir(run)), 'model': os.path.exists(run + '/model/model.safetensors')}))
" "$d/runs/A")
echo "A: $a"
"$python" -c "
import json, sys; r = json.loads(sys.argv[1])
assert r['processes'] == 2 and r['global_batch_size'] == 32 and r['model'], r
for f in ['config.json', 'metrics.jsonl', 'summary.json', 'verdict.json', 'best', 'checkpoints', 'model']:
    assert f in r['files'], f" "$a" || fail "A: the run folder is incomplete"

echo "== job B: --no-dropout --fp32, against 1 process x 32 without Slurm"
job B --no-dropout --fp32
t0=$(date +%s.%N)
"$cli" train --data "$d/pairs.tsv" --base builtin --out "$d/runs/single" --no-dropout --fp32 --quiet >/dev/null 2>&1
echo "1 process x 32: $("$python" -c "print(f'{$(date +%s.%N) - $t0:.1f}')") s"
for run in B single; do
    "$cli" embed --model "$d/runs/$run/model" --input "$d/texts.txt" --output "$d/$run.npy" --threads 1 >/dev/null 2>&1
done
b=$("$python" "$root/bench/multinode_compare.py" "$d/runs/single" "$d/runs/B" "$d/single.npy" "$d/B.npy")
echo "B: $b"
"$python" -c "
import json, sys; r = json.loads(sys.argv[1])
assert r['same_files'] and r['steps'][0] == r['steps'][1] > 0, r
assert r['max_loss_diff'] < 1e-5 and r['max_weight_diff'] < 1e-5 and r['max_embedding_diff'] < 5e-5, r" "$b" ||
    fail "B: differs from one process"
echo PASS
