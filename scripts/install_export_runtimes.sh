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
cd "$(dirname "$0")/../tests/export-runtimes"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "install_export_runtimes: '$tool' is not installed; run scripts/setup.sh (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "install_export_runtimes: node $(node --version) is too old: node-llama-cpp 3.21.1 needs node >= 20 (NodeSource's nodejs 20 or newer)" >&2
  exit 1
fi

# check_install.mjs loads both runtimes and checks their versions against package.json's pins.
if versions=$(node check_install.mjs 2>/dev/null); then
  echo "install_export_runtimes: $versions already installed"
  exit 0
fi

echo "install_export_runtimes: installing from tests/export-runtimes/package-lock.json"
# ci: exactly the locked versions and checksums, without the optional packages, running no scripts.
npm ci --omit=optional --ignore-scripts --no-audit --no-fund
rm -rf node_modules/onnxruntime-node/bin/napi-v6/darwin node_modules/onnxruntime-node/bin/napi-v6/win32 \
  node_modules/onnxruntime-node/bin/napi-v6/linux/arm64
if ! versions=$(node check_install.mjs); then
  echo "install_export_runtimes: the runtimes were installed but do not load with node $(node --version)" >&2
  exit 1
fi
echo "install_export_runtimes: $versions installed ($(du -sh node_modules | cut -f1))"
