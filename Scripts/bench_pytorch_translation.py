#!/usr/bin/env python3
"""The PyTorch side of SwiftGAN's translation speed cases (Scripts/bench_compare.py runs both).

Builds the networks of `gan bench --cases pix2pix,sr` with the PyTorch modules of
Scripts/make_translation_fixtures.py (the same layers, widths and batch) and times pix2pix's
training iteration written the ordinary way, as pytorch-CycleGAN-and-pix2pix's
`optimize_parameters` does:

  fake = G(input)
  D: zero_grad; 0.5 * (BCE(D(input, target), 1) + BCE(D(input, fake.detach()), 0)); backward; step
  G: zero_grad; BCE(D(input, fake), 1) * adversarial weight + λ · L1(fake, target); backward; step
  loss.item() once per update (SwiftGAN's trainer also takes the gradient norms, which this does not)

pix2pix: U-Net and conditional PatchGAN, width 64, 64x64 RGB, batch 16, λ 100. sr: SRResNet
(width 64, 8 blocks) x4 from 8x8 to 32x32 RGB and a plain PatchGAN, batch 16, L1 weight 1 and
adversarial weight 0.01.

cyclegan-b1 and cyclegan-b4: the networks of Scripts/make_cyclegan_fixtures.py (ResNet generators
of width 64 with 6 blocks, PatchGANs of width 64, InstanceNorm) on 64x64 RGB at batch 1 and 4,
CycleGAN's `optimize_parameters` written the ordinary way: both generators' forward passes, their
LSGAN + 10 · cycle + 5 · identity loss, backward and one Adam step over both; then each
discriminator on real images and on an image pool's draw (capacity 50), backward, one Adam step
over both. Reports one JSON line like Scripts/bench_pytorch.py.

Usage: python Scripts/bench_pytorch_translation.py --case pix2pix --threads 2 [--repeats 7] [--iterations 20]
"""
import argparse
import importlib.util
import json
import os
import sys

import torch
import torch.nn as nn

spec = importlib.util.spec_from_file_location("fixtures", os.path.join(os.path.dirname(__file__), "make_translation_fixtures.py"))
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_pytorch  # noqa: E402  (the shared timing of both PyTorch sides)


def init_weights(module):
    """pix2pix's init_weights(net, 'normal', 0.02)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def build(case):
    if case == "pix2pix":
        g = fixtures.UNet(3, 3, 64, 64)
        d = fixtures.Patch(3, 3, 64, 64)
        return g, d, (3, 64, 64), (3, 64, 64), 100.0, 1.0
    g = fixtures.SRResNet(3, 3, 64, 8, 4)
    d = fixtures.Patch(3, 3, 32, 64, conditional=False)
    return g, d, (3, 8, 8), (3, 32, 32), 1.0, 0.01


class ImagePool:
    """The history of generated images: stores until full, then returns an old image in place of a new one half the time."""

    def __init__(self, capacity):
        self.capacity, self.images = capacity, []

    def query(self, batch):
        chosen = []
        for image in batch.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.capacity:
                self.images.append(image)
                chosen.append(image)
            elif torch.rand(1).item() < 0.5:
                chosen.append(image)
            else:
                slot = int(torch.randint(0, self.capacity, (1,)).item())
                chosen.append(self.images[slot].clone())
                self.images[slot] = image
        return torch.cat(chosen, 0)


def cyclegan_step(batch_size):
    """The timed step of the CycleGAN cases and a translation function for the inference rate."""
    spec_c = importlib.util.spec_from_file_location("cyclegan_fixtures", os.path.join(os.path.dirname(__file__), "make_cyclegan_fixtures.py"))
    cyclegan = importlib.util.module_from_spec(spec_c)
    spec_c.loader.exec_module(cyclegan)
    nets = cyclegan.networks([3, 64, 64], [3, 64, 64], 64, 64, 6)
    for module in nets.values():
        init_weights(module)
        module.train()
    g_ab, g_ba, d_a, d_b = nets["generator_ab"], nets["generator_ba"], nets["discriminator_a"], nets["discriminator_b"]
    opt_g = torch.optim.Adam(list(g_ab.parameters()) + list(g_ba.parameters()), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(list(d_a.parameters()) + list(d_b.parameters()), lr=2e-4, betas=(0.5, 0.999))
    mse, l1 = nn.MSELoss(), nn.L1Loss()
    pool_a, pool_b = ImagePool(50), ImagePool(50)
    domain_a, domain_b = torch.rand(40, 3, 64, 64) * 2 - 1, torch.rand(40, 3, 64, 64) * 2 - 1
    state = {"index": 0}

    def adversarial(scores, target):
        return mse(scores, torch.full_like(scores, target))

    def step():
        start = (state["index"] * batch_size) % 40
        state["index"] += 1
        real_a, real_b = domain_a[start:start + batch_size], domain_b[start:start + batch_size]
        for d in (d_a, d_b):
            d.requires_grad_(False)
        opt_g.zero_grad()
        fake_b, fake_a = g_ab(real_a), g_ba(real_b)
        loss_g = (adversarial(d_b(fake_b), 1.0) + adversarial(d_a(fake_a), 1.0)
                  + 10 * (l1(g_ba(fake_b), real_a) + l1(g_ab(fake_a), real_b))
                  + 5 * (l1(g_ba(real_a), real_a) + l1(g_ab(real_b), real_b)))
        loss_g.backward()
        opt_g.step()
        loss_g.item()
        for d in (d_a, d_b):
            d.requires_grad_(True)
        opt_d.zero_grad()
        loss_d = 0.0
        for d, real, pool, fake in ((d_a, real_a, pool_a, fake_a), (d_b, real_b, pool_b, fake_b)):
            part = 0.5 * (adversarial(d(real), 1.0) + adversarial(d(pool.query(fake)), 0.0))
            part.backward()
            loss_d += part.item()
        opt_d.step()

    def translate_all():
        for chunk in domain_a.split(batch_size):
            g_ab(chunk)

    return step, translate_all, g_ab


def main_cyclegan(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(3)
    batch_size = 1 if args.case == "cyclegan-b1" else 4
    step, translate_all, g_ab = cyclegan_step(batch_size)
    rate, rates, flops, peak_resident = bench_pytorch.time_training(step, args.warmup, args.repeats, args.iterations)
    g_ab.eval()
    with torch.no_grad():
        inference = 40 / bench_pytorch.median_seconds(translate_all, max(1, args.repeats // 2))
    print(json.dumps({
        "system": "pytorch", "case": args.case, "threads": args.threads, "torch": torch.__version__,
        "iterations_per_second": rate, "samples_per_second": rate * batch_size, "repeat_rates": rates,
        "flops_per_iteration": flops, "inference_samples_per_second": inference,
        "peak_resident_mb": peak_resident,
    }, sort_keys=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=["pix2pix", "sr", "cyclegan-b1", "cyclegan-b4"], required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    if args.case.startswith("cyclegan"):
        return main_cyclegan(args)

    torch.set_num_threads(args.threads)
    torch.manual_seed(3)
    G, D, input_shape, output_shape, l1_weight, adversarial_weight = build(args.case)
    init_weights(G)
    init_weights(D)
    G.train()
    D.train()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce, l1 = nn.BCEWithLogitsLoss(), nn.L1Loss()
    batches = [(torch.rand(16, *input_shape) * 2 - 1, torch.rand(16, *output_shape) * 2 - 1) for _ in range(10)]
    state = {"index": 0}

    def step():
        inputs, targets = batches[state["index"] % len(batches)]
        state["index"] += 1
        fake = G(inputs)
        opt_d.zero_grad()
        real_scores, fake_scores = D(targets, inputs), D(fake.detach(), inputs)
        loss_d = 0.5 * (bce(real_scores, torch.ones_like(real_scores)) + bce(fake_scores, torch.zeros_like(fake_scores)))
        loss_d.backward()
        opt_d.step()
        loss_d.item()
        opt_g.zero_grad()
        scores = D(fake, inputs)
        loss_g = adversarial_weight * bce(scores, torch.ones_like(scores)) + l1_weight * l1(fake, targets)
        loss_g.backward()
        opt_g.step()
        loss_g.item()

    rate, rates, flops, peak_resident = bench_pytorch.time_training(step, args.warmup, args.repeats, args.iterations)

    G.eval()
    inputs = torch.cat([b[0] for b in batches])

    def translate_all():
        for chunk in inputs.split(16):
            G(chunk)

    with torch.no_grad():
        inference = inputs.shape[0] / bench_pytorch.median_seconds(translate_all, max(1, args.repeats // 2))
    print(json.dumps({
        "system": "pytorch", "case": args.case, "threads": args.threads, "torch": torch.__version__,
        "iterations_per_second": rate, "samples_per_second": rate * 16, "repeat_rates": rates,
        "flops_per_iteration": flops, "inference_samples_per_second": inference,
        "peak_resident_mb": peak_resident,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
