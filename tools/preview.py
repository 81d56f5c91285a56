"""Render a leaflet's pages to PNG, to look at them as a patient would.

    pip install -e '.[preview]'
    python tools/preview.py output/2026-11-21-sam-smith.pdf [--scale 1.5]

Writes PAGE-N.png files next to the PDF and prints their paths.
"""

import argparse
from pathlib import Path

import pypdfium2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--scale", type=float, default=1.5, help="1.0 is 72 dpi")
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()
    document = pypdfium2.PdfDocument(args.pdf)
    count = len(document) if not args.pages else min(args.pages, len(document))
    for index in range(count):
        out = args.pdf.with_name(f"{args.pdf.stem}-page-{index + 1}.png")
        document[index].render(scale=args.scale).to_pil().save(out)
        print(out)


if __name__ == "__main__":
    main()
