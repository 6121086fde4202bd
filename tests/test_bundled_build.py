"""The main job on the bundled sample (2000-2023), built by ``make run`` itself in a temporary
warehouse: its console output is short and ends with the summary, world ATP totals equal the real
Census 0007 totals to the dollar every year, no money is a float anywhere, and every artefact says
which inputs are real and which synthetic."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.census.parse import read_country_trade
from orchestration.paths import REPO_ROOT
from tests import reference_dumps
from tests.conftest import COUNTRY_TRADE_XLSX, SAMPLE_DIR

YEARS = list(range(2000, 2024))
#: Column names that hold money (USD, whole or millions or billions, values of exports/imports).
MONEY = re.compile(r"usd|value|^[ei](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|yr)$|exports|imports")
#: Float columns allowed: ratios, shares, percentage points, indexes, growth rates.
RATIO = re.compile(r"share|_pp$|_pct$|growth|index")


def _bundle_counts() -> tuple[int, int]:
    """Records of the bundle's export histories, and the (year, country, ATP group) cells they
    fill (the grain of ``fct_atp_exports``), counted here from the fixed-width files by position
    (/work/shared/DOMAIN.md 2b, 2b', 2d: HS10 at 3-12 and country at 13-16 of EXP_HIST.TXT; the
    group at 234-235 of CONCORD.TXT and 277-278 of exp-code.txt; 0xxx codes are not countries),
    independently of the loader and the models."""
    records, cells = 0, set()
    for year in YEARS:
        folder = SAMPLE_DIR / str(year)
        concordance, at = folder / "CONCORD.TXT", 233
        if not concordance.exists():
            concordance, at = folder / "exp-code.txt", 276
        groups = {line[:10]: line[at : at + 2] for line in concordance.read_text(encoding="ascii").splitlines()}
        for line in (folder / "EXP_HIST.TXT").read_text(encoding="ascii").splitlines():
            records += 1
            if groups[line[2:12]] != "00" and not line[12:16].startswith("0"):
                cells.add((year, line[12:16], groups[line[2:12]]))
    return records, len(cells)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bundled")
    paths = {"duckdb": root / "atp.duckdb", "exports": root / "exports"}
    # as typed in a shell: not nested in `make test` (whose MAKEFLAGS would add make's directory lines)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ATP_") and k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    }
    env |= {"ATP_DUCKDB_PATH": str(paths["duckdb"]), "ATP_EXPORTS_DIR": str(paths["exports"])}
    env["DAGSTER_HOME"] = str(root / "dagster_home")
    # the README's command, as a user types it (the virtualenv is installed: nothing to install)
    made = subprocess.run(["make", "run"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert made.returncode == 0, (
        "the main job (and every dbt test) must succeed on the bundle:\n" + made.stdout + made.stderr
    )
    paths["output"] = made.stdout + made.stderr
    return paths


def _import_records() -> int:
    """Records of the bundle's import histories (IMP_HIST.TXT, one 253-character IM145 record a
    line), counted here from the files."""
    return sum(len((SAMPLE_DIR / str(year) / "IMP_HIST.TXT").read_bytes().splitlines()) for year in YEARS)


def test_make_run_prints_at_most_40_lines_ending_with_the_summary(bundled) -> None:
    lines = bundled["output"].rstrip("\n").split("\n")
    assert len(lines) <= 40, "\n".join(lines)
    assert lines[0] == "Materializing every asset for 2000-2023 from source sample ..."
    assert lines[1].startswith("  full dbt and Dagster output: ") and lines[1].endswith(".log")
    # one line per step: six raw inputs (the export and the import table of the same input on one
    # line, as their second step ends), dbt build (dbt's own counts), the Python checks, the figures
    tables = [re.findall(r"raw\.(\w+)", line) for line in lines[2:8]]
    assert tables == [
        ["api_hitech_exports", "api_hitech_imports"],
        ["countries"],
        ["country_trade"],
        ["hs10_code_changes", "import_code_changes"],
        ["atp_concordance", "import_concordance"],
        ["export_history", "import_history"],
    ]
    assert [line.split(":")[0].strip() for line in lines[8:11]] == ["dbt build", "checks", "figures"]
    assert re.fullmatch(r"  dbt build: \d+ models, 2 seeds, \d+ data tests, \d+ unit tests, [0-9.]+ s", lines[8])
    assert re.fullmatch(
        r"  raw.api_hitech_exports, raw.api_hitech_imports: 0 rows \(2000-2023; only the census source fills "
        r"them\), [0-9.]+ s",
        lines[2],
    )
    records, fact_rows = _bundle_counts()
    assert lines[7].startswith(
        f"  raw.export_history: {records:,} rows, raw.import_history: {_import_records():,} rows (2000-2023), "
    )
    # then the summary: warehouse, marts, origins (both flows' histories and lists), figures,
    # ending with the lineage file
    summary = "\n".join(lines[11:])
    assert summary.startswith(f"DuckDB warehouse: {bundled['duckdb']}")
    assert f"  views (rows): fct_atp_exports {fact_rows:,}, fct_atp_exports_by_definition " in summary
    assert "(years held: 2000-2023)" in summary
    inputs = lines[lines.index("Inputs by year (raw.source_files):") + 1 :]
    assert inputs[:6] == [
        "  ATP list: Census 2019; SYNTHETIC 2000-2018, 2020-2023",
        "  country list: SYNTHETIC 2000-2023",
        "  country table: Census 2000-2023 (country_trade/country.xlsx, vintage 2024-06)",
        "  export history: SYNTHETIC 2000-2023",
        "  import ATP list: Census 2019; SYNTHETIC 2000-2018, 2020-2023",
        "  import history: SYNTHETIC 2000-2023",
    ]
    assert inputs[6].startswith("Figures (")
    assert lines[-1].strip().startswith("lineage.md")
    assert not any(word in bundled["output"] for word in ("BetaWarning", "partial parse", "Partial parse"))


def test_atp_tables_lists_every_mart_with_grain_rows_and_description(bundled) -> None:
    env = {**os.environ, "ATP_DUCKDB_PATH": str(bundled["duckdb"])}
    atp = Path(sys.executable).parent / "atp"
    listed = subprocess.run([str(atp), "tables"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    text = listed.stdout
    fact_rows = _bundle_counts()[1]
    description = "U.S. exports of Advanced Technology Products by partner and technology group."
    assert f"fct_atp_exports ({fact_rows:,} rows)\n  {description}" in text
    assert "  Grain: one row per year x partner country (cty_code) x ATP group" in text
    for mart in ("dim_partners", "fct_partner_shares", "fct_specialization_gaps", "fct_hs10_gap_contributions_top"):
        assert f"\n{mart} (" in "\n" + text, mart
    assert text.count("  Grain: ") == text.count(" rows)\n")


def test_world_atp_in_fact_equals_real_0007_to_the_dollar(bundled) -> None:
    # the real 0007 EYR of country.xlsx (millions of USD, 6 decimals) in whole USD, read here
    # from the workbook independently of the warehouse's raw table
    rows = read_country_trade(COUNTRY_TRADE_XLSX, "country.xlsx").to_pylist()
    published = {r["year"]: int(r["eyr"] * 1_000_000) for r in rows if r["cty_code"] == "0007" and r["year"]}
    assert published[2022] == 391_463_209_076
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        totals = dict(con.execute("select year, sum(export_value_usd) from fct_atp_exports group by year").fetchall())
    assert sorted(totals) == YEARS
    assert {year: totals[year] - published[year] for year in YEARS} == dict.fromkeys(YEARS, 0)


def test_no_money_column_is_a_float_in_raw_tables_models_or_exports(bundled) -> None:
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        columns = con.execute(
            "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
            "where table_schema in ('raw', 'main')"
        ).fetchall()
    floats = [(t, c) for t, c, kind in columns if kind in ("DOUBLE", "FLOAT", "REAL")]
    assert floats, "the marts do hold float shares; the test must see them"
    assert [(t, c) for t, c in floats if MONEY.search(c) or not RATIO.search(c)] == []
    money = {(t, c): kind for t, c, kind in columns if MONEY.search(c) and not RATIO.search(c)}
    assert money[("raw.country_trade", "eyr")] == "DECIMAL(18,6)"
    assert money[("main.fct_atp_exports", "export_value_usd")] == "BIGINT"
    parquet = sorted(bundled["exports"].glob("*.parquet"))
    assert len(parquet) == 7  # figures 1-6 of ATP exports and figure 7, the balance
    for path in parquet:
        for field in pq.read_schema(path):
            # a float column must be a ratio, whatever its name; a money column must be a decimal
            if pa.types.is_floating(field.type):
                assert RATIO.search(field.name) and not MONEY.search(field.name), (path.name, field.name)
            if MONEY.search(field.name) and not RATIO.search(field.name):
                assert pa.types.is_decimal(field.type), (path.name, field.name, field.type)
    assert pq.read_schema(bundled["exports"] / "figure_1_atp_exports_5700_china.parquet").field(
        "world_atp_exports_usd_billions"
    ).type == pa.decimal128(18, 9)


def test_world_totals_in_figure_1_are_exact(bundled) -> None:
    import csv

    with (bundled["exports"] / "figure_1_atp_exports_5700_china.csv").open() as handle:
        world = {int(r["year"]): r["world_atp_exports_usd_billions"] for r in csv.DictReader(handle)}
    # 0007 EYR: 2022 = 391,463.209076 million USD (real), 2000 = 227,395 million
    assert world[2022] == "391.463209076" and world[2000] == "227.395000000"


def test_real_and_synthetic_inputs_are_labelled(bundled) -> None:
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        assert con.execute("select bool_and(is_synthetic) from fct_specialization_gaps").fetchone()[0] is True
        lists = dict(
            con.execute("select year, bool_or(is_synthetic) from raw.atp_concordance group by year").fetchall()
        )
        assert lists[2019] is False and all(lists[y] for y in YEARS if y != 2019)
        assert con.execute("select bool_or(is_synthetic) from raw.country_trade").fetchone()[0] is False
        comment = con.execute("select comment from duckdb_tables() where table_name = 'fct_atp_trade'").fetchone()[0]
        from orchestration.provenance import origin_lines

        lines = origin_lines(con)
    assert "SYNTHETIC" in comment
    assert "ATP list: Census 2019; SYNTHETIC 2000-2018, 2020-2023" in lines
    assert "export history: SYNTHETIC 2000-2023" in lines
    assert "country table: Census 2000-2023 (country_trade/country.xlsx, vintage 2024-06)" in lines
    caption = pq.read_table(bundled["exports"] / "figure_2_composition_5700_china.parquet").schema.metadata[b"caption"]
    assert b"SYNTHETIC" in caption and b"Real Census inputs: ATP list 2019; country table 2000-2023" in caption
    figure_1 = pq.read_table(bundled["exports"] / "figure_1_atp_exports_5700_china.parquet").to_pydict()
    assert set(figure_1["data_origin"]) == {"synthetic sample"}
    # the briefing's estimate: about 13 % a year over 2000-2008
    china = dict(zip(figure_1["year"], figure_1["partner_atp_exports_usd_billions"], strict=True))
    assert float(china[2008] / china[2000]) ** (1 / 8) - 1 == pytest.approx(0.13, abs=0.01)


def test_the_atp_balance_follows_the_published_pattern(bundled) -> None:
    """World ATP imports equal the published 0007 IYR of every year to the dollar (read here from
    the real country table as loaded, millions of USD with six decimals); the world ATP balance is
    a surplus in 2000 and 2001 and a deficit from 2002 on (Census, FT-900 exhibit 16); the deficit
    with China is in information & communications (04), with surpluses in electronics (05) and
    aerospace (08) (Ferrantino, Koopman, Wang & Yinug 2008)."""
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        published = dict(
            con.execute(
                "select year, cast(iyr * 1000000 as decimal(24, 0)) from raw.country_trade where cty_code = '0007'"
            ).fetchall()
        )
        built = dict(
            con.execute(
                "select year, sum(value_usd) from fct_atp_trade where trade_flow = 'imports' group by year"
            ).fetchall()
        )
        balance = dict(
            con.execute(
                "select year, world_balance_usd from fct_atp_trade_balance where partner_code = '5700' "
                "and definition = 'as_published' and hitech_code = 'all'"
            ).fetchall()
        )
        china = {
            (year, group): value
            for year, group, value in con.execute(
                "select year, hitech_code, partner_balance_usd from fct_atp_trade_balance "
                "where partner_code = '5700' and definition = 'as_published'"
            ).fetchall()
        }
    assert sorted(built) == list(YEARS)
    assert {year: int(published[year]) for year in YEARS} == {year: int(built[year]) for year in YEARS}
    assert published[2000] == 222_082_000_000 and published[2008] == 331_152_000_000
    assert balance[2000] > 0 and balance[2001] > 0
    assert all(balance[year] < 0 for year in YEARS if year >= 2002)
    assert balance[2023] < balance[2008] < balance[2002]
    for year in (2005, 2008):
        assert china[(year, "04")] < 0 and china[(year, "05")] > 0 and china[(year, "08")] > 0
        # the deficit is concentrated in 04: its largest group deficit, more than half of the total
        groups = {group: china[(year, group)] for group in ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10")}
        assert min(groups, key=groups.get) == "04" and china[(year, "04")] < china[(year, "all")] / 2
    assert china[(2023, "all")] < china[(2002, "all")] < 0


def test_no_year_is_left_out_and_no_code_is_unlisted(bundled) -> None:
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        assert con.execute("select count(*) from int_trade_history_years where not is_complete_year").fetchone() == (0,)
        assert con.execute("select count(*) from int_hs10_codes_missing_from_list").fetchone() == (0,)


#: The China rows of the marts under their names before the partner became a dimension (issue 10),
#: regenerated from the new bundle of issue 17 (tests/data/china_before_partner_dimension/README.md).
BEFORE = Path(__file__).parent / "data" / "china_before_partner_dimension"


def _before(name: str) -> list[dict[str, str]]:
    import csv

    with (BEFORE / f"{name}.csv").open() as handle:
        return list(csv.DictReader(handle))


def _same_number(old: str, new: object) -> bool:
    """An old CSV field against a new value: USD exact, ratios to 1e-12, empty = null."""
    if old == "":
        return new is None
    if new is None:
        return False
    if isinstance(new, int):
        return int(old) == new
    return abs(float(old) - float(new)) <= 1e-12 * max(1.0, abs(float(old)))


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> dict[tuple, dict[str, object]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return {tuple(row[:3]): dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_china_numbers_are_unchanged_under_the_new_names(bundled) -> None:
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        gaps = _rows(
            con,
            "select year, hitech_code, definition, * from fct_specialization_gaps "
            "where trade_flow = 'exports' and partner_code = '5700' and definition = 'as_published'",
        )
        growth = {
            (r[0], r[1], r[2]): r[3:]
            for r in con.execute(
                "select year, definition, hitech_code, partner_value_usd, partner_yoy_growth, "
                "partner_index_first_year_100, rest_of_world_value_usd, rest_of_world_yoy_growth, "
                "rest_of_world_index_first_year_100, world_value_usd, world_yoy_growth, world_index_first_year_100 "
                "from fct_atp_growth where trade_flow = 'exports' and partner_code = '5700'"
            ).fetchall()
        }
        reclassification = _rows(
            con,
            "select year, hitech_code, partner_code, * exclude (trade_flow) from fct_atp_reclassification "
            "where trade_flow = 'exports' and partner_code = '5700'",
        )
        shares = _rows(
            con,
            "select year, hitech_code, definition, * from fct_partner_shares "
            "where trade_flow = 'exports' and partner_code = '5700' and definition = 'as_published'",
        )
    old_gaps = _before("mart_specialization_gaps")
    assert len(old_gaps) == len(gaps) == 240
    renamed = {
        "china_value_usd": "partner_value_usd",
        "row_value_usd": "rest_of_world_value_usd",
        "world_value_usd": "world_value_usd",
        "china_composition_share": "partner_composition_share",
        "row_composition_share": "rest_of_world_composition_share",
        "gap_pp": "gap_pp",
    }
    for old in old_gaps:
        new = gaps[(int(old["year"]), old["hitech_code"], "as_published")]
        assert all(_same_number(old[o], new[n]) for o, n in renamed.items()), (old, new)

    old_growth = _before("mart_atp_growth")
    assert len(old_growth) == 3 * len(growth)  # the three scopes are now columns of one row
    scope_at = {"china": 0, "rest_of_world": 3, "world": 6}
    for old in old_growth:
        new = growth[(int(old["year"]), old["definition"], old["hitech_code"])]
        at = scope_at[old["partner_scope"]]
        for offset, field in enumerate(("value_usd", "yoy_growth", "index_first_year_100")):
            assert _same_number(old[field], new[at + offset]), (old, field, new)

    measures = ("added", "dropped", "moved_in", "moved_out", "renumbered", "unlinked")
    old_reclassification = _before("mart_atp_reclassification")
    assert len(old_reclassification) == 2 * len(reclassification) == 480
    for old in old_reclassification:
        new = reclassification[(int(old["year"]), old["hitech_code"], "5700")]
        prefix = "partner" if old["partner_scope"] == "china" else "world"
        for measure in measures:
            assert int(old[f"codes_{measure}"]) == new[f"codes_{measure}"]
            assert int(old[f"value_{measure}_usd"]) == new[f"{prefix}_value_{measure}_usd"]
        for field in ("as_published_value_usd", "fixed_value_usd", "reclassification_effect_usd"):
            assert _same_number(old[field], new[f"{prefix}_{field}"]), (old, field)

    old_shares = _before("mart_partner_shares")
    # the old mart held the groups with exports to China: every year every group but Weapons (09),
    # which China does not get (arms embargo), 24 x 9
    assert len(old_shares) == 24 * 9
    for old in old_shares:
        new = shares[(int(old["year"]), old["hitech_code"], "as_published")]
        assert int(old["export_value_usd"]) == new["partner_value_usd"]
        assert int(old["world_group_value_usd"]) == new["world_value_usd"]
        assert int(old["partner_atp_value_usd"]) == new["partner_atp_value_usd"]
        assert _same_number(old["partner_share"], new["partner_share"])
        assert _same_number(old["composition_share"], new["composition_share"])
    # the rows the old mart did not hold (groups without exports to China) are zeros
    held = {(int(o["year"]), o["hitech_code"], "as_published") for o in old_shares}
    assert {new["partner_value_usd"] for key, new in shares.items() if key not in held} == {0}


def test_drill_down_shows_the_briefings_product_facts(bundled) -> None:
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:

        def share(partner: str, hitech: str, prefixes: tuple[str, ...], side: str = "partner") -> float:
            condition = " or ".join(f"hs10_code like '{p}%'" for p in prefixes)
            return con.execute(
                f"select sum({side}_group_share) from fct_hs10_gap_contributions where year = 2008 and "
                f"trade_flow = 'exports' and partner_code = ? and definition = 'as_published' "
                f"and hitech_code = ? and ({condition})",
                [partner, hitech],
            ).fetchone()[0]

        # semiconductors (HS 8541, 8542): about 90 % of Electronics (05) exports to China in 2008
        assert share("5700", "05", ("8541", "8542")) == pytest.approx(0.90, abs=0.03)
        # hard disk drives (8471.70) weigh more in ICT (04) to China than to the rest of the world
        assert share("5700", "04", ("847170",)) > 1.5 * share("5700", "04", ("847170",), "rest_of_world")
        # blood fractions and vaccines (3002.1x, 3002.20) weigh more in Biotechnology (01) to the
        # rest of the world than to China
        fractions = ("300210", "300212", "300219", "300220")
        assert share("5700", "01", fractions, "rest_of_world") > 1.5 * share("5700", "01", fractions)
        described = con.execute(
            "select count(*), count(hs10_description) from fct_hs10_gap_contributions "
            "where year = 2008 and trade_flow = 'exports' and partner_code = '5700' and definition = 'as_published'"
        ).fetchone()
        assert described[0] > 100 and described[1] == described[0]
        members = con.execute(
            "select b.partner_code, b.cty_code from dim_partner_members b "
            "join dim_partners p using (partner_code) where p.partner_kind = 'group' order by all"
        ).fetchall()
        assert members == [("CN_HK", "5700"), ("CN_HK", "5820")]
        # every country is the one member of itself
        countries, with_members, others = con.execute(
            "select count(*), count(b.cty_code), count(*) filter (where b.cty_code <> p.partner_code) "
            "from dim_partners p left join dim_partner_members b using (partner_code) where p.partner_kind = 'country'"
        ).fetchone()
        assert countries > 200 and with_members == countries and others == 0
        # China + Hong Kong = China plus Hong Kong, to the dollar
        values = dict(
            con.execute(
                "select partner_code, sum(partner_value_usd) from fct_specialization_gaps where year = 2008 "
                "and trade_flow = 'exports' and definition = 'as_published' "
                "and partner_code in ('5700', '5820', 'CN_HK') group by 1"
            ).fetchall()
        )
        assert values["CN_HK"] == values["5700"] + values["5820"]


def test_the_readme_numbers_are_the_builds(bundled, dbt_manifest: Path) -> None:
    """The README's dbt counts are dbt's own (the manifest's nodes, and the `dbt build` line of
    `make run`), and its size of the warehouse file is within a quarter of the bundle's file."""
    import json

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(
        r"\*\*(\d+) models, (\d+)\s+seeds, (\d+) data tests and (\d+) unit tests\*\*", readme.replace("\n", " ")
    )
    assert said, "the README gives the dbt counts"
    models, seeds, data_tests, unit_tests = map(int, said.groups())
    nodes = json.loads(dbt_manifest.read_text())
    kinds = [n["resource_type"] for n in nodes["nodes"].values()]
    assert (kinds.count("model"), kinds.count("seed"), kinds.count("test")) == (models, seeds, data_tests)
    assert len(nodes.get("unit_tests", {})) == unit_tests
    line = next(x for x in bundled["output"].splitlines() if x.startswith("  dbt build: "))
    assert line.startswith(
        f"  dbt build: {models} models, {seeds} seeds, {data_tests} data tests, {unit_tests} unit tests, "
    ), line
    size = re.search(r"the warehouse file is about \*\*([\d,]+) MiB\*\*", readme.replace("\n", " "))
    assert size, "the README gives the size of the warehouse file"
    actual = bundled["duckdb"].stat().st_size / 2**20
    assert 0.75 <= actual / int(size.group(1).replace(",", "")) <= 1.25, actual


def test_the_bundle_equals_its_reference_dump(bundled, tmp_path: Path) -> None:
    warehouse, exports = tmp_path / "atp.duckdb", tmp_path / "exports"
    shutil.copy2(bundled["duckdb"], warehouse)
    shutil.copytree(bundled["exports"], exports)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATP_")}
    env |= {"ATP_DUCKDB_PATH": str(warehouse), "ATP_EXPORTS_DIR": str(exports)}
    env["DAGSTER_HOME"] = str(tmp_path / "dagster_home")
    atp = Path(sys.executable).parent / "atp"
    drawn = subprocess.run([str(atp), *reference_dumps.PARTNER_GROUP_FIGURES], env=env, capture_output=True, text=True)
    assert drawn.returncode == 0, drawn.stdout + drawn.stderr
    differences = reference_dumps.differences(reference_dumps.dump(warehouse, exports), reference_dumps.load("bundle"))
    assert not differences, "\n".join(differences)


def test_every_sql_example_of_the_docs_runs_on_the_bundle(bundled) -> None:
    """Each ```sql block of the README, docs/querying.md and docs/methods.md runs on the bundle and
    returns rows: the documented queries name columns and marts that exist (and the flow)."""
    blocks = []
    for doc in ("README.md", "docs/querying.md", "docs/methods.md"):
        text = (REPO_ROOT / doc).read_text(encoding="utf-8")
        blocks += [(doc, block) for block in re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)]
    assert len(blocks) >= 12
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        for doc, block in blocks:
            sql = "\n".join(line.strip() for line in block.splitlines())
            assert con.execute(sql).fetchall(), f"{doc}: no rows from\n{sql}"


#: China's ATP exports of 2012 in the marts, USD.
CHINA_2012_ATP_EXPORTS = (
    "select sum(value_usd) from fct_atp_trade where trade_flow = 'exports' and year = 2012 and cty_code = '5700'"
)


def _move_a_2012_china_record_to_canada(root: Path, atp_codes: set[str]) -> str:
    """Revise the copied bundle's 2012 export history: the first China (5700) record (DF 1 or 2) of an ATP code
    whose key (DF, HS10, district, month) Canada (1220) does not hold becomes Canada's; world
    totals are unchanged, China's and Canada's marts change. The manifest takes the file's new
    sha256 (it stays the SYNTHETIC sample). Returns the moved line."""
    path = root / "2012" / "EXP_HIST.TXT"
    lines = path.read_bytes().split(b"\n")

    def key(line: bytes, country: bytes) -> tuple:
        return (line[0:1], line[2:12], country, line[16:18], line[18:20])

    held = {key(line, line[12:16]) for line in lines if len(line) >= 20}
    index = next(
        i
        for i, line in enumerate(lines)
        if line[0:1] in (b"1", b"2")
        and line[12:16] == b"5700"
        and line[2:12].decode() in atp_codes
        and key(line, b"1220") not in held
    )
    lines[index] = lines[index][:12] + b"1220" + lines[index][16:]
    path.write_bytes(b"\n".join(lines))
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == "2012/EXP_HIST.TXT":
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return lines[index].decode().strip()


# three builds of the bundle (two refreshes and a full rebuild, minutes): `make corpus`, not `make test`
@pytest.mark.slow
def test_refreshed_years_of_the_bundle_equal_its_full_rebuild(bundled, tmp_path: Path) -> None:
    """Year-incremental refreshes in sequence on a copy of the bundle: a revised 2012 (a middle
    year whose ATP lists move codes between groups; one China export record moved to Canada),
    then 2013 as it was. Every mart, all rows of both flows (md5 of ordered rows), equals a full
    rebuild from the same raw tables (`--full-rebuild` on a copy of the refreshed warehouse); each
    run says what it rebuilt; the revision reached the marts."""
    warehouse = tmp_path / "incremental" / "atp.duckdb"
    warehouse.parent.mkdir()
    shutil.copy2(bundled["duckdb"], warehouse)
    root = tmp_path / "input"
    shutil.copytree(SAMPLE_DIR, root)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        moved = con.execute(
            "select count(*) from int_atp_code_movements where year = 2012 and movement = 'moved'"
        ).fetchone()[0]
        atp_codes = {
            code
            for (code,) in con.execute(
                "select hs10_code from int_hs10_year_lists where trade_flow = 'exports' and year = 2012 and is_atp"
            ).fetchall()
        }
        china_before = con.execute(CHINA_2012_ATP_EXPORTS).fetchone()[0]
    assert moved > 0
    line = _move_a_2012_china_record_to_canada(root, atp_codes)
    value = int(line[60:72])

    def refresh(database: Path, years: str, *extra: str) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATP_")}
        env |= {"ATP_DUCKDB_PATH": str(database), "ATP_EXPORTS_DIR": str(database.parent / "exports")}
        env["DAGSTER_HOME"] = str(database.parent / "dagster_home")
        atp = Path(sys.executable).parent / "atp"
        argv = [str(atp), "refresh", "--source", "local", "--local-dir", str(root), "--years", years, *extra]
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        log = re.search(r"full dbt and Dagster output: (\S+\.log)", done.stdout).group(1)
        return Path(log).read_text(encoding="utf-8")

    assert "dbt build: rebuilding 2012 (year-incremental models)" in refresh(warehouse, "2012-2012")
    assert "dbt build: rebuilding 2013 (year-incremental models)" in refresh(warehouse, "2013-2013")
    full = tmp_path / "full" / "atp.duckdb"
    full.parent.mkdir()
    shutil.copy2(warehouse, full)
    assert "dbt build: full rebuild" in refresh(full, "2013-2013", "--full-rebuild")
    assert reference_dumps.every_row_digests(warehouse) == reference_dumps.every_row_digests(full)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        china_after = con.execute(CHINA_2012_ATP_EXPORTS).fetchone()[0]
    assert value > 0 and china_after == china_before - value


def _rows_digest(con: duckdb.DuckDBPyConnection, relation: str) -> tuple:
    """(rows, md5 of the rows as text in text order) of ``relation``."""
    return con.execute(
        f"select count(*), md5(string_agg(t::varchar, chr(10) order by t::varchar)) from {relation} as t"
    ).fetchone()


def test_make_run_writes_the_parquet_raw_layer_equal_to_the_raw_tables(bundled) -> None:
    """The Parquet raw layer (issue 22): `make run` leaves every raw table as Parquet beside the
    warehouse (warehouse/parquet/ by default), one file per table and year; read back with plain
    `duckdb.read_parquet` and with pyarrow, each table has the raw table's columns, types and
    rows (md5 of the ordered rows)."""
    from orchestration.census.tables import RAW_TABLES

    layer = bundled["duckdb"].parent / "parquet"
    manifest = json.loads((layer / "_layer.json").read_text(encoding="utf-8"))
    reader = duckdb.connect()
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        build = con.execute("select build_id from meta.builds order by built_at desc limit 1").fetchone()[0]
        assert manifest["build_id"] == build
        for table in RAW_TABLES:
            expected = _rows_digest(con, f"raw.{table.name}")
            types = con.execute(f"select column_name, column_type from (describe raw.{table.name})").fetchall()
            files = f"{layer / table.name}/*.parquet"
            assert _rows_digest(reader, f"read_parquet('{files}')") == expected, table.name
            described = f"select column_name, column_type from (describe select * from read_parquet('{files}'))"
            assert reader.execute(described).fetchall() == types, table.name
            arrow_table = pq.read_table(layer / table.name)
            reader.register("arrow_table", arrow_table)
            assert _rows_digest(reader, "arrow_table") == expected, table.name
            reader.unregister("arrow_table")
    # one file per year of the bundle's export history (2000-2023), each holding its year only
    assert sorted(p.name for p in (layer / "export_history").iterdir()) == [f"{y}.parquet" for y in YEARS]
    assert reader.execute(
        f"select distinct year from read_parquet('{layer}/export_history/2008.parquet')"
    ).fetchall() == [(2008,)]
    # what `make spark-build` gives Spark: this folder and this build, for the same ATP_DUCKDB_PATH
    from orchestration.census.raw_layer import published_layer

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATP_DUCKDB_PATH", str(bundled["duckdb"]))
        patch.delenv("ATP_PARQUET_DIR", raising=False)
        assert published_layer() == (layer.resolve(), build)
        patch.setenv("ATP_DUCKDB_PATH", str(bundled["duckdb"].parent / "elsewhere" / "atp.duckdb"))
        with pytest.raises(FileNotFoundError, match="no Parquet raw layer in .*elsewhere/parquet"):
            published_layer()
