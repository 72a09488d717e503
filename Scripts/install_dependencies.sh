#!/usr/bin/env bash
# Installs the Debian packages SwiftGAN needs when any is missing: the C
# libraries (OpenBLAS, libpng, zlib, libjpeg) and the Fashion-MNIST dataset.
set -euo pipefail
packages="libopenblas-dev libpng-dev zlib1g-dev libjpeg-dev pkg-config dataset-fashion-mnist"
if ! pkg-config --exists openblas libpng zlib libjpeg 2>/dev/null || [ ! -d /usr/share/datasets/fashion-mnist ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $packages
    else
        echo "error: missing system packages; install them with: sudo apt-get install -y $packages" >&2
        exit 1
    fi
fi
