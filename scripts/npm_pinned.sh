# shellcheck shell=bash
# Sourced (not run) by the scripts that install a pinned npm package set into a folder of tests/
# (install_hf_tokenizers.sh, install_export_runtimes.sh): the same steps and messages for each.
#   npm_require_node NAME [MIN_MAJOR WHY]  fail unless node and npm are installed (and node >= MIN_MAJOR)
#   npm_install_pinned NAME FOLDER NPM_CI_ARG...
#     in FOLDER (relative to the repository; its package-lock.json pins every version and checksum): when the caller's
#     npm_check_installed succeeds, say so and fetch nothing (offline runs pass here once installed);
#     else `npm ci NPM_CI_ARG...`, the caller's npm_after_install when defined, and npm_check_installed
#     again, which must succeed now.
# npm_check_installed prints what is installed ("tokenizers 0.15.0") and fails when a package is
# missing, another version or does not load, so a half-finished install counts as absent.
# Each message starts with NAME; errors go to stderr and end the script (exit 1).

npm_require_node() {
  local name=$1 min_major=${2:-} why=${3:-}
  local tool
  for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
      echo "$name: '$tool' is not installed; run scripts/setup.sh (Debian: apt-get install nodejs npm)" >&2
      exit 1
    fi
  done
  if [ -n "$min_major" ] && [ "$(node -p 'process.versions.node.split(".")[0]')" -lt "$min_major" ]; then
    echo "$name: node $(node --version) is too old: $why" >&2
    exit 1
  fi
}

npm_install_pinned() {
  local name=$1 folder=$2
  shift 2
  cd "$(dirname "${BASH_SOURCE[0]}")/../$folder" || exit 1
  local found
  if found=$(npm_check_installed 2>/dev/null); then
    echo "$name: $found already installed"
    exit 0
  fi
  echo "$name: installing from $folder/package-lock.json"
  # ci: exactly the locked versions and checksums, never a newer one.
  npm ci "$@"
  if declare -F npm_after_install >/dev/null; then
    npm_after_install
  fi
  if ! found=$(npm_check_installed); then
    echo "$name: npm ci finished, but what it installed does not load with node $(node --version)" >&2
    exit 1
  fi
  echo "$name: $found installed ($(du -sh node_modules | cut -f1))"
}
