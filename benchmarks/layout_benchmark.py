"""Layout benchmark: how long one leaflet takes to draw with a long or awkward note, or a name in another script.

    python3 benchmarks/layout_benchmark.py [--quick | --names]

Draws a leaflet (subcision, A4) with each note below and prints the seconds
it took, or the message a note is refused with. It asserts nothing. Run it
from another checkout (PYTHONPATH=that/checkout) to compare. Issue 17: a note
of one 16,000-letter word took 25 s, 10,000 single line breaks 22 s; after,
notes a leaflet takes lay out in a few seconds at most, longer ones are refused.

--names draws an English leaflet and leaflets with names in scripts HarfBuzz
shapes (Noto fonts from Debian's fonts-noto-core added as [fonts] extra), each
many times, and prints the median milliseconds (issue 20: shaping only the
paragraphs that need it leaves English leaflets as fast as before), and a Spanish
leaflet alone and followed by the English one (issue 20 §4, bilingual).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
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


NOTO = Path("/usr/share/fonts/truetype/noto")
NAMES = {  # what is printed: (patient, clinician, note, with the Noto fonts added)
    "English leaflet": ("Sam Sample", "Dr Ana Silva", "See you on 12 December.", False),
    "English leaflet, Noto fonts added": ("Sam Sample", "Dr Ana Silva", "See you on 12 December.", True),
    "Devanagari name": ("प्रिया शर्मा", "Dr Ana Silva", "See you on 12 December.", True),
    "Devanagari, Bengali names, Tamil note": ("प्रिया शर्मा", "ডাঃ দেবাশীষ রায়",
                                              "வணக்கம் பிரியா, டிசம்பர் 12 அன்று.", True),
    "Spanish leaflet": ("Sam Sample", "Dr Ana Silva", "Nos vemos el 12 de diciembre.", False),
    "Arabic leaflet (right to left), Latin name": ("Sam Sample", "Dr Ana Silva", "نراك في 12 ديسمبر.", False),
    "Spanish, then English (bilingual)": ("Sam Sample", "Dr Ana Silva", "Nos vemos el 12 de diciembre.", False),
}
# translations/<lang>.toml beside content.toml; the rest in its own language
LANGUAGES = {"Spanish leaflet": "es", "Arabic leaflet (right to left), Latin name": "ar",
             "Spanish, then English (bilingual)": "es"}
BILINGUAL = ("Spanish, then English (bilingual)",)
FONTS = ("NotoSansDevanagari-Regular.ttf", "NotoSansBengali-Regular.ttf", "NotoSansTamil-Regular.ttf")


def time_names(repeats: int) -> None:
    """The median time to draw each leaflet of NAMES, the Noto fonts added to a copy of the content."""
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content.toml"
        shutil.copy(ROOT / "content.toml", content)
        shutil.copytree(ROOT / "templates", Path(folder) / "templates")  # the logo is found beside content.toml
        extra = ", ".join(f'"{NOTO / name}"' for name in FONTS if (NOTO / name).is_file())
        with content.open("a", encoding="utf-8") as file:
            file.write(f"\n[fonts]\nextra = [{extra}]\n")
        makers = {False: Maker(ROOT / "content.toml", ROOT / "templates"), True: Maker(content, ROOT / "templates")}
        for label, (patient, clinician, note, added) in NAMES.items():
            maker = makers[added]
            # Each draw a different patient, as in a batch: paragraphs already broken into lines are not again.
            try:
                draws = [parse_choices(maker.content, patient=f"{patient} {number}", clinician=clinician,
                                       note=f"{note} {number}", procedures=["subcision"], date=dt.date(2026, 12, 1),
                                       language=LANGUAGES.get(label), bilingual=label in BILINGUAL)
                         for number in range(repeats + 1)]
            except InvalidChoices as exc:
                print(f"{label:45} refused: {str(exc)[:60]}...", flush=True)
                continue
            maker.render(draws.pop())  # fonts loaded, the shared paragraphs broken into lines
            times = []
            for choices in draws:
                started = time.process_time()  # CPU time: the build machine is shared
                maker.render(choices)
                times.append(time.process_time() - started)
            print(f"{label:45} {statistics.median(times) * 1000:7.1f} ms CPU (median of {repeats})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the notes that take seconds before the fix")
    parser.add_argument("--names", action="store_true", help="leaflets with names in other scripts instead")
    parser.add_argument("--repeats", type=int, default=40, help="draws of each leaflet with --names")
    args = parser.parse_args()
    if args.names:
        time_names(args.repeats)
        return
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
