#!/usr/bin/env bash
# Installs the two runtimes that check Pairtune's exports (tests/exports/, docs/exports.md) from the npm
# registry, exactly as pinned by tests/export-runtimes/package-lock.json, into
# tests/export-runtimes/node_modules: onnxruntime-node (ONNX Runtime, prebuilt) and node-llama-cpp 3.21.1
# (llama.cpp, prebuilt). Only what the CPU x64 check needs: npm's optional packages (node-llama-cpp's
# CUDA, Vulkan, arm, macOS and Windows binaries, about 1 GB) are omitted and the prebuilt CPU binaries come
# from @node-llama-cpp/linux-x64, a direct dependency at the same version; ONNX Runtime's macOS and Windows
# libraries are deleted after the install (its tarball carries every platform). No install scripts run:
# onnxruntime-node's would fetch CUDA libraries, node-llama-cpp's would try to build llama.cpp.
# Idempotent: when the pinned versions already load, nothing is fetched.
# Needs node >= 20 (node-llama-cpp's minimum) and npm (scripts/setup.sh installs nodejs and npm).
set -euo pipefail
# shellcheck source=scripts/npm_pinned.sh
source "$(dirname "$0")/npm_pinned.sh"

# check_install.mjs loads both runtimes and checks their versions against package.json's pins.
npm_check_installed() {
  node check_install.mjs
}

# The tarball of onnxruntime-node carries every platform's libraries; only linux x64 is used here.
npm_after_install() {
  rm -rf node_modules/onnxruntime-node/bin/napi-v6/darwin node_modules/onnxruntime-node/bin/napi-v6/win32 \
    node_modules/onnxruntime-node/bin/napi-v6/linux/arm64
}

npm_require_node install_export_runtimes 20 "node-llama-cpp 3.21.1 needs node >= 20 (NodeSource's nodejs 20 or newer)"
# Without the optional packages, running no scripts.
npm_install_pinned install_export_runtimes tests/export-runtimes --omit=optional --ignore-scripts --no-audit --no-fund
