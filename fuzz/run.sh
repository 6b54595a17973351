#!/bin/sh
# Run every fuzz target for N seconds (default 180), seeded from
# sample-logs/. cargo-fuzz needs nightly; on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets it use the nightly-only sanitizer flags.
#   cargo install cargo-fuzz; fuzz/run.sh 300 [TARGET...]
set -eu
secs=${1:-180}
[ $# -gt 0 ] && shift
targets=${*:-parse_line families header_split time_decode roster}
cd "$(dirname "$0")"
for t in $targets; do
    mkdir -p "corpus/$t"
    case $t in
    roster) cp ../sample-logs/roster.csv "corpus/$t/" ;;
    families)
        # The message part of sample lines, behind a family and pid byte.
        for f in ../sample-logs/*.log; do
            sed -n 's/^[^ ]* [^ ]* [^:]*: //p' "$f" | head -n 3000 | split -l 1 -a 6 - "corpus/$t/$(basename "$f")."
        done
        for s in corpus/$t/*; do printf '\005\001' | cat - "$s" > "$s.x" && mv "$s.x" "$s"; done
        ;;
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
