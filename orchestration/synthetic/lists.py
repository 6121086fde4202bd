"""The SYNTHETIC yearly export concordances (ATP lists) of the bundled sample, 2000-2023.

Year 2019 is the REAL Census Schedule B export concordance (``2019/exp-code.txt``, 9,358 codes,
407 on the ATP list). Every other year's list is derived from it by a seeded sequence of yearly
changes, backward from 2019 for 2000-2018 and forward for 2020-2023, so that the lists drift
further from the real one the further the year is from 2019:

- per transition (year ``y - 1`` to ``y``), 2-6 codes ENTER the ATP list (a real code that was
  not ATP gets a group), 2-6 LEAVE it (its group becomes ``00``) and 1-2 MOVE between groups;
  a code that enters or leaves is a real 2019 code of a subheading (HS6, else a heading, HS4)
  where the group has 2019 codes; a code moves to a group present under its subheading (else
  its heading); a code changes at most once over 2000-2023; codes that carry a product fact and
  codes of a split never change;
- at each HS revision (2002, 2007, 2012, 2017, 2022) a few codes are split
  (:data:`orchestration.synthetic.catalog.SPLITS`): before a revision up to 2019, a synthetic
  parent code covers real 2019 codes that start in the revision year; in 2022, real codes split
  into synthetic children.

The lists are abridged: a year's list holds the codes of the "universe" that exist that year
(every code that is ATP in some year, plus the 1,100 non-ATP codes the synthetic export history
spreads its non-ATP value over: the named :data:`orchestration.synthetic.catalog.NON_ATP_CODES`
and real non-ATP 2019 codes drawn at random), not all 9,358 codes. Descriptions, units, SITC,
end use, NAICS and USDA of real codes are the real 2019 ones; synthetic codes take their
relatives' and say in their description that they are synthetic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.census.layouts import SCHEDULE_B
from orchestration.synthetic.catalog import (
    BASE_YEAR,
    FIRST_YEAR,
    GROUPS,
    LAST_YEAR,
    NON_ATP_CODES,
    NON_ATP_UNIVERSE_SIZE,
    REAL_LIST_YEAR,
    SEGMENTS,
    SPLITS,
    Split,
)
from orchestration.synthetic.filler import select_filler_codes

_FIELDS = {f.name: f for f in SCHEDULE_B.fields}


def _cut(record: str, name: str) -> str:
    field_ = _FIELDS[name]
    return record[field_.start - 1 : field_.end].strip()


@dataclass
class Code:
    """One HS10 code of the universe with its ATP group (``hitech``) in each year it exists.

    ``hitech`` maps every year the code exists (a contiguous range) to ``'00'`` (not ATP) or the
    ATP group ``'01'``-``'10'``. ``real_record`` is the code's 278-character record in the real
    2019 list (``None`` for a synthetic code).
    """

    hs10_code: str
    short_description: str
    description: str
    unit_qty1: str
    unit_qty2: str
    sitc_code: str
    end_use_code: str
    usda_code: str
    naics_code: str
    real_record: str | None
    hitech: dict[int, str] = field(default_factory=dict)

    @property
    def is_synthetic(self) -> bool:
        """True for codes invented by the generator (not in the real 2019 list)."""
        return self.real_record is None

    @property
    def first_year(self) -> int:
        """First year the code exists in the bundle."""
        return min(self.hitech)

    def exists_in(self, year: int) -> bool:
        """Whether the code is on ``year``'s list (with any group, ``'00'`` included)."""
        return year in self.hitech

    def hitech_in(self, year: int) -> str | None:
        """The code's group in ``year`` (``'00'`` = not ATP), ``None`` when it does not exist."""
        return self.hitech.get(year)

    def is_atp(self, year: int) -> bool:
        """Whether the code is on ``year``'s ATP list (group 01-10)."""
        return self.hitech.get(year, "00") != "00"


@dataclass(frozen=True)
class Event:
    """One list change: from ``year`` on, ``hs10_code`` has group ``to_group`` instead of
    ``from_group`` (``kind`` is ``enter``, ``leave`` or ``move``)."""

    year: int
    kind: str
    hs10_code: str
    from_group: str
    to_group: str


@dataclass
class Catalog:
    """The universe of codes with their groups per year, the list changes and the splits."""

    codes: dict[str, Code]
    events: list[Event]
    home_group: dict[str, str | None]
    splits: tuple[Split, ...] = SPLITS

    def listed(self, year: int) -> list[Code]:
        """The codes on ``year``'s (abridged) list, sorted by code."""
        return [c for _, c in sorted(self.codes.items()) if c.exists_in(year)]

    def change_rows(self) -> list[tuple[str, str, int]]:
        """(old HS10, new HS10, first year of the new code) for every split link, sorted."""
        return sorted((s.parent, child, s.revision) for s in self.splits for child in s.children)


def read_real_list(path: Path) -> dict[str, str]:
    """Read the real Schedule B export concordance ``exp-code.txt`` (SCHEDULE_B layout).

    Returns code -> 278-character record (line end removed), in file order. Raises
    ``FileNotFoundError`` when the file is missing and ``ValueError`` when a record does not have
    278 characters or its code is not 10 digits.
    """
    if not path.is_file():
        raise FileNotFoundError(f"real 2019 Schedule B list not found at {path}")
    records: dict[str, str] = {}
    for number, line in enumerate(path.read_bytes().decode("ascii").splitlines(), start=1):
        if not line:
            continue
        if len(line) != SCHEDULE_B.record_length or not line[:10].isdigit():
            raise ValueError(f"{path}: record {number} is not a {SCHEDULE_B.record_length}-character Schedule B record")
        records[line[:10]] = line
    return records


def _real_code(record: str) -> Code:
    return Code(
        hs10_code=record[:10],
        short_description=_cut(record, "short_description"),
        description=_cut(record, "description"),
        unit_qty1=_cut(record, "unit_qty1"),
        unit_qty2=_cut(record, "unit_qty2"),
        sitc_code=_cut(record, "sitc_code"),
        end_use_code=_cut(record, "end_use_code"),
        usda_code=_cut(record, "usda_code"),
        naics_code=_cut(record, "naics_code"),
        real_record=record,
    )


def _synthetic_code(hs10_code: str, relative: Code, description: str, short_description: str) -> Code:
    return Code(
        hs10_code=hs10_code,
        short_description=short_description,
        description=description,
        unit_qty1=relative.unit_qty1,
        unit_qty2=relative.unit_qty2,
        sitc_code=relative.sitc_code,
        end_use_code=relative.end_use_code,
        usda_code=relative.usda_code,
        naics_code=relative.naics_code,
        real_record=None,
    )


def _with_note(text: str, note: str, width: int) -> str:
    """``text`` cut so that ``text + ' ' + note`` fits ``width`` characters (the note is kept)."""
    room = width - len(note) - 1
    return f"{text[:room].rstrip()} {note}"


def _protected(hs10_code: str) -> bool:
    """Codes that never enter, leave or move: product-fact segments, splits, non-ATP codes."""
    in_split = any(hs10_code == s.parent or hs10_code in s.children for s in SPLITS)
    return in_split or hs10_code in NON_ATP_CODES or any(s.matches(hs10_code) for s in SEGMENTS)


def _headings(real: dict[str, str], digits: int) -> dict[str, set[str]]:
    """Per ATP group: the HS prefixes (``digits`` long) of its codes in the real 2019 list."""
    headings: dict[str, set[str]] = {g: set() for g in GROUPS}
    for code, record in real.items():
        if record[-2:] != "00":
            headings[record[-2:]].add(code[:digits])
    return headings


def _pools(real: dict[str, str]) -> dict[str, tuple[list[str], list[str]]]:
    """Per group: real non-ATP 2019 codes that share a subheading (HS6) with a 2019 code of the
    group, and those that share only a heading (HS4); either may enter the group."""
    by_hs6, by_hs4 = _headings(real, 6), _headings(real, 4)
    candidates = sorted(c for c, r in real.items() if r[-2:] == "00" and not _protected(c))
    return {
        g: (
            [c for c in candidates if c[:6] in by_hs6[g]],
            [c for c in candidates if c[:6] not in by_hs6[g] and c[:4] in by_hs4[g]],
        )
        for g in GROUPS
    }


def _move_targets(real: dict[str, str]) -> dict[str, list[str]]:
    """Per HS6 and per HS4 prefix: the ATP groups of the 2019 codes under it (a code may move to
    another group present under its subheading, or else under its heading)."""
    targets: dict[str, list[str]] = {}
    for code, record in sorted(real.items()):
        if record[-2:] != "00":
            for prefix in (code[:6], code[:4]):
                if record[-2:] not in targets.setdefault(prefix, []):
                    targets[prefix].append(record[-2:])
    return targets


def build_catalog(
    real: dict[str, str],
    seed: int,
    splits: tuple[Split, ...] = SPLITS,
    named_non_atp: tuple[str, ...] = NON_ATP_CODES,
    non_atp_size: int = NON_ATP_UNIVERSE_SIZE,
    stream: str = "",
) -> Catalog:
    """Build the universe of codes and their groups for 2000-2023 from the real 2019 list.

    ``real`` is :func:`read_real_list`'s result. Deterministic for a seed. The defaults build the
    export (Schedule B) lists; the import (HTS) lists pass their own ``splits`` (none),
    ``named_non_atp`` codes, size of the non-ATP universe and a ``stream`` prefix that keeps their
    random draws apart from the exports'. Raises ``ValueError`` when a code of the static tables is
    missing from the real list (or a synthetic code is in it), and ``AssertionError`` when a list
    property does not hold (every code must link, by identity or through a split, to a code of the
    2008 list).
    """
    _check_static_codes(real, splits, named_non_atp)
    changes = _ListChanges(real, random.Random(f"{stream}{seed}-lists"), splits, named_non_atp)
    for year in range(REAL_LIST_YEAR, FIRST_YEAR, -1):
        changes.backward(year)
    for year in range(REAL_LIST_YEAR + 1, LAST_YEAR + 1):
        changes.forward(year)
    codes = changes.codes
    assert all(len(c.hitech) == LAST_YEAR - FIRST_YEAR + 1 for c in codes.values())
    _apply_splits(codes, splits)
    # the non-ATP codes of the history: the named ones plus real codes drawn at random
    # (drawn after the list changes, which therefore do not depend on them)
    named = [c for c, code in codes.items() if not code.is_synthetic and set(code.hitech.values()) == {"00"}]
    for hs10_code in select_filler_codes(real, codes, non_atp_size - len(named), f"{stream}{seed}"):
        changes.add_real(hs10_code, range(FIRST_YEAR, LAST_YEAR + 1))
    events = sorted(changes.events, key=lambda e: (e.year, e.kind, e.hs10_code))
    catalog = Catalog(codes=dict(sorted(codes.items())), events=events, home_group=_home_groups(codes), splits=splits)
    _check_links(catalog)
    return catalog


def _check_static_codes(real: dict[str, str], splits: tuple[Split, ...], named_non_atp: tuple[str, ...]) -> None:
    """Raise ``ValueError`` when a code of the static tables (splits, named non-ATP codes) is not
    what the real list says: a real code missing, a synthetic code present, a non-ATP code ATP."""
    for split in splits:
        reals = (split.parent,) if split.revision > REAL_LIST_YEAR else split.children
        synthetics = split.children if split.revision > REAL_LIST_YEAR else (split.parent,)
        if missing := [c for c in reals if c not in real]:
            raise ValueError(f"split {split}: codes {missing} are not in the real {REAL_LIST_YEAR} list")
        if present := [c for c in synthetics if c in real]:
            raise ValueError(f"split {split}: synthetic codes {present} are in the real {REAL_LIST_YEAR} list")
    if missing := [c for c in named_non_atp if c not in real or real[c][-2:] != "00"]:
        raise ValueError(f"non-ATP codes {missing} are missing from the real list or are ATP there")


class _ListChanges:
    """The seeded yearly changes of the ATP list, backward from the real 2019 list and forward
    from it: the universe of codes (every code ATP in 2019, the named non-ATP codes and the
    split codes, then the codes that enter or leave), the codes already changed (a code changes
    at most once) and the events."""

    def __init__(
        self, real: dict[str, str], rng: random.Random, splits: tuple[Split, ...], named_non_atp: tuple[str, ...]
    ) -> None:
        self.real = real
        self.rng = rng
        self.codes: dict[str, Code] = {}
        self.used: set[str] = set()
        self.events: list[Event] = []
        universe = {c for c, r in real.items() if r[-2:] != "00"} | set(named_non_atp)
        universe |= {c for s in splits for c in ((s.parent,) if s.revision > REAL_LIST_YEAR else s.children)}
        for hs10_code in sorted(universe):
            self.add_real(hs10_code, range(REAL_LIST_YEAR, REAL_LIST_YEAR + 1), real[hs10_code][-2:])
        self.pools = _pools(real)
        self.move_targets = _move_targets(real)

    def add_real(self, hs10_code: str, years: range, group: str = "00") -> Code:
        """Add the real 2019 code ``hs10_code`` to the universe with ``group`` in ``years``."""
        code = _real_code(self.real[hs10_code])
        code.hitech = {year: group for year in years}
        self.codes[hs10_code] = code
        return code

    def eligible_atp(self, year: int) -> list[str]:
        """The ATP codes of ``year`` that may still change (not changed yet, not protected)."""
        codes = self.codes
        return [c for c in sorted(codes) if codes[c].is_atp(year) and c not in self.used and not _protected(c)]

    def other_groups(self, hs10_code: str, year: int) -> list[str]:
        """The groups ``hs10_code`` may move to: others present under its HS6, else its HS4."""
        group = self.codes[hs10_code].hitech[year]
        for prefix in (hs10_code[:6], hs10_code[:4]):
            if others := [g for g in self.move_targets.get(prefix, []) if g != group]:
                return others
        return []

    def movable(self, year: int) -> list[str]:
        """The codes of ``year`` that may move to another group."""
        return [c for c in self.eligible_atp(year) if self.other_groups(c, year)]

    def pick_pool_code(self, year: int) -> tuple[str, str]:
        """A real non-ATP code that may enter a group (chosen by the group's size in ``year``)."""
        sizes = [sum(1 for c in self.codes.values() if c.hitech.get(year) == g) for g in GROUPS]
        while True:
            group = self.rng.choices(GROUPS, weights=sizes)[0]
            for pool in self.pools[group]:
                if free := [c for c in pool if c not in self.used and c not in self.codes]:
                    return self.rng.choice(free), group

    def backward(self, year: int) -> None:
        """The list of ``year - 1`` from the list of ``year``: codes that enter, leave and move in
        ``year``."""
        codes, rng = self.codes, self.rng
        for code in codes.values():
            code.hitech[year - 1] = code.hitech[year]
        for hs10_code in rng.sample(self.eligible_atp(year), rng.randint(2, 6)):  # enter in `year`
            group = codes[hs10_code].hitech[year]
            codes[hs10_code].hitech[year - 1] = "00"
            self._change(Event(year, "enter", hs10_code, "00", group))
        for _ in range(rng.randint(2, 6)):  # leave in `year`: ATP before, not ATP from `year` on
            hs10_code, group = self.pick_pool_code(year)
            self.add_real(hs10_code, range(year, REAL_LIST_YEAR + 1)).hitech[year - 1] = group
            self._change(Event(year, "leave", hs10_code, group, "00"))
        for hs10_code in rng.sample(self.movable(year), rng.randint(1, 2)):  # move in `year`
            group = codes[hs10_code].hitech[year]
            before = rng.choice(self.other_groups(hs10_code, year))
            codes[hs10_code].hitech[year - 1] = before
            self._change(Event(year, "move", hs10_code, before, group))

    def forward(self, year: int) -> None:
        """The list of ``year`` from the list of ``year - 1``: codes that enter, leave and move in
        ``year``."""
        codes, rng = self.codes, self.rng
        for code in codes.values():
            code.hitech[year] = code.hitech[year - 1]
        for _ in range(rng.randint(2, 6)):  # enter
            hs10_code, group = self.pick_pool_code(year - 1)
            self.add_real(hs10_code, range(FIRST_YEAR, year)).hitech.update(
                dict.fromkeys(range(year, LAST_YEAR + 1), group)
            )
            self._change(Event(year, "enter", hs10_code, "00", group))
        for hs10_code in rng.sample(self.eligible_atp(year), rng.randint(2, 6)):  # leave
            group = codes[hs10_code].hitech[year]
            codes[hs10_code].hitech[year] = "00"
            self._change(Event(year, "leave", hs10_code, group, "00"))
        for hs10_code in rng.sample(self.movable(year), rng.randint(1, 2)):  # move
            group = codes[hs10_code].hitech[year]
            codes[hs10_code].hitech[year] = rng.choice(self.other_groups(hs10_code, year))
            self._change(Event(year, "move", hs10_code, group, codes[hs10_code].hitech[year]))

    def _change(self, event: Event) -> None:
        self.used.add(event.hs10_code)
        self.events.append(event)


def _apply_splits(codes: dict[str, Code], splits: tuple[Split, ...]) -> None:
    for split in splits:
        revision = split.revision
        if revision <= REAL_LIST_YEAR:
            children = [codes[c] for c in split.children]
            groups = {c.hitech[revision] for c in children}
            assert len(groups) == 1, (split, groups)
            for child in children:
                child.hitech = {y: g for y, g in child.hitech.items() if y >= revision}
            parent = _synthetic_code(
                split.parent,
                children[0],
                _with_note(split.wording, f"[SYNTHETIC CODE, SPLIT IN {revision}]", 150),
                _with_note(split.short_wording, "[SYNTH]", 50),
            )
            parent.hitech = dict.fromkeys(range(FIRST_YEAR, revision), groups.pop())
            codes[split.parent] = parent
        else:
            parent = codes[split.parent]
            group = parent.hitech[revision - 1]
            parent.hitech = {y: g for y, g in parent.hitech.items() if y < revision}
            for number, hs10_code in enumerate(split.children, start=1):
                note = f"[SYNTHETIC SUBDIVISION {number} OF {len(split.children)} FROM {revision}]"
                child = _synthetic_code(
                    hs10_code,
                    parent,
                    _with_note(parent.description, note, 150),
                    _with_note(parent.short_description, f"[SYN {number}/{len(split.children)}]", 50),
                )
                child.hitech = dict.fromkeys(range(revision, LAST_YEAR + 1), group)
                codes[hs10_code] = child


def _home_groups(codes: dict[str, Code]) -> dict[str, str | None]:
    """The ATP group a code's value is allocated through in every year (fixed, so that its trade
    stays continuous when it enters, leaves or moves): its group in the ATP year nearest to 2019
    (ties: the later year); ``None`` for codes never on the ATP list."""
    home: dict[str, str | None] = {}
    for hs10_code, code in codes.items():
        atp_years = [y for y, g in code.hitech.items() if g != "00"]
        nearest = min(atp_years, key=lambda y: (abs(y - REAL_LIST_YEAR), -y)) if atp_years else None
        home[hs10_code] = code.hitech[nearest] if nearest is not None else None
    return home


def _check_links(catalog: Catalog) -> None:
    """Every code links (by identity or a split link) to a code of the base year's list, and a
    code's years are contiguous."""
    neighbours: dict[str, set[str]] = {}
    for old, new, _ in catalog.change_rows():
        neighbours.setdefault(old, set()).add(new)
        neighbours.setdefault(new, set()).add(old)
    for hs10_code, code in catalog.codes.items():
        years = sorted(code.hitech)
        assert years == list(range(years[0], years[-1] + 1)), hs10_code
        linked = {hs10_code} | neighbours.get(hs10_code, set())
        assert any(catalog.codes[c].exists_in(BASE_YEAR) for c in linked), hs10_code
