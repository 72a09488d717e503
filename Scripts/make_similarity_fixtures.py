#!/usr/bin/env python3
"""Golden PSNR and SSIM values from scikit-image for SwiftGAN's
ImageSimilarity (Tests/SwiftGANMetricsTests/Fixtures/similarity.safetensors):
pairs of image batches in [-1, 1] and, per batch, the mean over images and
channels of

  structural_similarity(target, output, data_range=2, gaussian_weights=True,
                        sigma=1.5, use_sample_covariance=False)
  peak_signal_noise_ratio(target, output, data_range=2)

Usage: python3 Scripts/make_similarity_fixtures.py  (needs numpy, scikit-image, safetensors)
"""
import os

import numpy as np
from safetensors.numpy import save_file
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

rng = np.random.RandomState(7)
out = {}
cases = {
    # Smooth targets with noisy outputs, gray 28x28.
    "gray": (3, 1, 28, 28, 0.3),
    # RGB 32x32 with little noise.
    "rgb": (2, 3, 32, 32, 0.05),
    # Rectangular, heavy noise.
    "wide": (2, 1, 16, 24, 0.8),
}
for name, (n, c, h, w, noise) in cases.items():
    yy, xx = np.mgrid[0:h, 0:w]
    target = np.stack([np.stack([np.sin(xx / (3 + i + k)) * np.cos(yy / (4 + k)) for k in range(c)]) for i in range(n)])
    target = np.clip(target, -1, 1).astype(np.float32)
    output = np.clip(target + rng.normal(0, noise, size=target.shape), -1, 1).astype(np.float32)
    ssim = np.mean([structural_similarity(target[i, k].astype(np.float64), output[i, k].astype(np.float64), data_range=2,
                                          gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
                    for i in range(n) for k in range(c)])
    psnr = np.mean([peak_signal_noise_ratio(target[i].astype(np.float64), output[i].astype(np.float64), data_range=2)
                    for i in range(n)])
    out[f"{name}.target"], out[f"{name}.output"] = target, output
    out[f"{name}.ssim"] = np.array([ssim], dtype=np.float64)
    out[f"{name}.psnr"] = np.array([psnr], dtype=np.float64)
    print(name, "ssim", ssim, "psnr", psnr)
save_file(out, os.path.join(os.path.dirname(__file__), "..", "Tests", "SwiftGANMetricsTests", "Fixtures", "similarity.safetensors"))
