#!/usr/bin/env bash
# Regenerates the README's results table. For each preset named (default: all),
# trains it with the command listed below, times the run, evaluates it with
# `gan eval --json`, and keeps the evidence in docs/results/: PRESET.json (the
# command, the training time and every metric) and the final sample grid in
# docs/images/. It also measures the real-data floor (`gan eval --real`), then
# rewrites the table between the results markers in README.md from all the
# JSON files present (Scripts/results_table.py).
#
# Usage: Scripts/make_results.sh [floor] [PRESET ...]
# All of them take about 1.5 hours on 2 cores; the commands keep each run
# under about 15 minutes (width 32 and fewer steps for the slow critics).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A COMMANDS=(
  [dcgan-quick]="train"
  [mlp]="train --preset mlp --steps 6000"
  [dcgan]="train --preset dcgan --steps 2000"
  [dcgan-600]="train --limit 600 --steps 10000"
  [dcgan-600-diffaugment]="train --limit 600 --steps 10000 --diffaugment color,translation,cutout"
  [cgan]="train --preset cgan --steps 5000"
  [cdcgan]="train --model cdcgan --steps 6000"
  [cdcgan-projection]="train --model cdcgan --projection --steps 6000"
  [acgan]="train --model acgan --steps 3000"
  [lsgan]="train --preset lsgan --width 32 --steps 3000 --ema 0.999"
  [wgan]="train --preset wgan --width 32 --steps 1000"
  [wgan-gp]="train --preset wgan-gp --width 32 --steps 1000"
  [hinge-sn]="train --preset hinge-sn --width 32 --steps 3000 --ema 0.999"
  [2d-ring8]="train --data ring8"
  [2d-grid25]="train --data grid25"
)
ORDER=(dcgan-quick mlp dcgan dcgan-600 dcgan-600-diffaugment cgan cdcgan cdcgan-projection acgan lsgan wgan wgan-gp hinge-sn 2d-ring8 2d-grid25)

swift build -c release --product gan
GAN=.build/release/gan
mkdir -p docs/results docs/images runs

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(floor "${ORDER[@]}"); fi

for name in "${targets[@]}"; do
  if [ "$name" = floor ]; then
    echo "== the real-data floor"
    "$GAN" eval --real --json > docs/results/floor.json
    continue
  fi
  command=${COMMANDS[$name]:-}
  if [ -z "$command" ]; then echo "unknown preset '$name' (known: ${ORDER[*]})" >&2; exit 2; fi
  run="runs/results-$name"
  echo "== $name: gan $command"
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$GAN" $command --run-dir "$run" --overwrite
  end=$(date +%s)
  extra=()
  case $name in cgan | cdcgan* | acgan) extra=(--cas) ;; esac
  metrics=$("$GAN" eval --run "$run" --json "${extra[@]}")
  seconds=$(( end - start ))
  step=$(ls "$run/samples" | sort | tail -1)
  cp "$run/samples/$step" "docs/images/results-$name.png"
  printf '{"preset": "%s", "command": "gan %s", "train_seconds": %s, "eval": %s}\n' \
    "$name" "$command" "$seconds" "$metrics" > "docs/results/$name.json"
done

python3 Scripts/results_table.py
