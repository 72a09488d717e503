#!/usr/bin/env python3
"""Golden values for SwiftGAN's image-to-image translation networks,
computed with PyTorch modules equivalent to the Swift ones.

Writes
  Tests/SwiftGANNNTests/Fixtures/translation_layers.safetensors
      ReflectionPad2d, PixelShuffle and PReLU: input, parameters, output and
      the gradients of sum(output * seed); bicubic upsampling by 2 and 4;
  Tests/SwiftGANTrainingTests/Fixtures/translation_keys.json
      state_dict() keys and shapes of the U-Net, PatchGAN and SRResNet for
      the configurations the Swift test builds;
  Tests/SwiftGANTrainingTests/Fixtures/translation_parity.safetensors
      small networks' PyTorch state dicts (prefixed unet., patch., srresnet.,
      unet_in.), an input batch and each network's output in evaluation mode.

With --check-swift FILE it instead loads a checkpoint SwiftGAN wrote
(`generator.` and `discriminator.` prefixes, as in checkpoint.safetensors),
or a generator written by `gan export --run`, into the equivalent PyTorch
modules with load_state_dict(strict=True); with --input X.npy --output Y.npy
it also checks that PyTorch's G maps X to what `gan translate` wrote.

Usage: python3 Scripts/make_translation_fixtures.py  (needs torch, numpy, safetensors)
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

ROOT = os.path.join(os.path.dirname(__file__), "..")
rng = np.random.RandomState(4321)


def rand(*shape, scale=1.0):
    return torch.tensor(rng.uniform(-1, 1, size=shape).astype(np.float32) * scale)


def norm_layer(kind, features):
    return nn.BatchNorm2d(features) if kind == "batch" else nn.InstanceNorm2d(features)


def padded_size(size):
    p = 1
    while p < size:
        p *= 2
    return p


def unet_depth(size):
    p, depth = padded_size(size), 0
    while (1 << (depth + 1)) <= p and depth < 8:
        depth += 1
    return depth


class UNet(nn.Module):
    """pix2pix's U-Net with flat ModuleLists: down[i] halves the size, up[i] doubles it."""

    def __init__(self, in_channels, out_channels, size, width, norm="batch", upscale=1):
        super().__init__()
        self.size, self.upscale = size, upscale
        depth = unet_depth(size)
        widths = [width * (1 << min(i, 3)) for i in range(depth)]
        bias = norm == "instance"
        down, up = [], []
        for level in range(depth):
            inputs = in_channels if level == 0 else widths[level - 1]
            conv = nn.Conv2d(inputs, widths[level], 4, 2, 1, bias=bias)
            if level == 0:
                down.append(nn.Sequential(conv))
            elif level == depth - 1:
                down.append(nn.Sequential(nn.LeakyReLU(0.2), conv))
            else:
                down.append(nn.Sequential(nn.LeakyReLU(0.2), conv, norm_layer(norm, widths[level])))
        for level in range(depth):
            inputs = widths[level] if level == depth - 1 else 2 * widths[level]
            if level == 0:
                up.append(nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(inputs, out_channels, 4, 2, 1), nn.Tanh()))
                continue
            layers = [nn.ReLU(), nn.ConvTranspose2d(inputs, widths[level - 1], 4, 2, 1, bias=bias), norm_layer(norm, widths[level - 1])]
            if depth - 4 <= level < depth - 1:
                layers.append(nn.Dropout(0.5))
            up.append(nn.Sequential(*layers))
        self.down, self.up = nn.ModuleList(down), nn.ModuleList(up)

    def forward(self, x):
        if self.upscale > 1:
            x = F.interpolate(x, scale_factor=self.upscale, mode="bilinear", align_corners=False)
        pad = padded_size(self.size) - self.size
        if pad:
            x = F.pad(x, (pad // 2, pad - pad // 2, pad // 2, pad - pad // 2), mode="reflect")
        skips = []
        for level in self.down:
            x = level(x)
            skips.append(x)
        y = self.up[-1](skips[-1])
        for level in range(len(self.up) - 2, -1, -1):
            y = self.up[level](torch.cat([skips[level], y], 1))
        if pad:
            y = y[:, :, pad // 2:pad // 2 + self.size, pad // 2:pad // 2 + self.size]
        return y


def patch_layers(size):
    return 1 if size <= 32 else (2 if size <= 64 else 3)


class Patch(nn.Module):
    """pix2pix's NLayerDiscriminator on cat(input, output) (or the output alone)."""

    def __init__(self, in_channels, out_channels, size, width, norm="batch", conditional=True, upscale=1, strided=None):
        super().__init__()
        self.conditional, self.upscale = conditional, upscale
        bias = norm == "instance"
        channels = out_channels + (in_channels if conditional else 0)
        layers = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
        features, count = width, strided or patch_layers(size)
        for layer in range(1, count + 1):
            nxt = width * min(1 << layer, 8)
            layers += [nn.Conv2d(features, nxt, 4, 1 if layer == count else 2, 1, bias=bias), norm_layer(norm, nxt), nn.LeakyReLU(0.2)]
            features = nxt
        layers.append(nn.Conv2d(features, 1, 4, 1, 1))
        self.main = nn.Sequential(*layers)

    def forward(self, output, condition=None):
        if not self.conditional:
            return self.main(output)
        if self.upscale > 1:
            condition = F.interpolate(condition, scale_factor=self.upscale, mode="bilinear", align_corners=False)
        return self.main(torch.cat([condition, output], 1))


class Residual(nn.Module):
    def __init__(self, *layers):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.body(x)


class SRResNet(nn.Module):
    def __init__(self, in_channels, out_channels, width, blocks, upscale, norm="batch"):
        super().__init__()
        bias = norm == "instance"
        self.head = nn.Sequential(nn.Conv2d(in_channels, width, 9, 1, 4), nn.PReLU())
        self.blocks = nn.ModuleList([
            Residual(nn.Conv2d(width, width, 3, 1, 1, bias=bias), norm_layer(norm, width), nn.PReLU(),
                     nn.Conv2d(width, width, 3, 1, 1, bias=bias), norm_layer(norm, width)) for _ in range(blocks)])
        self.trunk = nn.Sequential(nn.Conv2d(width, width, 3, 1, 1, bias=bias), norm_layer(norm, width))
        stages = []
        while upscale > 1:
            stages += [nn.Conv2d(width, width * 4, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU()]
            upscale //= 2
        self.upsample = nn.Sequential(*stages)
        self.tail = nn.Sequential(nn.Conv2d(width, out_channels, 9, 1, 4), nn.Tanh())

    def forward(self, x):
        features = self.head(x)
        body = features
        for block in self.blocks:
            body = block(body)
        return self.tail(self.upsample(features + self.trunk(body)))


def key_cases():
    """The configurations TranslationModelTests builds in Swift: (generator, discriminator)."""
    return {
        # gan train --task pix2pix (edges2fashion) and --task inpaint: 28 px gray, widths 32.
        "pix2pix-28": (UNet(1, 1, 28, 32), Patch(1, 1, 28, 32)),
        # --task colorize: gray to RGB.
        "colorize-28": (UNet(1, 3, 28, 32), Patch(1, 3, 28, 32)),
        # --task sr (sr4): SRResNet, 6 blocks, plain PatchGAN.
        "sr4-28": (SRResNet(1, 1, 32, 6, 4), Patch(1, 1, 28, 32, conditional=False)),
        # --task pix2pix --data sr2 (U-Net on the bilinearly enlarged input).
        "sr2-unet-28": (UNet(1, 1, 28, 32, upscale=2), Patch(1, 1, 28, 32, upscale=2)),
        # A paired RGB folder at 64 px with InstanceNorm and pix2pix's widths.
        "folder-64-instance": (UNet(3, 3, 64, 64, norm="instance"), Patch(3, 3, 64, 64, norm="instance")),
        # 128 px: 7 levels, three dropout levels, 3-layer PatchGAN (70x70 patches).
        "folder-128": (UNet(3, 3, 128, 64), Patch(3, 3, 128, 64)),
    }


def keys(module):
    return [[key, list(value.shape)] for key, value in module.state_dict().items()]


def layer_case(out, name, module, x):
    with torch.no_grad():
        for _, param in module.named_parameters():
            param.copy_(rand(*param.shape))
    x = x.clone().requires_grad_(True)
    y = module(x)
    r = rand(*y.shape)
    (y * r).sum().backward()
    out[f"{name}.input"], out[f"{name}.output"], out[f"{name}.seed"] = x.detach(), y.detach(), r
    out[f"{name}.input_grad"] = x.grad
    for key, param in module.named_parameters():
        out[f"{name}.param.{key}"], out[f"{name}.grad.{key}"] = param.detach().clone(), param.grad


def randomised(module):
    """Random weights and running statistics, evaluation mode."""
    with torch.no_grad():
        for key, value in module.state_dict().items():
            if key.endswith("num_batches_tracked"):
                value.fill_(5)
            elif key.endswith("running_var"):
                value.copy_(rand(*value.shape).abs() + 0.5)
            elif key.endswith("running_mean"):
                value.copy_(rand(*value.shape, scale=0.2))
            elif key.endswith(".weight") and value.dim() == 1 and "head" not in key and "upsample" not in key:
                value.copy_(rand(*value.shape, scale=0.2) + 1)
            else:
                value.copy_(rand(*value.shape, scale=0.3))
    return module.eval()


def write_fixtures():
    layers = {}
    layer_case(layers, "reflection_pad", nn.ReflectionPad2d((2, 1, 3, 2)), rand(2, 3, 4, 5))
    layer_case(layers, "pixel_shuffle", nn.PixelShuffle(2), rand(2, 8, 3, 4))
    layer_case(layers, "prelu", nn.PReLU(), rand(3, 4, 2, 2, scale=2))
    layer_case(layers, "prelu_channels", nn.PReLU(4), rand(3, 4, 2, 2, scale=2))
    # The super-resolution baselines: bicubic and bilinear upsampling by 2 and 4.
    layers["bicubic.input"] = rand(2, 2, 5, 6)
    for scale in (2, 4):
        layers[f"bicubic.x{scale}"] = F.interpolate(layers["bicubic.input"], scale_factor=scale, mode="bicubic", align_corners=False)
    save_file({k: v.contiguous().float() for k, v in layers.items()},
              os.path.join(ROOT, "Tests", "SwiftGANNNTests", "Fixtures", "translation_layers.safetensors"))

    fixtures = os.path.join(ROOT, "Tests", "SwiftGANTrainingTests", "Fixtures")
    out = {name: {"generator": keys(g), "discriminator": keys(d)} for name, (g, d) in key_cases().items()}
    with open(os.path.join(fixtures, "translation_keys.json"), "w") as handle:
        cases = []
        for name in sorted(out):
            networks = []
            for network in sorted(out[name]):
                rows = ",\n".join("      " + json.dumps(entry) for entry in out[name][network])
                networks.append(f'    {json.dumps(network)}: [\n{rows}\n    ]')
            cases.append(f'  {json.dumps(name)}: {{\n' + ",\n".join(networks) + "\n  }")
        handle.write("{\n" + ",\n".join(cases) + "\n}\n")

    parity = {}
    networks = {
        # 28 px gray U-Net with BatchNorm (padded to 32, 5 levels), width 4.
        "unet": (randomised(UNet(1, 1, 28, 4)), rand(2, 1, 28, 28)),
        # 32 px, gray to RGB, InstanceNorm, width 3.
        "unet_in": (randomised(UNet(1, 3, 32, 3, norm="instance")), rand(2, 1, 32, 32)),
        # SRResNet x2 from 14 px, width 4, 2 blocks.
        "srresnet": (randomised(SRResNet(1, 1, 4, 2, 2)), rand(2, 1, 14, 14)),
    }
    for name, (module, x) in networks.items():
        for key, value in module.state_dict().items():
            parity[f"{name}.{key}"] = value
        parity[f"{name}.__input"] = x
        with torch.no_grad():
            parity[f"{name}.__output"] = module(x)
    patch = randomised(Patch(1, 1, 28, 4))
    condition, output = rand(2, 1, 28, 28), rand(2, 1, 28, 28)
    for key, value in patch.state_dict().items():
        parity[f"patch.{key}"] = value
    parity["patch.__input"], parity["patch.__candidate"] = condition, output
    with torch.no_grad():
        parity["patch.__output"] = patch(output, condition)
    save_file({k: v.contiguous() if v.dtype == torch.int64 else v.contiguous().float() for k, v in parity.items()},
              os.path.join(fixtures, "translation_parity.safetensors"))
    print("wrote translation fixtures")


def check_outputs(g, inputs, outputs):
    """G in evaluation mode on `gan translate`'s .npy input must give its .npy output."""
    x = torch.from_numpy(np.load(inputs))
    with torch.no_grad():
        y = g.eval()(x).numpy()
    expected = np.load(outputs)
    difference = float(np.abs(y - expected).max())
    print(f"largest difference from `gan translate`: {difference:.2e}")
    if difference > 1e-4:
        raise SystemExit("outputs differ")


def check_swift(path, inputs=None, outputs=None):
    """Loads a SwiftGAN translation checkpoint, or a generator from `gan export`, into the
    PyTorch modules of its config, strictly."""
    from safetensors import safe_open
    with safe_open(path, "pt") as handle:
        metadata = handle.metadata()
    exported = "swiftgan.translation" in metadata
    config = json.loads(metadata["swiftgan.translation" if exported else "swiftgan.config"])
    state = load_file(path)
    if "model" in config:
        # config.json before version 0.10: nested sections with camelCase keys.
        old = config["model"]
        model = {"input_shape": old["inputShape"], "output_shape": old["outputShape"], "norm": old["normalization"],
                 "generator": old["generator"], "width": old["width"], "residual_blocks": old["residualBlocks"],
                 "d_width": old["discriminatorWidth"], "conditional_d": old["conditionalDiscriminator"]}
    else:
        model = config
    (ci, h, _), (co, size, _) = model["input_shape"], model["output_shape"]
    norm, upscale = model["norm"], size // h
    if model["generator"] == "unet":
        g = UNet(ci, co, size, model["width"], norm, upscale)
    else:
        g = SRResNet(ci, co, model["width"], model["residual_blocks"], upscale, norm)
    d = Patch(ci, co, size, model["d_width"], norm, model["conditional_d"], upscale)
    if exported:
        g.load_state_dict(state, strict=True)
        print(f"{path}: the exported generator loaded with strict=True")
        if inputs and outputs:
            check_outputs(g, inputs, outputs)
        return
    for prefix, module in [("generator.", g), ("discriminator.", d)]:
        module.load_state_dict({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}, strict=True)
    print(f"{path}: generator and discriminator loaded with strict=True")
    if inputs and outputs:
        check_outputs(g, inputs, outputs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-swift", metavar="FILE", help="load a SwiftGAN translation checkpoint into PyTorch")
    parser.add_argument("--input", metavar="X.npy", help="with --check-swift: an input batch given to `gan translate`")
    parser.add_argument("--output", metavar="Y.npy", help="with --check-swift: what `gan translate` wrote for it")
    arguments = parser.parse_args()
    if arguments.check_swift:
        check_swift(arguments.check_swift, arguments.input, arguments.output)
    else:
        write_fixtures()
