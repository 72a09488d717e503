#!/usr/bin/env python3
"""Checks the PNGs `gan sample --out X.npy --out-dir DIR` writes against X.npy.

Usage: python3 Scripts/check_sample_pngs.py X.npy DIR [--count N]

X.npy holds the samples as float32 [N, C, H, W] in [-1, 1]. DIR must hold
exactly N files 000000.png, 000001.png, ... (six digits, in sample order) and
no other PNG; each one must open with PIL as a PNG of mode "L" (C = 1) or
"RGB" (C = 3), W x H pixels, whose values equal round((x + 1) * 127.5)
clamped to 0...255 within 1 (rounding). --count N also requires N samples.
Prints one line on success; otherwise prints each problem and exits 1.
Needs numpy and pillow.
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image

MODES = {1: "L", 3: "RGB"}


def expected_pixels(sample):
    """[C, H, W] floats in [-1, 1] to the [H, W] or [H, W, C] bytes of the PNG."""
    pixels = np.clip(np.round((sample.astype(np.float64) + 1.0) * 127.5), 0, 255).astype(np.uint8)
    return pixels[0] if pixels.shape[0] == 1 else np.transpose(pixels, (1, 2, 0))


def check(samples_path, directory, count=None):
    problems = []
    samples = np.load(samples_path)
    if samples.ndim != 4 or samples.shape[1] not in MODES:
        return [f"{samples_path}: shape {list(samples.shape)} is not [N, 1 or 3, H, W]"], 0, 0
    n, channels, height, width = samples.shape
    if count is not None and n != count:
        problems.append(f"{samples_path}: {n} samples, expected {count}")
    if not os.path.isdir(directory):
        return problems + [f"{directory}: not a directory"], 0, 0
    names = [f"{index:06d}.png" for index in range(n)]
    present = sorted(name for name in os.listdir(directory) if name.lower().endswith(".png"))
    missing = sorted(set(names) - set(present))
    extra = sorted(set(present) - set(names))
    if missing:
        problems.append(f"{directory}: missing {len(missing)} of {n} PNGs (first: {missing[0]})")
    if extra:
        problems.append(f"{directory}: {len(extra)} PNG file(s) besides the {n} expected (first: {extra[0]})")
    largest = 0
    for index, name in enumerate(names):
        path = os.path.join(directory, name)
        if name in missing:
            continue
        try:
            with Image.open(path) as image:
                image.load()
                form, mode, size = image.format, image.mode, image.size
                actual = np.asarray(image)
        except Exception as error:  # PIL raises several kinds for broken files
            problems.append(f"{path}: PIL cannot read it: {type(error).__name__}: {error}")
            continue
        if form != "PNG":
            problems.append(f"{path}: PIL reads it as {form}, not PNG")
        if mode != MODES[channels]:
            problems.append(f"{path}: mode {mode!r}, expected {MODES[channels]!r} for {channels} channel(s)")
            continue
        if size != (width, height):
            problems.append(f"{path}: {size[0]}x{size[1]} pixels, expected {width}x{height}")
            continue
        wanted = expected_pixels(samples[index])
        difference = np.abs(actual.astype(np.int16) - wanted.astype(np.int16))
        worst = int(difference.max())
        largest = max(largest, worst)
        if worst > 1:
            where = tuple(int(i) for i in np.unravel_index(int(difference.argmax()), difference.shape))
            problems.append(f"{path}: pixel {where} is {int(actual[where])}, expected {int(wanted[where])} "
                            f"from sample {index} of {samples_path} (round((x + 1) * 127.5))")
    return problems, n, largest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("samples", metavar="X.npy", help="what `gan sample --out` wrote")
    parser.add_argument("directory", metavar="DIR", help="what `gan sample --out-dir` wrote")
    parser.add_argument("--count", type=int, help="the --count given to `gan sample`")
    arguments = parser.parse_args(argv)
    problems, n, largest = check(arguments.samples, arguments.directory, arguments.count)
    if problems:
        for problem in problems:
            print(f"FAIL: {problem}", file=sys.stderr)
        return 1
    shape = np.load(arguments.samples).shape
    print(f"OK: {n} PNGs in {arguments.directory} (mode {MODES[shape[1]]}, {shape[3]}x{shape[2]}) "
          f"match {arguments.samples} (largest pixel difference {largest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
