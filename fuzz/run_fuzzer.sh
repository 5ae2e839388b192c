#!/bin/sh
# The short fuzz run ctest does for one target: every file in SEED_DIR (committed seeds and regression
# inputs) runs first, then libFuzzer mutates for SECONDS. New inputs go to WORK_DIR/corpus, never into
# the source tree; a crashing input is written to WORK_DIR/ (crash-*, leak-*, timeout-*) and the exit
# status is non-zero.
# Usage: run_fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS [more libFuzzer flags]
set -eu
fuzzer=$1 seeds=$2 work=$3 seconds=$4
shift 4
mkdir -p "$work/corpus" "$work/tmp"
# TMPDIR: the targets that need a file on disk write their scratch copies here.
# -timeout: one input that takes longer than 10 s is a hang (reported as a failure).
# -rss_limit_mb / -malloc_limit_mb: an input that makes the parser allocate gigabytes is a finding too.
TMPDIR="$work/tmp" exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/" "$@" "$work/corpus" "$seeds"
