"""Layout benchmark: how long one leaflet takes to draw with a long or awkward note.

    python3 benchmarks/layout_benchmark.py [--quick]

Draws a leaflet (subcision, A4) with each note below and prints the seconds
it took, or the message a note is refused with. It asserts nothing. Run it
from another checkout (PYTHONPATH=that/checkout) to compare. Issue 17: a note
of one 16,000-letter word took 25 s, 10,000 single line breaks 22 s; after,
notes a leaflet takes lay out in a few seconds at most, longer ones are refused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from handouts.errors import InvalidChoices
from handouts.leaflet.choices import parse_choices
from handouts.make import Maker

ROOT = Path(__file__).resolve().parent.parent

NOTES = {
    "none": "",
    "one 4,000-letter word": "x" * 4_000,
    "one 16,000-letter word": "x" * 16_000,
    "2,000 single line breaks": "a\n" * 2_000,
    "10,000 single line breaks": "a\n" * 10_000,
    "5,000 words, one paragraph": " ".join(f"word{i}" for i in range(5_000)),
    "25,000 one-letter words, one paragraph": "a " * 25_000,
    "9,950 four-letter words on 199 lines": ("abcd " * 50 + "\n") * 199,
    "10,000 one-letter words on 199 lines": ("a " * 50 + "\n") * 199,
    "490 words of 100 letters (the longest)": ("abcdefghij" * 10 + " ") * 490,
    "49,999 characters of 9-letter words": ("abcdefghi " * 5_000)[:49_999],
    "99,999 characters of 9-letter words": ("abcdefghi " * 10_000)[:99_999],
}
QUICK = ("none", "one 4,000-letter word", "2,000 single line breaks", "5,000 words, one paragraph")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the notes that take seconds before the fix")
    args = parser.parse_args()
    maker = Maker(ROOT / "content.toml", ROOT / "templates")
    maker.render(parse_choices(maker.content, patient="Warm Up", procedures=["subcision"]))  # fonts loaded
    for label, note in NOTES.items():
        if args.quick and label not in QUICK:
            continue
        try:
            choices = parse_choices(maker.content, patient="Sam Sample", procedures=["subcision"], note=note,
                                    date=dt.date(2026, 12, 1))
        except InvalidChoices as exc:
            print(f"{label:45} refused: {exc}", flush=True)
            continue
        started = time.perf_counter()
        maker.render(choices)
        print(f"{label:45} {time.perf_counter() - started:7.2f} s", flush=True)


if __name__ == "__main__":
    main()
