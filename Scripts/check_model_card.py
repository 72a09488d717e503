#!/usr/bin/env python3
"""Runs the PyTorch code in a model card `gan export` wrote, and checks its generator.

The README.md's Python block is executed as a user would paste it, in the
card's directory: it defines the module, builds it, loads the .safetensors
with strict=True and generates. Then, given `--latents Z.npy --samples X.npy`
(from `gan sample --latents Z.npy --out X.npy`) or `--input X.npy --output
Y.npy` (from `gan translate`), the module's outputs must equal SwiftGAN's.

Usage: python3 Scripts/check_model_card.py CARD_DIR [--latents Z.npy --samples X.npy | --input X.npy --output Y.npy]
(needs torch, numpy, safetensors)
"""
import argparse
import os
import re
import sys

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("card", help="the directory holding README.md, config.json and the exported file")
    parser.add_argument("--latents", help="latents given to gan sample --latents")
    parser.add_argument("--samples", help="what gan sample wrote for them")
    parser.add_argument("--input", help="inputs given to gan translate")
    parser.add_argument("--output", help="what gan translate wrote for them")
    args = parser.parse_args()
    paths = {k: os.path.abspath(v) for k, v in vars(args).items() if v and k != "card"}
    readme = open(os.path.join(args.card, "README.md"), encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    if len(blocks) != 1:
        sys.exit(f"{args.card}/README.md: expected one Python block, found {len(blocks)}")
    os.chdir(args.card)
    namespace = {"__name__": "model_card"}
    exec(compile(blocks[0], os.path.join(args.card, "README.md"), "exec"), namespace)  # noqa: S102 (the card's own code)
    generator = namespace["G"]
    generator.eval()
    largest = None
    with torch.no_grad():
        if "latents" in paths:
            z = torch.from_numpy(np.load(paths["latents"]))
            if hasattr(generator, "label_embedding"):
                labels = torch.arange(z.shape[0]) % generator.label_embedding.num_embeddings  # as gan sample without --label
                produced = generator(z, labels)
            else:
                produced = generator(z)
            expected = torch.from_numpy(np.load(paths["samples"])).reshape(produced.shape)
        elif "input" in paths:
            produced = generator(torch.from_numpy(np.load(paths["input"])))
            expected = torch.from_numpy(np.load(paths["output"]))
        else:
            expected = None
        if expected is not None:
            largest = (produced - expected).abs().max().item()
            if not largest <= 1e-4:
                sys.exit(f"{args.card}: the card's module differs from SwiftGAN's outputs by {largest:.3g}")
    name = type(generator).__name__
    suffix = f"; largest difference {largest:.2g}" if largest is not None else ""
    print(f"{args.card}: the card's {name} ran, loaded its file with strict=True{suffix}")


if __name__ == "__main__":
    main()
