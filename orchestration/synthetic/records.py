"""One SYNTHETIC year as fixed-width records: its export history (values split over DF, customs
districts and months, integerised so that the world ATP total holds to the dollar, then checked
against every calibration constraint), its concordance and its country list."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from orchestration.census.layouts import CONCORD, COUNTRY, EXPORT_HISTORY, SCHEDULE_B, Layout, format_record
from orchestration.census.tables import CONCORD_FILE, SCHEDULE_B_FILE
from orchestration.synthetic.calibration import (
    CHINA,
    MAX_NON_ATP_CODE_SHARE,
    MIN_NON_ATP_CODES,
    MONTH_VALUE_USD,
    NON_ATP_PARTNER_SIGMA,
    NON_ATP_SHARE,
    SIZE_REFERENCE_USD,
    SMALL_NON_ATP_USD,
    WORLD_ATP_CODE,
)
from orchestration.synthetic.catalog import (
    DISTRICTS,
    FIRST_YEAR,
    GROUPS,
    LAND_DISTRICTS,
    LAST_CONCORD_YEAR,
    REAL_LIST_YEAR,
)
from orchestration.synthetic.filler import capped_shares, codes_for_budget, spread_over_codes
from orchestration.synthetic.lists import Catalog, Code
from orchestration.synthetic.targets import CountryYear, china_group_targets, china_paths
from orchestration.synthetic.values import Weights, china_values, largest_remainder, row_values


@dataclass
class Piece:
    """One export history record before rendering (value in USD, may be fractional)."""

    df_code: str
    hs10_code: str
    cty_code: str
    district_code: str
    month: int
    value: float


def _pieces(rng: random.Random, cty_code: str, hs10_code: str, value: float, size: float) -> list[Piece]:
    """Split a country x code annual value across DF, districts and months (more of them for
    larger values: a district's value is spread over one month per ``MONTH_VALUE_USD``, up to
    12; ``size`` scales the thresholds)."""
    splits: list[tuple[str, float]] = [("1", value)]
    if value > 1e6 and rng.random() < 0.25:
        foreign = value * rng.uniform(0.03, 0.15)
        splits = [("1", value - foreign), ("2", foreign)]
    districts_pool = LAND_DISTRICTS.get(cty_code, DISTRICTS)
    pieces: list[Piece] = []
    for df_code, df_value in splits:
        n_districts = 1 if df_value < 1e8 * size else (2 if df_value < 2e9 * size else 3)
        districts = rng.sample(districts_pool, min(n_districts, len(districts_pool)))
        d_weights = [rng.uniform(0.5, 1.5) for _ in districts]
        for district, d_weight in zip(districts, d_weights, strict=True):
            d_value = df_value * d_weight / sum(d_weights)
            n_months = max(1, min(12, math.ceil(d_value / (MONTH_VALUE_USD * size))))
            months = sorted(rng.sample(range(1, 13), n_months))
            m_weights = [rng.uniform(0.5, 1.5) for _ in months]
            for month, m_weight in zip(months, m_weights, strict=True):
                pieces.append(Piece(df_code, hs10_code, cty_code, district, month, d_value * m_weight / sum(m_weights)))
    return pieces


@dataclass
class YearFiles:
    """The synthetic files of one year, as lists of fixed-width records; ``concord_name`` is
    ``CONCORD.TXT`` or ``exp-code.txt`` (``None`` for 2019, whose list is the real file)."""

    concord_name: str | None
    concord: list[str]
    country: list[str]
    history: list[str]


def _years_ap(year: int, first: int) -> str:
    return "".join(f"{y % 100:02d}" for y in range(max(first, year - 4), year + 1))


def _code_fields(code: Code, year: int) -> dict[str, object]:
    """The fields of a code's concordance record both layouts share (blank when unknown)."""
    return {
        "hs10_code": code.hs10_code,
        "description": code.description,
        "unit_qty1": code.unit_qty1 or None,
        "unit_qty2": code.unit_qty2 or None,
        "sitc_code": code.sitc_code or None,
        "end_use_code": code.end_use_code or None,
        "naics_code": code.naics_code or None,
        "usda_code": code.usda_code or None,
        "hitech_code": code.hitech_in(year),
    }


def concordance(
    year: int,
    catalog: Catalog,
    old_layout: Layout = CONCORD,
    old_file: str = CONCORD_FILE,
    new_file: str = SCHEDULE_B_FILE,
) -> tuple[str | None, list[str]]:
    """The file name and records of the year's concordance: ``old_file`` in ``old_layout`` (the
    export CONCORD.TXT, 245, by default) up to :data:`~orchestration.synthetic.catalog.LAST_CONCORD_YEAR`,
    ``new_file`` in the 278 layout after (a real code keeps its real record with the year's group);
    none for the year of the real list. The import lists pass their own layout and files."""
    if year == REAL_LIST_YEAR:
        return None, []
    listed = catalog.listed(year)
    if year <= LAST_CONCORD_YEAR:
        return Path(old_file).name, [
            format_record(
                old_layout,
                {
                    **_code_fields(c, year),
                    "short_description": c.short_description[:50].rstrip(),
                    "years_ap": _years_ap(year, c.first_year),
                },
            )
            for c in listed
        ]
    records = []
    for c in listed:
        if c.real_record is not None:  # the real record, with this year's group
            records.append(c.real_record[: SCHEDULE_B.record_length - 2] + c.hitech_in(year))
        else:
            records.append(
                format_record(SCHEDULE_B, {**_code_fields(c, year), "short_description": c.short_description})
            )
    return Path(new_file).name, records


def generate_year(year: int, countries: list[CountryYear], catalog: Catalog, weights: Weights, seed: int) -> YearFiles:
    """Build the concordance, country list and export history records of one year.

    ``countries`` are the year's rows of the real country table (USD). Raises ``AssertionError``
    when a calibration constraint (world ATP total to the dollar, partner caps, lists, months)
    does not hold, so a bad generator change cannot ship a bad sample.
    """
    rng = random.Random(f"{seed}-{year}")
    world_atp = next(c.exports_usd for c in countries if c.cty_code == WORLD_ATP_CODE)
    real = [c for c in countries if not c.cty_code.startswith("0") and c.exports_usd > 0]
    size = world_atp / SIZE_REFERENCE_USD
    integer_values = _atp_records(year, real, world_atp, catalog, weights, rng, size, seed)
    integer_values.extend(_non_atp_records(year, real, integer_values, catalog, weights, rng, size))
    integer_values = [(p, v) for p, v in integer_values if v > 0]
    caps = {c.cty_code: c.exports_usd for c in real}
    _check_year(year, integer_values, catalog, world_atp, caps, countries, seed)
    concord_name, concord = concordance(year, catalog)
    return YearFiles(
        concord_name=concord_name,
        concord=concord,
        country=_country_records(year, countries),
        history=_history_records(year, integer_values, catalog, weights, rng),
    )


def _atp_records(
    year: int,
    real: list[CountryYear],
    world_atp: int,
    catalog: Catalog,
    weights: Weights,
    rng: random.Random,
    size: float,
    seed: int,
) -> list[tuple[Piece, int]]:
    """The pieces of every code the export values of China and of the other partners
    (:func:`~orchestration.synthetic.values.china_values`, :func:`~orchestration.synthetic.values.row_values`)
    cover, in whole USD: ATP pieces integerised per half (China, rest of world) so the world ATP
    total is exact to the dollar; the codes off the year's list rounded."""
    china_total = round(sum(china_group_targets(year, seed).values()))
    row_countries = [c for c in real if c.cty_code != CHINA and c.exports_usd >= 1_000_000]
    cells = {(CHINA, code): value for code, value in china_values(year, catalog, weights, seed).items()}
    cells.update(row_values(year, catalog, weights, row_countries, world_atp - china_total, rng, size, seed))
    china_pieces: list[Piece] = []
    row_pieces: list[Piece] = []
    other_pieces: list[Piece] = []
    for (cty_code, code), value in sorted(cells.items()):
        pieces = _pieces(rng, cty_code, code, value, size)
        if not catalog.codes[code].is_atp(year):
            other_pieces.extend(pieces)
        elif cty_code == CHINA:
            china_pieces.extend(pieces)
        else:
            row_pieces.extend(pieces)
    integer_values: list[tuple[Piece, int]] = []
    for pieces, total in ((china_pieces, china_total), (row_pieces, world_atp - china_total)):
        integer_values.extend(zip(pieces, largest_remainder([p.value for p in pieces], total), strict=True))
    integer_values.extend((p, round(p.value)) for p in other_pieces)
    return integer_values


def _non_atp_records(
    year: int,
    real: list[CountryYear],
    shipped_values: list[tuple[Piece, int]],
    catalog: Catalog,
    weights: Weights,
    rng: random.Random,
    size: float,
) -> list[tuple[Piece, int]]:
    """Non-ATP exports: NON_ATP_SHARE of what each partner's real total leaves after the pieces
    already ``shipped_values``, spread over the universe of codes never on the ATP list (capped
    shares, partner noise; the partner with the largest budget ships every code, smaller ones
    fewer); values under SMALL_NON_ATP_USD are dropped."""
    shipped: dict[str, int] = defaultdict(int)
    for piece, value in shipped_values:
        shipped[piece.cty_code] += value
    never_atp = [c for c in catalog.codes if catalog.home_group[c] is None and catalog.codes[c].exists_in(year)]
    shares = {
        partner: capped_shares({c: weights.of(c, year, partner) for c in never_atp}) for partner in ("china", "row")
    }
    budgets = {c.cty_code: NON_ATP_SHARE * (c.exports_usd - shipped[c.cty_code]) for c in real}
    budgets = {code: budget for code, budget in budgets.items() if budget >= 50_000}
    largest = max(budgets.values())
    records: list[tuple[Piece, int]] = []
    for cty_code, budget in budgets.items():
        count = codes_for_budget(budget, largest, len(never_atp))
        partner_shares = shares["china" if cty_code == CHINA else "row"]
        for code, value in spread_over_codes(budget, partner_shares, count, rng, NON_ATP_PARTNER_SIGMA).items():
            if value >= SMALL_NON_ATP_USD:
                records.extend((p, round(p.value)) for p in _pieces(rng, cty_code, code, value, size))
    return records


def _history_records(
    year: int, integer_values: list[tuple[Piece, int]], catalog: Catalog, weights: Weights, rng: random.Random
) -> list[str]:
    """The year's export history records (EM545/EA645 layout) of the pieces, in code, country,
    district, DF and month order: quantities from each code's unit price, the value split between
    vessel and air (land partners: neither)."""
    history = []
    for piece, value in sorted(
        integer_values,
        key=lambda pv: (pv[0].hs10_code, pv[0].cty_code, pv[0].district_code, pv[0].df_code, pv[0].month),
    ):
        code = catalog.codes[piece.hs10_code]
        quantity = None if code.unit_qty1 in ("X", "") else max(1, round(value / weights.unit_price[code.hs10_code]))
        land = piece.cty_code in LAND_DISTRICTS
        air_share = 0.0 if land else (0.85 if catalog.home_group[code.hs10_code] else 0.1)
        air_value = round(value * air_share)
        vessel_value = 0 if land else value - air_value
        history.append(
            format_record(
                EXPORT_HISTORY,
                {
                    "df_code": piece.df_code,
                    "hs10_code": piece.hs10_code,
                    "cty_code": piece.cty_code,
                    "district_code": piece.district_code,
                    "stat_month": piece.month,
                    "stat_year": year,
                    "qty2": None,
                    "record_count": rng.randint(1, 60),
                    "qty1": quantity,
                    "value_usd": value,
                    "vessel_weight_kg": round(vessel_value / 3) if vessel_value else 0,
                    "vessel_value_usd": vessel_value,
                    "air_weight_kg": round(air_value / 150) if air_value else 0,
                    "air_value_usd": air_value,
                },
            )
        )
    return history


def _country_records(year: int, countries: list[CountryYear]) -> list[str]:
    """The year's country list (COUNTRY.TXT layout): every code of the real country table's year."""
    return [
        format_record(
            COUNTRY,
            {
                "cty_code": c.cty_code,
                "cty_desc": None,
                "cty_name": c.cty_name[:30],
                "years_ap": _years_ap(year, FIRST_YEAR - 4),
            },
        )
        for c in sorted(countries, key=lambda c: c.cty_code)
    ]


def _check_year(
    year: int,
    integer_values: list[tuple[Piece, int]],
    catalog: Catalog,
    world_atp: int,
    caps: dict[str, int],
    countries: list[CountryYear],
    seed: int,
) -> None:
    """Assert the calibration constraints of one year's history (see the module docstring)."""
    atp_total = sum(v for p, v in integer_values if catalog.codes[p.hs10_code].is_atp(year))
    assert atp_total == world_atp, (year, atp_total, world_atp)
    per_partner: dict[str, int] = defaultdict(int)
    for piece, value in integer_values:
        per_partner[piece.cty_code] += value
    over = {code: (value, caps.get(code)) for code, value in per_partner.items() if value > caps.get(code, 0)}
    assert not over, (year, over)
    listed_countries = {c.cty_code for c in countries}
    assert all(p.cty_code in listed_countries and not p.cty_code.startswith("0") for p, _ in integer_values), year
    assert all(catalog.codes[p.hs10_code].exists_in(year) for p, _ in integer_values), year
    assert {p.month for p, _ in integer_values} == set(range(1, 13)), year
    china = china_group_targets(year, seed)
    china_listed = defaultdict(int)
    for piece, value in integer_values:
        if piece.cty_code == CHINA:
            china_listed[catalog.codes[piece.hs10_code].hitech_in(year)] += value
    for group in GROUPS:
        assert abs(china_listed[group] - china[group]) <= 1_000 + 1e-6 * china[group], (year, group)
    # the briefing's facts within the tolerances of the module docstring, never exactly round
    china_atp = sum(china_listed[g] for g in GROUPS)
    path_total, path_electronics = china_paths(year)
    assert abs(china_atp / path_total - 1) <= 0.01, (year, china_atp, path_total)
    assert abs(china_listed["05"] / path_electronics - 1) <= 0.01, (year, china_listed["05"], path_electronics)
    assert any(
        abs(1000 * china_listed[g] / china_atp - round(1000 * china_listed[g] / china_atp)) > 1e-6 for g in GROUPS
    )
    # non-ATP value on many codes, none of them large, every code of the universe shipped
    non_atp: dict[str, int] = defaultdict(int)
    for piece, value in integer_values:
        if not catalog.codes[piece.hs10_code].is_atp(year):
            non_atp[piece.hs10_code] += value
    assert len(non_atp) >= MIN_NON_ATP_CODES, (year, len(non_atp))
    largest = max(non_atp, key=lambda c: (non_atp[c], c))
    assert non_atp[largest] <= MAX_NON_ATP_CODE_SHARE * sum(non_atp.values()), (year, largest, non_atp[largest])
    never_atp = {c for c in catalog.codes if catalog.home_group[c] is None and catalog.codes[c].exists_in(year)}
    assert never_atp <= set(non_atp), (year, sorted(never_atp - set(non_atp))[:5])
