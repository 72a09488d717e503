#!/usr/bin/env python3
"""Writes the state-dict keys and shapes of PyTorch modules equivalent to
every model SwiftGAN ships, the golden lists that
Tests/SwiftGANTrainingTests/StateDictKeyTests.swift pins the Swift models'
checkpoint keys against.

Each case names a SwiftGAN configuration (see the test) and builds the
PyTorch generator and discriminator a user would write for it, in the
layouts of PyTorch-GAN (`gan.py`, `cgan.py`) and PyTorch's `examples/dcgan`,
with `torch.nn.utils.spectral_norm` where SwiftGAN uses spectral norm.

With --check-swift FILE... it instead loads GAN files SwiftGAN wrote into
these modules, built for each file's config, with load_state_dict(strict=True):
a generator written by `gan export` (any model: mlp, dcgan, cgan, cdcgan,
acgan, mlp-conv, mlp2d) or a run's checkpoint.safetensors (`generator.`, `discriminator.` and,
when kept, `ema_generator.` prefixes). With --latents Z.npy --samples X.npy it
also checks that the generator (the EMA one of a checkpoint, when kept) maps Z
to what `gan sample --latents Z.npy --out X.npy` wrote (cgan: labels cycling
through the classes, as `gan sample` does without --label).

Usage: python3 Scripts/make_key_fixtures.py  (needs torch; --check-swift also numpy and safetensors)
"""
import argparse
import json
import os

import torch
import torch.nn as nn
from torch.nn.utils import spectral_norm


def sn(layer, on):
    return spectral_norm(layer) if on else layer


def mlp_generator(latent=100, pixels=784, relu=False):
    act = (lambda: nn.ReLU()) if relu else (lambda: nn.LeakyReLU(0.2))
    g = nn.Module()
    g.model = nn.Sequential(nn.Linear(latent, 256), act(), nn.Linear(256, 512), act(),
                            nn.Linear(512, 1024), act(), nn.Linear(1024, pixels), nn.Tanh())
    return g


def mlp_discriminator(pixels=784, spectral=False, widths=(1024, 512, 256)):
    layers, inputs = [], pixels
    for width in widths:
        layers += [sn(nn.Linear(inputs, width), spectral), nn.LeakyReLU(0.2), nn.Dropout(0.3)]
        inputs = width
    d = nn.Module()
    d.model = nn.Sequential(*layers, sn(nn.Linear(inputs, 1), spectral))
    return d


def practice_discriminator():
    """The practice article's D as written there: 784 -> 512 -> 256 -> 1."""
    d = nn.Module()
    d.model = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                            nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(256, 1))
    return d


def tf_same(size, stride=2):
    """TensorFlow's "same" padding (before, after) of a 5x5 convolution over `size` pixels."""
    out = -(-size // stride)
    total = max((out - 1) * stride + 5 - size, 0)
    return total // 2, total - total // 2


def keras_conv_discriminator(size=28, channels=1):
    """The Keras article's D: Conv2D(64, 5, 2, same), LeakyReLU, Conv2D(128, 5, 2, same), LeakyReLU, Flatten, Dense(1)."""
    half = -(-size // 2)
    a, b = tf_same(size)
    c, e = tf_same(half)
    d = nn.Module()
    d.model = nn.Sequential(nn.ZeroPad2d((a, b, a, b)), nn.Conv2d(channels, 64, 5, 2), nn.LeakyReLU(0.2),
                            nn.ZeroPad2d((c, e, c, e)), nn.Conv2d(64, 128, 5, 2), nn.LeakyReLU(0.2),
                            nn.Flatten(), nn.Linear(128 * (-(-half // 2)) ** 2, 1))
    return d


def tf_dcgan_generator(latent=100, channels=1):
    """TensorFlow's DCGAN tutorial G; a Conv2DTranspose "same" is a transposed convolution, then a crop."""
    def bn(n, one=False):
        return (nn.BatchNorm1d if one else nn.BatchNorm2d)(n, eps=1e-3, momentum=0.01)

    def up(i, o, stride):
        # The crop undoes the padding of the convolution it transposes: 7 -> 7 (stride 1), 14 -> 7, 28 -> 14.
        a, b = tf_same(7, 1) if stride == 1 else tf_same(14)
        return [nn.ConvTranspose2d(i, o, 5, stride, bias=False), nn.ZeroPad2d((-a, -b, -a, -b))]
    g = nn.Module()
    g.model = nn.Sequential(nn.Linear(latent, 7 * 7 * 256, bias=False), bn(7 * 7 * 256, True), nn.LeakyReLU(0.3),
                            nn.Unflatten(1, (256, 7, 7)), *up(256, 128, 1), bn(128), nn.LeakyReLU(0.3),
                            *up(128, 64, 2), bn(64), nn.LeakyReLU(0.3), *up(64, channels, 2), nn.Tanh())
    return g


def tf_dcgan_discriminator(channels=1):
    d = nn.Module()
    d.model = nn.Sequential(nn.ZeroPad2d((1, 2, 1, 2)), nn.Conv2d(channels, 64, 5, 2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
                            nn.ZeroPad2d((1, 2, 1, 2)), nn.Conv2d(64, 128, 5, 2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
                            nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
    return d


def dcgan_generator(size=28, width=64, latent=100, channels=1):
    def up(i, o, k, s, p):
        return [nn.ConvTranspose2d(i, o, k, s, p, bias=False), nn.BatchNorm2d(o), nn.ReLU(True)]
    if size == 28:
        layers = up(latent, width * 4, 7, 1, 0) + up(width * 4, width * 2, 4, 2, 1)
        last = width * 2
    elif size == 32:
        layers = up(latent, width * 4, 4, 1, 0) + up(width * 4, width * 2, 4, 2, 1) + up(width * 2, width, 4, 2, 1)
        last = width
    else:
        layers = (up(latent, width * 8, 4, 1, 0) + up(width * 8, width * 4, 4, 2, 1)
                  + up(width * 4, width * 2, 4, 2, 1) + up(width * 2, width, 4, 2, 1))
        last = width
    layers += [nn.ConvTranspose2d(last, channels, 4, 2, 1, bias=False), nn.Tanh()]
    g = nn.Module()
    g.main = nn.Sequential(*layers)
    return g


def dcgan_discriminator(size=28, width=64, channels=1, norm="batch", spectral=False):
    def conv(i, o, k, s, p):
        return sn(nn.Conv2d(i, o, k, s, p, bias=False), spectral)
    layers = [conv(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
    features, spatial = width, size // 2
    final = 7 if size == 28 else 4
    while spatial > final:
        layers.append(conv(features, features * 2, 4, 2, 1))
        features *= 2
        spatial //= 2
        if not spectral and norm == "batch":
            layers.append(nn.BatchNorm2d(features))
        elif not spectral and norm == "layer":
            layers.append(nn.LayerNorm([features, spatial, spatial]))
        layers.append(nn.LeakyReLU(0.2))
    layers.append(conv(features, 1, final, 1, 0))
    d = nn.Module()
    d.main = nn.Sequential(*layers)
    return d


def mixture_generator(latent=2, width=128):
    layers, inputs = [], latent
    for _ in range(4):
        layers += [nn.Linear(inputs, width), nn.BatchNorm1d(width), nn.ReLU()]
        inputs = width
    layers.append(nn.Linear(inputs, 2))
    g = nn.Module()
    g.model = nn.Sequential(*layers)
    return g


def mixture_discriminator(width=128, spectral=False):
    d = nn.Module()
    d.model = nn.Sequential(sn(nn.Linear(2, width), spectral), nn.LeakyReLU(0.2),
                            sn(nn.Linear(width, width), spectral), nn.LeakyReLU(0.2),
                            sn(nn.Linear(width, width), spectral), nn.LeakyReLU(0.2),
                            sn(nn.Linear(width, 1), spectral))
    return d


def conditional_generator(latent=100, classes=10, pixels=784):
    def block(i, o, normalize):
        return [nn.Linear(i, o)] + ([nn.BatchNorm1d(o, 0.8)] if normalize else []) + [nn.LeakyReLU(0.2)]
    g = nn.Module()
    g.label_embedding = nn.Embedding(classes, classes)
    g.model = nn.Sequential(*block(latent + classes, 128, False), *block(128, 256, True), *block(256, 512, True),
                            *block(512, 1024, True), nn.Linear(1024, pixels), nn.Tanh())
    return g


def conditional_discriminator(classes=10, pixels=784, projection=False):
    d = nn.Module()
    d.label_embedding = nn.Embedding(classes, 512 if projection else classes)
    layers = [nn.Linear(pixels if projection else pixels + classes, 512), nn.LeakyReLU(0.2),
              nn.Linear(512, 512), nn.Dropout(0.4), nn.LeakyReLU(0.2),
              nn.Linear(512, 512), nn.Dropout(0.4), nn.LeakyReLU(0.2)]
    if projection:
        d.model = nn.Sequential(*layers)
        d.head = nn.Linear(512, 1)
    else:
        d.model = nn.Sequential(*layers, nn.Linear(512, 1))
    return d


def conditional_dcgan_generator(size=28, width=64, latent=100, channels=1, classes=10):
    """cdcgan's and acgan's G: the label's embedding joins z as extra 1x1 input channels."""
    g = dcgan_generator(size, width, latent + classes, channels)
    g.label_embedding = nn.Embedding(classes, classes)
    return g


def conditional_dcgan_discriminator(size=28, width=64, channels=1, classes=10, norm="batch", spectral=False, projection=False):
    """cdcgan's D: one-hot label maps as extra input channels, or the image alone and a projection embedding."""
    d = dcgan_discriminator(size, width, channels if projection else channels + classes, norm, spectral)
    if projection:
        d.label_embedding = nn.Embedding(classes, d.main[-1].in_channels)
    return d


def acgan_discriminator(size=28, width=64, channels=1, classes=10, norm="batch", spectral=False):
    """acgan's D: DCGAN's D plus a class-logit convolution over the last feature map."""
    d = dcgan_discriminator(size, width, channels, norm, spectral)
    last = d.main[-1]
    d.classifier = sn(nn.Conv2d(last.in_channels, classes, last.kernel_size, 1, 0, bias=False), spectral)
    return d


def feature_classifier(width=16, dimension=128, classes=10):
    def block(i, o, s):
        return [nn.Conv2d(i, o, 3, s, 1), nn.BatchNorm2d(o), nn.ReLU()]
    c = nn.Module()
    c.features = nn.Sequential(*block(1, width, 1), *block(width, 2 * width, 2), *block(2 * width, 4 * width, 2),
                               nn.Flatten(), nn.Linear(4 * width * 7 * 7, dimension), nn.BatchNorm1d(dimension), nn.ReLU())
    c.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(dimension, classes))
    return c


CASES = {
    "mlp": (mlp_generator(), mlp_discriminator()),
    "dcgan-28": (dcgan_generator(28), dcgan_discriminator(28)),
    "dcgan-quick": (dcgan_generator(28, width=32), dcgan_discriminator(28, width=32)),
    "dcgan-32-rgb": (dcgan_generator(32, channels=3), dcgan_discriminator(32, channels=3)),
    "dcgan-64-rgb": (dcgan_generator(64, channels=3), dcgan_discriminator(64, channels=3)),
    "wgan-gp": (dcgan_generator(28), dcgan_discriminator(28, norm="layer")),
    "hinge-sn": (dcgan_generator(28), dcgan_discriminator(28, spectral=True)),
    "cgan": (conditional_generator(), conditional_discriminator()),
    "cgan-projection": (conditional_generator(), conditional_discriminator(projection=True)),
    "mlp-conv": (mlp_generator(), dcgan_discriminator(28)),
    "cdcgan-28": (conditional_dcgan_generator(28), conditional_dcgan_discriminator(28)),
    "cdcgan-32-rgb-projection": (conditional_dcgan_generator(32, channels=3),
                                 conditional_dcgan_discriminator(32, channels=3, projection=True)),
    "cdcgan-64-projection": (conditional_dcgan_generator(64), conditional_dcgan_discriminator(64, projection=True)),
    "acgan-28": (conditional_dcgan_generator(28), acgan_discriminator(28)),
    "acgan-64-rgb": (conditional_dcgan_generator(64, channels=3), acgan_discriminator(64, channels=3)),
    "textbook-pytorch": (mlp_generator(relu=True), mlp_discriminator()),
    "practice-pytorch": (mlp_generator(), practice_discriminator()),
    "keras-mlp-conv": (mlp_generator(), keras_conv_discriminator()),
    "keras-mlp-conv-32-rgb": (mlp_generator(pixels=3 * 32 * 32), keras_conv_discriminator(32, 3)),
    "tf-gradient-tape": (tf_dcgan_generator(), tf_dcgan_discriminator()),
    "2d": (mixture_generator(), mixture_discriminator()),
    "2d-hinge-sn": (mixture_generator(latent=100, width=64), mixture_discriminator(width=64, spectral=True)),
}


def keys(module):
    return [[key, list(value.shape)] for key, value in module.state_dict().items()]


def networks(config):
    """The PyTorch generator and discriminator of a SwiftGAN GAN run's settings (config.json keys)."""
    channels, height, width = config["image_shape"]
    pixels, latent, spectral = channels * height * width, config["latent_dim"], config["spectral_norm"]
    norm = {"batch-norm": "batch", "layer-norm": "layer"}.get(config["d_norm"], "none")
    model = config["model"]
    if model in ("mlp", "mlp-conv", "keras-mlp-conv"):
        g = mlp_generator(latent, pixels, relu=config["g_relu"])
        if model == "mlp":
            return g, mlp_discriminator(pixels, spectral, config.get("d_widths") or (1024, 512, 256))
        if model == "keras-mlp-conv":
            return g, keras_conv_discriminator(height, channels)
        return g, dcgan_discriminator(height, config["width"], channels, norm, spectral)
    if model == "tf-dcgan":
        return tf_dcgan_generator(latent, channels), tf_dcgan_discriminator(channels)
    if model == "dcgan":
        return (dcgan_generator(height, config["width"], latent, channels),
                dcgan_discriminator(height, config["width"], channels, norm, spectral))
    if model == "cgan":
        classes = config["class_count"]
        return conditional_generator(latent, classes, pixels), conditional_discriminator(classes, pixels, config["projection"])
    if model in ("cdcgan", "acgan"):
        classes, w = config["class_count"], config["width"]
        g = conditional_dcgan_generator(height, w, latent, channels, classes)
        if model == "acgan":
            return g, acgan_discriminator(height, w, channels, classes, norm, spectral)
        return g, conditional_dcgan_discriminator(height, w, channels, classes, norm, spectral, config["projection"])
    if model == "mlp2d":
        return mixture_generator(latent, config["width"]), mixture_discriminator(config["width"], spectral)
    raise SystemExit(f"no PyTorch equivalent of model {model!r} here")


def generate(g, config, z):
    """What `gan sample --latents` computes with generator g (in evaluation mode)."""
    if config["model"] == "dcgan":
        return g.main(z.view(z.shape[0], -1, 1, 1))
    if config["model"] == "cgan":
        labels = torch.arange(z.shape[0]) % config["class_count"]
        return g.model(torch.cat([g.label_embedding(labels), z], 1))
    if config["model"] in ("cdcgan", "acgan"):
        labels = torch.arange(z.shape[0]) % config["class_count"]
        x = torch.cat([z, g.label_embedding(labels)], 1)
        return g.main(x.view(x.shape[0], -1, 1, 1))
    return g.model(z)


def load_strictly(path, module, state, what):
    for key, value in state.items():
        wanted = "torch.int64" if key.endswith("num_batches_tracked") else "torch.float32"
        if str(value.dtype) != wanted:
            raise SystemExit(f"{path}: {what} tensor {key} is {value.dtype}, not {wanted}")
    module.load_state_dict(state, strict=True)


def check_swift(path, latents=None, samples=None):
    """Loads a generator from `gan export`, or a GAN run's checkpoint, into the PyTorch modules of its config, strictly."""
    import numpy as np
    from safetensors import safe_open
    from safetensors.torch import load_file
    with safe_open(path, "pt") as handle:
        metadata = handle.metadata() or {}
    exported = "swiftgan.model" in metadata
    if not exported and "swiftgan.config" not in metadata:
        raise SystemExit(f"{path}: neither a `gan export` file nor a GAN checkpoint (no swiftgan.model or swiftgan.config metadata)")
    config = json.loads(metadata["swiftgan.model" if exported else "swiftgan.config"])
    if "model" not in config or isinstance(config["model"], dict):
        raise SystemExit(f"{path}: settings from before version 0.10 are not read here")
    state = load_file(path)
    g, d = networks(config)
    if exported:
        load_strictly(path, g, state, "generator")
        print(f"{path}: the exported {config['model']} generator ({len(state)} tensors) loaded with strict=True")
    else:
        parts = {"generator": g, "discriminator": d}
        if any(key.startswith("ema_generator.") for key in state):
            parts["ema_generator"] = g = networks(config)[0]
        for prefix, module in parts.items():
            load_strictly(path, module, {k[len(prefix) + 1:]: v for k, v in state.items() if k.startswith(prefix + ".")}, prefix)
        print(f"{path}: the {config['model']} run's {', '.join(parts)} loaded with strict=True")
    if latents and samples:
        with torch.no_grad():
            output = generate(g.eval(), config, torch.from_numpy(np.load(latents))).numpy()
        expected = np.load(samples)
        if output.size != expected.size:
            raise SystemExit(f"{path}: PyTorch gives {output.shape}, `gan sample` wrote {expected.shape}")
        difference = float(np.abs(output.reshape(expected.shape) - expected).max())
        print(f"largest difference from `gan sample --latents`: {difference:.2e}")
        if difference > 1e-4:
            raise SystemExit(f"{path}: outputs differ from {samples}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-swift", metavar="FILE", nargs="+",
                        help="load SwiftGAN GAN exports or checkpoints into PyTorch (strict=True)")
    parser.add_argument("--latents", metavar="Z.npy", help="with --check-swift: latents given to `gan sample --latents`")
    parser.add_argument("--samples", metavar="X.npy", help="with --check-swift: what `gan sample` wrote for them")
    arguments = parser.parse_args()
    if arguments.check_swift:
        for path in arguments.check_swift:
            check_swift(path, arguments.latents, arguments.samples)
        return
    out = {name: {"generator": keys(g), "discriminator": keys(d)} for name, (g, d) in CASES.items()}
    out["classifier"] = {"classifier": keys(feature_classifier())}
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "SwiftGANTrainingTests", "Fixtures", "state_dict_keys.json")
    # One key per line, so a changed key is a one-line diff.
    cases = []
    for name in sorted(out):
        networks = []
        for network in sorted(out[name]):
            rows = ",\n".join("      " + json.dumps(entry) for entry in out[name][network])
            networks.append(f'    {json.dumps(network)}: [\n{rows}\n    ]')
        cases.append(f'  {json.dumps(name)}: {{\n' + ",\n".join(networks) + "\n  }")
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(cases) + "\n}\n")
    print(f"wrote {len(out)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
