#!/usr/bin/env python3
"""The PyTorch side of SwiftGAN's speed comparison (Scripts/bench_compare.py runs both).

Builds exactly the models of `gan bench --suite training` in PyTorch (same layers, initialisation,
optimizer and batch) and times the same iteration the same way: one D update and one G update
of SwiftGAN's trainer, which

  D step: z ~ N(0, I); fake = G(z) without gradients; loss on D(real) and D(fake) (plus the
          WGAN-GP penalty through torch.autograd.grad(create_graph=True)); loss.item();
          gradients; their global norm (logged and NaN-checked by the trainer); Adam step;
  G step: fresh z; loss on D(G(z)); loss.item(); gradients; their norm; Adam step.

With --loop ordinary it times instead the loop PyTorch users write (the official DCGAN
tutorial's, in PyTorch-GAN's style of code): one fake batch per iteration, D's loss on D(real) and
D(fake.detach()), zero_grad, backward, step; G's loss on D(fake) of that same batch, zero_grad,
backward, step; each loss's .item() once; no gradient norms. That is less work than SwiftGAN's
trainer does (it draws a fresh z for G's update and checks every gradient norm), and it is the
reference of Scripts/bench_compare.py's ratios.

Data batches are in memory. Reports the median iterations/s over repeated timed runs after a
warm-up, the FLOPs of one iteration (torch.utils.flop_counter), generator inference samples/s at
batch 1,000 and the process's peak resident memory after training (before inference), as one JSON
line per case.

Usage: python Scripts/bench_pytorch.py --case dcgan --threads 2 [--loop ordinary|same-work] [--repeats 7] [--iterations 20]
(needs torch; see the README for the CPU wheel).
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn


def dcgan_init(module):
    """DCGAN's N(0, 0.02) initialisation (BatchNorm weights N(1, 0.02), biases 0), as SwiftGAN's dcgan models."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def build(case):
    """(G, D, loss kind, Adam settings) for a case, matching SwiftGAN's presets."""
    if case == "mlp":
        G = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                          nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 784), nn.Tanh(), Reshape(1, 28, 28))
        D = nn.Sequential(nn.Flatten(), nn.Linear(784, 1024), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                          nn.Linear(1024, 512), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                          nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(256, 1), nn.Sigmoid())
        return G, D, "bce-probability", dict(lr=2e-4, betas=(0.5, 0.999))
    width = 64
    G = nn.Sequential(Reshape(100, 1, 1),
                      nn.ConvTranspose2d(100, width * 4, 7, 1, 0, bias=False), nn.BatchNorm2d(width * 4), nn.ReLU(),
                      nn.ConvTranspose2d(width * 4, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2), nn.ReLU(),
                      nn.ConvTranspose2d(width * 2, 1, 4, 2, 1, bias=False), nn.Tanh())
    norm = nn.BatchNorm2d(width * 2) if case == "dcgan" else nn.LayerNorm([width * 2, 7, 7])
    D = nn.Sequential(nn.Conv2d(1, width, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
                      nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), norm, nn.LeakyReLU(0.2),
                      nn.Conv2d(width * 2, 1, 7, 1, 0, bias=False), nn.Flatten())
    dcgan_init(G)
    dcgan_init(D)
    if case == "dcgan":
        return G, D, "bce-logits", dict(lr=2e-4, betas=(0.5, 0.999))
    return G, D, "wgan-gp", dict(lr=1e-4, betas=(0.5, 0.9))


def gradient_norm(grads):
    """The global L2 norm in float32 (SwiftGAN sums float squares in blocks, then in float64)."""
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))


def update(loss, params, optimizer):
    """What the trainer does with a loss: read it, take gradients, their global norm, one optimizer step."""
    loss.item()
    grads = torch.autograd.grad(loss, params)
    gradient_norm(grads).item()
    for p, g in zip(params, grads):
        p.grad = g
    optimizer.step()


def make_step(G, D, kind, opt_g, opt_d, batches):
    bce = nn.BCELoss() if kind == "bce-probability" else nn.BCEWithLogitsLoss()
    params_g, params_d = list(G.parameters()), list(D.parameters())
    state = {"index": 0}

    def step():
        real = batches[state["index"] % len(batches)]
        state["index"] += 1
        n = real.shape[0]
        # D step
        z = torch.randn(n, 100)
        with torch.no_grad():
            fake = G(z)
        loss = discriminator_loss(kind, bce, D, real, fake, D(real), D(fake))
        update(loss, params_d, opt_d)
        # G step
        z = torch.randn(n, 100)
        scores = D(G(z))
        loss_g = -scores.mean() if kind == "wgan-gp" else bce(scores, torch.ones_like(scores))
        update(loss_g, params_g, opt_g)
        opt_g.zero_grad(set_to_none=True)
        opt_d.zero_grad(set_to_none=True)

    return step


def discriminator_loss(kind, bce, D, real, fake, real_scores, fake_scores):
    """D's loss: BCE on real and fake, or WGAN-GP's critic loss with its penalty (torch.autograd.grad, create_graph)."""
    if kind != "wgan-gp":
        return bce(real_scores, torch.ones_like(real_scores)) + bce(fake_scores, torch.zeros_like(fake_scores))
    n = real.shape[0]
    loss = fake_scores.mean() - real_scores.mean()
    alpha = torch.rand(n, 1, 1, 1)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(D(mixed).sum(), mixed, create_graph=True)
    norms = torch.sqrt(grad.flatten(1).square().sum(1) + 1e-12)
    return loss + 10 * ((norms - 1) ** 2).mean()


def make_ordinary_step(G, D, kind, opt_g, opt_d, batches):
    """The loop users write: zero_grad, backward, step; one fake batch for both updates; .item() once per loss."""
    bce = nn.BCELoss() if kind == "bce-probability" else nn.BCEWithLogitsLoss()
    state = {"index": 0}

    def step():
        real = batches[state["index"] % len(batches)]
        state["index"] += 1
        fake = G(torch.randn(real.shape[0], 100))
        detached = fake.detach()
        opt_d.zero_grad()
        loss_d = discriminator_loss(kind, bce, D, real, detached, D(real), D(detached))
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        scores = D(fake)
        loss_g = -scores.mean() if kind == "wgan-gp" else bce(scores, torch.ones_like(scores))
        loss_g.backward()
        opt_g.step()
        loss_d.item()
        loss_g.item()

    return step


def time_training(step, warmup, repeats, iterations):
    """(median iterations/s, every repeat's rate, FLOPs of one step, peak RSS MB after training) of `step`."""
    for _ in range(warmup):
        step()
    flops = 0.0
    try:
        from torch.utils.flop_counter import FlopCounterMode
        with FlopCounterMode(display=False) as counter:
            step()
        flops = float(counter.get_total_flops())
    except Exception:  # an older torch without the counter
        pass
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iterations):
            step()
        rates.append(iterations / (time.perf_counter() - start))
    return statistics.median(rates), rates, flops, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_seconds(run, repeats):
    """Median seconds of `run()` over `repeats` calls after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=["mlp", "dcgan", "wgan-gp"], required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--loop", choices=["ordinary", "same-work"], default="ordinary",
                        help="the loop users write (default), or the same work as SwiftGAN's trainer step")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(3)
    G, D, kind, adam = build(args.case)
    G.train()
    D.train()
    opt_g = torch.optim.Adam(G.parameters(), **adam)
    opt_d = torch.optim.Adam(D.parameters(), **adam)
    batches = [torch.rand(64, 1, 28, 28) * 2 - 1 for _ in range(10)]
    step = (make_ordinary_step if args.loop == "ordinary" else make_step)(G, D, kind, opt_g, opt_d, batches)
    rate, rates, flops, peak_resident = time_training(step, args.warmup, args.repeats, args.iterations)

    G.eval()
    z = torch.randn(1000, 100)
    with torch.no_grad():
        inference = 1000 / median_seconds(lambda: G(z), max(1, args.repeats // 2))
    print(json.dumps({
        "system": "pytorch", "case": args.case, "threads": args.threads, "torch": torch.__version__, "loop": args.loop,
        "iterations_per_second": rate, "samples_per_second": rate * 64, "repeat_rates": rates,
        "flops_per_iteration": flops, "inference_samples_per_second": inference,
        "peak_resident_mb": peak_resident,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
