"""Batch benchmark: leaflets per second, peak memory and file sizes.

    python3 benchmarks/batch_benchmark.py [--rows 1000] [--jobs 1 2]

Makes a CSV of varied patients (names in several scripts, one to three
procedures, some scar types and notes), then runs `handouts batch` on it
once per --jobs value, from scratch, with a print file. Prints the figures;
it asserts nothing (targets: 1,000 leaflets in under 20 s with 2 jobs; print
file under 15 KiB per leaflet).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCEDURES = ["dermabrasion", "microdermabrasion", "chemical-peel", "laser-resurfacing",
              "fractional-laser", "subcision", "fillers", "counselling"]
SCARS = ["ice-pick", "rolling", "deep-craters", "superficial", "marks"]
FIRST = ["Sam", "Ann", "Zoë", "Łukasz", "José", "Renée", "Μαρία", "Иван", "Nguyễn", "Çağrı", "Aoife", "Priya"]
LAST = ["Smith", "Lee", "Müller", "Ødegård", "Ivanova", "Đức", "Işık", "O'Brien", "Kowalska", "Papadopoulos"]


def make_csv(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient", "procedures", "patient_id", "clinician", "date", "scars", "note"])
        for i in range(rows):
            writer.writerow([
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                ";".join(rng.sample(PROCEDURES, rng.randint(1, 3))),
                f"P{i:05d}",
                rng.choice(["", "Dr Ana Silva", "Nurse Kim"]),
                "2026-11-21",
                ";".join(rng.sample(SCARS, rng.randint(0, 2))),
                rng.choice(["", "", "See you in four weeks. Keep using the cream we gave you."]),
            ])


def run(csv_path: Path, jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        command = [sys.executable, str(ROOT / "cli.py"), "batch", str(csv_path), "-o", str(out / "leaflets"),
                   "--jobs", str(jobs), "--print-file", str(out / "print.pdf"), "-q",
                   "--history", str(out / "history.sqlite3"),
                   "--content", str(ROOT / "content.toml"), "--templates", str(ROOT / "templates")]
        started = time.perf_counter()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
        if result.returncode != 0:
            sys.exit(f"batch failed:\n{result.stderr}{result.stdout}")
        leaflets = list((out / "leaflets").glob("*.pdf"))
        render = float(re.search(r"in ([\d.]+) s\.", result.stdout)[1])
        return dict(
            jobs=jobs,
            count=len(leaflets),
            render_seconds=render,
            wall_seconds=wall,
            leaflets_bytes=sum(p.stat().st_size for p in leaflets),
            print_bytes=(out / "print.pdf").stat().st_size,
            cpu_seconds=cpu,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "patients.csv"
        make_csv(csv_path, args.rows)
        print(f"{args.rows} rows; machine has {len(__import__('os').sched_getaffinity(0))} cores")
        for jobs in args.jobs:
            r = run(csv_path, jobs)
            n = r["count"]
            print(f"--jobs {jobs}: {n} leaflets drawn and written in {r['render_seconds']:.1f} s "
                  f"({n / r['render_seconds']:.1f} leaflets/s); whole command with print file "
                  f"{r['wall_seconds']:.1f} s, {r['cpu_seconds']:.1f} s of CPU in all processes")
            print(f"  leaflets: {r['leaflets_bytes'] / 1024 / 1024:.1f} MiB in all, "
                  f"{r['leaflets_bytes'] / n / 1024:.1f} KiB each")
            print(f"  print file: {r['print_bytes'] / 1024 / 1024:.1f} MiB, {r['print_bytes'] / n / 1024:.1f} KiB "
                  f"per leaflet")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of the largest process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
