#!/usr/bin/env bash
# Trains each built-in translation task with its preset (2 threads), then
# evaluates it on the 10,000 test pairs beside the task's baselines. Writes
# docs/results/translation-TASK.json (the `gan eval --json` report plus the
# training command, wall time and CPU) and docs/results/translation-TASK.png
# (the last sample grid: inputs, outputs, targets).
#
# Usage: Scripts/translation_results.sh [TASK...]   (default: the five built-in
# tasks and sr4 with the perceptual loss, sr4-perceptual; needs a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
gan=.build/release/gan
runs=${RUNS:-/tmp/swiftgan-translation-runs}
mkdir -p "$runs" docs/results
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
tasks=${*:-"edges2fashion inpaint colorize sr4 sr2 sr4-perceptual"}
for data in $tasks; do
    case $data in
        edges2fashion) args="--task pix2pix --data edges2fashion" ;;
        inpaint) args="--task inpaint" ;;
        colorize) args="--task colorize" ;;
        sr4) args="--task sr --data sr4" ;;
        sr2) args="--task sr --data sr2" ;;
        sr4-perceptual) args="--task sr --data sr4 --perceptual-weight 1" ;;
        *) echo "unknown task $data" >&2; exit 1 ;;
    esac
    run="$runs/$data"
    start=$(date +%s.%N)
    $gan train $args --threads 2 --run-dir "$run" --overwrite > "$run.log" 2>&1
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    report=$($gan eval --run "$run" --json --threads 2)
    printf '{"command": "gan train %s --threads 2", "train_seconds": %.1f, "cpu": "%s", "eval": %s}\n' \
        "$args" "$seconds" "$cpu" "$report" > "docs/results/translation-$data.json"
    last=$(ls "$run/samples" | tail -1)
    cp "$run/samples/$last" "docs/results/translation-$data.png"
    $gan eval --run "$run" --threads 2 | tee "docs/results/translation-$data.txt"
done
