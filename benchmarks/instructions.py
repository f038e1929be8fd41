"""Instructions per offer through a benchmark, counted by valgrind: a cost that a busy host does
not move (on this project's machine, wall-clock rates vary by a third from one run to the next,
so two commits are better compared this way).

    python -m benchmarks.instructions normalise_rate|ingest_rate

Runs `python -m benchmarks.<name>` on a small and a large number of synthetic offers under
`valgrind --tool=cachegrind --cache-sim=no` and prints (instructions of the large run − those of
the small one) / (large − small): start-up, imports and loading the vocabularies cancel out.
`ingest_rate` runs with `--jobs 1`, so that every stage is counted in the one process. Needs
valgrind (`apt install valgrind`); each count takes a few minutes.
"""

from __future__ import annotations

import re
import subprocess
import sys

# name → (arguments before the size, small size, large size)
RUNS = {
    "normalise_rate": (["--synthetic"], 150, 450),
    "ingest_rate": (["--jobs", "1", "--count"], 500, 1500),
}


def instructions(name: str, size: int) -> int:
    before, _, _ = RUNS[name]
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, "-m", f"benchmarks.{name}", *before, str(size)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in RUNS:
        print(f"usage: python -m benchmarks.instructions {'|'.join(RUNS)}", file=sys.stderr)
        return 2
    name = argv[0]
    _, small, large = RUNS[name]
    per_offer = (instructions(name, large) - instructions(name, small)) / (large - small)
    print(f"{name}: {per_offer / 1e6:.1f} million instructions an offer")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
