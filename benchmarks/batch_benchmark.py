"""Batch benchmark: the batch with and without a print file, their ratio, peak memory and sizes.

    python3 benchmarks/batch_benchmark.py [--rows 1000 5000] [--jobs 2]

Makes a CSV of varied patients (names in several scripts, one to three
procedures, some scar types and notes) for each --rows value, then runs
`handouts batch` on it from scratch twice: plain, and with --print-file.
Prints the figures; it asserts nothing. Targets (issue 13): the batch with
the print file takes at most 1.3x the plain one, the largest process peaks
at 300 MiB or less at any count, and the print file holds at most 15 KiB a
leaflet.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
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


def measure(command: list[str]) -> None:
    """Run `command` and print, as JSON, its wall time and the peak memory of
    its largest process (itself or a worker): run apart for each batch, so
    each figure is that batch's own."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"batch failed:\n{result.stderr}{result.stdout}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": wall, "peak_mib": peak, "output": result.stdout}))


def run(csv_path: Path, jobs: int, print_file: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        command = [sys.executable, str(ROOT / "cli.py"), "batch", str(csv_path), "-o", str(out / "leaflets"),
                   "--jobs", str(jobs), "-q", "--history", str(out / "history.sqlite3"),
                   "--content", str(ROOT / "content.toml"), "--templates", str(ROOT / "templates")]
        if print_file:
            command += ["--print-file", str(out / "print.pdf")]
        measured = subprocess.run([sys.executable, __file__, "--measure", *command], capture_output=True, text=True)
        if measured.returncode != 0:
            sys.exit(measured.stderr)
        figures = json.loads(measured.stdout)
        leaflets = list((out / "leaflets").glob("*.pdf"))
        figures.update(count=len(leaflets), leaflets_bytes=sum(p.stat().st_size for p in leaflets))
        if print_file:
            figures["print_bytes"] = (out / "print.pdf").stat().st_size
        return figures


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        return measure(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    print(f"machine has {len(os.sched_getaffinity(0))} cores; --jobs {args.jobs}")
    print("| rows | plain batch | with print file | ratio | peak memory (plain / with print file) "
          "| leaflets, each | print file, a leaflet |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as folder:
            csv_path = Path(folder) / "patients.csv"
            make_csv(csv_path, rows)
            plain = run(csv_path, args.jobs, print_file=False)
            joined = run(csv_path, args.jobs, print_file=True)
        n = joined["count"]
        print(f"| {rows:,} | {plain['seconds']:.1f} s | {joined['seconds']:.1f} s "
              f"| {joined['seconds'] / plain['seconds']:.2f}x | {plain['peak_mib']:.0f} / {joined['peak_mib']:.0f} MiB "
              f"| {joined['leaflets_bytes'] / n / 1024:.1f} KiB | {joined['print_bytes'] / n / 1024:.1f} KiB |",
              flush=True)


if __name__ == "__main__":
    main()
