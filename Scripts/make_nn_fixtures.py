#!/usr/bin/env python3
"""Golden values for SwiftGAN's nn library, computed with PyTorch.

Writes Tests/SwiftGANNNTests/Fixtures/:
  parity.safetensors   inputs, weights, outputs and gradients of each layer,
                       loss values and five steps of each optimizer;
  python_written.safetensors  a file written by Python's safetensors with
                       F32/F64/F16/BF16/I64 tensors and metadata;
  tiny_dcgan_generator.safetensors  a small DCGAN generator's PyTorch state dict;
  state_dict_keys.json  keys and shapes of the reference GAN architectures.

Run from the repository root with a virtualenv that has torch, numpy and
safetensors (see the README):  python Scripts/make_nn_fixtures.py
With --check-swift DIR it instead loads the checkpoints the Swift tests wrote
to DIR into the equivalent PyTorch modules with load_state_dict(strict=True).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import load_file, save_file

FIXTURES = os.path.join("Tests", "SwiftGANNNTests", "Fixtures")
torch.set_default_dtype(torch.float32)
parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--check-swift", metavar="DIR", help="load SwiftGAN-written checkpoints from DIR into PyTorch")
arguments = parser.parse_args()
rng = np.random.RandomState(1234)
torch.manual_seed(1234)  # spectral_norm draws u and v from torch's generator
out = {}


def rand(*shape, scale=1.0):
    return torch.tensor(rng.uniform(-1, 1, size=shape).astype(np.float32) * scale)


def put(name, tensor):
    out[name] = tensor.detach().clone().contiguous().float()


def layer_case(name, module, x, weights=True):
    """Stores input, parameters, output, and gradients of sum(output * r)."""
    with torch.no_grad():
        for key, param in module.named_parameters():
            param.copy_(rand(*param.shape))
    x = x.clone().requires_grad_(True)
    y = module(x)
    r = rand(*y.shape)
    (y * r).sum().backward()
    put(f"{name}.input", x)
    put(f"{name}.output", y)
    put(f"{name}.seed", r)
    put(f"{name}.input_grad", x.grad)
    for key, param in module.named_parameters():
        put(f"{name}.param.{key}", param)
        put(f"{name}.grad.{key}", param.grad)
    for key, buf in module.named_buffers():
        put(f"{name}.buffer.{key}", buf)


# ---- reference architectures ----
class MLPGenerator(nn.Module):
    def __init__(self, nz=100):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(nz, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                                   nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 784), nn.Tanh())

    def forward(self, z):
        return self.model(z)


class MLPDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(784, 1024), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                                   nn.Linear(1024, 512), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                                   nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                                   nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, x):
        return self.model(x)


class DCGANGenerator(nn.Module):
    def __init__(self, nz=100, ngf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 7, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, 1, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        return self.main(z)


class DCGANDiscriminator(nn.Module):
    def __init__(self, ndf=64, spectral=False):
        super().__init__()
        wrap = nn.utils.spectral_norm if spectral else (lambda m: m)
        self.main = nn.Sequential(
            wrap(nn.Conv2d(1, ndf, 4, 2, 1, bias=False)), nn.LeakyReLU(0.2, inplace=True),
            wrap(nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False)),
            *( [] if spectral else [nn.BatchNorm2d(ndf * 2)] ), nn.LeakyReLU(0.2, inplace=True),
            wrap(nn.Conv2d(ndf * 2, 1, 7, 1, 0, bias=False)), nn.Sigmoid())

    def forward(self, x):
        return self.main(x)


def check_swift(directory):
    """Loads SwiftGAN's checkpoints into the equivalent PyTorch modules, strictly."""
    cases = [("swift_written_dcgan_generator.safetensors", DCGANGenerator(nz=8, ngf=2), torch.randn(2, 8, 1, 1)),
             ("swift_written_sn_discriminator.safetensors", DCGANDiscriminator(ndf=2, spectral=True), torch.randn(2, 1, 28, 28))]
    for name, module, example in cases:
        state = load_file(os.path.join(directory, name))
        module.load_state_dict(state, strict=True)
        for key, value in state.items():
            if key.endswith("num_batches_tracked"):
                assert value.dtype == torch.int64, f"{key} is {value.dtype}, not int64"
        module.eval()
        output = module(example)
        assert torch.isfinite(output).all(), f"{name}: non-finite output"
        print(f"{name}: {len(state)} tensors loaded with strict=True; output {tuple(output.shape)}")


if arguments.check_swift is not None:
    check_swift(arguments.check_swift)
    sys.exit(0)


# ---- layers ----
layer_case("linear", nn.Linear(5, 3), rand(4, 5))
layer_case("conv", nn.Conv2d(3, 4, 3, stride=2, padding=1), rand(2, 3, 7, 6))
layer_case("conv_dilated", nn.Conv2d(2, 3, (3, 2), stride=(1, 2), padding=(2, 1), dilation=(2, 1)), rand(2, 2, 6, 7))
layer_case("convt", nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1), rand(2, 4, 3, 3))
layer_case("convt_outpad", nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), rand(1, 3, 4, 5))
bn2 = nn.BatchNorm2d(3)
layer_case("bn2d", bn2, rand(4, 3, 5, 5) * 2 + 0.5)
bn2.eval()
x_eval = rand(2, 3, 5, 5)
put("bn2d.eval_input", x_eval)
put("bn2d.eval_output", bn2(x_eval))
layer_case("bn1d", nn.BatchNorm1d(6, momentum=0.2), rand(8, 6) * 3)
layer_case("layernorm", nn.LayerNorm([6]), rand(4, 6) * 2)
layer_case("instancenorm", nn.InstanceNorm2d(3, affine=True), rand(2, 3, 4, 4))
for name, act in [("leakyrelu", nn.LeakyReLU(0.2)), ("elu", nn.ELU(0.7)), ("softplus", nn.Softplus(beta=2.0)),
                  ("tanh", nn.Tanh()), ("sigmoid", nn.Sigmoid()), ("relu", nn.ReLU())]:
    layer_case(name, act, rand(3, 5, scale=3))

emb = nn.Embedding(10, 4)
with torch.no_grad():
    emb.weight.copy_(rand(10, 4))
idx = torch.tensor([3, 1, 7, 3])
y = emb(idx)
r = rand(*y.shape)
(y * r).sum().backward()
put("embedding.param.weight", emb.weight)
put("embedding.indices", idx.float())
put("embedding.output", y)
put("embedding.seed", r)
put("embedding.grad.weight", emb.weight.grad)

# ---- spectral norm (classic torch.nn.utils.spectral_norm) ----
sn = nn.utils.spectral_norm(nn.Linear(5, 6))
with torch.no_grad():
    sn.weight_orig.copy_(rand(6, 5))
    sn.bias.copy_(rand(6))
put("spectral.weight_orig", sn.weight_orig)
put("spectral.bias", sn.bias)
put("spectral.u0", sn.weight_u)
put("spectral.v0", sn.weight_v)
xs = rand(3, 5).requires_grad_(True)
ys = sn(xs)
rs = rand(*ys.shape)
(ys * rs).sum().backward()
put("spectral.input", xs)
put("spectral.output", ys)
put("spectral.seed", rs)
put("spectral.u1", sn.weight_u)
put("spectral.v1", sn.weight_v)
put("spectral.grad.weight_orig", sn.weight_orig.grad)
put("spectral.sigma_true", torch.tensor([np.linalg.svd(sn.weight_orig.detach().numpy(), compute_uv=False)[0]]))

# ---- losses ----
p = torch.tensor(rng.uniform(0.0, 1.0, size=(4, 3)).astype(np.float32))
p[0, 0], p[0, 1] = 0.0, 1.0
t = torch.tensor((rng.uniform(size=(4, 3)) > 0.5).astype(np.float32))
put("loss.prob", p)
put("loss.target", t)
put("loss.bce", F.binary_cross_entropy(p, t))
put("loss.bce_none", F.binary_cross_entropy(p, t, reduction="none"))
logits = rand(4, 3, scale=5)
logits[0, 0], logits[1, 1], logits[2, 2] = 100.0, -100.0, 90.0
put("loss.logits", logits)
put("loss.bce_logits", F.binary_cross_entropy_with_logits(logits, t))
put("loss.bce_logits_sum", F.binary_cross_entropy_with_logits(logits, t, reduction="sum"))
a, b = rand(4, 3), rand(4, 3)
put("loss.a", a)
put("loss.b", b)
put("loss.mse", F.mse_loss(a, b))
put("loss.l1", F.l1_loss(a, b))
ce_logits = rand(5, 4, scale=3).requires_grad_(True)
labels = torch.tensor([0, 3, 1, 1, 2])
ce = F.cross_entropy(ce_logits, labels, label_smoothing=0.1)
ce.backward()
put("loss.ce_logits", ce_logits)
put("loss.ce_labels", labels.float())
put("loss.ce_smooth", ce)
put("loss.ce_smooth_grad", ce_logits.grad)
put("loss.ce_plain", F.cross_entropy(ce_logits.detach(), labels))


# ---- optimizers: five steps on L(p) = sum(c (p - t)^2) + 0.05 sum(p^4) ----
def objective(param, c, target):
    return (c * (param - target) ** 2).sum() + 0.05 * (param ** 4).sum()


p0, c, target = rand(3, 4), rand(3, 4).abs() + 0.5, rand(3, 4)
put("opt.p0", p0)
put("opt.c", c)
put("opt.t", target)
configs = {
    "adam": lambda q: torch.optim.Adam([q], lr=0.05, betas=(0.5, 0.999)),
    "adam_wd_ams": lambda q: torch.optim.Adam([q], lr=0.05, betas=(0.9, 0.99), weight_decay=0.1, amsgrad=True),
    "adamw": lambda q: torch.optim.AdamW([q], lr=0.05, betas=(0.0, 0.9), weight_decay=0.1),
    "rmsprop": lambda q: torch.optim.RMSprop([q], lr=0.01),
    "rmsprop_centered": lambda q: torch.optim.RMSprop([q], lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.05),
    "sgd": lambda q: torch.optim.SGD([q], lr=0.05),
    "sgd_nesterov": lambda q: torch.optim.SGD([q], lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "sgd_dampening": lambda q: torch.optim.SGD([q], lr=0.05, momentum=0.8, dampening=0.3),
}
for name, make in configs.items():
    q = p0.clone().requires_grad_(True)
    opt = make(q)
    for _ in range(5):
        opt.zero_grad()
        objective(q, c, target).backward()
        opt.step()
    put(f"opt.{name}.p5", q)
    for key, value in opt.state[q].items():
        if torch.is_tensor(value):
            put(f"opt.{name}.state.{key}", value.reshape(value.shape) if value.dim() else value.reshape(()))

save_file(out, os.path.join(FIXTURES, "parity.safetensors"))


# ---- reference architectures: keys and shapes ----
def keys(module):
    return [[k, list(v.shape)] for k, v in module.state_dict().items()]


architectures = {
    "mlp_generator": MLPGenerator(), "mlp_discriminator": MLPDiscriminator(),
    "dcgan_generator": DCGANGenerator(), "dcgan_discriminator": DCGANDiscriminator(),
    "dcgan_discriminator_sn": DCGANDiscriminator(spectral=True),
}
with open(os.path.join(FIXTURES, "state_dict_keys.json"), "w") as handle:
    handle.write("{\n" + ",\n".join(f'"{name}": {json.dumps(keys(m))}' for name, m in architectures.items()) + "\n}\n")

# ---- a file written by Python's safetensors, and a tiny DCGAN generator ----
save_numpy({
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
    "f64": np.array([1.5, -2.25], dtype=np.float64),
    "f16": np.array([0.5, -1.0, 65504.0], dtype=np.float16),
    "i64": np.array([[7], [-3]], dtype=np.int64),
    "scalar": np.array(3.0, dtype=np.float32),
}, os.path.join(FIXTURES, "python_written.safetensors"), metadata={"format": "pt", "note": "written by Python"})
save_file({"bf16": torch.tensor([1.0, -2.5, 3.140625], dtype=torch.bfloat16)},
          os.path.join(FIXTURES, "python_bf16.safetensors"))

torch.manual_seed(0)
tiny = DCGANGenerator(nz=8, ngf=2)
with torch.no_grad():
    for m in tiny.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features) + 0.5)
            m.num_batches_tracked.fill_(3)
tiny.eval()
z = torch.randn(2, 8, 1, 1)
sd = {k: v.contiguous() for k, v in tiny.state_dict().items()}
sd["__z"] = z
sd["__output"] = tiny(z).detach()
save_file(sd, os.path.join(FIXTURES, "tiny_dcgan_generator.safetensors"))
print("wrote fixtures to", FIXTURES)
