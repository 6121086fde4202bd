"""Reconciliation of ATP classification changes on a hand-computed toy (three years, 2001-2003,
base year 2002): a code entering, leaving, moving 04 -> 05, a split, a merge and an unlinkable
code. dbt builds every model and runs every test on it; each value below is worked out by hand
in the comments."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.census.load import load_table
from orchestration.census.tables import RAW_TABLES
from tests.tiny_input import MONTHS, concord, country, history

A, B, C, D, E = "1111111111", "2222222222", "3333333333", "4444444444", "5555555555"
F, G, H, I9, J, K = "6666666666", "7777777777", "8888888888", "9999999999", "1212121212", "1313131313"
# hitech by year: B enters 01 in 2002; C leaves 04 in 2003; D moves 04 -> 05 in 2002; E splits
# into F and G in 2003; H and I9 merge into J in 2003; K is new in 2003 with no predecessor.
LISTS = {
    2001: {A: "01", B: "00", C: "04", D: "04", E: "05", H: "04", I9: "04"},
    2002: {A: "01", B: "01", C: "04", D: "05", E: "05", H: "04", I9: "04"},
    2003: {A: "01", B: "01", C: "00", D: "05", F: "05", G: "05", J: "04", K: "01"},
}
CHANGES = [(E, F, 2003), (E, G, 2003), (H, J, 2003), (I9, J, 2003)]
# exports to China (5700), USD; Canada (1220) buys 1,000 of A every year
CHINA = {
    2001: {A: 100, B: 50, C: 200, D: 300, E: 400, H: 10, I9: 20},
    2002: {A: 110, B: 60, C: 220, D: 330, E: 440, H: 11, I9: 22},
    2003: {A: 121, B: 66, C: 242, D: 363, F: 300, G: 184, J: 36, K: 50},
}
# as published, China: 2001 = 100 (01) + 530 (04: C D H I9) + 400 (05: E) = 1030;
# 2002 = 170 (01: A B) + 253 (04: C H I9) + 770 (05: D E) = 1193;
# 2003 = 237 (01: A B K) + 36 (04: J) + 847 (05: D F G) = 1120. World adds Canada's 1,000.
WORLD_ATP_USD = {2001: 2030, 2002: 2193, 2003: 2120}


def write_toy_input(root: Path) -> Path:
    for year, codes in LISTS.items():
        folder = root / str(year)
        folder.mkdir(parents=True)
        (folder / "CONCORD.TXT").write_text("".join(concord(c, h) + "\r\n" for c, h in codes.items()))
        (folder / "COUNTRY.TXT").write_text(
            "".join(
                country(code, name) + "\r\n"
                for code, name in (("0007", "Advance Technology Products"), ("1220", "Canada"), ("5700", "China"))
            )
        )
        lines = [history("1", code, "5700", "27", 6, year, value) for code, value in CHINA[year].items()]
        lines.append(history("1", A, "1220", "07", 6, year, 1000))
        (folder / "EXP_HIST.TXT").write_text("".join(line + "\r\n" for line in lines))
    header = "year,CTY_CODE,CTYNAME," + ",".join(
        [f"I{m}" for m in MONTHS] + ["IYR"] + [f"E{m}" for m in MONTHS] + ["EYR"]
    )
    zeros = ",".join(["0"] * 24)  # imports and January..November exports 0: all exports in December
    rows = [header] + [
        f"{y},0007,Advance Technology Products,{zeros},{v / 1e6},{v / 1e6}" for y, v in WORLD_ATP_USD.items()
    ]
    (root / "country_trade").mkdir()
    (root / "country_trade" / "trade.csv").write_text("\n".join(rows) + "\n")
    (root / "hs10_changes.csv").write_text(
        "old_hs10_code,new_hs10_code,first_year\n" + "".join(f"{o},{n},{y}\n" for o, n, y in CHANGES)
    )
    return root


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> duckdb.DuckDBPyConnection:
    from orchestration.assets.dbt import DbtBuildConfig, dbt_build_args
    from orchestration.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

    root = tmp_path_factory.mktemp("toy")
    input_dir = write_toy_input(root / "input")
    database = root / "toy.duckdb"
    with duckdb.connect(str(database)) as con:
        for table in RAW_TABLES:
            load_table(con, input_dir, table, list(LISTS))
    completed = subprocess.run(
        [
            DBT_EXECUTABLE,
            # the arguments every run builds with, here with base year 2002
            *dbt_build_args(database, DbtBuildConfig(atp_base_year=2002)),
            "--target-path",
            str(root / "target"),
            "--log-path",
            str(root / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-4000:]
    con = duckdb.connect(str(database), read_only=True)
    yield con
    con.close()


def china(con, definition: str, hitech: str = "all") -> list:
    return con.execute(
        "select partner_value_usd from fct_atp_growth where partner_code = '5700' and definition = ? "
        "and hitech_code = ? order by year",
        [definition, hitech],
    ).fetchall()


def test_as_published(toy) -> None:
    assert china(toy, "as_published") == [(1030,), (1193,), (1120,)]
    assert china(toy, "as_published", "04") == [(530,), (253,), (36,)]


def test_fixed_definition(toy) -> None:
    # base year 2002's list: B is 01, D is 05, C is 04 every year; F, G take family E's 05,
    # J takes family {H, I9, J}'s 04; K has no code on the 2002 list and is left out.
    # 2001 = 150 (A B) + 230 (C H I9) + 700 (D E) = 1080; 2003 = 187 (A B) + 278 (C J) + 847 (D F G) = 1312
    assert china(toy, "fixed_2002") == [(1080,), (1193,), (1312,)]
    assert china(toy, "fixed_2002", "01") == [(150,), (170,), (187,)]
    assert china(toy, "fixed_2002", "04") == [(230,), (253,), (278,)]
    assert china(toy, "fixed_2002", "05") == [(700,), (770,), (847,)]


def test_chain_linked(toy) -> None:
    # 2001 -> 2002, families ATP in the same group both years: A, C, {E}, {H, I} (B entered, D moved):
    # 110 + 220 + 440 + 33 = 803 over 100 + 200 + 400 + 30 = 730: growth 0.1.
    # 2002 -> 2003: A, B, D, {E, F, G}, {H, I9, J} (C left, K unlinked):
    # 121 + 66 + 363 + 484 + 36 = 1070 over 110 + 60 + 330 + 440 + 33 = 973.
    rows = toy.execute(
        "select partner_value_usd, partner_yoy_growth, partner_index_first_year_100 from fct_atp_growth where "
        "partner_code = '5700' and definition = 'chain_linked' and hitech_code = 'all' "
        "order by year"
    ).fetchall()
    assert rows[0] == (1030, None, pytest.approx(100.0))
    assert rows[1][1] == pytest.approx(0.1) and rows[1][2] == pytest.approx(110.0) and rows[1][0] == 1133
    assert rows[2][1] == pytest.approx(1070 / 973 - 1)
    assert rows[2][2] == pytest.approx(110 * 1070 / 973)
    assert rows[2][0] == round(1030 * 1.1 * 1070 / 973)  # 1245.96 -> 1246
    # Electronics: {E} 440/400 in 2002, D + {E, F, G} 847/770 in 2003: index 100, 110, 121
    electronics = toy.execute(
        "select partner_index_first_year_100 from fct_atp_growth where partner_code = '5700' "
        "and definition = 'chain_linked' and hitech_code = '05' order by year"
    ).fetchall()
    assert [round(r[0], 9) for r in electronics] == [100.0, 110.0, 121.0]


def test_reclassification_mart(toy) -> None:
    rows = toy.execute("""
        select year, hitech_code, codes_added, partner_value_added_usd, codes_dropped, partner_value_dropped_usd,
               codes_moved_in, partner_value_moved_in_usd, codes_moved_out, partner_value_moved_out_usd,
               codes_renumbered, partner_value_renumbered_usd, codes_unlinked, partner_value_unlinked_usd,
               partner_reclassification_effect_usd
        from fct_atp_reclassification where partner_code = '5700' and hitech_code in ('01', '04', '05')
        order by year, hitech_code""").fetchall()
    assert rows == [
        # 2001 (no previous year): only the effect, as published - fixed: 100-150, 530-230, 400-700
        (2001, "01", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -50),
        (2001, "04", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 300),
        (2001, "05", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -300),
        # 2002: B added to 01 (60); D moved 04 -> 05 (330); base year: no effect
        (2002, "01", 1, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        (2002, "04", 0, 0, 0, 0, 0, 0, 1, 330, 0, 0, 0, 0, 0),
        (2002, "05", 0, 0, 0, 0, 1, 330, 0, 0, 0, 0, 0, 0, 0),
        # 2003: K unlinked in 01 (50; effect 237 - 187); C dropped from 04 (242), J renumbered (36),
        # effect 36 - 278; F and G renumbered in 05 (300 + 184), effect 847 - 847
        (2003, "01", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 50, 50),
        (2003, "04", 0, 0, 1, 242, 0, 0, 0, 0, 1, 36, 0, 0, -242),
        (2003, "05", 0, 0, 0, 0, 0, 0, 0, 0, 2, 484, 0, 0, 0),
    ]


def test_unlinkable_codes_are_reported_with_their_value(toy) -> None:
    # K: 50 to China; the world value is the same (Canada buys only A)
    assert toy.execute(
        "select year, hs10_code, reason, value_usd from int_hs10_unlinked_codes order by all"
    ).fetchall() == [(2003, K, "no_base_year_family", 50), (2003, K, "no_previous_year_family", 50)]


def test_families(toy) -> None:
    families = dict(toy.execute("select hs10_code, family_code from int_hs10_code_families").fetchall())
    assert families[F] == families[G] == families[E] == E
    assert families[H] == families[I9] == families[J] == J  # 1212121212 is the lowest code
    assert families[K] == K and families[A] == A
