#!/usr/bin/env bash
# Checks what the README promises Python users, with the real Python readers
# (PyTorch, safetensors, TensorBoard, tbparse, PIL), on tiny runs that the given
# gan trains in a temporary directory (issue #22):
#   - `gan export` files and checkpoints of every GAN model kind load into the
#     equivalent PyTorch modules with load_state_dict(strict=True) and give
#     what `gan sample --latents` gives (Scripts/make_key_fixtures.py);
#   - a DCGAN generator and a spectral-norm critic written by gan load into
#     make_nn_fixtures.py's modules, and so do the committed fixtures;
#   - pix2pix and CycleGAN checkpoints and exports load into their PyTorch
#     twins and reproduce `gan translate` (make_translation_fixtures.py,
#     make_cyclegan_fixtures.py);
#   - the model card `gan export` writes beside each file (README.md) runs as
#     pasted: its PyTorch module loads the file with strict=True and gives
#     what gan gives (check_model_card.py), for every model kind;
#   - every run's TensorBoard event file reads with TensorBoard and tbparse
#     (check_tensorboard.py);
#   - `gan sample --out-dir` PNGs are the samples of --out (check_sample_pngs.py).
#
#   Scripts/check_python_interop.sh [GAN] [VENV]
#
# GAN: a built gan (default .build/release/gan). VENV: a virtualenv outside
# the repository (default $SWIFTGAN_VENV, else ~/.cache/swiftgan-venv); made
# with python3 -m venv and filled with pip when it lacks torch, numpy,
# safetensors, pillow, tensorboard or tbparse, reused as it is otherwise.
# PyTorch is pinned to 2.13.0+cpu, the build the README's numbers come from;
# pip finds `+cpu` builds only on PyTorch's CPU wheel index (give it with
# PIP_EXTRA_INDEX_URL) or in a PIP_FIND_LINKS folder, so without either the
# script says so and installs plain `torch` from the default index. Each step
# prints one line; a failure prints the step's output and exits non-zero.
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")/.."
root=$(pwd -P)

gan=${1:-.build/release/gan}
if [[ $gan != /* ]]; then
    if (($# >= 1)); then gan=$caller/$gan; else gan=$root/$gan; fi
fi
venv=${2:-${SWIFTGAN_VENV:-$HOME/.cache/swiftgan-venv}}
[[ $venv == /* ]] || venv=$caller/$venv
venv=$(realpath -m "$venv")
case "$venv/" in
"$root"/*)
    echo "check_python_interop.sh: the virtualenv $venv is inside the repository; give one outside it" >&2
    exit 2
    ;;
esac
if [[ ! -x $gan ]]; then
    echo "check_python_interop.sh: $gan is not an executable (build it first: swift build -c release)" >&2
    exit 2
fi

work=$(mktemp -d)
step="setup"
finish() {
    local status=$?
    rm -rf "$work"
    if ((status != 0)); then
        echo "check_python_interop.sh: FAILED in step: $step (exit $status)" >&2
    fi
}
trap finish EXIT
export PYTHONDONTWRITEBYTECODE=1 # nothing written under Scripts/
started=$SECONDS
log=$work/step.log

begin() {
    step=$1
    : > "$log"
    step_started=$SECONDS
}
# Runs a command quietly (its output goes to the step's log); prints its output if it fails.
quiet() {
    if "$@" > "$work/command.log" 2>&1; then
        cat "$work/command.log" >> "$log"
    else
        echo "--- $step: this failed: $*" >&2
        tail -n 60 "$work/command.log" >&2
        return 1
    fi
}
# Prints the step's line, with the largest "largest difference" its checkers reported.
done_step() {
    local largest
    largest=$({ grep -o 'largest difference[^:]*: [0-9.e+-]*' "$log" || true; } |
        awk '{ v = $NF + 0; if (v > m) m = v } END { if (NR) printf " (largest difference %.1e)", m }')
    echo "ok  $step: $1$largest [$((SECONDS - step_started)) s]"
}

# ---- the Python environment ----
begin "python environment"
python=$venv/bin/python
if [[ ! -x $python ]]; then
    if [[ -d $venv && -n $(ls -A "$venv") ]]; then
        echo "check_python_interop.sh: $venv exists and is not a virtualenv (no bin/python); give another directory" >&2
        exit 2
    fi
    if ! python3 -m venv "$venv" >> "$log" 2>&1; then
        rm -rf "$venv" # only what this failed attempt made: it was missing or empty
        if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
            echo "note: python3 -m venv failed; installing Debian's python3-venv"
            quiet apt-get update -qq
            quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
            quiet python3 -m venv "$venv"
        else
            cat "$log" >&2
            echo "check_python_interop.sh: python3 -m venv failed; install python3-venv (Debian, Ubuntu) or give an existing virtualenv" >&2
            exit 1
        fi
    fi
    created=" (created)"
fi
missing_packages() {
    "$python" - << 'PY'
import importlib
wanted = {"torch": "torch", "numpy": "numpy", "safetensors": "safetensors", "PIL": "pillow",
          "tensorboard": "tensorboard", "tbparse": "tbparse"}
missing = []
for module, package in wanted.items():
    try:
        importlib.import_module(module)
    except Exception:
        missing.append(package)
print(" ".join(missing))
PY
}
missing=$(missing_packages)
if [[ -n $missing ]]; then
    echo "installing into $venv: $missing"
    others=()
    for package in $missing; do
        [[ $package == torch ]] || others+=("$package")
    done
    if [[ " $missing " == *" torch "* ]]; then
        if ! "$python" -m pip install -q 'torch==2.13.0+cpu' >> "$log" 2>&1; then
            reason=$({ grep '^ERROR' "$log" || true; } | tail -n 1)
            echo "note: 'torch==2.13.0+cpu' did not install (${reason:-pip failed}): PyTorch's CPU wheel index is not among pip's?"
            echo "note: installing plain torch from the default index instead (the default build: a larger download)"
            quiet "$python" -m pip install -q torch
        fi
    fi
    if ((${#others[@]})); then
        quiet "$python" -m pip install -q "${others[@]}"
    fi
    missing=$(missing_packages)
    if [[ -n $missing ]]; then
        echo "check_python_interop.sh: still not importable after pip install: $missing" >&2
        exit 1
    fi
fi
versions=$("$python" -c '
import torch, numpy, safetensors, PIL, tensorboard, tbparse
print(f"torch {torch.__version__}, numpy {numpy.__version__}, safetensors {safetensors.__version__}, "
      f"pillow {PIL.__version__}, tensorboard {tensorboard.__version__}, tbparse {tbparse.__version__}")')
done_step "$venv${created:-}: $versions"

cd "$work"
runs=$work/runs
scripts=$root/Scripts
train() { # train NAME FLAGS...: a tiny run in runs/NAME
    local name=$1
    shift
    quiet "$gan" train --run-dir "$runs/$name" --steps 2 --log-every 1 --seed 1 "$@"
}
images=(--data fashion-mnist --limit 256 --batch-size 16 --width 8)

# ---- GAN exports and checkpoints of every model kind ----
begin "GAN models in PyTorch"
quiet "$python" -c '
import numpy as np
r = np.random.RandomState(7)
np.save("z100.npy", r.randn(5, 100).astype(np.float32))
np.save("z2.npy", r.randn(5, 2).astype(np.float32))
from PIL import Image  # a tiny RGB image folder, for a 3-channel DCGAN at 32 px
import os
os.makedirs("rgb")
for i in range(8):
    Image.fromarray(r.randint(0, 256, (32, 32, 3)).astype(np.uint8), "RGB").save(f"rgb/{i}.png")
'
train mlp --model mlp "${images[@]}"
train dcgan --model dcgan "${images[@]}"
train cgan --model cgan "${images[@]}"
train mlp-conv --model mlp-conv "${images[@]}"
train mlp2d --model mlp2d --data ring8 --batch-size 16 --width 8
train dcgan-sn --model dcgan --spectral-norm --objective hinge "${images[@]}"
train cgan-projection --model cgan --projection "${images[@]}"
train dcgan-rgb --model dcgan --data rgb --image-size 32 --channels 3 --batch-size 4 --width 8
train cdcgan --model cdcgan "${images[@]}"
train cdcgan-projection --model cdcgan --projection "${images[@]}"
train acgan --model acgan "${images[@]}"
train practice-pytorch --preset practice-pytorch "${images[@]}"
train keras-mlp-conv --preset keras-mlp-conv "${images[@]}"
train tf-dcgan --preset tf-gradient-tape "${images[@]}"
kinds=(mlp dcgan cgan mlp-conv mlp2d dcgan-sn cgan-projection dcgan-rgb cdcgan cdcgan-projection acgan practice-pytorch keras-mlp-conv tf-dcgan)
for name in "${kinds[@]}"; do
    z=z100.npy
    [[ $name == mlp2d ]] && z=z2.npy
    mkdir "card-$name"
    quiet "$gan" export --run "$runs/$name" --out "card-$name/$name.safetensors"
    quiet "$gan" sample --run "$runs/$name" --latents "$z" --out "$name-samples.npy"
    quiet "$python" "$scripts/make_key_fixtures.py" --check-swift "card-$name/$name.safetensors" "$runs/$name/checkpoint.safetensors" \
        --latents "$z" --samples "$name-samples.npy"
done
summary="exports and checkpoints of mlp, dcgan, cgan, cdcgan, acgan, mlp-conv, keras-mlp-conv, tf-dcgan, mlp2d (and spectral-norm dcgan, projection cgan and cdcgan, RGB dcgan, mlp with practice-pytorch's D widths)"
done_step "$summary load into make_key_fixtures.py's modules with strict=True and match gan sample --latents"

# ---- the model cards gan export writes ----
begin "model cards"
for name in "${kinds[@]}"; do
    z=z100.npy
    [[ $name == mlp2d ]] && z=z2.npy
    quiet "$python" "$scripts/check_model_card.py" "card-$name" --latents "$z" --samples "$name-samples.npy"
done
done_step "the README.md model cards of all ${#kinds[@]} exports run as written: their PyTorch modules load the files with strict=True and match gan sample"

# ---- make_nn_fixtures.py --check-swift ----
begin "make_nn_fixtures.py --check-swift"
# The names and sizes it knows: a DCGAN generator (latent 8, width 2) and a
# spectral-norm critic (width 2), here written by gan export and taken from
# a checkpoint's discriminator.* tensors.
mkdir nn
train dcgan-tiny --model dcgan --latent-dim 8 --width 2 --data fashion-mnist --limit 256 --batch-size 16
train critic-tiny --model dcgan --spectral-norm --width 2 --data fashion-mnist --limit 256 --batch-size 16
quiet "$gan" export --run "$runs/dcgan-tiny" --out nn/swift_written_dcgan_generator.safetensors
quiet "$python" -c '
import sys
from safetensors.torch import load_file, save_file
state = load_file(sys.argv[1])
save_file({k[len("discriminator."):]: v for k, v in state.items() if k.startswith("discriminator.")},
          "nn/swift_written_sn_discriminator.safetensors", metadata={"format": "pt"})
' "$runs/critic-tiny/checkpoint.safetensors"
quiet "$python" "$scripts/make_nn_fixtures.py" --check-swift nn
quiet "$python" "$scripts/make_nn_fixtures.py" --check-swift "$root/Tests/SwiftGANNNTests/Fixtures"
done_step "a gan-made DCGAN generator and spectral-norm critic, and the committed fixtures, load with strict=True"

# ---- image-to-image: pix2pix and CycleGAN ----
begin "pix2pix in PyTorch"
quiet "$python" -c '
import numpy as np  # an input batch for gan translate (both tasks read 28x28 gray)
np.save("x.npy", np.random.RandomState(3).uniform(-1, 1, (3, 1, 28, 28)).astype(np.float32))
'
train pix2pix --task pix2pix --width 8 --batch-size 4 --limit 32
quiet "$gan" translate --run "$runs/pix2pix" --input x.npy --out pix2pix-y.npy
mkdir card-pix2pix
quiet "$gan" export --run "$runs/pix2pix" --out card-pix2pix/pix2pix.safetensors
for file in "$runs/pix2pix/checkpoint.safetensors" card-pix2pix/pix2pix.safetensors; do
    quiet "$python" "$scripts/make_translation_fixtures.py" --check-swift "$file" --input x.npy --output pix2pix-y.npy
done
quiet "$python" "$scripts/check_model_card.py" card-pix2pix --input x.npy --output pix2pix-y.npy
done_step "the checkpoint (U-Net and PatchGAN), the export and its model card's module load with strict=True and match gan translate"

begin "CycleGAN in PyTorch"
train cyclegan --task cyclegan --width 8 --batch-size 4 --limit 32
for direction in a2b b2a; do
    quiet "$gan" translate --run "$runs/cyclegan" --direction "$direction" --input x.npy --out "cyclegan-$direction.npy"
    mkdir "card-cyclegan-$direction"
    quiet "$gan" export --run "$runs/cyclegan" --direction "$direction" --out "card-cyclegan-$direction/cyclegan-$direction.safetensors"
    quiet "$python" "$scripts/make_cyclegan_fixtures.py" --check-swift "card-cyclegan-$direction/cyclegan-$direction.safetensors" \
        --input x.npy --output "cyclegan-$direction.npy"
    quiet "$python" "$scripts/check_model_card.py" "card-cyclegan-$direction" --input x.npy --output "cyclegan-$direction.npy"
done
quiet "$python" "$scripts/make_cyclegan_fixtures.py" --check-swift "$runs/cyclegan/checkpoint.safetensors" \
    --input x.npy --output cyclegan-a2b.npy
done_step "the checkpoint (both generators and discriminators), both exports and their model cards' modules load with strict=True and match gan translate"

# ---- TensorBoard ----
begin "TensorBoard event files"
count=0
for run in "$runs"/*/; do
    quiet "$python" "$scripts/check_tensorboard.py" "$run" --expect-images \
        --expect-tag loss/discriminator --expect-tag loss/generator
    count=$((count + 1))
done
done_step "the event files of all $count runs read with TensorBoard's EventAccumulator and tbparse (CRCs, both losses, PNG images)"

# ---- gan sample --out-dir ----
begin "gan sample --out-dir PNGs"
for name in dcgan dcgan-rgb cgan; do
    quiet "$gan" sample --run "$runs/$name" --count 6 --seed 4 --out "$name-x.npy" --out-dir "$name-png"
    quiet "$python" "$scripts/check_sample_pngs.py" "$name-x.npy" "$name-png" --count 6
done
done_step "6 PNGs each of a grayscale, an RGB and a conditional run open with PIL and equal round((x + 1) * 127.5) of --out"

echo "all Python interop checks passed in $((SECONDS - started)) s"
