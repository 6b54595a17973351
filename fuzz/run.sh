#!/bin/sh
# Run every fuzz target for N seconds (default 180), seeded from
# sample-logs/. cargo-fuzz needs nightly; on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets it use the nightly-only sanitizer flags.
#   cargo install cargo-fuzz; fuzz/run.sh 300
set -eu
secs=${1:-180}
cd "$(dirname "$0")"
for t in parse_line header_split time_decode roster; do
    mkdir -p "corpus/$t"
    case $t in
    roster) cp ../sample-logs/roster.csv "corpus/$t/" ;;
    *)
        # One seed file per line of each sample log (plain and gzip).
        for f in ../sample-logs/*.log; do
            split -l 1 -a 6 "$f" "corpus/$t/$(basename "$f")."
        done
        gzip -dc ../sample-logs/*.gz | head -n 2000 | split -l 1 -a 6 - "corpus/$t/gz."
        ;;
    esac
    echo "== $t: $secs s"
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=4096 -print_final_stats=1
done
