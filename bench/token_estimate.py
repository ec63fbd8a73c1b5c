#!/usr/bin/env python3
"""How close is codex's token estimate to a real tokenizer?

Compares `codex-bench estimate` (docs/agent.md, "Counting tokens") with llama-server's
`/tokenize` for every Swift source of this repository and for English prose (the docs of this
repository and the GPL text Debian ships), per file and in total.

Usage: bench/token_estimate.py --codex-bench .build/release/codex-bench --llama http://127.0.0.1:8092
"""
import argparse
import glob
import json
import os
import subprocess
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def real_tokens(llama, text):
    request = urllib.request.Request(
        llama + "/tokenize", data=json.dumps({"content": text, "add_special": False}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return len(json.load(response)["tokens"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--codex-bench", required=True)
    parser.add_argument("--llama", required=True)
    args = parser.parse_args()
    sets = {
        "Swift sources": sorted(glob.glob(os.path.join(ROOT, "Sources/**/*.swift"), recursive=True)),
        "English prose": sorted(glob.glob(os.path.join(ROOT, "docs/*.md")))
        + [p for p in ["/usr/share/common-licenses/GPL-3"] if os.path.exists(p)],
    }
    print("| text | files | real tokens | estimate | error (total) | files within 15% |")
    print("|---|---|---|---|---|---|")
    for name, files in sets.items():
        output = subprocess.run([args.codex_bench, "estimate", *files], capture_output=True,
                                text=True, check=True).stdout
        estimates = dict(line.rsplit("\t", 1) for line in output.splitlines())
        real_total = estimate_total = within = 0
        for path in files:
            with open(path, encoding="utf-8", errors="replace") as f:
                real = real_tokens(args.llama, f.read())
            estimate = int(estimates[path])
            real_total += real
            estimate_total += estimate
            if real and abs(estimate - real) / real <= 0.15:
                within += 1
        error = 100 * (estimate_total - real_total) / real_total
        print(f"| {name} | {len(files)} | {real_total} | {estimate_total} | {error:+.1f}% | "
              f"{within} of {len(files)} |")


if __name__ == "__main__":
    main()
