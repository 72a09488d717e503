#!/usr/bin/env python3
"""The dashboard's cost and capacity on this machine.

1. Training speed with the dashboard open against without: the release
   `gan train` (the main job's model, 2 threads) runs `--rounds` times
   each way, alternating: plain, then with `--serve` and the page open in
   headless chromium for the whole run. The speed is the median of the
   samples/s the run logs after its first 100 steps (start-up excluded);
   the ratio is the median over rounds.
2. Load: while a served run trains, `wrk` (10 connections, 30 s, two
   threads) requests the run's summary, what the page asks for; prints
   requests/s and the p99 latency.

    python3 Scripts/bench_serve.py --gan .build/release/gan --json docs/results/serve-load.json
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time


def cpu_model():
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def logged_speed(run):
    speeds = []
    with open(os.path.join(run, "metrics.jsonl")) as log:
        for line in log:
            record = json.loads(line)
            if record["step"] > 100 and "speed/samples_per_second" in record:
                speeds.append(record["speed/samples_per_second"])
    return statistics.median(speeds)


def train_args(gan, run, steps, extra=()):
    return [gan, "train", "--steps", str(steps), "--threads", "2", "--log-every", "10", "--run-dir", run, *extra]


def wait_for(process, pattern, timeout=120):
    deadline = time.time() + timeout
    text = ""
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        text += line
        match = re.search(pattern, line)
        if match:
            return match
    raise RuntimeError(f"no {pattern!r} in:\n{text}")


def plain(gan, work, steps, index):
    run = os.path.join(work, f"plain-{index}")
    subprocess.run(train_args(gan, run, steps), check=True, capture_output=True)
    return logged_speed(run)


def with_page(gan, chromium, work, steps, index):
    run = os.path.join(work, f"served-{index}")
    process = subprocess.Popen(train_args(gan, run, steps, ["--serve", "--port", "0"]), stdout=subprocess.PIPE, text=True)
    url = wait_for(process, r"dashboard: (http://\S+)").group(1)
    browser = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
         f"--user-data-dir={work}/chromium-{index}", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    process.stdout.read()
    process.wait()
    browser.kill()
    browser.wait()
    if process.returncode != 0:
        raise RuntimeError("gan train --serve failed")
    return logged_speed(run)


def load(gan, work, steps, seconds, connections):
    run = os.path.join(work, "load")
    process = subprocess.Popen(train_args(gan, run, steps, ["--serve", "--port", "0"]), stdout=subprocess.PIPE, text=True)
    match = wait_for(process, r"dashboard: (http://\S+?)/")
    url = f"{match.group(1)}/api/runs/load"
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url], capture_output=True, text=True, check=True)
    process.send_signal(signal.SIGINT)
    process.stdout.read()
    process.wait()
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", result.stdout).group(1))
    p99 = re.search(r"99%\s+([0-9.]+)(us|ms|s)", result.stdout)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    return {"requests_per_second": rate, "p99_ms": float(p99.group(1)) * scale,
            "non_2xx": int(errors.group(1)) if errors else 0, "wrk": result.stdout}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gan", default=".build/release/gan")
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--json")
    args = parser.parse_args()
    gan = os.path.abspath(args.gan)
    with tempfile.TemporaryDirectory() as work:
        rounds = []
        for index in range(args.rounds):
            base = plain(gan, work, args.steps, index)
            page = with_page(gan, args.chromium, work, args.steps, index)
            rounds.append({"plain_samples_per_second": base, "page_open_samples_per_second": page, "ratio": page / base})
            print(f"round {index + 1}: plain {base:.0f} samples/s, page open {page:.0f} samples/s, ratio {page / base:.3f}")
        ratio = statistics.median(r["ratio"] for r in rounds)
        loaded = load(gan, work, 100000, args.seconds, args.connections)
    print(f"training with the page open: {ratio:.3f} x the speed without (median of {args.rounds} rounds)")
    print(f"wrk, {args.connections} connections, {args.seconds} s, while training: "
          f"{loaded['requests_per_second']:.0f} requests/s, p99 {loaded['p99_ms']:.1f} ms, non-2xx {loaded['non_2xx']}")
    result = {"cpu": cpu_model(), "cores": os.cpu_count(), "model": "dcgan-quick (gan train's default)", "threads": 2,
              "steps": args.steps, "rounds": rounds, "median_ratio": ratio, "load": loaded}
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
            out.write("\n")


if __name__ == "__main__":
    main()
