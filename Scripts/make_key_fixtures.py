#!/usr/bin/env python3
"""Writes the state-dict keys and shapes of PyTorch modules equivalent to
every model SwiftGAN ships, the golden lists that
Tests/SwiftGANTrainingTests/StateDictKeyTests.swift pins the Swift models'
checkpoint keys against.

Each case names a SwiftGAN configuration (see the test) and builds the
PyTorch generator and discriminator a user would write for it, in the
layouts of PyTorch-GAN (`gan.py`, `cgan.py`) and PyTorch's `examples/dcgan`,
with `torch.nn.utils.spectral_norm` where SwiftGAN uses spectral norm.

Usage: python3 Scripts/make_key_fixtures.py  (needs torch)
"""
import json
import os

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


def mlp_discriminator(pixels=784, spectral=False):
    d = nn.Module()
    d.model = nn.Sequential(sn(nn.Linear(pixels, 1024), spectral), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                            sn(nn.Linear(1024, 512), spectral), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                            sn(nn.Linear(512, 256), spectral), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                            sn(nn.Linear(256, 1), spectral))
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
    "2d": (mixture_generator(), mixture_discriminator()),
    "2d-hinge-sn": (mixture_generator(latent=100, width=64), mixture_discriminator(width=64, spectral=True)),
}


def keys(module):
    return [[key, list(value.shape)] for key, value in module.state_dict().items()]


def main():
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
