#!/usr/bin/env bash
# Runs one fuzz target with the options it was tuned with.
#   fuzz/run.sh <target> [seconds]      (default 300)
# Needs cargo-fuzz (pinned: cargo install --locked cargo-fuzz --version 0.13.2)
# and stable Rust: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly-only
# flags (-Zsanitizer etc.). `-s none`: the core has no `unsafe`, so
# AddressSanitizer would only slow the run down.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?target: resp_request resp_frame stream_command command_table rdb_load scenario_load}
secs=${2:-300}
case $target in
  resp_request) opts=(-dict=resp.dict -max_len=4096) ;;
  resp_frame) opts=(-dict=resp.dict -max_len=4096) ;;
  stream_command) opts=(-dict=resp.dict -max_len=4096) ;;
  command_table) opts=(-dict=commands.dict -max_len=2048) ;;
  rdb_load) opts=(-max_len=16384) ;;
  scenario_load) opts=(-dict=scenario.dict -max_len=4096) ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
mkdir -p "corpus/$target"
RUSTC_BOOTSTRAP=1 exec cargo fuzz run -s none "$target" "corpus/$target" "seeds/$target" -- \
  "${opts[@]}" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
  -max_total_time="$secs" -print_final_stats=1
