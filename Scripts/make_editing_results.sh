#!/usr/bin/env bash
# The README's editing figures: projects the first 100 Fashion-MNIST test
# images into the results runs of dcgan-quick (the main job) and cdcgan with
# `gan project` (with the feature term, and pixels only), and walks six of
# the projected images along the first three SeFa directions with `gan edit`;
# cdcgan's also change class (`gan edit --classes`). Keeps each
# projection's printed summary and errors.csv in docs/results/ and the
# pictures in docs/images/. Trains a run first (Scripts/make_results.sh NAME)
# when runs/results-NAME is missing. About 5 minutes on 2 cores with the runs.
#
# Usage: Scripts/make_editing_results.sh [NAME ...]   (default: dcgan-quick cdcgan)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product gan
GAN=.build/release/gan
names=("$@")
if [ ${#names[@]} -eq 0 ]; then names=(dcgan-quick cdcgan); fi
for name in "${names[@]}"; do
  run="runs/results-$name"
  [ -f "$run/checkpoint.safetensors" ] || Scripts/make_results.sh "$name"
  for variant in features pixels; do
    out="runs/project-$name-$variant"
    rm -rf "$out"
    weight=1
    [ "$variant" = pixels ] && weight=0
    echo "== $name: gan project --run $run --data fashion-mnist --count 100 --feature-weight $weight"
    "$GAN" project --run "$run" --data fashion-mnist --count 100 --feature-weight "$weight" --out "$out" \
      | tee "docs/results/project-$name-$variant.txt"
    cp "$out/errors.csv" "docs/results/project-$name-$variant.csv"
  done
  projected="runs/project-$name-features"
  cp "$projected/pairs.png" "docs/images/project-$name.png"
  labels=()
  [ -f "$projected/labels.txt" ] && labels=(--labels "$projected/labels.txt")
  for direction in 0 1 2; do
    "$GAN" edit --run "$run" --latents "$projected/latents.npy" "${labels[@]}" --count 6 \
      --direction "$direction" --range -4:4 --steps 7 --out "docs/images/edit-$name-direction-$direction.png"
  done
  if [ ${#labels[@]} -gt 0 ]; then
    # Class swap: eight projected images' styles in every class.
    "$GAN" edit --run "$run" --latents "$projected/latents.npy" --count 8 --classes --out "docs/images/edit-$name-classes.png"
  fi
done
