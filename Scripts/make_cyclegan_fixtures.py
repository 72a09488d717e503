#!/usr/bin/env python3
"""Golden values for SwiftGAN's CycleGAN networks, computed with PyTorch
modules equivalent to the Swift ones (ResNetGenerator, and the PatchGAN of
make_translation_fixtures.py without a condition).

Writes
  Tests/SwiftGANTrainingTests/Fixtures/cyclegan_keys.json
      state_dict() keys and shapes of both generators and both
      discriminators for the configurations the Swift test builds;
  Tests/SwiftGANTrainingTests/Fixtures/cyclegan_parity.safetensors
      small generators' PyTorch state dicts (prefixed resnet_in., resnet_bn.),
      an input batch and each generator's output in evaluation mode.

With --check-swift FILE it instead loads a CycleGAN checkpoint SwiftGAN wrote
(`generator_ab.`, `generator_ba.`, `discriminator_a.`, `discriminator_b.`
prefixes) or a generator written by `gan export --direction`, into the
equivalent PyTorch modules with load_state_dict(strict=True); with
--input X.npy --output Y.npy it also checks that the (exported) generator
maps X to what `gan translate` wrote.

Usage: python3 Scripts/make_cyclegan_fixtures.py  (needs torch, numpy, safetensors)
"""
import argparse
import importlib.util
import json
import os

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
_spec = importlib.util.spec_from_file_location("translation_fixtures", os.path.join(HERE, "make_translation_fixtures.py"))
translation = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(translation)
Patch, randomised, keys, check_outputs = translation.Patch, translation.randomised, translation.keys, translation.check_outputs
rng = np.random.RandomState(2468)


def rand(*shape, scale=1.0):
    return torch.tensor(rng.uniform(-1, 1, size=shape).astype(np.float32) * scale)


def default_blocks(size):
    return 9 if size >= 256 else (6 if size >= 64 else 3)


def default_d_layers(size):
    return 2 if size <= 32 else 3


def norm_layer(kind, features):
    return nn.InstanceNorm2d(features) if kind == "instance" else nn.BatchNorm2d(features)


class ResnetBlock(nn.Module):
    def __init__(self, features, norm, bias):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(features, features, 3, bias=bias), norm_layer(norm, features), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(features, features, 3, bias=bias), norm_layer(norm, features))

    def forward(self, x):
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    """7x7 conv, two stride-2 downsamplings, residual blocks at 4x the width, two transposed-conv upsamplings, 7x7 conv, Tanh."""

    def __init__(self, in_channels, out_channels, width, blocks, norm="instance"):
        super().__init__()
        bias = norm == "instance"
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, width, 7, bias=bias), norm_layer(norm, width), nn.ReLU(True)]
        for level in range(2):
            features = width << level
            layers += [nn.Conv2d(features, features * 2, 3, 2, 1, bias=bias), norm_layer(norm, features * 2), nn.ReLU(True)]
        layers += [ResnetBlock(width * 4, norm, bias) for _ in range(blocks)]
        for level in (1, 0):
            features = width << (level + 1)
            layers += [nn.ConvTranspose2d(features, features // 2, 3, 2, 1, output_padding=1, bias=bias),
                       norm_layer(norm, features // 2), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, out_channels, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


def networks(shape_a, shape_b, width, d_width, blocks, norm="instance", d_layers=None):
    """(generator_ab, generator_ba, discriminator_a, discriminator_b) as CycleGANTrainer builds them."""
    size = shape_a[1]
    d_layers = d_layers or default_d_layers(size)
    return {
        "generator_ab": ResnetGenerator(shape_a[0], shape_b[0], width, blocks, norm),
        "generator_ba": ResnetGenerator(shape_b[0], shape_a[0], width, blocks, norm),
        "discriminator_a": Patch(shape_a[0], shape_a[0], size, d_width, norm, conditional=False, strided=d_layers),
        "discriminator_b": Patch(shape_b[0], shape_b[0], size, d_width, norm, conditional=False, strided=d_layers),
    }


def key_cases():
    """The configurations CycleGANModelTests builds in Swift."""
    return {
        # gan train --task cyclegan --data fashion2edges (and sneaker2boot): 28 px gray, widths 32, 3 blocks,
        # PatchGANs of 2 strided layers (34-pixel patches: the whole image).
        "fashion-28": networks([1, 28, 28], [1, 28, 28], 32, 32, default_blocks(28)),
        # --data gray2color: gray A, RGB B.
        "gray2color-28": networks([1, 28, 28], [3, 28, 28], 32, 32, default_blocks(28)),
        # An RGB folder at 64 px with CycleGAN's widths: 6 blocks, the 70x70 PatchGAN.
        "folder-64": networks([3, 64, 64], [3, 64, 64], 64, 64, default_blocks(64)),
        # 256 px: 9 blocks and the 70x70 PatchGAN, the paper's networks.
        "folder-256": networks([3, 256, 256], [3, 256, 256], 64, 64, default_blocks(256)),
    }


def write_fixtures():
    fixtures = os.path.join(ROOT, "Tests", "SwiftGANTrainingTests", "Fixtures")
    out = {name: {net: keys(module) for net, module in nets.items()} for name, nets in key_cases().items()}
    with open(os.path.join(fixtures, "cyclegan_keys.json"), "w") as handle:
        cases = []
        for name in sorted(out):
            parts = []
            for network in sorted(out[name]):
                rows = ",\n".join("      " + json.dumps(entry) for entry in out[name][network])
                parts.append(f'    {json.dumps(network)}: [\n{rows}\n    ]')
            cases.append(f'  {json.dumps(name)}: {{\n' + ",\n".join(parts) + "\n  }")
        handle.write("{\n" + ",\n".join(cases) + "\n}\n")

    parity = {}
    generators = {
        # 16 px, gray to RGB, InstanceNorm, width 4, 2 blocks.
        "resnet_in": (randomised(ResnetGenerator(1, 3, 4, 2)), rand(2, 1, 16, 16)),
        # 20 px, RGB to gray, BatchNorm (running statistics in evaluation mode), width 3, 1 block.
        "resnet_bn": (randomised(ResnetGenerator(3, 1, 3, 1, norm="batch")), rand(2, 3, 20, 20)),
    }
    for name, (module, x) in generators.items():
        for key, value in module.state_dict().items():
            parity[f"{name}.{key}"] = value
        parity[f"{name}.__input"] = x
        with torch.no_grad():
            parity[f"{name}.__output"] = module(x)
    save_file({k: v.contiguous() if v.dtype == torch.int64 else v.contiguous().float() for k, v in parity.items()},
              os.path.join(fixtures, "cyclegan_parity.safetensors"))
    print("wrote CycleGAN fixtures")


def check_swift(path, inputs=None, outputs=None):
    """Loads a SwiftGAN CycleGAN checkpoint, or a generator from `gan export --direction`, strictly."""
    from safetensors import safe_open
    with safe_open(path, "pt") as handle:
        metadata = handle.metadata()
    exported = "swiftgan.cyclegan" in metadata
    config = json.loads(metadata["swiftgan.cyclegan" if exported else "swiftgan.config"])
    if "model" in config:
        # config.json before version 0.10: nested sections with camelCase keys.
        old = config["model"]
        model = {"shape_a": old["shapeA"], "shape_b": old["shapeB"], "width": old["width"], "d_width": old["discriminatorWidth"],
                 "residual_blocks": old.get("residualBlocks"), "norm": old["normalization"], "patch_layers": old.get("discriminatorLayers")}
    else:
        model = config
    nets = networks(model["shape_a"], model["shape_b"], model["width"], model["d_width"], model.get("residual_blocks"),
                    model["norm"], model.get("patch_layers"))
    state = load_file(path)
    if exported:
        g = nets["generator_" + metadata["swiftgan.direction"].replace("2", "")]
        g.load_state_dict(state, strict=True)
        print(f"{path}: the exported {metadata['swiftgan.direction']} generator loaded with strict=True")
        if inputs and outputs:
            check_outputs(g, inputs, outputs)
        return
    for prefix, module in nets.items():
        module.load_state_dict({k[len(prefix) + 1:]: v for k, v in state.items() if k.startswith(prefix + ".")}, strict=True)
    print(f"{path}: both generators and both discriminators loaded with strict=True")
    if inputs and outputs:
        check_outputs(nets["generator_ab"], inputs, outputs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-swift", metavar="FILE", help="load a SwiftGAN CycleGAN checkpoint or exported generator into PyTorch")
    parser.add_argument("--input", metavar="X.npy", help="with --check-swift: an input batch given to `gan translate`")
    parser.add_argument("--output", metavar="Y.npy", help="with --check-swift: what `gan translate` wrote for it (a2b for checkpoints)")
    arguments = parser.parse_args()
    if arguments.check_swift:
        check_swift(arguments.check_swift, arguments.input, arguments.output)
    else:
        write_fixtures()
