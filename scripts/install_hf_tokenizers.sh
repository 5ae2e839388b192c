#!/usr/bin/env bash
# Installs Hugging Face's tokenizers library (the npm registry's `tokenizers`, the Node binding of the
# same Rust library Python uses, prebuilt) into tests/hf-tokenizers/node_modules, exactly as pinned by
# tests/hf-tokenizers/package-lock.json. tst_hf_tokenizers compares Pairtune's token ids against it
# (tests/interop/README.md). Idempotent: when the pinned version already loads, nothing is fetched.
# Needs node and npm (scripts/setup.sh installs Debian's nodejs and npm when they are missing).
set -euo pipefail
cd "$(dirname "$0")/../tests/hf-tokenizers"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "install_hf_tokenizers: '$tool' is not installed; run scripts/setup.sh (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
done

# Loads the binding the way hf_tokenize.js does and checks the version against package.json's pin, so a
# half-finished install, another version or a missing native binary (linux-x64-gnu) all count as absent.
check='
const pinned = require("./package.json").dependencies.tokenizers;
const installed = require("./node_modules/tokenizers/package.json").version;
if (installed !== pinned) throw new Error("installed " + installed + ", pinned " + pinned);
if (typeof require("./node_modules/tokenizers").Tokenizer.fromFile !== "function")
  throw new Error("no Tokenizer.fromFile");
console.log(installed);'

if version=$(node -e "$check" 2>/dev/null); then
  echo "install_hf_tokenizers: tokenizers $version already installed"
  exit 0
fi

echo "install_hf_tokenizers: installing tokenizers from tests/hf-tokenizers/package-lock.json"
# ci: exactly the locked version and checksum; the package has no install scripts (its native binaries
# are inside the tarball), so none are run.
npm ci --ignore-scripts --no-audit --no-fund
if ! version=$(node -e "$check"); then
  echo "install_hf_tokenizers: tokenizers was installed but does not load with $(node --version)" >&2
  exit 1
fi
echo "install_hf_tokenizers: tokenizers $version installed"
