#!/usr/bin/env bash
# Installs what SwiftGAN needs (when run as root), builds in release and runs
# the current main job. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! pkg-config --exists openblas 2>/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q libopenblas-dev pkg-config
    else
        echo "error: OpenBLAS is missing; install it with: sudo apt-get install -y libopenblas-dev" >&2
        exit 1
    fi
fi

swift build -c release --product gan
# The main job today: the engine benchmark (GAN training arrives with the trainer).
.build/release/gan bench "$@"
