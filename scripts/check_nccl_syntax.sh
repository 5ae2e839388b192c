#!/usr/bin/env bash
# Compile-only check of the NCCL backend (training/dist/processgroupnccl.cpp) against this machine's
# LibTorch headers with USE_C10D_NCCL defined, as the CUDA wheel's LibTorch defines it. Debian bookworm's
# LibTorch has no NCCL, so the normal build never compiles that code; this catches it breaking before a GPU
# machine does (docs/gpu.md). scripts/check_cuda_build.sh builds and links it for real against Debian
# trixie's CUDA LibTorch 2.6 (a chroot, gigabytes of downloads). Needs CUDA's headers (cuda_runtime_api.h, nccl.h): CUDA_HOME, default
# /usr/local/cuda. Exit 0: both translation units that see NCCL compile, and the one that joins without Gloo.
set -euo pipefail
cd "$(dirname "$0")/.."
cuda="${CUDA_HOME:-/usr/local/cuda}"
if [[ ! -f "$cuda/include/nccl.h" ]]; then
    echo "check_nccl_syntax: no $cuda/include/nccl.h (set CUDA_HOME); nothing checked" >&2
    exit 77
fi
# Debian's LibTorch lacks the header CUDA builds generate (c10/cuda/impl/cuda_cmake_macros.h): stand in
# for it with what the CUDA wheel's says (shared libraries).
stub="$(mktemp -d)"
trap 'rm -rf "$stub"' EXIT
mkdir -p "$stub/c10/cuda/impl"
printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' > "$stub/c10/cuda/impl/cuda_cmake_macros.h"
generated=()
[[ -d build/training/generated ]] && generated=(-Ibuild/training/generated)
for source in training/dist/processgroupnccl.cpp training/dist/processgroupjoin.cpp; do
    echo "g++ -fsyntax-only -DUSE_C10D_NCCL $source"
    g++ -std=c++20 -fsyntax-only -Wall -Wextra -Wno-unused-parameter -D_GLIBCXX_USE_CXX11_ABI=1 \
        -DUSE_C10D_NCCL -DUSE_C10D_GLOO -DUSE_DISTRIBUTED \
        -Itraining "${generated[@]}" -I"$stub" -isystem /usr/include/torch/csrc/api/include -isystem "$cuda/include" \
        "$source"
done
# And a LibTorch without Gloo (no USE_C10D_GLOO, as when its Gloo headers are missing): the process group
# still compiles, and joining refuses --device cpu with a message (ProcessGroup::unavailable).
echo "g++ -fsyntax-only (no Gloo, no NCCL) training/dist/processgroupjoin.cpp"
g++ -std=c++20 -fsyntax-only -Wall -Wextra -Wno-unused-parameter -D_GLIBCXX_USE_CXX11_ABI=1 -DUSE_DISTRIBUTED \
    -Itraining "${generated[@]}" -isystem /usr/include/torch/csrc/api/include training/dist/processgroupjoin.cpp
echo "check_nccl_syntax: the NCCL backend compiles (syntax only, not linked: this LibTorch has no NCCL)"
