"""The figure tables, charts and files for any partner, on a small hand-made warehouse that holds
the mart contract (dim_partners, fct_specialization_gaps, fct_atp_growth, fct_hs10_gap_contributions)
with values chosen by hand; every expected number is worked out in the comments.

The hand-made warehouse (USD, as published; three ATP groups, four countries):

    year  group                      China 5700  Hong Kong 5820  Japan 5880  Canada 1220  world
    2007  01 Biotechnology                  100               0         200          300    600
    2007  04 Information & Comm.            300             100         200          500   1100
    2007  05 Electronics                    600             100         100          200   1000
    2008  01 Biotechnology                  200             100         500          500   1300
    2008  04 Information & Comm.            400             100         300         1000   1800
    2008  05 Electronics                   1400             300         200          500   2400
    2009  (incomplete: export history through month 6, never shown)

Totals: China 2007 1000, 2008 2000; Japan 2008 1000; world 2007 2700, 2008 5500.
fixed_2008: 2008 as published; 2007 with 100 more Electronics for every country (China 2007:
1100). chain_linked (totals only): China 2007 1000, 2008 1000 x 2000 / 1100 = 1818.
China + Hong Kong (CN_HK) is 5700 + 5820.

HS10 codes of 2008 (China, Hong Kong, Japan, Canada):
    05  8542310000 processors   1000  200    0    0  (world 1200)
        8541100000 diodes        250  100  100  100  (world  550)
        8540110000 CRTs          150    0  100  400  (world  650)
    01  3002120000 blood frac.    50   50  300  300  (world  700)
        3002200000 vaccines      150   50  200  200  (world  600)
    04  8471300000 laptops       300   50  100  700  (world 1150)
        8471700000 hard drives   100   50  200  300  (world  650)
"""

from __future__ import annotations

import os
import shutil
import stat
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration import figures

#: This process's umask (a new file gets 0666 & ~umask).
UMASK = os.umask(0)
os.umask(UMASK)

GROUPS = {"01": "Biotechnology", "04": "Information & Communications", "05": "Electronics"}
COUNTRIES = {"5700": "China", "5820": "Hong Kong", "5880": "Japan", "1220": "Canada"}
#: (year, cty_code) -> values of groups 01, 04, 05, as published
VALUES = {
    (2007, "5700"): (100, 300, 600),
    (2007, "5820"): (0, 100, 100),
    (2007, "5880"): (200, 200, 100),
    (2007, "1220"): (300, 500, 200),
    (2008, "5700"): (200, 400, 1400),
    (2008, "5820"): (100, 100, 300),
    (2008, "5880"): (500, 300, 200),
    (2008, "1220"): (500, 1000, 500),
    (2009, "5700"): (50, 50, 100),
    (2009, "5820"): (10, 10, 10),
    (2009, "5880"): (100, 100, 100),
    (2009, "1220"): (100, 100, 100),
}
#: 2008 HS10 codes: (group, code, description, values to 5700, 5820, 5880, 1220)
CODES_2008 = [
    ("05", "8542310000", "Electronic integrated circuits: processors and controllers", (1000, 200, 0, 0)),
    ("05", "8541100000", "Diodes, other than photosensitive or light-emitting", (250, 100, 100, 100)),
    ("05", "8540110000", "Cathode-ray television picture tubes, colour", (150, 0, 100, 400)),
    ("01", "3002120000", "Antisera and other blood fractions", (50, 50, 300, 300)),
    ("01", "3002200000", "Vaccines for human medicine", (150, 50, 200, 200)),
    ("04", "8471300000", "Portable automatic data processing machines", (300, 50, 100, 700)),
    ("04", "8471700000", "Storage units (hard disk drives)", (100, 50, 200, 300)),
]
PARTNERS = [
    # partner_code, partner_name, partner_kind, member_cty_codes
    *[(code, name, "country", code) for code, name in COUNTRIES.items()],
    ("CN_HK", "China + Hong Kong", "group", "5700 5820"),
]
CHAIN_LINKED_CHINA = {2007: 1000, 2008: 1818, 2009: 182}


def _build(path: Path) -> None:
    """The contract tables from the hand-made values above (the mart arithmetic in plain SQL)."""
    con = duckdb.connect(str(path))
    con.execute(
        "create table int_export_history_years (year integer, last_stat_month integer, is_complete_year boolean)"
    )
    con.execute("insert into int_export_history_years values (2007, 12, true), (2008, 12, true), (2009, 6, false)")
    con.execute("create schema raw")
    con.execute("create table raw.source_files (year integer, raw_table varchar, origin varchar, vintage varchar)")
    for year in (2007, 2008, 2009):
        con.execute("insert into raw.source_files values (?, 'export_history', 'synthetic', null)", [year])
    con.execute("create table fct_atp_exports as select 2008 as year, '5700' as cty_code, true as is_synthetic")
    con.execute(
        "create table dim_partners (partner_code varchar, partner_name varchar, partner_kind varchar, "
        "member_cty_codes varchar, first_year integer, last_year integer)"
    )
    con.executemany("insert into dim_partners values (?, ?, ?, ?, 2007, 2009)", PARTNERS)
    con.execute(
        "create table members as select partner_code, unnest(string_split(member_cty_codes, ' ')) as cty_code "
        "from dim_partners"
    )
    con.execute(
        "create table country_values (year integer, cty_code varchar, definition varchar, "
        "hitech_code varchar, value_usd bigint)"
    )
    for (year, cty), values in VALUES.items():
        for hitech, value in zip(GROUPS, values, strict=True):
            fixed = value + 100 if (year == 2007 and hitech == "05") else value
            con.execute("insert into country_values values (?, ?, 'as_published', ?, ?)", [year, cty, hitech, value])
            con.execute("insert into country_values values (?, ?, 'fixed_2008', ?, ?)", [year, cty, hitech, fixed])
    con.execute("create table groups (hitech_code varchar, group_name varchar)")
    con.executemany("insert into groups values (?, ?)", list(GROUPS.items()))
    con.execute("""
        create table partner_values as
        with world as (
            select year, definition, hitech_code, sum(value_usd) as world from country_values group by all
        ),
        partner as (
            select m.partner_code, v.year, v.definition, v.hitech_code, sum(v.value_usd) as partner
            from country_values v join members m using (cty_code) group by all
        )
        select partner_code, d.partner_name, d.partner_kind, year, definition, hitech_code, g.group_name,
               partner::bigint as partner, (world - partner)::bigint as rest, world::bigint as world
        from world join partner using (year, definition, hitech_code) join groups g using (hitech_code)
        join dim_partners d using (partner_code)
    """)
    con.execute("""
        create table fct_specialization_gaps as
        select year, partner_code, definition, hitech_code, partner_name, partner_kind, group_name,
               partner as partner_value_usd, rest as rest_of_world_value_usd, world as world_value_usd,
               partner / sum(partner) over t as partner_composition_share,
               rest / sum(rest) over t as rest_of_world_composition_share,
               100 * (partner / sum(partner) over t - rest / sum(rest) over t) as gap_pp,
               true as is_synthetic
        from partner_values window t as (partition by year, partner_code, definition)
    """)
    con.execute("""
        create table growth_values as
        select year, partner_code, definition, hitech_code, partner_name, partner_kind, group_name,
               partner, rest, world from partner_values
        union all
        select year, partner_code, definition, 'all', partner_name, partner_kind, 'All ATP groups',
               sum(partner), sum(rest), sum(world) from partner_values group by all
    """)
    con.execute("""
        insert into growth_values
        select year, partner_code, 'chain_linked', hitech_code, partner_name, partner_kind, group_name,
               partner, rest, world from growth_values where definition = 'as_published' and hitech_code = 'all'
    """)
    for year, value in CHAIN_LINKED_CHINA.items():
        con.execute(
            "update growth_values set partner = ? where definition = 'chain_linked' and partner_code = '5700' "
            "and year = ?",
            [value, year],
        )
    con.execute("""
        create table fct_atp_growth as
        select year, partner_code, definition, hitech_code, partner_name, partner_kind, group_name,
               partner::bigint as partner_value_usd,
               partner / lag(partner) over w - 1 as partner_yoy_growth,
               100 * partner / first_value(partner) over w as partner_index_first_year_100,
               rest::bigint as rest_of_world_value_usd,
               rest / lag(rest) over w - 1 as rest_of_world_yoy_growth,
               100 * rest / first_value(rest) over w as rest_of_world_index_first_year_100,
               world::bigint as world_value_usd,
               world / lag(world) over w - 1 as world_yoy_growth,
               100 * world / first_value(world) over w as world_index_first_year_100
        from growth_values window w as (partition by partner_code, definition, hitech_code order by year)
    """)
    con.execute(
        "create table code_values (hitech_code varchar, hs10_code varchar, hs10_description varchar, "
        "cty_code varchar, value_usd bigint)"
    )
    for hitech, code, description, values in CODES_2008:
        for cty, value in zip(COUNTRIES, values, strict=True):
            con.execute("insert into code_values values (?, ?, ?, ?, ?)", [hitech, code, description, cty, value])
    con.execute("""
        create table fct_hs10_gap_contributions as
        with world as (
            select hitech_code, hs10_code, hs10_description, sum(value_usd) as world from code_values group by all
        ),
        partner as (
            select m.partner_code, c.hitech_code, c.hs10_code, sum(c.value_usd) as partner
            from code_values c join members m using (cty_code) group by all
        ),
        totals as (select partner_code, partner, rest from partner_values
                   where year = 2008 and definition = 'as_published')
        select 2008 as year, p.partner_code, 'as_published' as definition, w.hitech_code, w.hs10_code,
               d.partner_name, d.partner_kind, g.group_name, w.hs10_description,
               p.partner::bigint as partner_value_usd, (w.world - p.partner)::bigint as rest_of_world_value_usd,
               p.partner / sum(p.partner) over grp as partner_group_share,
               (w.world - p.partner) / sum(w.world - p.partner) over grp as rest_of_world_group_share,
               p.partner / t.partner as partner_composition_share,
               (w.world - p.partner) / t.rest as rest_of_world_composition_share,
               100 * (p.partner / t.partner - (w.world - p.partner) / t.rest) as contribution_pp,
               true as is_synthetic
        from world w join partner p using (hitech_code, hs10_code) join dim_partners d using (partner_code)
        join groups g using (hitech_code)
        join (select partner_code, sum(partner) as partner, sum(rest) as rest from totals group by 1) as t
            using (partner_code)
        window grp as (partition by p.partner_code, w.hitech_code)
    """)
    con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("figures") / "atp.duckdb"
    _build(path)
    return path


@pytest.fixture()
def con(warehouse: Path):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        yield connection


def _column(table, name: str) -> list:
    return table.column(name).to_pylist()


# --- partners, names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5880", ("5880", "Japan")),
        ("japan", ("5880", "Japan")),
        ("JAPAN", ("5880", "Japan")),
        (" Japan ", ("5880", "Japan")),
        ("cn_hk", ("CN_HK", "China + Hong Kong")),
        ("China + Hong Kong", ("CN_HK", "China + Hong Kong")),
        ("china + hong kong", ("CN_HK", "China + Hong Kong")),
        ("China", ("5700", "China")),
    ],
)
def test_resolve_partner_by_code_or_name(con, text: str, expected: tuple[str, str]) -> None:
    assert figures.resolve_partner(con, text) == expected


@pytest.mark.parametrize("text", ["Atlantis", "58800", "Chin", "China+Hong Kong"])
def test_unknown_partner_is_one_line_with_examples(con, text: str) -> None:
    with pytest.raises(ValueError) as raised:
        figures.resolve_partner(con, text)
    message = str(raised.value)
    assert "\n" not in message
    assert repr(text) in message
    # a few valid examples (the briefing's partner, a second country, the group) and the full list
    assert "5700 China" in message and "5880 Japan" in message and "CN_HK China + Hong Kong" in message
    assert "dim_partners" in message
    assert raised.value.option == "partner"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("China + Hong Kong", "china_hong_kong"), ("Korea, South", "korea_south"), ("Côte d'Ivoire", "cote_d_ivoire")],
)
def test_slug(name: str, expected: str) -> None:
    assert figures.slug(name) == expected


def test_file_names_carry_partner_year_and_definition() -> None:
    japan = figures.Partner("5880", "Japan")
    both = figures.Partner("CN_HK", "China + Hong Kong")
    assert figures.figure_stem(1, japan) == "figure_1_atp_exports_5880_japan"
    assert figures.figure_stem(2, japan) == "figure_2_composition_5880_japan"
    assert figures.figure_stem(3, japan, 2008) == "figure_3_composition_shares_5880_japan_2008"
    assert figures.figure_stem(4, japan) == "figure_4_specialization_gaps_5880_japan"
    assert figures.figure_stem(5, japan) == "figure_5_atp_definitions_5880_japan"
    assert figures.figure_stem(6, japan, 2008) == "figure_6_gap_products_5880_japan_2008"
    assert figures.figure_stem(1, both) == "figure_1_atp_exports_cn_hk_china_hong_kong"
    assert (
        figures.figure_stem(4, both, None, "fixed_2008")
        == "figure_4_specialization_gaps_cn_hk_china_hong_kong_fixed_2008"
    )
    # the year is in the name of figures 3 and 6 only
    assert figures.figure_stem(1, japan, 2008) == "figure_1_atp_exports_5880_japan"
    assert figures.figure_stem(3, figures.Partner("5700", "China"), 2007, "fixed_2008") == (
        "figure_3_composition_shares_5700_china_2007_fixed_2008"
    )


# --- figure tables, by hand -----------------------------------------------------------------


def test_figure_1_china(con) -> None:
    table = figures.figure_1_table(con, "5700")
    # 2009 is incomplete and left out
    assert _column(table, "year") == [2007, 2008]
    assert set(_column(table, "partner_name")) == {"China"}
    # China 100 + 300 + 600 = 1000 USD in 2007, 200 + 400 + 1400 = 2000 in 2008: USD billions, exact
    assert _column(table, "partner_atp_exports_usd_billions") == [Decimal("0.000001000"), Decimal("0.000002000")]
    # world 600 + 1100 + 1000 = 2700, 1300 + 1800 + 2400 = 5500; rest of world 1700, 3500
    assert _column(table, "world_atp_exports_usd_billions") == [Decimal("0.000002700"), Decimal("0.000005500")]
    assert _column(table, "rest_of_world_atp_exports_usd_billions") == [Decimal("0.000001700"), Decimal("0.000003500")]
    # 2000 / 1000: +100 %, index 200; world index 5500 / 2700 = 203.7037...; first year has no growth
    assert _column(table, "partner_yoy_growth_pct") == [None, pytest.approx(100.0)]
    assert _column(table, "partner_index_first_year_100") == [pytest.approx(100.0), pytest.approx(200.0)]
    assert _column(table, "world_index_first_year_100")[1] == pytest.approx(5500 / 2700 * 100)
    assert str(table.schema.field("partner_atp_exports_usd_billions").type) == "decimal128(18, 9)"


def test_figure_1_group_and_chain_linked(con) -> None:
    # China + Hong Kong 2008: 2000 + 500 = 2500 USD; 2007: 1000 + 200 = 1200; growth 2500 / 1200 - 1
    table = figures.figure_1_table(con, "China + Hong Kong")
    assert _column(table, "partner_code") == ["CN_HK", "CN_HK"]
    assert _column(table, "partner_atp_exports_usd_billions") == [Decimal("0.000001200"), Decimal("0.000002500")]
    assert _column(table, "partner_yoy_growth_pct")[1] == pytest.approx((2500 / 1200 - 1) * 100)
    # chain-linked China: 1000, 1818 (figures 1 and 5 take chain_linked)
    chained = figures.figure_1_table(con, "5700", "chain_linked")
    assert _column(chained, "partner_atp_exports_usd_billions") == [Decimal("0.000001000"), Decimal("0.000001818")]


def test_figure_2_japan_and_fixed_definition(con) -> None:
    table = figures.figure_2_table(con, "5880")
    rows = {(r["year"], r["hitech_code"]): r for r in table.to_pylist()}
    assert len(rows) == 6  # 2 complete years x 3 groups
    # Japan 2008: 500, 300, 200 of 1000
    assert [rows[(2008, h)]["partner_composition_share_pct"] for h in GROUPS] == [
        pytest.approx(50.0),
        pytest.approx(30.0),
        pytest.approx(20.0),
    ]
    assert rows[(2008, "01")]["partner_exports_usd_billions"] == Decimal("0.000000500")
    # China 2007 under the fixed 2008 list: 100, 300, 600 + 100 = 700 of 1100
    fixed = {(r["year"], r["hitech_code"]): r for r in figures.figure_2_table(con, "5700", "fixed_2008").to_pylist()}
    assert fixed[(2007, "05")]["partner_composition_share_pct"] == pytest.approx(700 / 1100 * 100)
    assert fixed[(2007, "05")]["definition"] == "fixed_2008"


def test_figure_3_default_latest_complete_year_and_chosen_year(con) -> None:
    japan = figures.figure_3_table(con, "japan")
    assert set(_column(japan, "year")) == {2008}  # 2009 is incomplete
    # Japan 2008: 50 / 30 / 20 %; rest of world 5500 - 1000 = 4500: 800, 1500, 2200
    assert _column(japan, "partner_share_pct") == [pytest.approx(50.0), pytest.approx(30.0), pytest.approx(20.0)]
    assert _column(japan, "rest_of_world_share_pct") == [
        pytest.approx(800 / 4500 * 100),
        pytest.approx(1500 / 4500 * 100),
        pytest.approx(2200 / 4500 * 100),
    ]
    # China 2007: 10 / 30 / 60 %; rest of world 2700 - 1000 = 1700: 500, 800, 400
    china = figures.figure_3_table(con, "5700", year=2007)
    assert _column(china, "partner_share_pct") == [pytest.approx(10.0), pytest.approx(30.0), pytest.approx(60.0)]
    assert _column(china, "partner_minus_rest_of_world_pp") == [
        pytest.approx(10 - 500 / 17),
        pytest.approx(30 - 800 / 17),
        pytest.approx(60 - 400 / 17),
    ]


@pytest.mark.parametrize(
    ("year", "words"),
    [
        (2009, "year 2009 is incomplete (export history through month 6); valid years for Japan: 2007-2008"),
        (2030, "year 2030 is not in the warehouse; valid years for Japan: 2007-2008"),
    ],
)
@pytest.mark.parametrize("number", [3, 6])
def test_figure_3_and_6_reject_an_unknown_or_incomplete_year(con, year: int, words: str, number: int) -> None:
    table = figures.FIGURES[number].table
    with pytest.raises(ValueError) as raised:
        table(con, "5880", year=year)
    assert str(raised.value) == f"figure {number}: {words}"


@pytest.mark.parametrize("number", [2, 3, 4, 6])
def test_chain_linked_is_refused_where_groups_are_compared(con, number: int) -> None:
    with pytest.raises(ValueError) as raised:
        figures.FIGURES[number].table(con, "5700", definition="chain_linked")
    message = str(raised.value)
    assert "\n" not in message
    assert "as_published, fixed_2008" in message and "figures 1 and 5" in message


def test_figure_4_china_plus_hong_kong(con) -> None:
    table = figures.figure_4_table(con, "CN_HK")
    rows = {(r["year"], r["hitech_code"]): r["partner_minus_rest_of_world_pp"] for r in table.to_pylist()}
    # CN_HK 2008: 300, 500, 1700 of 2500 (12, 20, 68 %); rest of world 1000, 1300, 700 of 3000
    assert rows[(2008, "01")] == pytest.approx(12 - 100 / 3)
    assert rows[(2008, "04")] == pytest.approx(20 - 130 / 3)
    assert rows[(2008, "05")] == pytest.approx(68 - 70 / 3)
    assert sorted({year for year, _ in rows}) == [2007, 2008]
    assert figures.figure_4_table(con, "CN_HK", first_year=2008).column("year").to_pylist() == [2008] * 3


def test_figure_5_china(con) -> None:
    table = figures.figure_5_table(con, "5700").to_pylist()
    assert [r["year"] for r in table] == [2007, 2008]
    assert {r["fixed_definition"] for r in table} == {"fixed_2008"}
    # 2007: as published 1000, fixed 1100, chain-linked 1000, effect 1000 - 1100 = -100 USD
    assert table[0]["as_published_usd_billions"] == Decimal("0.000001000")
    assert table[0]["fixed_definition_usd_billions"] == Decimal("0.000001100")
    assert table[0]["chain_linked_usd_billions"] == Decimal("0.000001000")
    assert table[0]["reclassification_effect_usd_billions"] == Decimal("-0.000000100")
    # 2008 (the base year): fixed = as published 2000, effect 0, chain-linked 1818
    assert table[1]["fixed_definition_usd_billions"] == Decimal("0.000002000")
    assert table[1]["reclassification_effect_usd_billions"] == Decimal("0E-9")
    assert table[1]["chain_linked_usd_billions"] == Decimal("0.000001818")


def test_figure_5_without_a_fixed_definition(warehouse: Path, tmp_path: Path) -> None:
    # a warehouse whose base year's list is not loaded holds no fixed_<base year> series
    copy = tmp_path / "atp.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from fct_atp_growth where definition like 'fixed_%'")
        table = figures.figure_5_table(con, "5700")
        assert _column(table, "fixed_definition") == [None, None]
        assert _column(table, "fixed_definition_usd_billions") == [None, None]
        assert _column(table, "reclassification_effect_usd_billions") == [None, None]
        assert _column(table, "as_published_usd_billions") == [Decimal("0.000001000"), Decimal("0.000002000")]
        drawn = figures.draw_figure(con, 5, "5700")
    paths = figures.write_figure(drawn.table, drawn.chart, tmp_path, drawn.stem, drawn.origin, drawn.caption)
    assert paths.png.stat().st_size > 0


def test_figure_6_china_largest_gaps_and_their_codes(con) -> None:
    table = figures.figure_6_table(con, "5700")  # default: 2008
    rows = table.to_pylist()
    # China 2008 shares 10 / 20 / 70 %, rest of world 1100 / 1400 / 1000 of 3500:
    # gaps 01: 10 - 31.43 = -21.43, 04: 20 - 40 = -20, 05: 70 - 28.57 = +41.43 pp
    positive = [r for r in rows if r["gap_side"] == "positive"]
    negative = [r for r in rows if r["gap_side"] == "negative"]
    assert {r["hitech_code"] for r in positive} == {"05"} and {r["hitech_code"] for r in negative} == {"01"}
    assert positive[0]["group_gap_pp"] == pytest.approx(70 - 1000 / 35)
    assert negative[0]["group_gap_pp"] == pytest.approx(10 - 1100 / 35)
    assert positive[0]["group_partner_share_pct"] == pytest.approx(70.0)
    # Electronics codes, China / rest of world (of 2000 / 3500):
    #   processors 1000 / 200: 50 - 5.714 = +44.286; CRTs 150 / 500: 7.5 - 14.286 = -6.786;
    #   diodes 250 / 300: 12.5 - 8.571 = +3.929. Ranked by absolute contribution.
    assert [r["hs10_code"] for r in positive] == ["8542310000", "8540110000", "8541100000"]
    assert [r["contribution_rank"] for r in positive] == [1, 2, 3]
    assert [r["contribution_pp"] for r in positive] == [
        pytest.approx(50 - 200 / 35),
        pytest.approx(7.5 - 500 / 35),
        pytest.approx(12.5 - 300 / 35),
    ]
    assert sum(r["contribution_pp"] for r in positive) == pytest.approx(positive[0]["group_gap_pp"])
    assert positive[0]["hs10_description"].startswith("Electronic integrated circuits")
    assert positive[0]["group_code_count"] == 3
    # processors: 1000 of China's 1400 Electronics, 200 of the rest of world's 1000
    assert positive[0]["partner_group_share_pct"] == pytest.approx(1000 / 14)
    assert positive[0]["rest_of_world_group_share_pct"] == pytest.approx(20.0)
    assert positive[0]["partner_exports_usd_billions"] == Decimal("0.000001000")
    # Biotechnology: blood fractions 50 / 650: 2.5 - 18.571 = -16.071; vaccines 150 / 450: 7.5 - 12.857 = -5.357
    assert [r["hs10_code"] for r in negative] == ["3002120000", "3002200000"]
    assert [r["contribution_pp"] for r in negative] == [pytest.approx(2.5 - 650 / 35), pytest.approx(7.5 - 450 / 35)]
    # top 2: processors and CRTs, blood fractions and vaccines
    top_2 = figures.figure_6_table(con, "5700", top_n=2)
    assert top_2.column("hs10_code").to_pylist() == ["8542310000", "8540110000", "3002120000", "3002200000"]


def test_figure_6_japan_and_china_plus_hong_kong(con) -> None:
    # Japan 2008: 50 / 30 / 20 % vs 800 / 1500 / 2200 of 4500: gaps 01 +32.2, 04 -3.3, 05 -28.9 pp
    japan = figures.figure_6_table(con, "5880", year=2008).to_pylist()
    assert [(r["gap_side"], r["hitech_code"], r["hs10_code"]) for r in japan] == [
        # blood fractions 300 / 400: 30 - 8.889 = +21.1; vaccines 200 / 400: 20 - 8.889 = +11.1
        ("positive", "01", "3002120000"),
        ("positive", "01", "3002200000"),
        # processors 0 / 1200: 0 - 26.67 = -26.67; CRTs 100 / 550: 10 - 12.22 = -2.22;
        # diodes 100 / 450: 10 - 10 = 0 (to float noise), left out
        ("negative", "05", "8542310000"),
        ("negative", "05", "8540110000"),
    ]
    assert japan[0]["contribution_pp"] == pytest.approx(30 - 400 / 45)
    assert japan[1]["contribution_pp"] == pytest.approx(20 - 400 / 45)
    assert japan[2]["contribution_pp"] == pytest.approx(-1200 / 45)
    assert japan[3]["contribution_pp"] == pytest.approx(10 - 550 / 45)
    assert japan[2]["group_code_count"] == 2
    # CN_HK 2008: gaps 01 12 - 33.3 = -21.3, 04 20 - 43.3 = -23.3, 05 68 - 23.3 = +44.7: ICT is the
    # largest negative gap (for China alone it is Biotechnology)
    both = figures.figure_6_table(con, "CN_HK").to_pylist()
    negative = [r for r in both if r["gap_side"] == "negative"]
    assert {r["group_name"] for r in negative} == {"Information & Communications"}
    # laptops 350 of 2500 vs 800 of 3000: 14 - 26.67 = -12.67; hard drives 150 vs 500: 6 - 16.67 = -10.67
    assert [(r["hs10_code"], r["contribution_pp"]) for r in negative] == [
        ("8471300000", pytest.approx(14 - 80 / 3)),
        ("8471700000", pytest.approx(6 - 50 / 3)),
    ]


def test_caption_says_synthetic_incomplete_years_and_group_members(con) -> None:
    caption = figures.figure_caption(con, "CN_HK")
    assert "SYNTHETIC" in caption
    assert "Left out as incomplete: 2009 (export history through month 6)." in caption
    assert "China + Hong Kong = China 5700 + Hong Kong 5820" in caption
    assert "Hong Kong 5820" not in figures.figure_caption(con, "5700")


def test_validate_figure_options_names_the_option(con) -> None:
    assert figures.validate_figure_options(con, "japan", 2007, "fixed_2008") == ("5880", "Japan")
    for args, option in [
        (("Narnia", None, "as_published"), "partner"),
        (("5880", 2009, "as_published"), "year"),
        (("5880", None, "chain_linked"), "definition"),
        (("5880", None, "fixed_1999"), "definition"),
    ]:
        with pytest.raises(figures.FigureOptionError) as raised:
            figures.validate_figure_options(con, *args)
        assert raised.value.option == option
        assert "\n" not in str(raised.value) and not str(raised.value).startswith("figure")


# --- charts and files -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, figures.WrittenFigure]:
    """The six figures for Japan, written as the assets write them."""
    exports = tmp_path_factory.mktemp("exports")
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for number in figures.FIGURES:
            drawn = figures.draw_figure(con, number, "Japan")
            out[number] = figures.write_figure(
                drawn.table, drawn.chart, exports, drawn.stem, drawn.origin, drawn.caption
            )
    return out


def test_written_files_names_and_mode(written: dict[int, figures.WrittenFigure]) -> None:
    assert {n: w.png.name for n, w in written.items()} == {
        1: "figure_1_atp_exports_5880_japan.png",
        2: "figure_2_composition_5880_japan.png",
        3: "figure_3_composition_shares_5880_japan_2008.png",
        4: "figure_4_specialization_gaps_5880_japan.png",
        5: "figure_5_atp_definitions_5880_japan.png",
        6: "figure_6_gap_products_5880_japan_2008.png",
    }
    for paths in written.values():
        for path in (paths.csv, paths.parquet, paths.png, paths.svg):
            assert path.stat().st_size > 0
            assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~UMASK, path  # what open() gives
    assert not [p for p in written[1].png.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_png_resolution_and_svg(written: dict[int, figures.WrittenFigure]) -> None:
    from PIL import Image

    for paths in written.values():
        with Image.open(paths.png) as image:
            dpi = image.info["dpi"]
            assert dpi[0] == pytest.approx(150, abs=0.5) and dpi[1] == pytest.approx(150, abs=0.5)
            assert image.size[0] >= 9 * 150  # every chart is at least 9 inches wide
        svg = paths.svg.read_text()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert "<dc:date>" not in svg  # no date: the same figure gives the same file


def test_written_tables_carry_origin_caption_and_exact_money(written: dict[int, figures.WrittenFigure]) -> None:
    table = pq.read_table(written[1].parquet)
    assert set(table.column("data_origin").to_pylist()) == {"synthetic sample"}
    assert b"SYNTHETIC" in table.schema.metadata[b"caption"]
    assert str(table.schema.field("partner_atp_exports_usd_billions").type) == "decimal128(18, 9)"
    # Japan 2007 200 + 200 + 100 = 500 USD, 2008 1000 USD (the CSV writes exact decimals, small ones
    # in scientific notation: 5.00E-7)
    rows = [line.split(",") for line in written[1].csv.read_text().splitlines()]
    assert rows[0][4] == "partner_atp_exports_usd_billions"
    # every digit, never Arrow's exponent form (5.00E-7)
    assert [row[4] for row in rows[1:]] == ["0.000000500", "0.000001000"]
    assert [Decimal(row[4]) for row in rows[1:]] == [Decimal("0.000000500"), Decimal("0.000001000")]
    figure_6 = pq.read_table(written[6].parquet)
    assert figure_6.column("hs10_code").to_pylist() == ["3002120000", "3002200000", "8542310000", "8540110000"]


def test_write_replaces_files_and_keeps_their_mode(tmp_path: Path, warehouse: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "figure_1_atp_exports_5880_japan.png").write_bytes(b"old")
    os.chmod(exports / "figure_1_atp_exports_5880_japan.png", 0o640)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        drawn = figures.draw_figure(con, 1, "5880")
    paths = figures.write_figure(drawn.table, drawn.chart, exports, drawn.stem, drawn.origin, drawn.caption)
    assert paths.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stat.S_IMODE(paths.png.stat().st_mode) == 0o640  # a rewrite keeps the mode the file had
    assert stat.S_IMODE(paths.svg.stat().st_mode) == 0o666 & ~UMASK
