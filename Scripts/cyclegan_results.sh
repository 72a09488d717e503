#!/usr/bin/env bash
# Trains CycleGAN on each built-in unpaired task with its preset (2 threads),
# then evaluates both directions on the test split beside the baselines.
# Writes docs/results/cyclegan-TASK.json (the `gan eval --json` report plus
# the training command, wall time and CPU), docs/results/cyclegan-TASK.txt
# (the table) and docs/results/cyclegan-TASK.png (the last sample grid:
# A, G(A), F(G(A)), B, F(B), G(F(B))).
#
# Usage: Scripts/cyclegan_results.sh [TASK...]   (default: fashion2edges gray2color
# sneaker2boot; needs a release build; EXTRA="--steps 1000" adds flags;
# EVAL_ONLY=1 re-evaluates the runs already trained, keeping their recorded training time)
set -euo pipefail
cd "$(dirname "$0")/.."
gan=.build/release/gan
runs=${RUNS:-/tmp/swiftgan-cyclegan-runs}
mkdir -p "$runs" docs/results
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
tasks=${*:-"fashion2edges gray2color sneaker2boot"}
for data in $tasks; do
    args="--task cyclegan --data $data ${EXTRA:-}"
    run="$runs/$data"
    if [ -n "${EVAL_ONLY:-}" ]; then
        seconds=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["train_seconds"])' "docs/results/cyclegan-$data.json")
    else
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        $gan train $args --threads 2 --run-dir "$run" --overwrite > "$run.log" 2>&1
        seconds=$(echo "$(date +%s.%N) - $start" | bc)
    fi
    report=$($gan eval --run "$run" --json --threads 2)
    printf '{"command": "gan train %s --threads 2", "train_seconds": %.1f, "cpu": "%s", "eval": %s}\n' \
        "$(echo $args)" "$seconds" "$cpu" "$report" > "docs/results/cyclegan-$data.json"
    last=$(ls "$run/samples" | tail -1)
    cp "$run/samples/$last" "docs/results/cyclegan-$data.png"
    $gan eval --run "$run" --threads 2 | tee "docs/results/cyclegan-$data.txt"
done
