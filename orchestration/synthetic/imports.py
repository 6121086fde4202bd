"""The SYNTHETIC import side of the bundled sample, 2000-2023: the yearly HTS import lists and
the ATP import history (IM145 layout), calibrated to the real totals of the country table.

Year 2019's import list is the REAL Census ``imp-code.txt`` (19,111 codes, 547 ATP). Every other
year's list (``IMP_CONCORD.TXT``, 235 layout, 2000-2011; ``imp-code.txt``, 278, 2012-2023) is
derived from it by the seeded yearly changes of :func:`orchestration.synthetic.lists.build_catalog`
(codes enter, leave and move between groups), drawn from a random stream of their own
(``imports-``), so the export files do not change. The import lists have NO splits: the synthetic
HS10 code links of ``hs10_changes.csv`` are Schedule B (export) codes and stay the only ones; every
import code of the universe exists in every year. Lists are abridged like the export lists (the
codes ATP in some year plus :data:`NON_ATP_UNIVERSE` real non-ATP codes, which carry no trade).

``<year>/IMP_HIST.TXT``: ATP general imports only (no non-ATP import trade is generated), one
record per HS10 x country of origin x subcode x district of entry x district of unlading x rate
provision x month, whole USD. General imports value (``gen_value_usd``, the published basis);
consumption value = general minus a warehouse / zone share (1-8 % on about 10 % of the records,
never above general); charges 1-5 % of the value, CIF = customs value + charges; duty only on
rate provision 61 (dutiable). Subcodes: ``00`` mostly, ``CA`` / ``MX`` for part of the trade with
Canada / Mexico, ``A`` for part of the trade with a few GSP partners, ``01`` now and then.

Calibration (asserted; :class:`AssertionError` when one fails), targets from
:mod:`orchestration.synthetic.import_targets`:

- per year, ``gen_value_usd`` summed over real countries and codes on that year's ATP import list
  equals the real world ATP imports (0007 ``IYR``) in whole USD, to the dollar;
- imports from a partner never exceed its real total imports (``IYR``); every record's country is
  on the year's country list (no 0xxx code) and its code on the year's import list;
- the pattern of Ferrantino, Koopman, Wang & Yinug (2008), against the SYNTHETIC exports to China
  (:func:`orchestration.synthetic.targets.china_group_targets`), tolerances:

  ==========================================================  =============================
  fact                                                        tolerance (asserted here)
  ==========================================================  =============================
  U.S. ATP deficit with China every year                      imports > exports + $5 billion
  the deficit with China grows                                2008 > 4 x 2000; 2023 > 2008
  ATP imports from China concentrated in group 04             04 >= 60 % of China's ATP
  U.S. surplus with China in Electronics (05), Aerospace (08) imports <= 72 % / 32 % of exports
  ==========================================================  =============================

  The world ATP balance (positive 2000-2001, negative from 2002) is the real EYR - IYR of 0007.

Size: about :data:`RECORDS_PER_YEAR` value units (months) per year plus one per cell, about 7,000-9,000
records (1.8-2.3 MB) a year.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass

from orchestration.census.layouts import IMPORT_CONCORD, IMPORT_HISTORY, format_record
from orchestration.census.tables import IMPORT_CODES_FILE, IMPORT_CONCORD_FILE, IMPORT_HISTORY_FILE, input_file
from orchestration.synthetic.calibration import WORLD_ATP_CODE
from orchestration.synthetic.catalog import DISTRICTS, GROUPS, LAND_DISTRICTS
from orchestration.synthetic.filler import codes_for_budget, spread_over_codes
from orchestration.synthetic.import_targets import CHINA, china_import_targets, partner_groups, partner_totals
from orchestration.synthetic.lists import Catalog, build_catalog
from orchestration.synthetic.noise import truncated_lognormal
from orchestration.synthetic.records import concordance
from orchestration.synthetic.targets import CountryYear, china_group_targets
from orchestration.synthetic.values import largest_remainder

#: Real non-ATP import codes on the abridged lists (no trade on them).
NON_ATP_UNIVERSE = 400
#: The year's ATP imports are spread over about this many months (records), plus one per cell.
RECORDS_PER_YEAR = 4_500
#: Partners with part of their trade under a program subcode (GSP ``A``; NAFTA ``CA``, ``MX``).
PROGRAM_SUBCODES = {"1220": "CA", "2010": "MX", "5330": "A", "5490": "A", "5650": "A", "5600": "A", "3510": "A"}
#: The two import list files a year may hold (one layout per year).
IMPORT_LIST_FILES = (IMPORT_CODES_FILE, IMPORT_CONCORD_FILE)
#: Prefix of every random stream of the import side (kept apart from the exports').
STREAM = "imports-"


def build_import_catalog(real: dict[str, str], seed: int) -> Catalog:
    """The import codes of 2000-2023 from the real 2019 import list (no splits, no named codes)."""
    return build_catalog(real, seed, splits=(), named_non_atp=(), non_atp_size=NON_ATP_UNIVERSE, stream=STREAM)


@dataclass
class ImportPiece:
    """One import history record before rendering (general imports value in USD)."""

    hs10_code: str
    cty_code: str
    subcode: str
    entry: str
    unlading: str
    rate_provision: str
    month: int
    value: float


def _code_weights(catalog: Catalog, seed: int) -> dict[str, tuple[float, float]]:
    """Per code, a fixed weight (China, rest of the world): seeded heavy-tailed factors."""
    weights = {}
    for hs10_code in catalog.codes:
        rng = random.Random(f"{STREAM}{seed}-code-{hs10_code}")
        row = truncated_lognormal(rng, 1.0)
        weights[hs10_code] = (row * truncated_lognormal(rng, 0.6), row)
    return weights


def _cells(
    year: int, countries: list[CountryYear], catalog: Catalog, seed: int, rng: random.Random
) -> dict[tuple[str, str], float]:
    """(country, code) -> ATP general imports, USD, before integerisation."""
    real = [c for c in countries if not c.cty_code.startswith("0") and c.imports_usd >= 1_000_000]
    world = next(c.imports_usd for c in countries if c.cty_code == WORLD_ATP_CODE)
    china = next(c for c in real if c.cty_code == CHINA)
    budgets = {(CHINA, g): v for g, v in china_import_targets(year, china, seed).items()}
    others = [c for c in real if c.cty_code != CHINA]
    china_total = sum(budgets.values())
    for cty_code, total in partner_totals(year, others, world - china_total, seed).items():
        budgets.update({(cty_code, g): total * s for g, s in partner_groups(year, cty_code, seed).items()})
    code_weights = _code_weights(catalog, seed)
    by_group = {g: [c for c, code in catalog.codes.items() if code.hitech_in(year) == g] for g in GROUPS}
    cells: dict[tuple[str, str], float] = {}
    for group in GROUPS:
        largest = max(v for (_, g), v in budgets.items() if g == group)
        for (cty_code, g), budget in sorted(budgets.items()):
            if g != group or budget <= 0:
                continue
            side = 0 if cty_code == CHINA else 1
            shares = {c: code_weights[c][side] for c in by_group[group]}
            count = codes_for_budget(budget, largest, len(shares))
            for hs10_code, value in spread_over_codes(budget, shares, count, rng, 0.5).items():
                cells[(cty_code, hs10_code)] = value
    return cells


def _pieces(rng: random.Random, cty_code: str, hs10_code: str, value: float, month_value: float) -> list[ImportPiece]:
    """Split a country x code value over subcodes, districts, rate provisions and months."""
    parts = [("00", value)]
    program = PROGRAM_SUBCODES.get(cty_code)
    if program and rng.random() < 0.6:
        share = rng.uniform(0.3, 0.9)
        parts = [("00", value * (1 - share)), (program, value * share)]
    elif rng.random() < 0.05:
        parts = [("01", value)]
    pool = LAND_DISTRICTS.get(cty_code, DISTRICTS)
    pieces = []
    for subcode, part in parts:
        entry = rng.choice(pool)
        unlading = entry if rng.random() < 0.8 else rng.choice(DISTRICTS)
        rate = ("18" if subcode in ("CA", "MX", "A") else "10") if rng.random() < 0.8 else "61"
        months = sorted(rng.sample(range(1, 13), max(1, min(12, math.ceil(part / month_value)))))
        m_weights = [rng.uniform(0.5, 1.5) for _ in months]
        for month, weight in zip(months, m_weights, strict=True):
            value_m = part * weight / sum(m_weights)
            pieces.append(ImportPiece(hs10_code, cty_code, subcode, entry, unlading, rate, month, value_m))
    return pieces


def import_year(year: int, countries: list[CountryYear], catalog: Catalog, seed: int) -> list[tuple[ImportPiece, int]]:
    """The year's ATP import pieces with whole-USD general values summing to the real 0007 IYR;
    checked (:func:`_check_imports`)."""
    rng = random.Random(f"{STREAM}{seed}-{year}")
    world = next(c.imports_usd for c in countries if c.cty_code == WORLD_ATP_CODE)
    pieces: list[ImportPiece] = []
    for (cty_code, hs10_code), value in sorted(_cells(year, countries, catalog, seed, rng).items()):
        pieces.extend(_pieces(rng, cty_code, hs10_code, value, world / RECORDS_PER_YEAR))
    values = largest_remainder([p.value for p in pieces], world)
    result = [(p, v) for p, v in zip(pieces, values, strict=True) if v > 0]
    _check_imports(year, result, catalog, countries, seed)
    return result


def _check_imports(
    year: int, values: list[tuple[ImportPiece, int]], catalog: Catalog, countries: list[CountryYear], seed: int
) -> None:
    """Assert the calibration and pattern of the module docstring for one year."""
    world = next(c for c in countries if c.cty_code == WORLD_ATP_CODE)
    assert sum(v for p, v in values if catalog.codes[p.hs10_code].is_atp(year)) == world.imports_usd, year
    caps = {c.cty_code: c.imports_usd for c in countries if not c.cty_code.startswith("0")}
    per_partner: dict[str, int] = defaultdict(int)
    china: dict[str, int] = defaultdict(int)
    for piece, value in values:
        assert catalog.codes[piece.hs10_code].exists_in(year), (year, piece)
        per_partner[piece.cty_code] += value
        if piece.cty_code == CHINA:
            china[catalog.codes[piece.hs10_code].hitech_in(year)] += value
    assert all(v <= caps.get(c, -1) for c, v in per_partner.items()), year
    exports = china_group_targets(year, seed)
    assert sum(china.values()) > sum(exports.values()) + 5e9, (year, china)
    assert china["04"] >= 0.6 * sum(china.values()), (year, china)
    assert china["05"] <= 0.72 * exports["05"] and china["08"] <= 0.32 * exports["08"], (year, china)


def history_records(values: list[tuple[ImportPiece, int]], catalog: Catalog, seed: int, year: int) -> list[str]:
    """The year's IM145 records, in code, country, subcode, districts, rate provision, month order."""
    rng = random.Random(f"{STREAM}{seed}-{year}-records")
    records = []
    for p, gen in sorted(values, key=lambda pv: _sort_key(pv[0])):
        zone = round(gen * rng.uniform(0.01, 0.08)) if rng.random() < 0.1 else 0
        con = gen - zone
        freight = rng.uniform(0.01, 0.05)
        dutiable = con if p.rate_provision == "61" else 0
        unit = catalog.codes[p.hs10_code].unit_qty1
        price = 50.0 * truncated_lognormal(random.Random(f"{STREAM}{seed}-price-{p.hs10_code}"), 1.5)
        qty = 0 if unit in ("X", "") else round(gen / price)
        fields = {
            **{k: getattr(p, a) for k, a in _PIECE_FIELDS.items()},
            "stat_month": p.month,
            "record_count": rng.randint(1, 60),
            "con_qty1": round(qty * con / gen) if gen else 0,
            "con_qty2": 0,
            "con_value_usd": con,
            "dutiable_value_usd": dutiable,
            "duty_usd": round(dutiable * 0.03),
            "con_charges_usd": round(con * freight),
            "con_cif_usd": con + round(con * freight),
            "gen_qty1": qty,
            "gen_qty2": 0,
            "gen_value_usd": gen,
            "gen_charges_usd": round(gen * freight),
            "gen_cif_usd": gen + round(gen * freight),
        }
        records.append(format_record(IMPORT_HISTORY, fields))
    return records


_PIECE_FIELDS = {
    "hs10_code": "hs10_code",
    "cty_code": "cty_code",
    "cty_subcode": "subcode",
    "district_entry_code": "entry",
    "district_unlading_code": "unlading",
    "rate_provision_code": "rate_provision",
}


def _sort_key(p: ImportPiece) -> tuple[object, ...]:
    return (p.hs10_code, p.cty_code, p.subcode, p.entry, p.unlading, p.rate_provision, p.month)


def import_files(year: int, countries: list[CountryYear], catalog: Catalog, seed: int) -> list[tuple[str, list[str]]]:
    """(relative path, records) of the year's SYNTHETIC import files: the import list (none for
    2019, whose list is the real file) and ``IMP_HIST.TXT``; the other layout's list file of the
    year, if any, is the caller's to remove (:data:`IMPORT_LIST_FILES`)."""
    history = history_records(import_year(year, countries, catalog, seed), catalog, seed, year)
    files = [(input_file(IMPORT_HISTORY_FILE, year), history)]
    name, records = concordance(year, catalog, IMPORT_CONCORD, IMPORT_CONCORD_FILE, IMPORT_CODES_FILE)
    if name is not None:
        files.insert(0, (f"{year}/{name}", records))
    return files
