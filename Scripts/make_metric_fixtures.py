#!/usr/bin/env python3
"""Reference values for SwiftGAN's metric tests, computed in float64 with NumPy/SciPy.

Writes Tests/SwiftGANMetricsTests/Fixtures/:
  features_a.npy, features_b.npy   fixed float32 feature sets [N, D] (different means and covariances)
  features_narrow.npy              fewer rows than dimensions: a singular covariance
  probabilities.npy                fixed class probabilities [N, 10]
  expected.json                    FID (scipy.linalg.sqrtm, as pytorch-fid computes it), the full-set
                                   unbiased MMD^2 of KID's cubic kernel, the Inception-style score over
                                   10 splits, and precision/recall/density/coverage (k = 3 and 5)

Run from the repository root: python3 Scripts/make_metric_fixtures.py (needs numpy and scipy).
"""
import json
import os

import numpy as np
from scipy import linalg

FIXTURES = os.path.join("Tests", "SwiftGANMetricsTests", "Fixtures")
os.makedirs(FIXTURES, exist_ok=True)
rng = np.random.default_rng(20261122)


def fid(x, y):
    """The Frechet distance as pytorch-fid computes it (sqrtm of the product, real part)."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = linalg.sqrtm(s1.dot(s2))
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((s1 + offset).dot(s2 + offset))
    covmean = covmean.real
    diff = mu1 - mu2
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fid_by_eigenvalues(x, y):
    """The same distance through symmetric eigendecompositions (a cross-check for singular cases)."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    w, v = np.linalg.eigh(s1)
    root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    inner = np.linalg.eigvalsh(root @ s2 @ root)
    diff = x.mean(0) - y.mean(0)
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(inner, 0, None)).sum())


def mmd_unbiased(x, y):
    x, y = x.astype(np.float64), y.astype(np.float64)
    d = x.shape[1]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    m = x.shape[0]
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2 * kxy.mean())


def classifier_score(p, splits=10):
    p = p.astype(np.float64)
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = np.where(part > 0, part * (np.log(part) - np.log(marginal)), 0).sum(1).mean()
        scores.append(np.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))


def manifold(real, fake, k_pr=3, k_dc=5):
    real, fake = real.astype(np.float64), fake.astype(np.float64)

    def distances(a, b):
        return np.sqrt(np.maximum(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), 0))

    rr, ff, rf = distances(real, real), distances(fake, fake), distances(real, fake)
    radius_r = np.sort(rr, axis=1)[:, k_pr]
    radius_r_dc = np.sort(rr, axis=1)[:, k_dc]
    radius_f = np.sort(ff, axis=1)[:, k_pr]
    precision = (rf <= radius_r[:, None]).any(0).mean()
    recall = (rf <= radius_f[None, :]).any(1).mean()
    density = (rf <= radius_r_dc[:, None]).sum(0).mean() / k_dc
    coverage = (rf.min(1) <= radius_r_dc).mean()
    return dict(precision=float(precision), recall=float(recall), density=float(density), coverage=float(coverage))


dimension = 16
mixing = rng.normal(size=(dimension, dimension)) / 4
a = (rng.normal(size=(400, dimension)) @ mixing + 0.5).astype(np.float32)
b = (rng.normal(size=(300, dimension)) @ (mixing * 1.3) + rng.normal(size=dimension) * 0.2 + 0.4).astype(np.float32)
narrow = (rng.normal(size=(12, 24)) * 0.7).astype(np.float32)
narrow_other = (rng.normal(size=(15, 24)) * 0.5 + 0.1).astype(np.float32)
logits = rng.normal(size=(200, 10)) * 2.5
probabilities = (np.exp(logits) / np.exp(logits).sum(1, keepdims=True)).astype(np.float32)

for name, value in [("features_a", a), ("features_b", b), ("features_narrow", narrow),
                    ("features_narrow_other", narrow_other), ("probabilities", probabilities)]:
    np.save(os.path.join(FIXTURES, name + ".npy"), value)

fid_narrow = fid_by_eigenvalues(narrow, narrow_other)
fid_narrow_sqrtm = fid(narrow, narrow_other)
assert abs(fid_narrow - fid_narrow_sqrtm) < 1e-3 * abs(fid_narrow), (fid_narrow, fid_narrow_sqrtm)
score_mean, score_std = classifier_score(probabilities)
expected = {
    "fid_ab": fid(a, b),
    "fid_ab_eigen": fid_by_eigenvalues(a, b),
    "fid_narrow": fid_narrow,
    "mmd_ab_first300": mmd_unbiased(a[:300], b),
    "classifier_score_mean": score_mean,
    "classifier_score_std": score_std,
    "manifold_ab": manifold(a, b),
}
with open(os.path.join(FIXTURES, "expected.json"), "w") as f:
    json.dump(expected, f, indent=2, sort_keys=True)
    f.write("\n")
print(json.dumps(expected, indent=2, sort_keys=True))
