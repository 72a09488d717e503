#!/usr/bin/env python3
"""Rewrites the README's results table from docs/results/*.json (written by
Scripts/make_results.sh). Standard library only."""
import glob
import json
import os

ORDER = ["dcgan-quick", "mlp", "dcgan", "dcgan-600", "dcgan-600-diffaugment", "cgan", "cdcgan", "cdcgan-projection", "acgan",
         "lsgan", "wgan", "wgan-gp", "hinge-sn", "2d-ring8", "2d-grid25"]
START, END = "<!-- results:start -->", "<!-- results:end -->"


def minutes(seconds):
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def number(value, pattern):
    """A table cell: the value formatted, or a dash where the evaluation had none."""
    return "–" if value is None else pattern.format(value)


def load(name):
    path = os.path.join("docs", "results", name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None


image_rows, mixture_rows, conditional_rows = [], [], []
floor = load("floor")
if floor:
    m = floor["images"]
    if m.get("conditional"):
        c = m["conditional"]
        conditional_rows.append(f"| real train images (the floor) | `gan eval --real` | – | {number(c['intraClassFID'], '{:.3f}')} | "
                                f"{100 * c['labelAccuracy']:.1f}% | {100 * min(a for a in c['perClassAccuracy'] if a is not None):.1f}% | – | |")
    image_rows.append(f"| real train images (the floor) | `gan eval --real` | – | {m['fid']:.3f} | {m['kid']['mean']:.4f} | "
                      f"{m['classifierScore']['mean']:.2f} | {m['manifold']['precision']:.3f} | {m['manifold']['recall']:.3f} | "
                      f"{m['manifold']['density']:.3f} | {m['manifold']['coverage']:.3f} | {m['classHistogram']['classesCovered']} | |")
for name in ORDER:
    result = load(name)
    if not result:
        continue
    evaluation = result["eval"]
    picture = f"![](docs/images/results-{name}.png)"
    if evaluation.get("images"):
        m = evaluation["images"]
        cas = m.get("classificationAccuracyScore")
        note = f" (CAS {100 * cas:.1f}%)" if cas is not None else ""
        image_rows.append(f"| `{name}`{note} | `{result['command']}` | {minutes(result['train_seconds'])} | {m['fid']:.3f} | "
                          f"{m['kid']['mean']:.4f} | {m['classifierScore']['mean']:.2f} | {m['manifold']['precision']:.3f} | "
                          f"{m['manifold']['recall']:.3f} | {m['manifold']['density']:.3f} | {m['manifold']['coverage']:.3f} | "
                          f"{m['classHistogram']['classesCovered']} | {picture} |")
        if m.get("conditional"):
            c = m["conditional"]
            worst = min(a for a in c["perClassAccuracy"] if a is not None)
            cas_cell = f"{100 * cas:.1f}%" if cas is not None else "–"
            conditional_rows.append(f"| `{name}` | `{result['command']}` | {minutes(result['train_seconds'])} | {number(c['intraClassFID'], '{:.3f}')} | "
                                    f"{100 * c['labelAccuracy']:.1f}% | {100 * worst:.1f}% | {cas_cell} | {picture} |")
    else:
        m = evaluation["mixture"]
        kl = "–" if m.get("reverseKL") is None else f"{m['reverseKL']:.2f}"
        mixture_rows.append(f"| `{name}` | `{result['command']}` | {minutes(result['train_seconds'])} | "
                            f"{m['modesCaptured']} of {m['modeCount']} | {100 * m['highQualityFraction']:.1f}% | {kl} | {picture} |")

lines = [START, ""]
if image_rows:
    lines += ["| preset | command | training time | FID ↓ | KID ↓ | classifier score ↑ | precision | recall | density | coverage "
              "| classes ≥ 1% | samples |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"] + image_rows + [""]
if conditional_rows:
    lines += ["| conditional run | command | training time | intra-class FID ↓ | label accuracy ↑ | worst class's accuracy ↑ "
              "| CAS ↑ | samples (a row per class) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"] + conditional_rows + [""]
if mixture_rows:
    lines += ["| 2-D run | command | training time | modes captured | high quality | reverse KL | samples |",
              "| --- | --- | --- | --- | --- | --- | --- |"] + mixture_rows
    lines += ["| GAN, PacGAN Table 1 (ring / grid) | | | 6.3 / 17.3 | 98.2% / 94.8% | 0.45 / 0.70 | |",
              "| PacGAN4, PacGAN Table 1 (ring / grid) | | | 7.8 / 24.8 | 95.9% / 93.6% | 0.07 / 0.04 | |", ""]
lines.append(END)

readme = open("README.md").read()
if START not in readme or END not in readme:
    raise SystemExit("README.md has no results markers")
before, rest = readme.split(START, 1)
after = rest.split(END, 1)[1]
open("README.md", "w").write(before + "\n".join(lines) + after)
print("\n".join(lines))
