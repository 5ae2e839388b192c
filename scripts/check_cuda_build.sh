#!/usr/bin/env bash
# Builds the engine and pairtune-cli against a real CUDA LibTorch 2.x with NCCL and Gloo, without a GPU:
# Debian trixie's libtorch-cuda-dev (2.6, contrib) in a debootstrap chroot, configured as the README's GPU
# command (-DPAIRTUNE_BUILD_GUI=OFF; the engine's Qt Test suites need only QtCore/QtTest). It shows that
# NCCL is selected for --device cuda (USE_C10D_NCCL reaches processgroupnccl.cpp through LibTorch's
# exported targets), that torchrun's --device cuda then fails for want of a GPU rather than of NCCL, and
# runs the suites that matter for LibTorch 2.x on the CPU with trixie's torchrun and python3-torch.
# It is not the PyPI wheel and no GPU runs here (docs/gpu.md). Not part of scripts/test.sh or CI: it
# downloads about 4 GB. Needs root, debootstrap and network access to deb.debian.org.
#
#   PAIRTUNE_TRIXIE_CHROOT  the chroot (created if missing, reused otherwise; default /var/tmp/pairtune-trixie)
#   PAIRTUNE_TRIXIE_SUITES  the suites to run (default below; "" builds and checks NCCL only)
#   PAIRTUNE_TRIXIE_JOBS    build jobs (default 2)
#   PAIRTUNE_TRIXIE_TREE    worktree (default: the checkout's files on disk, tracked and untracked, not
#                           ignored) or head (git archive HEAD)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${PAIRTUNE_TRIXIE_CHROOT:-/var/tmp/pairtune-trixie}"
suites="${PAIRTUNE_TRIXIE_SUITES-tst_distributedcontext tst_gradientreducer tst_onestep tst_sentencemodel tst_distributedtraining tst_distributedfaults tst_interop}"
jobs="${PAIRTUNE_TRIXIE_JOBS:-2}"
mirror=http://deb.debian.org/debian
log() { echo "check_cuda_build: $*"; }
[[ $(id -u) -eq 0 ]] || { log "needs root (debootstrap, chroot)" >&2; exit 2; }

if [[ ! -x "$root/usr/bin/apt-get" ]]; then
    command -v debootstrap >/dev/null || { log "install debootstrap first" >&2; exit 2; }
    log "debootstrap trixie into $root"
    nice -n 15 debootstrap --variant=minbase --components=main,contrib,non-free,non-free-firmware \
        trixie "$root" "$mirror"
fi
mounted=()
cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" || true; done
}
trap cleanup EXIT
for dir in proc dev dev/pts; do
    if ! mountpoint -q "$root/$dir"; then
        if [[ $dir == proc ]]; then mount -t proc proc "$root/proc"; else mount --bind "/$dir" "$root/$dir"; fi
        mounted+=("$root/$dir")
    fi
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# libtorch-cuda-2.6 depends on nvidia-cudnn, an installer that downloads cuDNN from NVIDIA's site (not
# reachable from here, and a licence to accept): a package of the same name that installs nothing stands
# in for it, and a library of cuDNN's entry points that all report failure stands in for libcudnn.so.9
# below. Nothing here calls cuDNN (no convolutions, no GPU).
if ! in_root dpkg-query -W -f='${Status}' nvidia-cudnn 2>/dev/null | grep -q "install ok installed"; then
    log "stand-in package for nvidia-cudnn"
    mkdir -p "$root/tmp/nvidia-cudnn/DEBIAN"
    cat >"$root/tmp/nvidia-cudnn/DEBIAN/control" <<'EOF'
Package: nvidia-cudnn
Version: 9.0.0.312~cuda12
Architecture: all
Maintainer: Pairtune check_cuda_build <nobody@localhost>
Description: stand-in for the cuDNN downloader (scripts/check_cuda_build.sh)
 Installs nothing; NVIDIA's download site is not reachable from the build machine.
EOF
    in_root dpkg-deb -b /tmp/nvidia-cudnn /tmp/nvidia-cudnn.deb >/dev/null
    in_root dpkg -i /tmp/nvidia-cudnn.deb >/dev/null
    in_root apt-mark hold nvidia-cudnn >/dev/null
fi
packages=(
    g++ cmake ninja-build ccache pkg-config
    # the CUDA LibTorch (NCCL, Gloo) and what its CMake package looks for: nvcc (FindCUDA), CUDA's headers
    libtorch-cuda-dev libgloo-cuda-dev libnccl-dev nvidia-cuda-dev nvidia-cuda-toolkit
    # the engine's other dependencies (scripts/setup.sh), QtCore/QtTest for the suites
    nlohmann-json3-dev libcli11-dev libutf8proc-dev libsentencepiece-dev libcurl4-openssl-dev libonnx-dev
    libzip-dev libpugixml-dev libopenblas0-pthread qt6-base-dev
    # torchrun and the Python references of the suites
    python3-torch-cuda python3-numpy python3-sentencepiece
)
log "apt-get install (${#packages[@]} packages)"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive nice -n 15 apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
if [[ ! -f "$root/opt/cudnn-stub/libcudnn.so.9" ]]; then
    log "stand-in libcudnn.so.9 (the entry points libtorch_cuda.so and libtorch_python.so import)"
    mkdir -p "$root/opt/cudnn-stub"
    cat >"$root/opt/cudnn-stub/make.sh" <<'EOF'
set -e
lib=/usr/lib/x86_64-linux-gnu
syms=$(nm -D --undefined-only $lib/libtorch_cuda.so $lib/libtorch_python.so \
    | awk '$2 ~ /^cudnn.*@libcudnn\.so\.9$/ { sub(/@.*/, "", $2); print $2 }' | sort -u)
cd /opt/cudnn-stub
{ for s in $syms; do echo "int $s(void) { return 1001; }"; done; } >stub.c
{ echo 'libcudnn.so.9 {'; echo ' global:'; for s in $syms; do echo "  $s;"; done; echo ' local: *;'; echo '};'; } >stub.map
gcc -shared -fPIC -o libcudnn.so.9 -Wl,-soname,libcudnn.so.9 -Wl,--version-script=stub.map stub.c
echo /opt/cudnn-stub >/etc/ld.so.conf.d/zz-cudnn-stub.conf
ldconfig
EOF
    in_root sh /opt/cudnn-stub/make.sh
fi
# Debian trixie's PyTorch is built without libuv, yet torchrun's rendezvous stores ask for it whatever
# USE_LIBUV says ("use_libuv was requested but PyTorch was build without libuv support"): on PYTHONPATH
# for the runs below, this makes torch.distributed's TCPStore take use_libuv from USE_LIBUV, as torch's
# own create_c10d_store does. pairtune-cli reads USE_LIBUV itself (processgroupjoin.cpp).
mkdir -p "$root/opt/pairtune-py"
cat >"$root/opt/pairtune-py/sitecustomize.py" <<'EOF'
import importlib.abc
import importlib.util
import os
import sys


class _StoreFollowsUseLibuv(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "torch.distributed":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            base = module.TCPStore

            class TCPStore(base):
                def __init__(self, *args, **kwargs):
                    kwargs.setdefault("use_libuv", os.environ.get("USE_LIBUV", "1") == "1")
                    super().__init__(*args, **kwargs)

            module.TCPStore = TCPStore

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _StoreFollowsUseLibuv())
EOF
in_root dpkg-query -W -f='${Package} ${Version}\n' libtorch-cuda-2.6 libtorch-cuda-dev python3-torch-cuda \
    libnccl2 libgloo-cuda-0 libcudart12 nvidia-cuda-toolkit g++-14 cmake qt6-base-dev python3 | sed 's/^/check_cuda_build: package /'

log "copying the tree to $root/src"
rm -rf "$root/src"
mkdir -p "$root/src"
if [[ ${PAIRTUNE_TRIXIE_TREE:-worktree} == head ]]; then
    git archive HEAD | tar -x -C "$root/src"
else
    git ls-files -z -co --exclude-standard | tar --null -T - -c | tar -x -C "$root/src"
fi
start=$SECONDS
build=(nice -n 15 cmake --build /build -j "$jobs" --target pairtune-cli)
for suite in $suites; do build+=("$suite"); done
in_root sh -c 'cd /src && nice -n 15 cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DPAIRTUNE_BUILD_GUI=OFF -DPAIRTUNE_BUILD_TESTS=ON -Wno-dev >/build.configure.log 2>&1' \
    || { tail -n 40 "$root/build.configure.log"; exit 1; }
in_root "${build[@]}"
log "built in $((SECONDS - start)) s"

# NCCL selected: processgroupnccl.cpp compiled with USE_C10D_NCCL (PAIRTUNE_HAS_NCCL), from LibTorch's
# exported torch_cuda target rather than from anything of ours.
if ! python3 - "$root/build/compile_commands.json" <<'PY'; then
import json, sys
for e in json.load(open(sys.argv[1])):
    if e["file"].endswith("training/dist/processgroupnccl.cpp"):
        sys.exit(0 if "-DUSE_C10D_NCCL" in e["command"] else 1)
sys.exit(1)
PY
    log "FAILED: processgroupnccl.cpp is compiled without USE_C10D_NCCL: NCCL is not selected" >&2
    exit 1
fi
log "NCCL selected: processgroupnccl.cpp compiled with -DUSE_C10D_NCCL"
# The built program under torchrun: --device cuda must fail for want of a GPU, not of NCCL, and
# --device cpu must train with Gloo on LibTorch 2.6's c10d.
cat >"$root/tmp/torchrun-check.sh" <<'EOF'
set -u
work=$(mktemp -d)
printf 'anchor\tpositive\n' >"$work/pairs.tsv"
for i in $(seq 0 63); do printf 'what is the code of item %d\titem %d has the code %d\n' $i $i $((i * 7919 % 10007)); done >>"$work/pairs.tsv"
tr() { PAIRTUNE_DIST_TIMEOUT=60 python3 -m torch.distributed.run --nproc_per_node 2 -r 2 -t 2 \
    --master_addr 127.0.0.1 --master_port "$1" --no_python /build/app/pairtune-cli train --data "$work/pairs.tsv" \
    --base builtin --batch-size 4 --max-steps 4 --max-seq-length 16 --eval-sample all --checkpoint-every 0 \
    --no-dropout --fp32 --threads 1 --quiet --out "$work/$2" --device "$2"; }
tr 29611 cuda >"$work/cuda.log" 2>&1; cuda=$?
tr 29612 cpu >"$work/cpu.log" 2>&1; cpu=$?
echo "--device cuda under torchrun: exit $cuda"; grep -m 3 -i "error" "$work/cuda.log"
echo "--device cpu under torchrun: exit $cpu"; tail -n 3 "$work/cpu.log"
ok=0
if [ $cuda -eq 0 ] || grep -q "needs NCCL" "$work/cuda.log" || ! grep -qi "gpu\|cuda" "$work/cuda.log"; then
    echo "FAILED: --device cuda did not fail for want of a GPU"; ok=1
fi
if [ $cpu -ne 0 ] || [ ! -f "$work/cpu/config.json" ]; then echo "FAILED: --device cpu did not train"; ok=1; fi
rm -rf "$work"
exit $ok
EOF
run_env=(env USE_LIBUV=0 PYTHONPATH=/opt/pairtune-py)
in_root "${run_env[@]}" sh /tmp/torchrun-check.sh | sed 's/^/check_cuda_build: /'

failed=()
skipped=()
for suite in $suites; do
    start=$SECONDS
    if in_root "${run_env[@]}" sh -c "cd /build && nice -n 15 ctest -R '^$suite\$' -V --timeout 1500" \
        >"$root/build/$suite.ctest.log" 2>&1; then
        if grep -q "\*\*\*Skipped" "$root/build/$suite.ctest.log"; then
            log "$suite SKIPPED: $(grep -m 1 'SKIP' "$root/build/$suite.ctest.log")"
            skipped+=("$suite")
        else
            log "$suite passed ($((SECONDS - start)) s): $(grep -m 1 '^[0-9]*: Totals:' "$root/build/$suite.ctest.log")"
        fi
    else
        log "$suite FAILED ($((SECONDS - start)) s): tail of $root/build/$suite.ctest.log"
        tail -n 30 "$root/build/$suite.ctest.log"
        failed+=("$suite")
    fi
done
[[ ${#skipped[@]} -eq 0 ]] || log "skipped: ${skipped[*]}"
[[ ${#failed[@]} -eq 0 ]] || { log "failed: ${failed[*]}" >&2; exit 1; }
log "done: the engine and pairtune-cli build against Debian's CUDA LibTorch 2.6 with NCCL"
