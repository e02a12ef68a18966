"""Box-drawing and status glyphs, with an ASCII set for terminals without UTF-8."""

from __future__ import annotations

import codecs
import locale
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Glyphs:
    """The characters the screens draw with; ``ascii`` picks the plain set."""

    cable: str
    cable_guess: str
    tee: str
    elbow: str
    pipe: str
    ok: str
    fail: str
    pending: str
    arrow: str
    bar_full: str
    bar_empty: str
    verified: str
    unverified: str
    ascii: bool


UNICODE = Glyphs(
    cable="─",
    cable_guess="─ ",
    tee="├─ ",
    elbow="└─ ",
    pipe="│  ",
    ok="✔ OK",
    fail="✘ FAIL",
    pending="… wait",
    arrow="→",
    bar_full="█",
    bar_empty="░",
    verified="✔",
    unverified="?",
    ascii=False,
)

ASCII = Glyphs(
    cable="=",
    cable_guess="- ",
    tee="+- ",
    elbow="`- ",
    pipe="|  ",
    ok="[OK]",
    fail="[FAIL]",
    pending="[..]",
    arrow="->",
    bar_full="#",
    bar_empty=".",
    verified="+",
    unverified="?",
    ascii=True,
)


def locale_is_utf8(environ: dict[str, str] | None = None) -> bool:
    """True when the terminal's locale encodes UTF-8 (LC_ALL, then LC_CTYPE, then LANG, like libc)."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = env.get(name)
        if value:
            return "utf-8" in value.lower() or "utf8" in value.lower()
    try:
        encoding = locale.getpreferredencoding(False)
    except Exception:
        return False
    return codecs.lookup(encoding).name == "utf-8"


def pick_glyphs(force_ascii: bool = False, environ: dict[str, str] | None = None) -> Glyphs:
    """ASCII when asked for or when the locale is not UTF-8, else the Unicode set."""
    return ASCII if force_ascii or not locale_is_utf8(environ) else UNICODE


def bar(done: int, total: int, width: int, glyphs: Glyphs) -> str:
    """A text progress bar, readable without colour: ``█████░░░░░``."""
    filled = width if total <= 0 and done > 0 else (width * done // total if total > 0 else 0)
    filled = max(0, min(width, filled))
    return glyphs.bar_full * filled + glyphs.bar_empty * (width - filled)
