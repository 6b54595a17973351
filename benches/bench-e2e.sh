#!/usr/bin/env bash
# End-to-end benchmark: generates a large realistic log (once), then times
# `authsweep scan` beside reference tools in the same run, and prints
# throughput and ratios as a Markdown table (medians of RUNS runs).
#
#   benches/bench-e2e.sh                 # 2 GiB, 20,000 accounts, 3 runs
#   SIZE=512M RUNS=5 benches/bench-e2e.sh
#
# Environment: SIZE (generated log size, default 2G), ACCOUNTS (20000),
# DAYS (120), RUNS (3), BENCH_DIR (where the input goes; default a folder
# under the system temp dir, reused between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-2G}
ACCOUNTS=${ACCOUNTS:-20000}
DAYS=${DAYS:-120}
RUNS=${RUNS:-3}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/authsweep-bench-$SIZE-$ACCOUNTS}

cargo build --release --quiet --bin authsweep --bin authsweep-gen
BIN=target/release/authsweep
GEN=target/release/authsweep-gen
mkdir -p "$BENCH_DIR"
LOG=$BENCH_DIR/mail.log
if [ ! -s "$LOG" ]; then
  "$GEN" --out "$BENCH_DIR" --size "$SIZE" --accounts "$ACCOUNTS" --days "$DAYS" >&2
fi
[ -s "$LOG.gz" ] || gzip -6 -c "$LOG" > "$LOG.gz"
[ -s "$LOG.zst" ] || zstd -q -3 -c "$LOG" > "$LOG.zst"
cat "$LOG" "$LOG.gz" "$LOG.zst" > /dev/null   # warm the page cache
BYTES=$(stat -c %s "$LOG")

# median wall seconds of RUNS runs of a shell command
median() {
  local cmd=$1 times=()
  for _ in $(seq "$RUNS"); do
    local s e
    s=$(date +%s.%N)
    bash -c "$cmd" > /dev/null
    e=$(date +%s.%N)
    times+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# peak resident memory (KiB) of one run
peak_rss() {
  /usr/bin/time -f %M bash -c "$1 > /dev/null" 2>&1 >/dev/null | tail -n 1
}

MAWK='mawk '"'"'/imap-login: Login:|pop3-login: Login:/ { if (match($0, /user=<[^>]*>/)) last[substr($0, RSTART+6, RLENGTH-7)] = $1" "$2" "$3 } /sasl_username=/ { if (match($0, /sasl_username=[^ ,]*/)) last[substr($0, RSTART+14, RLENGTH-14)] = $1" "$2" "$3 } END { for (u in last) n++; print n }'"'"
SCAN="$BIN scan --tz UTC --roster $BENCH_DIR/roster.csv --format json -o /dev/null --progress never"

declare -A T
T[cat]=$(median "cat $LOG")
T[wc]=$(median "wc -l $LOG")
# (through cat: GNU grep stops at the first match when writing to /dev/null)
T[grep]=$(median "grep -c sasl_username $LOG | cat")
T[mawk]=$(median "$MAWK $LOG")
T[scan1]=$(median "$SCAN --threads 1 $LOG")
T[scan2]=$(median "$SCAN --threads 2 $LOG")
T[zcat]=$(median "zcat $LOG.gz | wc -l")
T[scangz]=$(median "$SCAN $LOG.gz")
T[zstd]=$(median "zstd -q -dc $LOG.zst | wc -l")
T[scanzst]=$(median "$SCAN $LOG.zst")
RSS1=$(peak_rss "$SCAN --threads 1 $LOG")
RSS2=$(peak_rss "$SCAN --threads 2 $LOG")

gbs() { echo "scale=3; $BYTES / ${T[$1]} / 1000000000" | bc -l; }
ratio() { echo "scale=2; ${T[$2]} / ${T[$1]}" | bc -l; }

echo "Input: $LOG ($BYTES bytes, $(wc -l < "$LOG") lines, $ACCOUNTS accounts); $(nproc) cores; medians of $RUNS runs; page cache warm."
echo
echo "| command | seconds | GB/s (uncompressed) |"
echo "|---|---|---|"
for k in cat wc grep mawk scan1 scan2 zcat scangz zstd scanzst; do
  echo "| $k | ${T[$k]} | $(gbs "$k") |"
done
echo
echo "| ratio | value | goal |"
echo "|---|---|---|"
echo "| scan, 2 threads / 1 thread (speed-up) | $(ratio scan2 scan1) | >= 1.8 |"
echo "| scan 1 thread / mawk one-liner (speed) | $(ratio scan1 mawk) | >= 1.5 |"
echo "| scan of .gz / zcat \| wc -l (speed) | $(ratio scangz zcat) | >= 1.3 |"
echo "| scan of .zst / zstd -dc \| wc -l (speed) | $(ratio scanzst zstd) | >= 0.9 |"
echo "| peak RSS, 1 thread / 2 threads (MiB) | $((RSS1 / 1024)) / $((RSS2 / 1024)) | <= 256 |"

# Where the time of one run goes (AUTHSWEEP_TIMINGS: wall time per phase).
phases() {
  AUTHSWEEP_TIMINGS=1 bash -c "$1 > /dev/null" 2>&1 >/dev/null |
    sed -n 's/^authsweep: timing: *\([a-z]*\)  *\([0-9][0-9.]*\) s .*$/\1 \2/p' | tr '\n' ' '
}
echo
echo "| one run | phases (wall seconds) |"
echo "|---|---|"
echo "| scan --threads 1 | $(phases "$SCAN --threads 1 $LOG") |"
echo "| scan --threads 2 | $(phases "$SCAN --threads 2 $LOG") |"
echo "| scan of .gz | $(phases "$SCAN $LOG.gz") |"
echo "| scan of .zst | $(phases "$SCAN $LOG.zst") |"
