#!/usr/bin/env bash
# Rewrites the `--help` snapshots that Tests/SwiftGANTrainingTests/HelpSnapshotTests.swift
# compares against, from a built `gan` (default .build/debug/gan), 100 columns wide.
# Run it after changing a command's options or help text, and review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
gan="${1:-.build/debug/gan}"
out=Tests/SwiftGANTrainingTests/Fixtures/help
mkdir -p "$out"
while read -r name arguments; do
    # shellcheck disable=SC2086
    COLUMNS=100 "$gan" $arguments --help < /dev/null > "$out/$name.txt" 2>&1
done <<'LIST'
gan
gan-train train
gan-sample sample
gan-interpolate interpolate
gan-project project
gan-edit edit
gan-export export
gan-info info
gan-eval eval
gan-translate translate
gan-classifier classifier
gan-classifier-train classifier train
gan-classifier-test classifier test
gan-serve serve
gan-lab lab
gan-report report
gan-plot plot
gan-bench bench
LIST
