#!/usr/bin/env bash
# Installs what SwiftGAN needs (when run as root), builds in release and runs
# the current main job. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install_dependencies.sh

swift build -c release --product gan
# The main job: DCGAN on Fashion-MNIST (about 2-3 minutes on 2 cores); samples
# land in runs/dcgan-quick/samples/. Extra arguments go to `gan train`.
.build/release/gan train --overwrite "$@"
