#!/usr/bin/env python3
"""sgaudit at organisation scale (issue 15): a scan of a simulated AWS organisation, measured (not a test).

    python3 bench/org.py                                   # 1,000 accounts x 17 regions, median latency 80 ms
    python3 bench/org.py --accounts 100 --tls              # 100 accounts over HTTPS
    python3 bench/org.py --accounts 50 --regions 3 --latency-median-ms 20    # a quick one

It starts the simulator (crates/simulator: every call of `sgaudit scan --org --all-regions` answered in its
protocol's wire format, with a log-normal latency, EC2's documented token buckets and every other service's per
account-region, expiring sessions, counters), runs `sgaudit scan --org --all-regions` against it as a user would
(the default store, a SQLite file of its own: every account-region written to the scan queue as it completes),
and prints wall time, sgaudit's CPU, peak RSS, requests per API against the minimum, throttles met and retried,
groups `unknown`, sources failed, requests in flight (max and mean) and the share of the wall time spent waiting.

The simulator is built in release (it has no AWS SDK below it: about three minutes the first time). sgaudit is the
binary given with --binary, else the one built in --profile (`bench-org`: optimised, without the release profile's
whole-program LTO; the AWS SDK takes about 55 minutes to build in it on 2 cores), else the workspace's dev build
(unoptimised: about 2 ms of CPU per request, so CPU-bound on 2 cores past ~100 accounts).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(args):
    if not args.simulator:
        subprocess.run(["cargo", "build", "-q", "--release", "-p", "sgaudit-simulator"], cwd=ROOT, check=True)
        args.simulator = os.path.join(ROOT, "target", "release", "sgaudit-simulator")
    if not args.binary and args.profile:
        subprocess.run(["cargo", "build", "-q", "--profile", args.profile, "-p", "sgaudit"], cwd=ROOT, check=True)
        args.binary = os.path.join(ROOT, "target", args.profile, "sgaudit")
    if not args.binary:
        subprocess.run(["cargo", "build", "-q", "--workspace"], cwd=ROOT, check=True)
        args.binary = os.path.join(ROOT, "target", "debug", "sgaudit")


def start_simulator(args):
    cmd = [args.simulator, "--accounts", str(args.accounts), "--regions", str(args.regions),
           "--latency-median-ms", str(args.latency_median_ms), "--latency-p99-ms", str(args.latency_p99_ms),
           "--groups", str(args.groups), "--interfaces", str(args.interfaces), "--exit-on-stdin-eof",
           "--max-seconds", str(args.max_seconds)]
    if args.tls:
        cmd.append("--tls")
    if args.no_throttle:
        cmd.append("--no-throttle")
    sim = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first = sim.stdout.readline().strip()
    if not first.startswith("listening on "):
        sys.exit(f"the simulator did not start: {first!r}")
    return sim, first.removeprefix("listening on ")


def stats(url):
    ctx = None
    if url.startswith("https"):
        import ssl
        ctx = ssl.create_default_context(cafile=os.path.join(ROOT, "crates", "simulator", "certs", "ca.pem"))
    with urllib.request.urlopen(f"{url}/__sim/stats", context=ctx, timeout=30) as r:
        return json.load(r)


def cpu_seconds_of(pid):
    """User + system CPU of a running process, from /proc (the simulator's: it shares the machine's cores)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_scan(args, url, out_dir, sim):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "AKIDSIMULATOR", "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": url, "XDG_CONFIG_HOME": out_dir,
    })
    if args.tls:
        env["AWS_CA_BUNDLE"] = os.path.join(ROOT, "crates", "simulator", "certs", "ca.pem")
    report = os.path.join(out_dir, "report.json")
    cmd = [args.binary, "scan", "--org", "--all-regions", "--format", "json", "-o", report, "--quiet"]
    cmd += ["--no-store"] if args.no_store else ["--store", os.path.join(out_dir, "history.sqlite3")]
    if args.concurrency:
        cmd += ["--concurrency", str(args.concurrency)]
    if args.per_region:
        cmd += ["--per-region-concurrency", str(args.per_region)]
    started = time.monotonic()
    sim_cpu_before = cpu_seconds_of(sim.pid)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Sampled once a second: sgaudit's resident memory and the simulator's request count, so that the peak
    # while collecting (requests still growing) is told apart from the peak of the end (judging, reports).
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.wait(1.0):
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
                samples.append((time.monotonic() - started, rss, stats(url)["requests"]))
            except (OSError, StopIteration, ValueError, urllib.error.URLError):
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    phases = {"simulator_cpu_seconds": round(cpu_seconds_of(sim.pid) - sim_cpu_before, 1)}
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    rss = usage.ru_maxrss / 1024
    if samples:
        last_request = max(r for _, _, r in samples)
        collecting = [s for s in samples if s[2] < last_request] or samples
        end_of_collection = collecting[-1][0]
        phases |= {"collection_seconds": round(end_of_collection, 1),
                   "collection_peak_rss_mib": round(max(m for _, m, _ in collecting)),
                   "end_peak_rss_mib": round(max((m for t, m, _ in samples if t >= end_of_collection), default=0))}
    if proc.returncode not in (0, 1, 3):
        sys.exit(f"sgaudit failed ({proc.returncode}):\n{stderr[-3000:]}")
    with open(report) as f:
        doc = json.load(f)
    return wall, cpu, rss, doc, proc.returncode, phases


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accounts", type=int, default=1000)
    p.add_argument("--regions", type=int, default=17)
    p.add_argument("--groups", type=int, default=20, help="security groups per account-region")
    p.add_argument("--interfaces", type=int, default=40, help="network interfaces per account-region")
    p.add_argument("--latency-median-ms", type=float, default=80)
    p.add_argument("--latency-p99-ms", type=float, default=600)
    p.add_argument("--tls", action="store_true", help="HTTPS, trusting the simulator's test CA (AWS_CA_BUNDLE)")
    p.add_argument("--no-throttle", action="store_true")
    p.add_argument("--no-store", action="store_true", help="scan with --no-store (no scan queue)")
    p.add_argument("--concurrency", type=int, help="sgaudit's --concurrency (default: sgaudit's)")
    p.add_argument("--per-region", type=int, help="sgaudit's --per-region-concurrency (default: sgaudit's)")
    p.add_argument("--binary", help="the sgaudit to measure (default: the workspace's dev build)")
    p.add_argument("--profile", help="build sgaudit in this cargo profile and measure it (bench-org: optimised "
                                     "without the release profile's LTO)")
    p.add_argument("--simulator", help="a built sgaudit-simulator (default: build it in release)")
    p.add_argument("--max-seconds", type=int, default=7200)
    p.add_argument("--json", help="also write the figures to this file")
    args = p.parse_args()
    build(args)
    sim, url = start_simulator(args)
    try:
        with tempfile.TemporaryDirectory() as out_dir:
            wall, cpu, rss, doc, code, phases = run_scan(args, url, out_dir, sim)
        s = stats(url)
    finally:
        sim.stdin.close()
        sim.wait(timeout=30)

    summary = doc["summary"]
    failed = {}
    for c in doc["coverage"] + doc.get("account_coverage", []):
        if c["state"] not in ("complete", "not_applicable"):
            code_ = (c.get("error") or {}).get("code", c["state"])
            failed[code_] = failed.get(code_, 0) + 1
    per_api = s["per_api"]
    excess = sorted(((v["requests"] - v["distinct"] - v.get("throttled", 0), k) for k, v in per_api.items()),
                    reverse=True)
    minimum = s["distinct"]
    figures = {
        "accounts": args.accounts, "regions": args.regions, "tls": args.tls, "store": not args.no_store,
        "latency_median_ms": args.latency_median_ms, "latency_p99_ms": args.latency_p99_ms,
        "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "peak_rss_mib": round(rss),
        "requests": s["requests"], "minimum": minimum, "ratio": round(s["requests"] / max(minimum, 1), 4),
        "throttled": s["throttled"], "expired": s["expired"],
        "cpu_ms_per_request": round(cpu * 1000 / max(s["requests"], 1), 3),
        "max_in_flight": s["max_in_flight"], "mean_in_flight": round(s["mean_in_flight"], 1),
        "connections": s["connections"], "waiting_share": round(max(0.0, 1 - cpu / wall), 3),
        "groups": summary["groups"], "unknown": summary["by_status"].get("unknown", 0),
        "sources": summary["estate"]["sources"], "sources_read": summary["estate"]["sources_read"],
        "failed_sources": failed, "exit_code": code, **phases,
    }
    print(f"sgaudit scan --org --all-regions: {args.accounts} accounts x {args.regions} regions, "
          f"latency median {args.latency_median_ms:g} ms / p99 {args.latency_p99_ms:g} ms"
          f"{', TLS' if args.tls else ''}{', --no-store' if args.no_store else ', SQLite store'}")
    print(f"  wall time          {wall:.1f} s")
    print(f"  sgaudit CPU        {cpu:.1f} s ({figures['cpu_ms_per_request']} ms per request)")
    print(f"  simulator CPU      {phases['simulator_cpu_seconds']:.1f} s (on the same cores: what AWS would spend)")
    print(f"  peak RSS           {rss:.0f} MiB" + (f" (collecting: {phases['collection_peak_rss_mib']} MiB over the "
          f"first {phases['collection_seconds']:.0f} s; judging and writing: {phases['end_peak_rss_mib']} MiB)"
          if "collection_seconds" in phases else ""))
    print(f"  requests           {s['requests']} (minimum {minimum}: x{figures['ratio']}), "
          f"{s['connections']} connections")
    print(f"  throttled          {s['throttled']} met, all retried" if not failed.get("throttled")
          else f"  throttled          {s['throttled']} met, {failed['throttled']} sources throttled out")
    print(f"  in flight          max {s['max_in_flight']}, mean {s['mean_in_flight']:.1f}")
    print(f"  waiting            {figures['waiting_share']:.0%} of the wall time (1 - CPU / wall)")
    print(f"  groups             {summary['groups']} ({figures['unknown']} unknown); sources read "
          f"{summary['estate']['sources_read']}/{summary['estate']['sources']}; failed: {failed or 'none'}")
    print("  most requests over the minimum: " + ", ".join(f"{k} +{n}" for n, k in excess[:4] if n > 0))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
