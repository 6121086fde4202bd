"""Text that has to fit: titles and captions wrapped to a chart's width, and the labels of
figure 6's HS10 codes, which must tell apart codes whose long descriptions share a prefix
(``8542310010`` and ``8542310090`` both start "ELECTRONIC INTEGRATED CIRCUITS, PROCESSORS &
CONTROLLERS, WH/NOT COMBINED W/MEMORIES, ..." and differ only at the end)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

#: Average width of a character, in ems (DejaVu Sans, mixed case and capitals).
CHAR_EM = 0.55
#: Figure 6: characters of description per label line, and lines per label.
LABEL_WIDTH = 52
LABEL_LINES = 2
#: Figure 6: characters of the shared start kept before the distinguishing part ("…" marks the cut).
HEAD_CHARS = 30
#: Figure 6: characters of shared context kept right before the distinguishing part.
CONTEXT_CHARS = 12
ELLIPSIS = "…"
#: A blank as wide as a digit (U+2007), to indent a label's second line under its description.
FIGURE_SPACE = "\u2007"


def wrap(text: str, width_inches: float, fontsize: float) -> str:
    """``text`` wrapped to ``width_inches`` at ``fontsize`` points (about :data:`CHAR_EM` em a
    character), every paragraph's lines balanced (no lone last word); existing line breaks kept."""
    width = max(int(width_inches * 72 * 0.94 / (CHAR_EM * fontsize)), 10)
    out = []
    for part in text.split("\n"):
        lines = len(textwrap.wrap(part, width)) or 1
        balanced = -(-len(part) // lines)
        while len(textwrap.wrap(part, balanced)) > lines:
            balanced += 1
        out.append(textwrap.fill(part, balanced))
    return "\n".join(out)


def _clean(description: object) -> str:
    """A description on one line with single spaces; empty for a missing one."""
    if description is None or (isinstance(description, float) and math.isnan(description)):
        return ""
    return " ".join(str(description).split())


def _shared_prefix(text: str, others: Sequence[str]) -> int:
    """Characters at the start of ``text`` that some other description shares, cut back to the
    start of a word (so the distinguishing part starts with a whole word)."""
    longest = 0
    for other in others:
        n = 0
        for a, b in zip(text, other, strict=False):
            if a != b:
                break
            n += 1
        longest = max(longest, n)
    if longest >= len(text):
        return len(text)
    return max(text.rfind(" ", 0, longest + 1) + 1, 0)


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary when one is near, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:/") + ELLIPSIS


def short_description(text: str, others: Sequence[str], limit: int) -> str:
    """``text`` in at most ``limit`` characters, keeping the part that tells it apart from
    ``others``: whole if it fits; cut at the end if what differs from every other description
    starts early enough to show; else as much of the start as fits (at least
    :data:`HEAD_CHARS`), "…", a little shared context (:data:`CONTEXT_CHARS`) and the
    distinguishing tail (itself cut at the end if it is too long)."""
    if len(text) <= limit:
        return text
    differs = _shared_prefix(text, others)
    if differs + CONTEXT_CHARS <= limit - 1:
        return _cut(text, limit)
    context_start = text.rfind(" ", 0, max(differs - CONTEXT_CHARS, 0)) + 1
    if context_start <= HEAD_CHARS:
        context_start = differs
    tail = _cut(text[context_start:], limit - HEAD_CHARS - 3)
    for opening, closing in ("[]", "()"):  # a tail that starts inside brackets gets its opening one
        if tail.count(closing) > tail.count(opening):
            tail = opening + tail
    head = _cut(text[:context_start].rstrip(), limit - len(tail) - 1)
    return f"{head} {tail}"


def code_labels(codes: Sequence[str], descriptions: Sequence[object], width: int = LABEL_WIDTH) -> list[str]:
    """Figure 6's y labels for the HS10 ``codes`` of one panel: the code, then its description
    shortened by :func:`short_description` against the panel's other descriptions and wrapped to
    :data:`LABEL_LINES` lines of ``width`` characters (the second line indented under the
    description). Two codes never get the same label unless their descriptions are equal."""
    texts = [_clean(d) for d in descriptions]
    labels = []
    for i, (code, text) in enumerate(zip(codes, texts, strict=True)):
        others = [t for j, t in enumerate(texts) if j != i and t != text]
        short = short_description(text, others, width * LABEL_LINES - 4)
        fit = width
        while len(lines := textwrap.wrap(short, fit) or [""]) > LABEL_LINES:
            fit += 2
        indent = FIGURE_SPACE * len(code) + "  "
        labels.append("\n".join([f"{code}  {lines[0]}".rstrip(), *(indent + line for line in lines[1:])]))
    return labels
