#!/usr/bin/env bash
# Installs the Debian packages SwiftGAN needs when any is missing: the C
# libraries (OpenBLAS, libpng, zlib, libjpeg), the Fashion-MNIST dataset,
# and Open MPI's launcher and library (openmpi-bin), which the test suite's
# two-rank tests use. SwiftGAN itself builds and trains in one process
# without MPI: it loads libmpi only when mpirun starts it.
set -euo pipefail
packages="libopenblas-dev libpng-dev zlib1g-dev libjpeg-dev pkg-config dataset-fashion-mnist openmpi-bin chromium"
if ! pkg-config --exists openblas libpng zlib libjpeg 2>/dev/null || [ ! -d /usr/share/datasets/fashion-mnist ] || ! command -v mpirun > /dev/null \
    || ! command -v chromium > /dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $packages
    else
        echo "error: missing system packages; install them with: sudo apt-get install -y $packages" >&2
        exit 1
    fi
fi
