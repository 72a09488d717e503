#!/usr/bin/env bash
# Side-by-side speed of two builds of `gan`: `gan bench --suite training
# --json` alternately from binary A and binary B (A B B A A B B A ...), so
# drift in the machine's speed falls on both, then per case and thread
# count the median of all repeats of each and their ratio B/A, and peak
# memory. Build each in release first, for example:
#   git worktree add /tmp/base <commit> && (cd /tmp/base && swift build -c release --product gan)
#   swift build -c release --product gan
#   Scripts/bench_ab.sh /tmp/base/.build/release/gan .build/release/gan 4 > docs/results/bench-ab.json
# Arguments: A, B, rounds (default 3; each round runs A and B twice), then
# any `gan bench` options (default: all cases, 1 and 2 threads).
set -euo pipefail
a="$1"; b="$2"; rounds="${3:-3}"; shift 3 || shift $#
options=("$@")
[ ${#options[@]} -eq 0 ] && options=(--repeats 5 --iterations 10 --threads 1,2)
raw="$(mktemp)"
trap 'rm -f "$raw"' EXIT
for ((round = 0; round < rounds; round++)); do
    for which in A B B A; do
        binary="$a"; [ "$which" = B ] && binary="$b"
        "$binary" bench --suite training --json "${options[@]}" | sed "s/^/$which /" >> "$raw"
    done
done
python3 - "$raw" "$a" "$b" <<'PY'
import collections, json, statistics, subprocess, sys
raw, a, b = sys.argv[1:4]
rates, memory = collections.defaultdict(list), collections.defaultdict(list)
for line in open(raw):
    which, _, record = line.partition(" ")
    result = json.loads(record)
    key = (result["case"], result["threads"])
    rates[(which,) + key] += result["repeat_rates"]
    memory[(which,) + key].append(result["peak_resident_mb"])
cpu = next((l.split(":", 1)[1].strip() for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
            if l.startswith("Model name")), "unknown")
rows = []
for case, threads in sorted({key[1:] for key in rates}):
    median_a, median_b = statistics.median(rates[("A", case, threads)]), statistics.median(rates[("B", case, threads)])
    rows.append({"case": case, "threads": threads, "a_iterations_per_second": round(median_a, 3),
                 "b_iterations_per_second": round(median_b, 3), "ratio_b_over_a": round(median_b / median_a, 4),
                 "a_peak_mb": round(statistics.median(memory[("A", case, threads)]), 1),
                 "b_peak_mb": round(statistics.median(memory[("B", case, threads)]), 1),
                 "repeats_each": len(rates[("A", case, threads)])})
print(json.dumps({"cpu": cpu, "a": a, "b": b, "results": rows}, indent=1))
PY
