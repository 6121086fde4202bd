"""Both trade flows end to end on a hand-computed input (``tests/tiny_trade_input.py``): ATP
exports, ATP imports (general imports, customs value, by country of origin, each year on its own
HTS import list) and the ATP trade balance, for two countries and a partner group over two years,
with a code that moves group on the import list and a code on the import list only. Every
expected value is worked out by hand in the comments from the records of the input."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.test_end_to_end import TINY_FACT_ROWS, TINY_FACT_SQL, run_job
from tests.tiny_trade_input import write_tiny_trade_input


@pytest.fixture(scope="module")
def trade(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Path:
    root = tmp_path_factory.mktemp("tiny_trade")
    warehouse = root / "atp.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATP_DUCKDB_PATH", str(warehouse))
        patch.setenv("ATP_EXPORTS_DIR", str(root / "exports"))
        patch.setenv("ATP_SOURCE", "local")
        patch.setenv("ATP_LOCAL_DIR", str(write_tiny_trade_input(root / "input")))
        assert run_job(2010, 2011).success, "the job (including every dbt test) must succeed on both flows"
    return warehouse


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_imports_by_country_and_group_are_the_records_summed_by_hand(trade: Path) -> None:
    assert rows(
        trade,
        "select year, cty_code, hitech_code, value_usd from fct_atp_trade where trade_flow = 'imports' order by all",
    ) == [
        # 2010: China 05 = 700 + 300 (two records, two subcodes); 8471300000 is 04 on the 2010
        # import list; 8517620000 (import list only) from Hong Kong; 9018908000 is not ATP
        (2010, "1220", "05", 200),
        (2010, "5700", "04", 2000),
        (2010, "5700", "05", 1000),
        (2010, "5820", "04", 500),
        (2010, "5880", "01", 400),
        # 2011: 8471300000 is 05 on the 2011 import list: China 05 = 3000 + 1200
        (2011, "1220", "01", 600),
        (2011, "5700", "04", 800),
        (2011, "5700", "05", 4200),
        (2011, "5880", "05", 700),
    ]
    # imports for consumption beside general imports: 1,000 USD in each record (tests/test_imports.im145)
    assert rows(
        trade,
        "select consumption_value_usd, domestic_value_usd from fct_atp_trade "
        "where trade_flow = 'imports' and year = 2010 and cty_code = '5700' and hitech_code = '05'",
    ) == [(2000, None)]


def test_export_numbers_do_not_change_with_imports_beside_them(trade: Path) -> None:
    assert rows(trade, TINY_FACT_SQL) == TINY_FACT_ROWS


BALANCE_SQL = (
    "select year, hitech_code, partner_exports_usd, partner_imports_usd, partner_balance_usd "
    "from fct_atp_trade_balance where partner_code = ? and definition = 'as_published' "
    "and (partner_exports_usd <> 0 or partner_imports_usd <> 0) order by all"
)


def _balance(warehouse: Path, partner: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(BALANCE_SQL, [partner]).fetchall()


def test_the_balance_with_china_by_group_and_for_all_groups(trade: Path) -> None:
    assert _balance(trade, "5700") == [
        # 2010 exports (tests/tiny_input.py): 04 = 500, 05 = 600 + 400 + 100 = 1100
        (2010, "04", 500, 2000, -1500),
        (2010, "05", 1100, 1000, 100),
        (2010, "all", 1600, 3000, -1400),
        # 2011 exports: 02 = 400, 04 = 800, 05 = 2200
        (2011, "02", 400, 0, 400),
        (2011, "04", 800, 800, 0),
        (2011, "05", 2200, 4200, -2000),
        (2011, "all", 3400, 5000, -1600),
    ]


def test_the_balance_with_a_partner_group_is_its_members_summed(trade: Path) -> None:
    # China + Hong Kong: Hong Kong adds 400 of 05 exports (2010), 500 of 04 imports (2010) and 600
    # of 01 exports (2011)
    assert _balance(trade, "CN_HK") == [
        (2010, "04", 500, 2500, -2000),
        (2010, "05", 1500, 1000, 500),
        (2010, "all", 2000, 3500, -1500),
        (2011, "01", 600, 0, 600),
        (2011, "02", 400, 0, 400),
        (2011, "04", 800, 800, 0),
        (2011, "05", 2200, 4200, -2000),
        (2011, "all", 4000, 5000, -1000),
    ]
    assert _balance(trade, "5880") == [
        # Japan: exports 2010 01 = 750, 05 = 2000; 2011 01 = 1000, 02 = 500; imports 2010 01 = 400,
        # 2011 05 = 700
        (2010, "01", 750, 400, 350),
        (2010, "05", 2000, 0, 2000),
        (2010, "all", 2750, 400, 2350),
        (2011, "01", 1000, 0, 1000),
        (2011, "02", 500, 0, 500),
        (2011, "05", 0, 700, -700),
        (2011, "all", 1500, 700, 800),
    ]


def test_world_and_rest_of_world_balance(trade: Path) -> None:
    assert rows(
        trade,
        "select year, rest_of_world_exports_usd, rest_of_world_imports_usd, rest_of_world_balance_usd, "
        "world_exports_usd, world_imports_usd, world_balance_usd from fct_atp_trade_balance "
        "where partner_code = '5700' and definition = 'as_published' and hitech_code = 'all' order by 1",
    ) == [
        # world exports 6500 both years (0007 EYR); imports 4100 and 6300 (0007 IYR)
        (2010, 6500 - 1600, 4100 - 3000, 4900 - 1100, 6500, 4100, 2400),
        (2011, 6500 - 3400, 6300 - 5000, 3100 - 1300, 6500, 6300, 200),
    ]
    # the base year (2008) is not loaded: the balance has the as-published definition only
    assert rows(trade, "select distinct definition from fct_atp_trade_balance") == [("as_published",)]


def test_partner_marts_answer_the_briefings_questions_of_imports(trade: Path) -> None:
    share, composition = rows(
        trade,
        "select partner_share, composition_share from fct_partner_shares where trade_flow = 'imports' "
        "and year = 2010 and partner_code = '5700' and definition = 'as_published' and hitech_code = '04'",
    )[0]
    # China's share of world 04 imports in 2010: 2000 / (2000 + 500); 04 in China's imports: 2000 / 3000
    assert share == pytest.approx(0.8, abs=1e-12)
    assert composition == pytest.approx(2000 / 3000, abs=1e-12)
    gap = rows(
        trade,
        "select gap_pp from fct_specialization_gaps where trade_flow = 'imports' and year = 2010 "
        "and partner_code = '5700' and definition = 'as_published' and hitech_code = '04'",
    )[0][0]
    # rest of world 2010 imports: 04 = 500, total = 4100 - 3000 = 1100
    assert gap == pytest.approx((2000 / 3000 - 500 / 1100) * 100, abs=1e-9)
    growth = rows(
        trade,
        "select definition, partner_yoy_growth from fct_atp_growth where trade_flow = 'imports' and year = 2011 "
        "and partner_code = '5700' and hitech_code = 'all' order by 1",
    )
    # as published: 5000 / 3000 - 1; chain-linked on the families in the same group both years
    # (8542310000 05, 8517620000 04; 8471300000 moved 04 -> 05 and does not count): China
    # 1200 + 800 = 2000 against 1000 + 0 = 1000 -> +100 %
    assert growth == [("as_published", pytest.approx(2 / 3, abs=1e-12)), ("chain_linked", pytest.approx(1.0))]
    # the code on the import list only is in the imports drill-down, never in the exports one
    assert rows(
        trade,
        "select trade_flow, year, partner_code, hitech_code, partner_value_usd from fct_hs10_gap_contributions "
        "where hs10_code = '8517620000' and partner_code = '5820' and definition = 'as_published' order by all",
    ) == [("imports", 2010, "5820", "04", 500), ("imports", 2011, "5820", "04", 0)]


def test_the_code_moving_group_on_the_import_list_is_a_reclassification_of_imports_only(trade: Path) -> None:
    moved = rows(
        trade,
        "select trade_flow, hitech_code, codes_moved_in, codes_moved_out, partner_value_moved_in_usd, "
        "world_value_moved_in_usd, world_value_moved_out_usd from fct_atp_reclassification "
        "where year = 2011 and partner_code = '5700' and (codes_moved_in > 0 or codes_moved_out > 0) order by all",
    )
    # 8471300000: 04 -> 05 on the 2011 import list, carrying China's 3000 USD of 2011 imports
    assert moved == [("imports", "04", 0, 1, 0, 0, 3000), ("imports", "05", 1, 0, 3000, 3000, 0)]


def test_world_imports_off_by_one_dollar_from_the_published_iyr_fail_the_build(
    tmp_path: Path, dbt_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tiny_trade_input(tmp_path / "input")
    table = root / "country_trade" / "country_trade.csv"
    # 2011 0007 IYR: 6301 USD published against 6300 built
    table.write_text(table.read_text().replace("0.0063,0.0063", "0.006301,0.006301"))
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tmp_path / "atp.duckdb"))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("ATP_SOURCE", "local")
    monkeypatch.setenv("ATP_LOCAL_DIR", str(root))
    result = run_job(2010, 2011)
    assert not result.success
    failed = {e.asset_check_key.name for e in result.get_asset_check_evaluations() if not e.passed}
    assert failed == {"assert_world_atp_imports_match_census_total"}, failed
    assert not (tmp_path / "exports").exists()


def _renumber_2011(root: Path, changes: str | None) -> None:
    """2011 renumbers the import-list-only code 8517620000 as 8517620010 (its list entry and its
    record); with ``changes`` an ``hts10_changes.csv`` links the two. Manifest entries follow."""
    import hashlib
    import json

    for name in ("imp-code.txt", "IMP_HIST.TXT"):
        path = root / "2011" / name
        path.write_bytes(path.read_bytes().replace(b"8517620000", b"8517620010"))
    if changes is not None:
        (root / "hts10_changes.csv").write_text(changes, encoding="utf-8")
    manifest = json.loads((root / "manifest.json").read_text())
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256((root / entry["path"]).read_bytes()).hexdigest()
    (root / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("changes", "growth", "renumbered", "unlinked"),
    [
        # no link: 8517620010 is a new code whose family is not on the 2010 list; China's matched
        # imports are 8542310000 alone: 1200 / 1000 - 1
        (None, 0.2, 0, 1),
        # hts10_changes.csv links it to 8517620000 (04 in 2010 and 2011): China 1200 + 800 against
        # 1000 + 0 (the 2010 code came from Hong Kong only) -> +100 %
        ("old_hs10_code,new_hs10_code,first_year\n8517620000,8517620010,2011\n", 1.0, 1, 0),
    ],
    ids=["without hts10_changes.csv", "with hts10_changes.csv"],
)
def test_the_hts_code_change_file_carries_import_codes_across_a_renumbering(
    tmp_path: Path, dbt_manifest: Path, monkeypatch: pytest.MonkeyPatch, changes, growth, renumbered, unlinked
) -> None:
    root = write_tiny_trade_input(tmp_path / "input")
    _renumber_2011(root, changes)
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tmp_path / "atp.duckdb"))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("ATP_SOURCE", "local")
    monkeypatch.setenv("ATP_LOCAL_DIR", str(root))
    assert run_job(2010, 2011).success
    warehouse = tmp_path / "atp.duckdb"
    assert rows(
        warehouse,
        "select partner_yoy_growth from fct_atp_growth where trade_flow = 'imports' and year = 2011 "
        "and partner_code = '5700' and hitech_code = 'all' and definition = 'chain_linked'",
    ) == [(pytest.approx(growth, abs=1e-12),)]
    assert rows(
        warehouse,
        "select codes_renumbered, codes_unlinked from fct_atp_reclassification where trade_flow = 'imports' "
        "and year = 2011 and partner_code = '5700' and hitech_code = '04'",
    ) == [(renumbered, unlinked)]
    # the link is the imports' only: the export side has no code change
    assert rows(warehouse, "select count(*) from raw.import_code_changes") == [(1 if changes else 0,)]
