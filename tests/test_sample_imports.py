"""The import side of the bundled sample (2000-2023): the real 2019 HTS import list byte for byte,
SYNTHETIC import lists and ATP import histories calibrated to the real Census country table, and
the published ATP balance pattern (Ferrantino, Koopman, Wang & Yinug 2008; DOMAIN.md 2f).

The files are read here by position (IM145: 1-10 HS10, 11-14 country, 15-16 subcode, 58-69
consumption value, 142-153 general imports value, 166-177 general CIF; import lists: HITECH at
234-235 of the 235 layout, 277-278 of the 278 layout; exports: EM545 3-12 HS10, 13-16 country,
61-72 value), independently of the loader and of the generator. Expected totals come from the
real ``country.xlsx`` (IYR, EYR) and from DOMAIN.md; the tolerances of the China facts are those
of ``orchestration/synthetic/imports.py``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from orchestration.census.load import load_table
from orchestration.census.parse import read_country_trade
from orchestration.census.tables import IMPORT_CONCORDANCE_TABLE, IMPORT_HISTORY_TABLE

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "warehouse" / "sample"
YEARS = range(2000, 2024)
CHINA = "5700"
# tests/data/README.md: the real 2019 imp-code.txt of SBSDF.ZIP
IMP_CODE_SHA256 = "514781c88734bd259bdaddf62413c7ade10b35dc763c325736a2a59fb1a981d0"
GROUPS = tuple(f"{g:02d}" for g in range(1, 11))


def _records(path: Path) -> list[str]:
    data = path.read_bytes().decode("ascii")
    assert data.endswith("\r\n"), path
    return data[:-2].split("\r\n")


def _import_list(year: int) -> dict[str, str]:
    """code -> HITECH of the year's import list, by position."""
    if year <= 2011:
        records = _records(SAMPLE_DIR / str(year) / "IMP_CONCORD.TXT")
        assert {len(r) for r in records} == {235}, year
        return {r[:10]: r[233:235] for r in records}
    records = _records(SAMPLE_DIR / str(year) / "imp-code.txt")
    assert {len(r) for r in records} == {278}, year
    return {r[:10]: r[276:278] for r in records}


def _export_list(year: int) -> dict[str, str]:
    """code -> HITECH of the year's export list (CONCORD.TXT 234-235, exp-code.txt 277-278)."""
    name, start = ("CONCORD.TXT", 233) if year <= 2011 else ("exp-code.txt", 276)
    return {r[:10]: r[start : start + 2] for r in _records(SAMPLE_DIR / str(year) / name)}


@pytest.fixture(scope="module")
def real() -> dict[tuple[int, str], tuple[int, int]]:
    """(year, country) -> (EYR, IYR) of the real country table in whole USD (exact decimals)."""
    table = read_country_trade(SAMPLE_DIR / "country_trade" / "country.xlsx", "country.xlsx").to_pylist()
    return {
        (r["year"], r["cty_code"]): (int(r["eyr"] * 1_000_000), int((r["iyr"] or 0) * 1_000_000))
        for r in table
        if r["year"] is not None
    }


@pytest.fixture(scope="module")
def imports() -> dict[int, list[tuple[str, str, str, int, int, int, str]]]:
    """year -> (HS10, country, subcode, general, consumption, general CIF, HITECH of the year)."""
    by_year = {}
    for year in YEARS:
        listed = _import_list(year)
        rows = []
        for r in _records(SAMPLE_DIR / str(year) / "IMP_HIST.TXT"):
            assert len(r) == 253, year
            rows.append(
                (r[:10], r[10:14], r[14:16].strip(), int(r[141:153]), int(r[57:69]), int(r[165:177]), listed[r[:10]])
            )
        by_year[year] = rows
    return by_year


@pytest.fixture(scope="module")
def china_exports() -> dict[int, dict[str, int]]:
    """year -> ATP group -> SYNTHETIC exports to China (USD), from EXP_HIST.TXT by position."""
    by_year: dict[int, dict[str, int]] = {}
    for year in YEARS:
        listed = _export_list(year)
        groups: dict[str, int] = defaultdict(int)
        for r in _records(SAMPLE_DIR / str(year) / "EXP_HIST.TXT"):
            if r[12:16] == CHINA and listed[r[2:12]] != "00":
                groups[listed[r[2:12]]] += int(r[60:72])
        by_year[year] = groups
    return by_year


def _atp(rows: list[tuple[str, str, str, int, int, int, str]], country: str | None = None) -> dict[str, int]:
    groups: dict[str, int] = defaultdict(int)
    for _, cty, _, gen, _, _, hitech in rows:
        if hitech != "00" and not cty.startswith("0") and country in (None, cty):
            groups[hitech] += gen
    return groups


def test_real_2019_import_list_is_the_census_file() -> None:
    path = SAMPLE_DIR / "2019" / "imp-code.txt"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == IMP_CODE_SHA256
    assert not (SAMPLE_DIR / "2019" / "IMP_CONCORD.TXT").exists()
    listed = _import_list(2019)
    assert len(listed) == 19_111 and sum(1 for g in listed.values() if g != "00") == 547


def test_world_atp_imports_equal_real_0007_iyr_to_the_dollar(imports, real) -> None:
    for year in YEARS:
        assert sum(_atp(imports[year]).values()) == real[(year, "0007")][1], year
    # hand-checked against DOMAIN.md 2f (millions of USD)
    assert real[(2000, "0007")][1] == 222_082_000_000
    assert real[(2008, "0007")][1] == 331_152_000_000
    assert real[(2023, "0007")][1] == 636_875_895_561


def test_records_are_on_the_years_lists_and_under_partner_totals(imports, real) -> None:
    for year in YEARS:
        per_partner: dict[str, int] = defaultdict(int)
        subcodes = set()
        for _, cty, subcode, gen, con, cif, _ in imports[year]:
            assert (year, cty) in real and not cty.startswith("0"), (year, cty)
            assert 0 <= con <= gen <= cif, (year, cty, gen, con, cif)
            per_partner[cty] += gen
            subcodes.add(subcode)
        assert all(v <= real[(year, c)][1] for c, v in per_partner.items()), year
        assert {"00", "01", "A", "CA", "MX"} <= subcodes, (year, subcodes)


def test_world_atp_balance_positive_until_2001_negative_after(real) -> None:
    for year in YEARS:
        eyr, iyr = real[(year, "0007")]
        assert (eyr > iyr) == (year <= 2001), year


def test_china_balance_follows_the_published_pattern(imports, china_exports) -> None:
    deficit = {}
    for year in YEARS:
        imported, exported = _atp(imports[year], CHINA), china_exports[year]
        deficit[year] = sum(imported.values()) - sum(exported.values())
        assert deficit[year] > 5e9, year
        assert imported["04"] >= 0.6 * sum(imported.values()), year  # concentrated in ICT
        assert imported["05"] < exported["05"] and imported["08"] < exported["08"], year  # U.S. surpluses
    assert deficit[2008] > 4 * deficit[2000] and deficit[2023] > deficit[2008]


def test_import_history_is_about_the_size_of_the_export_history() -> None:
    for year in YEARS:
        imports = (SAMPLE_DIR / str(year) / "IMP_HIST.TXT").stat().st_size
        exports = (SAMPLE_DIR / str(year) / "EXP_HIST.TXT").stat().st_size
        assert 0.5 < imports / exports < 1.5, year


@pytest.mark.parametrize("year", [2008, 2019])
def test_the_raw_layer_loads_the_sample_import_files(tmp_path: Path, imports, year: int) -> None:
    # the loader agrees with the reading by position (235 layout in 2008, the real 278 list in 2019)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        for table in (IMPORT_HISTORY_TABLE, IMPORT_CONCORDANCE_TABLE):
            (result,) = load_table(con, SAMPLE_DIR, table, [year])
            assert result.origin == ("census" if table is IMPORT_CONCORDANCE_TABLE and year == 2019 else "synthetic")
        loaded = con.execute(
            "select count(*), sum(gen_value_usd), count(distinct cty_subcode) from raw.import_history where year = ?",
            [year],
        ).fetchone()
        assert loaded == (len(imports[year]), sum(row[3] for row in imports[year]), len({r[2] for r in imports[year]}))
        listed = con.execute("select count(*) from raw.import_concordance where year = ?", [year]).fetchone()[0]
        assert listed == len(_import_list(year))
    finally:
        con.close()
