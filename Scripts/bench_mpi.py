#!/usr/bin/env python3
"""Data-parallel speed on this machine, and a scaling model for clusters.

Runs the release `gan train` for each case twice, one after the other, for
`--repeats` rounds: one process with `--threads 2` and the global batch,
and `mpirun -np 2` ranks with `--threads 1` and half the batch each (the
same global batch, the same work). Prints the throughput ratio (median
over rounds), and the all-reduce bytes and seconds per step that rank 0
reports. Then, from the measured one-rank step time and bytes, models N
machines on 10, 25 and 100 Gb/s networks: a ring all-reduce sends
2 (N - 1) / N of the gradient bytes over each link, not overlapped with
compute (SwiftGAN reduces after each update's backward pass), plus a
latency per call.

    python3 Scripts/bench_mpi.py --gan .build/release/gan --json docs/results/mpi-scaling.json
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import tempfile

CASES = {
    # name: (gan train arguments, global batch, steps)
    "mlp": (["--preset", "mlp"], 64, 300),
    "dcgan": (["--preset", "dcgan-quick"], 64, 60),
    "wgan-gp": (["--preset", "wgan-gp", "--width", "16"], 64, 12),
    "pix2pix": (["--task", "pix2pix", "--data", "edges2fashion", "--limit", "2048"], 16, 40),
    "sr": (["--task", "sr", "--data", "sr4", "--limit", "2048"], 16, 40),
    "cyclegan": (["--task", "cyclegan", "--data", "fashion2edges", "--limit", "2048"], 4, 20),
}
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"]


def train(command, directory):
    result = subprocess.run(command, cwd=directory, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    rates = re.findall(r"([0-9.]+) it/s", result.stdout)
    reduced = re.search(r"allreduce: ([0-9.]+) MB in ([0-9]+) calls, ([0-9.]+) s", result.stdout)
    return float(rates[-1]), reduced


def cpu_model():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gan", default=".build/release/gan")
    parser.add_argument("--cases", default="mlp,dcgan,wgan-gp,pix2pix,sr,cyclegan")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="write the measurements and the model here")
    args = parser.parse_args()
    gan = os.path.abspath(args.gan)
    rows = []
    for name in args.cases.split(","):
        flags, batch, steps = CASES[name]
        common = ["train", *flags, "--steps", str(steps), "--sample-every", "100000", "--checkpoint-every", "100000",
                  "--log-every", "100000"]
        single, double, per_step = [], [], []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as directory:
                rate, _ = train([gan, *common, "--threads", "2", "--batch-size", str(batch), "--run-dir", "one"], directory)
                single.append(rate)
                rate, reduced = train(MPIRUN + ["-np", "2", gan, *common, "--threads", "1", "--batch-size", str(batch // 2),
                                                "--run-dir", "two"], directory)
                double.append(rate)
                megabytes, calls, seconds = float(reduced.group(1)), int(reduced.group(2)), float(reduced.group(3))
                per_step.append((megabytes / steps, calls / steps, seconds / steps))
        ratios = [b / a for a, b in zip(single, double)]
        row = {
            "case": name, "global_batch": batch, "steps": steps,
            "one_process_2_threads_it_s": statistics.median(single),
            "two_ranks_1_thread_it_s": statistics.median(double),
            "ratio_median": statistics.median(ratios), "ratios": ratios,
            "allreduce_mb_per_step": statistics.median(p[0] for p in per_step),
            "allreduce_calls_per_step": statistics.median(p[1] for p in per_step),
            "allreduce_ms_per_step": 1000 * statistics.median(p[2] for p in per_step),
        }
        rows.append(row)
        print(f"{name:8s} 1x2 threads {row['one_process_2_threads_it_s']:8.2f} it/s   2 ranks x 1 thread "
              f"{row['two_ranks_1_thread_it_s']:8.2f} it/s   ratio {row['ratio_median']:.2f} ({', '.join(f'{r:.2f}' for r in ratios)})   "
              f"allreduce {row['allreduce_mb_per_step']:.2f} MB, {row['allreduce_calls_per_step']:.0f} calls, "
              f"{row['allreduce_ms_per_step']:.2f} ms per step")

    # The model: N machines, each a rank at the local batch measured here (global batch N x local).
    print("\nScaling model (ring all-reduce, not overlapped; latency 20 us per call per ring hop):")
    model = []
    for row in rows:
        # One rank's compute per step at half the global batch on one thread: the measured two-rank step less its reductions.
        compute = 1 / row["two_ranks_1_thread_it_s"] - row["allreduce_ms_per_step"] / 1000
        for gbits in (10, 25, 100):
            line = []
            for machines in (2, 4, 8, 16, 32, 64, 128):
                wire = 2 * (machines - 1) / machines * row["allreduce_mb_per_step"] * 8e6 / (gbits * 1e9)
                latency = row["allreduce_calls_per_step"] * 2 * (machines - 1) * 20e-6
                communication = wire + latency
                efficiency = compute / (compute + communication)
                line.append({"machines": machines, "efficiency": efficiency, "speedup": machines * efficiency})
            # Where it stops scaling: the first N whose efficiency falls below 50 % (communication >= compute).
            stops = next((entry["machines"] for entry in line if entry["efficiency"] < 0.5), None)
            model.append({"case": row["case"], "gbit_s": gbits, "compute_ms": 1000 * compute, "points": line, "below_half_at": stops})
            cells = "  ".join(f"N={e['machines']}: {e['speedup']:.1f}x" for e in line)
            print(f"{row['case']:8s} {gbits:3d} Gb/s  compute {1000 * compute:7.2f} ms  {cells}  "
                  f"(efficiency under 50% from N={stops if stops else '>128'})")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"cpu": cpu_model(), "cores": os.cpu_count(), "measured": rows, "model": model}, handle, indent=1)
            handle.write("\n")


if __name__ == "__main__":
    main()
