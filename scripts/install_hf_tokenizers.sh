#!/usr/bin/env bash
# Installs Hugging Face's tokenizers library (the npm registry's `tokenizers`, the Node binding of the
# same Rust library Python uses, prebuilt) into tests/hf-tokenizers/node_modules, exactly as pinned by
# tests/hf-tokenizers/package-lock.json. tst_hf_tokenizers compares Pairtune's token ids against it
# (tests/interop/README.md). Idempotent: when the pinned version already loads, nothing is fetched.
# Needs node and npm (scripts/setup.sh installs Debian's nodejs and npm when they are missing).
set -euo pipefail
# shellcheck source=scripts/npm_pinned.sh
source "$(dirname "$0")/npm_pinned.sh"

# Loads the binding the way hf_tokenize.js does and checks the version against package.json's pin, so a
# half-finished install, another version or a missing native binary (linux-x64-gnu) all count as absent.
npm_check_installed() {
  node -e '
const pinned = require("./package.json").dependencies.tokenizers;
const installed = require("./node_modules/tokenizers/package.json").version;
if (installed !== pinned) throw new Error("installed " + installed + ", pinned " + pinned);
if (typeof require("./node_modules/tokenizers").Tokenizer.fromFile !== "function")
  throw new Error("no Tokenizer.fromFile");
console.log("tokenizers " + installed);'
}

npm_require_node install_hf_tokenizers
# The package has no install scripts (its native binaries are inside the tarball), so none are run.
npm_install_pinned install_hf_tokenizers tests/hf-tokenizers --ignore-scripts --no-audit --no-fund
