#!/usr/bin/env python3
"""SwiftGAN against PyTorch on the same models, the same CPU and the same iteration.

For each case (mlp, dcgan, wgan-gp; pix2pix, sr, cyclegan-b1 and cyclegan-b4 with --cases) and thread count, runs
`gan bench --suite training --json` and Scripts/bench_pytorch.py (bench_pytorch_translation.py
for the translation cases), each in a fresh process (so each reports its own peak memory),
alternating which goes first, and prints one table with the ratio SwiftGAN / PyTorch. The
reference is the loop PyTorch users write (`--loop ordinary`: zero_grad, backward, step, one
fake batch for both updates, no gradient norms; the translation twins are written that way);
the GAN cases also run PyTorch on the same work as SwiftGAN's trainer step (`--loop same-work`:
a fresh z for G's update, every gradient norm taken), the table's second ratio. SwiftGAN's side
is always the full trainer step. Then times `gan sample --count 64` end to end from a run directory.

Usage (from the repository root, after `swift build -c release`):
  python3 Scripts/bench_compare.py --python /path/to/venv/bin/python [--threads 1,2]
          [--cases mlp,dcgan,wgan-gp,pix2pix,sr,cyclegan-b1,cyclegan-b4] [--repeats 7] [--iterations 20] [--json results.json]
The PyTorch interpreter needs torch (pip install 'torch==2.13.0+cpu' numpy safetensors in a
virtualenv outside the repository). This script itself needs only the standard library.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_json(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        sys.exit(f"no JSON from: {' '.join(command)}\n{result.stdout}")
    return json.loads(lines[-1])


def sample_latency(gan, runs=5):
    """Median seconds of `gan sample --count 64` from a (one-step) dcgan run directory."""
    with tempfile.TemporaryDirectory() as work:
        run_dir = os.path.join(work, "run")
        subprocess.run([gan, "train", "--preset", "dcgan", "--steps", "1", "--run-dir", run_dir],
                       check=True, capture_output=True)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([gan, "sample", "--run", run_dir, "--count", "64", "--out", os.path.join(work, "x.npy")],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=sys.executable, help="interpreter with torch installed")
    parser.add_argument("--gan", default=".build/release/gan")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--cases", default="mlp,dcgan,wgan-gp")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--json", help="also write every measurement to this file")
    parser.add_argument("--no-sample-latency", action="store_true", help="skip the gan sample timing")
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))

    rows = []
    for case in args.cases.split(","):
        for threads in [int(t) for t in args.threads.split(",")]:
            swift_command = [args.gan, "bench", "--suite", "training", "--json", "--cases", case, "--threads", str(threads),
                             "--repeats", str(args.repeats), "--iterations", str(args.iterations // 2)]
            twin = "bench_pytorch_translation.py" if case in ("pix2pix", "sr", "cyclegan-b1", "cyclegan-b4") else "bench_pytorch.py"
            torch_command = [args.python, os.path.join(here, twin), "--case", case, "--threads", str(threads),
                             "--repeats", str(args.repeats), "--iterations", str(args.iterations)]
            commands = {"swiftgan": swift_command, "pytorch": torch_command + (["--loop", "ordinary"] if twin == "bench_pytorch.py" else [])}
            if twin == "bench_pytorch.py":
                commands["same-work"] = torch_command + ["--loop", "same-work"]
            order = list(commands) if len(rows) % 2 == 0 else list(reversed(list(commands)))
            results = {name: run_json(commands[name]) for name in order}
            rows.append((case, threads, results["swiftgan"], results["pytorch"], results.get("same-work")))
            print(f"measured {case} at {threads} thread(s)", file=sys.stderr)

    header = ("| case | threads | SwiftGAN it/s | PyTorch it/s (ordinary loop) | SwiftGAN / PyTorch | against PyTorch doing the same work "
              "| SwiftGAN GEMM % of cblas_sgemm peak (of engine GEMM peak) "
              "| peak RSS MB (SwiftGAN / PyTorch) | G inference samples/s (SwiftGAN / PyTorch) |")
    print(header)
    print("| --- " * 9 + "|")
    for case, threads, swift, torch, same in rows:
        ratio = swift["iterations_per_second"] / torch["iterations_per_second"]
        same_ratio = f"{swift['iterations_per_second'] / same['iterations_per_second']:.2f}x" if same else "(the twin is the ordinary loop)"
        inference = swift["inference_samples_per_second"] / torch["inference_samples_per_second"]
        print(f"| {case} | {threads} | {swift['iterations_per_second']:.2f} | {torch['iterations_per_second']:.2f} | "
              f"**{ratio:.2f}x** | {same_ratio} | {100 * swift['roofline_fraction']:.0f}% of {swift['peak_sgemm_gflops']:.0f} GFLOP/s "
              f"({100 * swift['roofline_fraction'] * swift['peak_sgemm_gflops'] / swift['peak_engine_gemm_gflops']:.0f}% "
              f"of {swift['peak_engine_gemm_gflops']:.0f}) | "
              f"{swift['peak_resident_mb']:.0f} / {torch['peak_resident_mb']:.0f} | "
              f"{swift['inference_samples_per_second']:.0f} / {torch['inference_samples_per_second']:.0f} ({inference:.2f}x) |")
    latency = None if args.no_sample_latency else sample_latency(args.gan)
    if latency is not None:
        print(f"\n`gan sample --count 64` from a dcgan run directory, end to end: {latency:.3f} s (median of 5)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": [{"case": c, "threads": t, "swiftgan": s, "pytorch": p, "pytorch_same_work": w} for c, t, s, p, w in rows],
                       "sample_seconds": latency}, f, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
