"""Reading content.toml's [clinic]: the clinic's details, its colours (each text readable on what it is
printed on) and its logo (an image that can be drawn)."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

from . import links
from .contact import check_address
from .content import Clinic, Colours
from .contrast import MIN_CONTRAST, contrast_pairs, contrast_ratio
from .toml_fields import FieldReader
from ..errors import InputError

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Longer text pushes the header or footer off the page (ReportLab's LayoutError).
CLINIC_LIMITS = {"name": 60, "address": 120, "phone": 30, "email": 80, "website": 80}
MAX_LOGO_SIDE = 4000  # pixels: the logo prints 44 pt wide, so this is over 2,000 dpi


class ClinicReader(FieldReader):
    """Reads [clinic]."""

    def clinic(self, data: dict) -> Clinic:
        t = self.table(data, ("clinic",),
                       ("name", "address", "phone", "email", "website", "more_info", "urgent_phone", "logo",
                        "colours"))
        c = self.table(t, ("clinic", "colours"), ("primary", "accent", "text"))
        colours = {}
        for key in ("primary", "accent", "text"):
            value = self.text(c, ("clinic", "colours", key))
            if value and not _COLOUR.match(value):
                self.problem(("clinic", "colours", key), f'is "{value}"; write a colour as #RRGGBB, like "#1D5C63"')
            colours[key] = value
        if all(value and _COLOUR.match(value) for value in colours.values()):
            self.contrast(colours)
        fields = {key: self.text(t, ("clinic", key), limit=(most, ", so it fits the leaflet's header and footer"))
                  for key, most in CLINIC_LIMITS.items()}
        if fields["email"] and self.for_print:
            self.address(("clinic", "email"), fields["email"])
        phone, website = fields["phone"], fields["website"]
        if phone and (why := links.phone_problem(phone)):
            self.problem(("clinic", "phone"), f'is "{phone}", which {why}; write only the number '
                                              '(digits, spaces, + - and brackets), so patients can tap it to call')
        more_info = self.text(t, ("clinic", "more_info"), required=False)
        urgent = self.text(t, ("clinic", "urgent_phone"), required=False,
                           limit=(CLINIC_LIMITS["phone"], ", so it fits beside the warning signs"))
        if urgent and (why := links.phone_problem(urgent)):
            self.problem(("clinic", "urgent_phone"), f'is "{urgent}", which {why}; write only the number '
                                                     '(digits, spaces, + - and brackets), so patients can tap it')
        return Clinic(
            **fields,
            logo=self.logo(t),
            colours=Colours(**colours),
            website_link=website and self.web_address(("clinic", "website"), website),
            more_info=more_info and self.web_address(("clinic", "more_info"), more_info),
            urgent_phone=urgent,
        )

    def address(self, keys: tuple[str, ...], text: str) -> None:
        """Emails go from this address: it must be one that mail can carry."""
        try:
            check_address(text)
        except InputError as exc:
            self.problem(keys, str(exc))

    def web_address(self, keys: tuple[str, ...], text: str) -> str | None:
        """A web address patients open from a link or the QR code; https:// is added where it has none."""
        try:
            return links.web_address(text)
        except ValueError as why:
            self.problem(keys, f'is "{text}", which {why}')
            return None

    def contrast(self, colours: dict[str, str]) -> None:
        """Text must stand out from what it is printed on (WCAG 2 AA: 4.5:1)."""
        for key, background, ground, fix in contrast_pairs(colours):
            ratio = contrast_ratio(colours[key], background)
            if ratio < MIN_CONTRAST:
                self.problem(("clinic", "colours", key),
                             f"{colours[key]} on {ground} {background} has a contrast of {ratio:.2f}:1; "
                             f"text needs at least {MIN_CONTRAST}:1, so choose {fix}")

    def logo(self, clinic: dict) -> Path | None:
        name = self.text(clinic, ("clinic", "logo"), required=False)
        if name is None:
            return None
        path = (self.path.parent / name).resolve()
        if not path.is_file():
            self.problem(("clinic", "logo"), f'file "{name}" not found (looked in {path.parent})')
            return None
        from PIL import Image  # reportlab's own dependency; only needed here

        too_large = f"; use one of at most {MAX_LOGO_SIDE:,} × {MAX_LOGO_SIDE:,} pixels (it prints 16 mm wide)"
        try:
            with warnings.catch_warnings():
                # Pillow warns about huge images; the size is checked here, in words.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(path) as image:
                    width, height = image.size
                    if max(width, height) > MAX_LOGO_SIDE:
                        self.problem(("clinic", "logo"), f'file "{name}" is {width:,} × {height:,} pixels{too_large}')
                        return None
                    image.verify()
        except Image.DecompressionBombError:  # too large for Pillow even to open
            self.problem(("clinic", "logo"), f'file "{name}" is far too large{too_large}')
            return None
        except Exception:  # Pillow raises many types for a file that is not an image
            self.problem(("clinic", "logo"), f'file "{name}" is not a PNG or JPEG image')
            return None
        problem = self.for_print and _undrawable(path)
        if problem:
            self.problem(("clinic", "logo"), f'file "{name}" cannot be drawn ({problem}); it may be damaged: '
                                             "save it again as PNG or JPEG")
            return None
        return path


def _undrawable(path: Path) -> str | None:
    """Why ReportLab cannot draw this image, if it cannot: Pillow's verify()
    passes some files whose image data is damaged."""
    from reportlab.pdfgen.canvas import Canvas

    try:
        canvas = Canvas(io.BytesIO())
        canvas.drawImage(str(path), 0, 0, 44, 44, preserveAspectRatio=True, mask="auto")
        canvas.save()
    except Exception as exc:  # ReportLab passes on whatever Pillow raises while decoding
        # ReportLab appends "identity=[ImageReader@0x...]": an address, no help to anyone.
        return " ".join(re.sub(r"identity=\[.*?\]", "", str(exc)).split()) or type(exc).__name__
    return None
