#!/usr/bin/env bash
# Installs every Debian package Pairtune needs to build, test and run. Idempotent: packages that are
# already installed are skipped, so a second run costs only the dpkg query.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # style: scripts/check_format.sh (run by test.sh), pinned to the major version
  # that formats the tree (another one breaks lines differently)
  clang-format-14
  # sanitizer and fuzz build (scripts/check_sanitizers.sh): clang, its libFuzzer/ASan/UBSan runtimes
  # (only recommended by clang, so named here) and llvm-symbolizer for readable reports
  clang libclang-rt-14-dev llvm
  # engine
  libtorch-dev libsentencepiece-dev nlohmann-json3-dev libcli11-dev libutf8proc-dev
  # distributed training (training/dist): LibTorch's ProcessGroupGloo header includes Gloo's
  libgloo-dev
  # ONNX export (training/export): the ONNX protobuf classes, the same libonnx LibTorch links
  libonnx-dev
  # Hugging Face Hub downloads (training/hub)
  libcurl4-openssl-dev
  # .xlsx/.ods import (training/data/spreadsheet*): the zip container and the XML inside it
  libzip-dev libpugixml-dev
  # LibTorch falls back to the reference BLAS (20-40x slower, measured on these machines) without this
  libopenblas0-pthread
  # GUI
  qt6-base-dev libqcustomplot-dev libqcustomplot2.1-qt6 libgl-dev
  # interop tests: an independent reference implementation in Debian's PyTorch
  python3 python3-torch python3-numpy python3-sentencepiece
  # corpus for the built-in model and the sample data
  wordnet-base
  # screenshots of the GUI under a virtual display
  xvfb xauth
  # packaging: validators for the .desktop entry and the AppStream metadata
  desktop-file-utils appstream
)
# tst_hf_tokenizers runs Hugging Face's tokenizers under Node (scripts/install_hf_tokenizers.sh): Debian's
# nodejs and npm, unless a node and npm are already there (e.g. NodeSource's nodejs, which conflicts with them)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
