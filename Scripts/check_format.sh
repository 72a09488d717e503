#!/usr/bin/env bash
# The formatting check CI runs: swift-format's lint with the repository's
# .swift-format (which sets the 160-column line length), and the same
# ceiling for the C kernels and the Python scripts. Fix with:
#   swift format format -i --recursive Sources Tests Examples Fuzz Package.swift
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict --recursive --configuration .swift-format Sources Tests Examples Fuzz Package.swift
long=$(find Sources Scripts -name '*.c' -o -name '*.h' -o -name '*.py' | xargs awk 'length($0) > 160 { print FILENAME ":" FNR ": " length($0) " columns" }')
if [ -n "$long" ]; then
    echo "lines over 160 columns:" >&2
    echo "$long" >&2
    exit 1
fi
echo "format: ok"
