"""The diagrams a leaflet can show (drawn by handouts/render/pictures.py), and the words each one needs from
content.toml's [pictures] labels."""

from __future__ import annotations

SCAR_PICTURES = ("rolling", "ice-pick", "deep-craters", "superficial", "marks")
TREATMENT_PICTURES = ("resurfacing", "fractional", "subcision", "fillers")
PICTURES = SCAR_PICTURES + TREATMENT_PICTURES
LABELS = ("surface", "top", "deeper", "scar", "mark", "removed", "new_skin", "laser", "whole", "needle", "held",
          "filler", "before", "after")
# The labels each diagram shows, in order.
USES = {
    **{name: ("surface", "top", "deeper", "scar") for name in SCAR_PICTURES},
    "marks": ("surface", "top", "deeper", "mark"),
    "resurfacing": ("before", "after", "removed", "new_skin", "deeper"),
    "fractional": ("laser", "whole", "deeper"),
    "subcision": ("scar", "needle", "held"),
    "fillers": ("surface", "top", "deeper", "scar", "filler"),
}


def label_words(name: str, labels: dict[str, str]) -> list[str]:
    """The labels a picture shows, in order: its text alternative lists them."""
    return [labels[key] for key in USES[name]]
