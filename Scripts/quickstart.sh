#!/usr/bin/env bash
# Installs what SwiftGAN needs (when run as root), builds in release and runs
# the current main job. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# C libraries (OpenBLAS, libpng, zlib) and the Fashion-MNIST dataset from Debian.
packages="libopenblas-dev libpng-dev zlib1g-dev pkg-config dataset-fashion-mnist"
if ! pkg-config --exists openblas libpng zlib 2>/dev/null || [ ! -d /usr/share/datasets/fashion-mnist ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $packages
    else
        echo "error: missing system packages; install them with: sudo apt-get install -y $packages" >&2
        exit 1
    fi
fi

swift build -c release --product gan
# The main job today: the engine benchmark (GAN training arrives with the trainer).
.build/release/gan bench "$@"
