"""The figure tables, charts and files for any partner and trade flow, on a small hand-made
warehouse that holds the mart contract (dim_partners, fct_specialization_gaps, fct_atp_growth,
fct_hs10_gap_contributions with both flows; fct_atp_trade_balance) with values chosen by hand;
every expected number is worked out in the comments.

The hand-made warehouse, ATP exports (USD, as published; three ATP groups, four countries):

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

ATP imports (general imports from the country of origin, USD, as published; the same groups):

    year  group                      China 5700  Hong Kong 5820  Japan 5880  Canada 1220  world
    2007  01 Biotechnology                    0               0         100          200    300
    2007  04 Information & Comm.            900             200         300          100   1500
    2007  05 Electronics                    100               0         400          100    600
    2008  01 Biotechnology                   50               0         150          300    500
    2008  04 Information & Comm.           1600             300         400          200   2500
    2008  05 Electronics                    150             100         450          100    800
    2009  (incomplete: import history through month 3, never shown)

Totals: China 2007 1000, 2008 1800; Japan 2008 1000; world 2007 2400, 2008 3800.
fixed_2008 (imports): 2007 with 50 more Information & Comm. for every country (China 2007: 1050).

HS10 import codes of 2008 (China, Hong Kong, Japan, Canada); 8517120000 is on the import list only:
    04  8471300000 laptops      1200  200  100  100  (world 1600)
        8517120000 cell phones   400  100  300  100  (world  900)
    05  8542310000 processors    100  100  300    0  (world  500)
        8541100000 diodes         50    0  150  100  (world  300)
    01  3002200000 vaccines       50    0  150  300  (world  500)

The ATP trade balance (fct_atp_trade_balance) is exports minus imports of the tables above, e.g.
China 2008: 01 200 - 50 = +150, 04 400 - 1600 = -1200, 05 1400 - 150 = +1250, all 2000 - 1800 = +200.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
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
#: (year, cty_code) -> ATP imports from the country of groups 01, 04, 05, as published
IMPORT_VALUES = {
    (2007, "5700"): (0, 900, 100),
    (2007, "5820"): (0, 200, 0),
    (2007, "5880"): (100, 300, 400),
    (2007, "1220"): (200, 100, 100),
    (2008, "5700"): (50, 1600, 150),
    (2008, "5820"): (0, 300, 100),
    (2008, "5880"): (150, 400, 450),
    (2008, "1220"): (300, 200, 100),
    (2009, "5700"): (10, 100, 10),
    (2009, "5820"): (0, 10, 0),
    (2009, "5880"): (10, 10, 10),
    (2009, "1220"): (10, 10, 10),
}
#: 2008 HS10 import codes: (group, code, description, imports from 5700, 5820, 5880, 1220)
IMPORT_CODES_2008 = [
    ("04", "8471300000", "Portable automatic data processing machines", (1200, 200, 100, 100)),
    ("04", "8517120000", "Telephones for cellular networks", (400, 100, 300, 100)),
    ("05", "8542310000", "Electronic integrated circuits: processors and controllers", (100, 100, 300, 0)),
    ("05", "8541100000", "Diodes, other than photosensitive or light-emitting", (50, 0, 150, 100)),
    ("01", "3002200000", "Vaccines for human medicine", (50, 0, 150, 300)),
]
PARTNERS = [
    # partner_code, partner_name, partner_kind
    *[(code, name, "country") for code, name in COUNTRIES.items()],
    ("CN_HK", "China + Hong Kong", "group"),
]
#: The bridge dim_partner_members: partner_code, member cty_code (a country is its own member).
PARTNER_MEMBERS = [*[(code, code) for code in COUNTRIES], ("CN_HK", "5700"), ("CN_HK", "5820")]
CHAIN_LINKED_CHINA = {2007: 1000, 2008: 1818, 2009: 182}


def _build(path: Path) -> None:
    """The contract tables from the hand-made values above (the mart arithmetic in plain SQL), for
    both trade flows (exports: VALUES, CODES_2008; imports: IMPORT_VALUES, IMPORT_CODES_2008), and
    fct_atp_trade_balance from both."""
    con = duckdb.connect(str(path))
    con.execute(
        "create table int_trade_history_years (trade_flow varchar, year integer, last_stat_month integer, "
        "is_complete_year boolean)"
    )
    con.execute(
        "insert into int_trade_history_years values ('exports', 2007, 12, true), ('exports', 2008, 12, true), "
        "('exports', 2009, 6, false), ('imports', 2007, 12, true), ('imports', 2008, 12, true), "
        "('imports', 2009, 3, false)"
    )
    con.execute("create schema raw")
    con.execute("create table raw.source_files (year integer, raw_table varchar, origin varchar, vintage varchar)")
    for year in (2007, 2008, 2009):
        for raw_table in ("export_history", "import_history"):
            con.execute("insert into raw.source_files values (?, ?, 'synthetic', null)", [year, raw_table])
    con.execute("create table fct_atp_exports as select 2008 as year, '5700' as cty_code, true as is_synthetic")
    con.execute(
        "create table dim_partners (partner_code varchar, partner_name varchar, partner_kind varchar, "
        "first_year integer, last_year integer)"
    )
    con.executemany("insert into dim_partners values (?, ?, ?, 2007, 2009)", PARTNERS)
    con.execute(
        "create table dim_partner_members (partner_code varchar, cty_code varchar, first_year integer, "
        "last_year integer)"
    )
    con.executemany("insert into dim_partner_members values (?, ?, 2007, 2009)", PARTNER_MEMBERS)
    con.execute("create table members as select partner_code, cty_code from dim_partner_members")
    con.execute(
        "create table country_values (trade_flow varchar, year integer, cty_code varchar, definition varchar, "
        "hitech_code varchar, value_usd bigint)"
    )
    for flow, by_country, fixed_group, fixed_more in (
        ("exports", VALUES, "05", 100),
        ("imports", IMPORT_VALUES, "04", 50),
    ):
        for (year, cty), values in by_country.items():
            for hitech, value in zip(GROUPS, values, strict=True):
                fixed = value + fixed_more if (year == 2007 and hitech == fixed_group) else value
                con.execute(
                    "insert into country_values values (?, ?, ?, 'as_published', ?, ?)",
                    [flow, year, cty, hitech, value],
                )
                con.execute(
                    "insert into country_values values (?, ?, ?, 'fixed_2008', ?, ?)", [flow, year, cty, hitech, fixed]
                )
    con.execute("create table groups (hitech_code varchar, group_name varchar)")
    con.executemany("insert into groups values (?, ?)", list(GROUPS.items()))
    con.execute("""
        create table partner_values as
        with world as (
            select trade_flow, year, definition, hitech_code, sum(value_usd) as world from country_values group by all
        ),
        partner as (
            select m.partner_code, v.trade_flow, v.year, v.definition, v.hitech_code, sum(v.value_usd) as partner
            from country_values v join members m using (cty_code) group by all
        )
        select trade_flow, partner_code, d.partner_name, d.partner_kind, year, definition, hitech_code, g.group_name,
               partner::bigint as partner, (world - partner)::bigint as rest, world::bigint as world
        from world join partner using (trade_flow, year, definition, hitech_code) join groups g using (hitech_code)
        join dim_partners d using (partner_code)
    """)
    con.execute("""
        create table fct_specialization_gaps as
        select year, trade_flow, partner_code, definition, hitech_code, partner_name, partner_kind, group_name,
               partner as partner_value_usd, rest as rest_of_world_value_usd, world as world_value_usd,
               partner / sum(partner) over t as partner_composition_share,
               rest / sum(rest) over t as rest_of_world_composition_share,
               100 * (partner / sum(partner) over t - rest / sum(rest) over t) as gap_pp,
               true as is_synthetic
        from partner_values window t as (partition by trade_flow, year, partner_code, definition)
    """)
    con.execute("""
        create table growth_values as
        select trade_flow, year, partner_code, definition, hitech_code, partner_name, partner_kind, group_name,
               partner, rest, world from partner_values
        union all
        select trade_flow, year, partner_code, definition, 'all', partner_name, partner_kind, 'All ATP groups',
               sum(partner), sum(rest), sum(world) from partner_values group by all
    """)
    con.execute("""
        insert into growth_values
        select trade_flow, year, partner_code, 'chain_linked', hitech_code, partner_name, partner_kind, group_name,
               partner, rest, world from growth_values where definition = 'as_published' and hitech_code = 'all'
    """)
    for year, value in CHAIN_LINKED_CHINA.items():
        con.execute(
            "update growth_values set partner = ? where definition = 'chain_linked' and partner_code = '5700' "
            "and year = ? and trade_flow = 'exports'",
            [value, year],
        )
    con.execute("""
        create table fct_atp_growth as
        select year, trade_flow, partner_code, definition, hitech_code, partner_name, partner_kind, group_name,
               partner::bigint as partner_value_usd,
               partner / lag(partner) over w - 1 as partner_yoy_growth,
               100 * partner / first_value(partner) over w as partner_index_first_year_100,
               rest::bigint as rest_of_world_value_usd,
               rest / lag(rest) over w - 1 as rest_of_world_yoy_growth,
               100 * rest / first_value(rest) over w as rest_of_world_index_first_year_100,
               world::bigint as world_value_usd,
               world / lag(world) over w - 1 as world_yoy_growth,
               100 * world / first_value(world) over w as world_index_first_year_100
        from growth_values window w as (partition by trade_flow, partner_code, definition, hitech_code order by year)
    """)
    con.execute(
        "create table code_values (trade_flow varchar, hitech_code varchar, hs10_code varchar, "
        "hs10_description varchar, cty_code varchar, value_usd bigint)"
    )
    for flow, codes in (("exports", CODES_2008), ("imports", IMPORT_CODES_2008)):
        for hitech, code, description, values in codes:
            for cty, value in zip(COUNTRIES, values, strict=True):
                con.execute(
                    "insert into code_values values (?, ?, ?, ?, ?, ?)", [flow, hitech, code, description, cty, value]
                )
    con.execute("""
        create table fct_hs10_gap_contributions as
        with world as (
            select trade_flow, hitech_code, hs10_code, hs10_description, sum(value_usd) as world
            from code_values group by all
        ),
        partner as (
            select m.partner_code, c.trade_flow, c.hitech_code, c.hs10_code, sum(c.value_usd) as partner
            from code_values c join members m using (cty_code) group by all
        ),
        totals as (select trade_flow, partner_code, partner, rest from partner_values
                   where year = 2008 and definition = 'as_published')
        select 2008 as year, w.trade_flow, p.partner_code, 'as_published' as definition, w.hitech_code, w.hs10_code,
               d.partner_name, d.partner_kind, g.group_name, w.hs10_description,
               p.partner::bigint as partner_value_usd, (w.world - p.partner)::bigint as rest_of_world_value_usd,
               p.partner / sum(p.partner) over grp as partner_group_share,
               (w.world - p.partner) / sum(w.world - p.partner) over grp as rest_of_world_group_share,
               p.partner / t.partner as partner_composition_share,
               (w.world - p.partner) / t.rest as rest_of_world_composition_share,
               100 * (p.partner / t.partner - (w.world - p.partner) / t.rest) as contribution_pp,
               true as is_synthetic
        from world w join partner p using (trade_flow, hitech_code, hs10_code) join dim_partners d using (partner_code)
        join groups g using (hitech_code)
        join (select trade_flow, partner_code, sum(partner) as partner, sum(rest) as rest from totals group by all)
            as t using (trade_flow, partner_code)
        window grp as (partition by w.trade_flow, p.partner_code, w.hitech_code)
    """)
    # the balance: exports minus imports, for the years and definitions both flows hold
    con.execute("""
        create table fct_atp_trade_balance as
        with flows as (
            select * from growth_values where definition in ('as_published', 'fixed_2008')
        )
        select e.year, e.partner_code, e.definition, e.hitech_code, e.partner_name, e.partner_kind, e.group_name,
               e.partner::bigint as partner_exports_usd, i.partner::bigint as partner_imports_usd,
               (e.partner - i.partner)::bigint as partner_balance_usd,
               e.rest::bigint as rest_of_world_exports_usd, i.rest::bigint as rest_of_world_imports_usd,
               (e.rest - i.rest)::bigint as rest_of_world_balance_usd,
               e.world::bigint as world_exports_usd, i.world::bigint as world_imports_usd,
               (e.world - i.world)::bigint as world_balance_usd,
               true as is_synthetic
        from flows e join flows i using (year, partner_code, definition, hitech_code)
        where e.trade_flow = 'exports' and i.trade_flow = 'imports'
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


def _options(
    con,
    partner: str = "5700",
    years: str | None = None,
    year: int | None = None,
    definition: str = "as_published",
    flow: str = "exports",
):
    return figures.resolve_figure_options(con, partner, years, year, definition, flow)


def _stem_options(partner: figures.Partner, year: int = 2008, definition: str = "as_published", years=None):
    """Options built by hand (as a caller may), for the file names: window 2007-2008 unless given."""
    return figures.FigureOptions(
        partner=partner, years=years or (2007, 2008), year=year, definition=definition, years_given=years is not None
    )


class CountingConnection:
    """A DuckDB connection that records every SQL text it runs."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self.queries: list[str] = []

    def execute(self, sql: str, parameters: object = None):
        self.queries.append(sql)
        return self._con.execute(sql) if parameters is None else self._con.execute(sql, parameters)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


# --- partners, options, names ---------------------------------------------------------------


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
    assert _options(con, text).partner == expected


@pytest.mark.parametrize("text", ["Atlantis", "58800", "Chin", "China+Hong Kong"])
def test_unknown_partner_is_one_line_with_examples(con, text: str) -> None:
    with pytest.raises(ValueError) as raised:
        figures.resolve_figure_options(con, text)
    message = str(raised.value)
    assert "\n" not in message
    assert repr(text) in message
    # a few valid examples (the briefing's partner, a second country, the group) and the full list
    assert "5700 China" in message and "5880 Japan" in message and "CN_HK China + Hong Kong" in message
    assert "dim_partners" in message
    assert raised.value.option == "partner"


def test_default_options_every_complete_year(con) -> None:
    options = _options(con)
    # 2007 and 2008 are complete, 2009 (through month 6) is not: the window is 2007-2008, the year
    # of figures 3 and 6 its last year
    assert options == figures.FigureOptions(
        partner=("5700", "China"), years=(2007, 2008), year=2008, definition="as_published", years_given=False
    )
    # China + Hong Kong adds up its two members, resolved with the partner
    assert _options(con, "cn_hk").members == (("5700", "China"), ("5820", "Hong Kong"))
    assert _options(con, "5880").members == ()


def test_a_window_and_its_year(con) -> None:
    only_2008 = _options(con, "japan", "2008")
    assert (only_2008.years, only_2008.year, only_2008.years_given) == ((2008, 2008), 2008, True)
    only_2007 = _options(con, "japan", "2007")
    assert (only_2007.years, only_2007.year) == ((2007, 2007), 2007)  # figures 3 and 6 default to its last year
    both = _options(con, "japan", "2007-2008", 2007, "fixed_2008")
    assert (both.years, both.year, both.definition) == ((2007, 2008), 2007, "fixed_2008")


@pytest.mark.parametrize(
    ("years", "year", "option", "message"),
    [
        # the window must lie in the complete years held (2007-2008)
        (
            "2006-2008",
            None,
            "years",
            "years '2006-2008': 2006 is not in the warehouse; valid years for Japan: 2007-2008",
        ),
        (
            "2008-2009",
            None,
            "years",
            "years '2008-2009': 2009 is incomplete (export history through month 6); valid years for Japan: 2007-2008",
        ),
        (
            "2001-2003",
            None,
            "years",
            "years '2001-2003': 2001-2003 are not in the warehouse; valid years for Japan: 2007-2008",
        ),
        # one contiguous range
        (
            "2007,2009",
            None,
            "years",
            "years '2007,2009' is not one range of years (e.g. 2000-2008); valid years for Japan: 2007-2008",
        ),
        (
            "2008-2007",
            None,
            "years",
            "years '2008-2007': range '2008-2007' ends before it starts; valid years for Japan: 2007-2008",
        ),
        ("20x8", None, "years", "years '20x8': '20x8' is not YYYY or YYYY-YYYY; valid years for Japan: 2007-2008"),
        # the year of figures 3 and 6: complete, held, and in the window
        (
            None,
            2009,
            "year",
            "year 2009 is incomplete (export history through month 6); valid years for Japan: 2007-2008",
        ),
        (None, 2030, "year", "year 2030 is not in the warehouse; valid years for Japan: 2007-2008"),
        ("2008", 2007, "year", "year 2007 is outside the years drawn, 2008-2008; valid years: 2008"),
    ],
)
def test_option_errors_name_the_option_in_one_line(con, years, year, option: str, message: str) -> None:
    with pytest.raises(figures.FigureOptionError) as raised:
        figures.resolve_figure_options(con, "5880", years, year)
    assert (raised.value.option, str(raised.value)) == (option, message)


def test_definition_errors_name_the_option(con) -> None:
    for definition, message in [
        (
            "chain_linked",
            "definition 'chain_linked' is not one of as_published, fixed_2008 "
            "(chain_linked exists for ATP totals only: figures 1 and 5)",
        ),
        ("fixed_1999", "definition 'fixed_1999' is not one of as_published, fixed_2008"),
    ]:
        with pytest.raises(figures.FigureOptionError) as raised:
            figures.resolve_figure_options(con, "5880", definition=definition)
        assert (raised.value.option, str(raised.value)) == ("definition", message)
    with pytest.raises(figures.FigureOptionError) as raised:
        figures.resolve_figure_options(con, "Narnia", "2008")
    assert raised.value.option == "partner"


def test_the_partner_is_resolved_once_per_run(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as raw:
        con = CountingConnection(raw)
        options = figures.resolve_figure_options(con, "China + Hong Kong", "2007-2008")
        resolving = [q for q in con.queries if "dim_partners" in q]
        assert resolving  # the partner and its members are looked up here ...
        con.queries.clear()
        for number in figures.FIGURE_NAMES:
            drawn = figures.draw_figure(con, number, options)
            _close(drawn.chart)
        # ... and never again: no figure looks the partner up
        assert not [q for q in con.queries if "dim_partners" in q]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("China + Hong Kong", "china_hong_kong"), ("Korea, South", "korea_south"), ("Côte d'Ivoire", "cote_d_ivoire")],
)
def test_slug(name: str, expected: str) -> None:
    assert figures.slug(name) == expected


def test_file_names_carry_partner_year_and_definition() -> None:
    japan = figures.Partner("5880", "Japan")
    both = figures.Partner("CN_HK", "China + Hong Kong")
    stem = figures.figure_stem
    assert stem(1, _stem_options(japan)) == "figure_1_atp_exports_5880_japan"
    assert stem(2, _stem_options(japan)) == "figure_2_composition_5880_japan"
    assert stem(3, _stem_options(japan, 2008)) == "figure_3_composition_shares_5880_japan_2008"
    assert stem(4, _stem_options(japan)) == "figure_4_specialization_gaps_5880_japan"
    assert stem(5, _stem_options(japan)) == "figure_5_atp_definitions_5880_japan"
    assert stem(6, _stem_options(japan, 2008)) == "figure_6_gap_products_5880_japan_2008"
    assert stem(1, _stem_options(both)) == "figure_1_atp_exports_cn_hk_china_hong_kong"
    assert (
        stem(4, _stem_options(both, definition="fixed_2008"))
        == "figure_4_specialization_gaps_cn_hk_china_hong_kong_fixed_2008"
    )
    assert stem(3, _stem_options(figures.Partner("5700", "China"), 2007, "fixed_2008")) == (
        "figure_3_composition_shares_5700_china_2007_fixed_2008"
    )


def test_file_names_carry_the_window_only_when_given() -> None:
    china = figures.Partner("5700", "China")
    window = _stem_options(china, 2008, years=(2000, 2008))
    # the briefing's window: in the names of figures 1, 2, 4 and 5, before the definition
    assert figures.figure_stem(1, window) == "figure_1_atp_exports_5700_china_2000_2008"
    assert figures.figure_stem(2, window) == "figure_2_composition_5700_china_2000_2008"
    assert figures.figure_stem(4, window) == "figure_4_specialization_gaps_5700_china_2000_2008"
    assert figures.figure_stem(5, window) == "figure_5_atp_definitions_5700_china_2000_2008"
    fixed = _stem_options(china, 2008, "fixed_2008", years=(2000, 2008))
    assert figures.figure_stem(1, fixed) == "figure_1_atp_exports_5700_china_2000_2008_fixed_2008"
    # figures 3 and 6 carry their year only
    assert figures.figure_stem(3, window) == "figure_3_composition_shares_5700_china_2008"
    assert figures.figure_stem(6, window) == "figure_6_gap_products_5700_china_2008"
    # the default window (not given) keeps today's names
    assert figures.figure_stem(1, _stem_options(china)) == "figure_1_atp_exports_5700_china"


# --- figure tables, by hand -----------------------------------------------------------------


def test_figure_1_china(con) -> None:
    table = figures.figure_table(con, 1, _options(con, "5700"))
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


def test_figure_1_partner_share_of_world(con) -> None:
    # China 1000 of 2700 (37.037 %) in 2007, 2000 of 5500 (36.3636... %) in 2008
    china = figures.figure_table(con, 1, _options(con, "5700"))
    assert _column(china, "partner_share_of_world_pct") == [pytest.approx(100000 / 2700), pytest.approx(200000 / 5500)]
    assert _column(china, "partner_share_of_world_pct")[1] == pytest.approx(36.363636, abs=1e-6)
    # Japan 2008: 500 + 300 + 200 = 1000 of 5500 = 18.18 %; CN_HK 2008: 2500 of 5500 = 45.45 %
    assert _column(figures.figure_table(con, 1, _options(con, "5880", "2008")), "partner_share_of_world_pct") == [
        pytest.approx(100000 / 5500)
    ]
    assert _column(figures.figure_table(con, 1, _options(con, "CN_HK", "2008")), "partner_share_of_world_pct") == [
        pytest.approx(250000 / 5500)
    ]
    # the existing columns come first, in their order; the share is added at the end
    assert china.column_names[:4] == ["year", "partner_code", "partner_name", "definition"]
    assert china.column_names[4] == "partner_atp_exports_usd_billions"
    assert china.column_names[-1] == "partner_share_of_world_pct"


def test_figure_1_group_and_chain_linked(con) -> None:
    # China + Hong Kong 2008: 2000 + 500 = 2500 USD; 2007: 1000 + 200 = 1200; growth 2500 / 1200 - 1
    table = figures.figure_table(con, 1, _options(con, "China + Hong Kong"))
    assert _column(table, "partner_code") == ["CN_HK", "CN_HK"]
    assert _column(table, "partner_atp_exports_usd_billions") == [Decimal("0.000001200"), Decimal("0.000002500")]
    assert _column(table, "partner_yoy_growth_pct")[1] == pytest.approx((2500 / 1200 - 1) * 100)
    # chain-linked China: 1000, 1818 (figures 1 and 5 take chain_linked)
    chained = replace(_options(con, "5700"), definition="chain_linked")
    assert _column(figures.figure_table(con, 1, chained), "partner_atp_exports_usd_billions") == [
        Decimal("0.000001000"),
        Decimal("0.000001818"),
    ]


def test_figure_1_2_4_5_draw_the_window_only(con) -> None:
    only_2008 = _options(con, "5700", "2008")
    # figure 1 for 2008 alone: China 2000 USD; it is the window's first year: index 100, no growth shown
    one = figures.figure_table(con, 1, only_2008)
    assert _column(one, "year") == [2008]
    assert _column(one, "partner_atp_exports_usd_billions") == [Decimal("0.000002000")]
    assert _column(one, "partner_index_first_year_100") == [pytest.approx(100.0)]
    assert _column(one, "partner_yoy_growth_pct") == [None]
    # figure 2: 3 groups of 2008 only; figure 4: the same (2008 is after the WTO accession)
    assert _column(figures.figure_table(con, 2, only_2008), "year") == [2008] * 3
    assert _column(figures.figure_table(con, 4, only_2008), "year") == [2008] * 3
    # figure 5 for 2007 alone: as published 1000, fixed 1100, effect -100 USD
    five = figures.figure_table(con, 5, _options(con, "5700", "2007")).to_pylist()
    assert [(r["year"], r["reclassification_effect_usd_billions"]) for r in five] == [(2007, Decimal("-0.000000100"))]
    # figures 3 and 6 draw the window's last year
    assert set(_column(figures.figure_table(con, 3, _options(con, "5700", "2007")), "year")) == {2007}


def test_figure_4_starts_at_the_wto_accession_or_the_window() -> None:
    china = figures.Partner("5700", "China")
    first_year = figures.tables.figure_4_first_year
    # China joined the WTO in December 2001: the briefing's figure 4 starts in 2001
    assert first_year(_stem_options(china, years=(2000, 2008))) == 2001
    assert first_year(_stem_options(china, years=(2003, 2008))) == 2003
    # a window that ends before 2001 is drawn whole
    assert first_year(_stem_options(china, 2000, years=(2000, 2000))) == 2000


def test_figure_2_japan_and_fixed_definition(con) -> None:
    table = figures.figure_table(con, 2, _options(con, "5880"))
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
    fixed_options = _options(con, "5700", definition="fixed_2008")
    fixed = {(r["year"], r["hitech_code"]): r for r in figures.figure_table(con, 2, fixed_options).to_pylist()}
    assert fixed[(2007, "05")]["partner_composition_share_pct"] == pytest.approx(700 / 1100 * 100)
    assert fixed[(2007, "05")]["definition"] == "fixed_2008"


def test_figure_3_default_latest_complete_year_and_chosen_year(con) -> None:
    japan = figures.figure_table(con, 3, _options(con, "japan"))
    assert set(_column(japan, "year")) == {2008}  # 2009 is incomplete
    # Japan 2008: 50 / 30 / 20 %; rest of world 5500 - 1000 = 4500: 800, 1500, 2200
    assert _column(japan, "partner_share_pct") == [pytest.approx(50.0), pytest.approx(30.0), pytest.approx(20.0)]
    assert _column(japan, "rest_of_world_share_pct") == [
        pytest.approx(800 / 4500 * 100),
        pytest.approx(1500 / 4500 * 100),
        pytest.approx(2200 / 4500 * 100),
    ]
    # China 2007: 10 / 30 / 60 %; rest of world 2700 - 1000 = 1700: 500, 800, 400
    china = figures.figure_table(con, 3, _options(con, "5700", year=2007))
    assert _column(china, "partner_share_pct") == [pytest.approx(10.0), pytest.approx(30.0), pytest.approx(60.0)]
    assert _column(china, "partner_minus_rest_of_world_pp") == [
        pytest.approx(10 - 500 / 17),
        pytest.approx(30 - 800 / 17),
        pytest.approx(60 - 400 / 17),
    ]


@pytest.mark.parametrize("number", [2, 3, 4, 6])
def test_chain_linked_is_refused_where_groups_are_compared(con, number: int) -> None:
    chained = replace(_options(con, "5700"), definition="chain_linked")
    with pytest.raises(figures.FigureOptionError) as raised:
        figures.draw_figure(con, number, chained)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(f"figure {number}: ")
    assert "as_published, fixed_2008" in message and "figures 1 and 5" in message
    assert raised.value.option == "definition"


def test_figure_4_china_plus_hong_kong(con) -> None:
    options = _options(con, "CN_HK")
    table = figures.figure_table(con, 4, options)
    rows = {(r["year"], r["hitech_code"]): r["partner_minus_rest_of_world_pp"] for r in table.to_pylist()}
    # CN_HK 2008: 300, 500, 1700 of 2500 (12, 20, 68 %); rest of world 1000, 1300, 700 of 3000
    assert rows[(2008, "01")] == pytest.approx(12 - 100 / 3)
    assert rows[(2008, "04")] == pytest.approx(20 - 130 / 3)
    assert rows[(2008, "05")] == pytest.approx(68 - 70 / 3)
    assert sorted({year for year, _ in rows}) == [2007, 2008]
    assert figures.tables.figure_4_table(con, options, first_year=2008).column("year").to_pylist() == [2008] * 3


def test_figure_5_china(con) -> None:
    table = figures.figure_table(con, 5, _options(con, "5700")).to_pylist()
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
        options = _options(con, "5700")
        table = figures.figure_table(con, 5, options)
        assert _column(table, "fixed_definition") == [None, None]
        assert _column(table, "fixed_definition_usd_billions") == [None, None]
        assert _column(table, "reclassification_effect_usd_billions") == [None, None]
        assert _column(table, "as_published_usd_billions") == [Decimal("0.000001000"), Decimal("0.000002000")]
        drawn = figures.draw_figure(con, 5, options)
    paths = figures.write_figure(drawn, tmp_path)
    assert paths.png.stat().st_size > 0


def test_figure_6_china_largest_gaps_and_their_codes(con) -> None:
    options = _options(con, "5700")  # default: 2008
    rows = figures.figure_table(con, 6, options).to_pylist()
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
    top_2 = figures.tables.figure_6_table(con, options, top_n=2)
    assert top_2.column("hs10_code").to_pylist() == ["8542310000", "8540110000", "3002120000", "3002200000"]


def test_figure_6_japan_and_china_plus_hong_kong(con) -> None:
    # Japan 2008: 50 / 30 / 20 % vs 800 / 1500 / 2200 of 4500: gaps 01 +32.2, 04 -3.3, 05 -28.9 pp
    japan = figures.figure_table(con, 6, _options(con, "5880", year=2008)).to_pylist()
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
    both = figures.figure_table(con, 6, _options(con, "CN_HK")).to_pylist()
    negative = [r for r in both if r["gap_side"] == "negative"]
    assert {r["group_name"] for r in negative} == {"Information & Communications"}
    # laptops 350 of 2500 vs 800 of 3000: 14 - 26.67 = -12.67; hard drives 150 vs 500: 6 - 16.67 = -10.67
    assert [(r["hs10_code"], r["contribution_pp"]) for r in negative] == [
        ("8471300000", pytest.approx(14 - 80 / 3)),
        ("8471700000", pytest.approx(6 - 50 / 3)),
    ]


def test_caption_says_synthetic_incomplete_years_and_group_members(con) -> None:
    caption = figures.figure_caption(con, _options(con, "CN_HK"), [2007, 2008])
    assert "SYNTHETIC" in caption
    assert "Left out as incomplete: 2009 (export history through month 6)." in caption
    assert "China + Hong Kong = China 5700 + Hong Kong 5820" in caption
    assert "Hong Kong 5820" not in figures.figure_caption(con, _options(con, "5700"), [2007, 2008])
    # a window given leaves the incomplete years out of the caption: they are outside it anyway
    assert "Left out" not in figures.figure_caption(con, _options(con, "CN_HK", "2007-2008"), [2007, 2008])


# --- the trade flow: figures 1-6 of ATP imports ------------------------------------------------


def test_the_flow_is_checked_in_one_line(con) -> None:
    with pytest.raises(figures.FigureOptionError) as raised:
        figures.resolve_figure_options(con, "5700", flow="reexports")
    assert (raised.value.option, str(raised.value)) == ("flow", "flow 'reexports' is not one of exports, imports")
    # the years of imports are those whose import history is complete: 2009 is through month 3
    with pytest.raises(figures.FigureOptionError) as raised:
        figures.resolve_figure_options(con, "5880", "2008-2009", flow="imports")
    assert (raised.value.option, str(raised.value)) == (
        "years",
        "years '2008-2009': 2009 is incomplete (import history through month 3); "
        "valid years of imports from Japan: 2007-2008",
    )
    options = figures.resolve_figure_options(con, "japan", flow="imports")
    assert (options.flow, options.years, options.year) == ("imports", (2007, 2008), 2008)
    assert _options(con, "japan").flow == "exports"  # the default


def test_imports_refused_when_the_warehouse_holds_none(warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "atp.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from int_trade_history_years where trade_flow = 'imports'")
        with pytest.raises(figures.FigureOptionError) as raised:
            figures.resolve_figure_options(con, "5700", flow="imports")
        assert raised.value.option == "flow"
        assert str(raised.value) == (
            "flow 'imports': the warehouse holds no complete year of ATP imports (no import history loaded); "
            "valid flows here: exports"
        )
        # figure 7 has nothing to draw: not an error of the options, a figure not drawn
        with pytest.raises(figures.FigureNotDrawn) as not_drawn:
            figures.draw_figure(con, 7, _options(con, "5700"))
        assert str(not_drawn.value).startswith("figure 7: no year of 2007-2008 has complete ATP exports and imports")


def test_file_names_of_imports_are_distinct_and_exports_keep_theirs() -> None:
    china = figures.Partner("5700", "China")
    window = _stem_options(china, 2008, years=(2000, 2008))
    imports = replace(window, flow="imports")
    stems = {n: figures.figure_stem(n, imports) for n in figures.FIGURE_NAMES}
    assert stems == {
        1: "figure_1_atp_imports_5700_china_2000_2008",
        2: "figure_2_imports_composition_5700_china_2000_2008",
        3: "figure_3_imports_composition_shares_5700_china_2008",
        4: "figure_4_imports_specialization_gaps_5700_china_2000_2008",
        5: "figure_5_imports_atp_definitions_5700_china_2000_2008",
        6: "figure_6_imports_gap_products_5700_china_2008",
        # the balance draws both flows: one name whatever the flow
        7: "figure_7_trade_balance_5700_china_2000_2008",
    }
    exports = {n: figures.figure_stem(n, window) for n in figures.FIGURE_NAMES}
    assert not set(stems.values()) - {stems[7]} & set(exports.values())
    assert exports[1] == "figure_1_atp_exports_5700_china_2000_2008" and exports[7] == stems[7]
    assert figures.figure_stem(7, _stem_options(china)) == "figure_7_trade_balance_5700_china"


def test_figure_1_imports_from_china(con) -> None:
    table = figures.figure_table(con, 1, _options(con, "5700", flow="imports"))
    assert _column(table, "year") == [2007, 2008]  # 2009: import history through month 3
    # China 0 + 900 + 100 = 1000 USD in 2007, 50 + 1600 + 150 = 1800 in 2008; the columns say imports
    assert _column(table, "partner_atp_imports_usd_billions") == [Decimal("0.000001000"), Decimal("0.000001800")]
    # world 300 + 1500 + 600 = 2400, 500 + 2500 + 800 = 3800; rest of world 1400, 2000
    assert _column(table, "world_atp_imports_usd_billions") == [Decimal("0.000002400"), Decimal("0.000003800")]
    assert _column(table, "rest_of_world_atp_imports_usd_billions") == [Decimal("0.000001400"), Decimal("0.000002000")]
    assert "partner_atp_exports_usd_billions" not in table.column_names
    # growth 1800 / 1000 - 1 = +80 %; share of world imports 1000 / 2400 = 41.67 %, 1800 / 3800 = 47.37 %
    assert _column(table, "partner_yoy_growth_pct") == [None, pytest.approx(80.0)]
    assert _column(table, "partner_share_of_world_pct") == [pytest.approx(100000 / 2400), pytest.approx(180000 / 3800)]


def test_figures_2_3_4_imports_from_japan_and_cn_hk(con) -> None:
    imports = _options(con, "5880", flow="imports")
    two = {(r["year"], r["hitech_code"]): r for r in figures.figure_table(con, 2, imports).to_pylist()}
    # Japan 2008: 150, 400, 450 of 1000 = 15, 40, 45 %; 2007: 100, 300, 400 of 800
    assert [two[(2008, h)]["partner_composition_share_pct"] for h in GROUPS] == [
        pytest.approx(15.0),
        pytest.approx(40.0),
        pytest.approx(45.0),
    ]
    assert two[(2007, "05")]["partner_composition_share_pct"] == pytest.approx(50.0)
    assert two[(2008, "05")]["partner_imports_usd_billions"] == Decimal("0.000000450")
    # rest of world 2008: 3800 - 1000 = 2800 (01 350, 04 2100, 05 350): 12.5, 75, 12.5 %
    three = figures.figure_table(con, 3, imports)
    assert _column(three, "rest_of_world_share_pct") == [
        pytest.approx(12.5),
        pytest.approx(75.0),
        pytest.approx(12.5),
    ]
    assert _column(three, "partner_minus_rest_of_world_pp") == [
        pytest.approx(2.5),
        pytest.approx(-35.0),
        pytest.approx(32.5),
    ]
    # CN_HK 2008: 50, 1900, 250 of 2200; rest of world 450, 600, 550 of 1600
    four = figures.figure_table(con, 4, _options(con, "CN_HK", flow="imports")).to_pylist()
    gaps = {(r["year"], r["hitech_code"]): r["partner_minus_rest_of_world_pp"] for r in four}
    assert gaps[(2008, "04")] == pytest.approx(1900 / 22 - 600 / 16)
    assert gaps[(2008, "01")] == pytest.approx(50 / 22 - 450 / 16)


def test_figure_5_imports_from_china(con) -> None:
    rows = figures.figure_table(con, 5, _options(con, "5700", flow="imports")).to_pylist()
    # 2007: as published 1000, fixed 2008 list 0 + 950 + 100 = 1050, effect -50 USD; chain-linked = as published
    assert [(r["year"], r["fixed_definition"]) for r in rows] == [(2007, "fixed_2008"), (2008, "fixed_2008")]
    assert rows[0]["as_published_usd_billions"] == Decimal("0.000001000")
    assert rows[0]["fixed_definition_usd_billions"] == Decimal("0.000001050")
    assert rows[0]["reclassification_effect_usd_billions"] == Decimal("-0.000000050")
    assert rows[1]["chain_linked_usd_billions"] == Decimal("0.000001800")


def test_figure_6_imports_from_china(con) -> None:
    rows = figures.figure_table(con, 6, _options(con, "5700", flow="imports")).to_pylist()
    # China 2008 imports 50 / 1600 / 150 of 1800; rest of world 450 / 900 / 650 of 2000: gaps
    # 01 2.78 - 22.5 = -19.72, 04 88.89 - 45 = +43.89, 05 8.33 - 32.5 = -24.17 pp
    assert [(r["gap_side"], r["hitech_code"], r["hs10_code"]) for r in rows] == [
        # laptops 1200 / 400: 66.67 - 20 = +46.67; cell phones (import list only) 400 / 500: 22.22 - 25 = -2.78
        ("positive", "04", "8471300000"),
        ("positive", "04", "8517120000"),
        # processors 100 / 400: 5.56 - 20 = -14.44; diodes 50 / 250: 2.78 - 12.5 = -9.72
        ("negative", "05", "8542310000"),
        ("negative", "05", "8541100000"),
    ]
    assert rows[0]["group_gap_pp"] == pytest.approx(1600 / 18 - 45)
    assert rows[2]["group_gap_pp"] == pytest.approx(150 / 18 - 32.5)
    assert [r["contribution_pp"] for r in rows] == [
        pytest.approx(1200 / 18 - 20),
        pytest.approx(400 / 18 - 25),
        pytest.approx(100 / 18 - 20),
        pytest.approx(50 / 18 - 12.5),
    ]
    assert rows[0]["partner_imports_usd_billions"] == Decimal("0.000001200")
    assert rows[0]["rest_of_world_imports_usd_billions"] == Decimal("0.000000400")
    assert rows[0]["partner_group_share_pct"] == pytest.approx(75.0)  # 1200 of China's 1600


# --- figure 7: the ATP trade balance ------------------------------------------------------------

#: Figure 7 for China, as published, by hand (USD): (year, group) -> partner exports, imports,
#: balance; world exports, imports, balance. "all" adds the three groups.
CHINA_BALANCE = {
    (2007, "01"): (100, 0, 100, 600, 300, 300),
    (2007, "04"): (300, 900, -600, 1100, 1500, -400),
    (2007, "05"): (600, 100, 500, 1000, 600, 400),
    (2007, "all"): (1000, 1000, 0, 2700, 2400, 300),
    (2008, "01"): (200, 50, 150, 1300, 500, 800),
    (2008, "04"): (400, 1600, -1200, 1800, 2500, -700),
    (2008, "05"): (1400, 150, 1250, 2400, 800, 1600),
    (2008, "all"): (2000, 1800, 200, 5500, 3800, 1700),
}
BALANCE_COLUMNS = [
    f"{scope}_{measure}_usd_billions" for scope in ("partner", "world") for measure in ("exports", "imports", "balance")
]


def _billions(usd: int) -> Decimal:
    return Decimal(usd) / Decimal(10**9)


def test_figure_7_china_by_hand(con) -> None:
    table = figures.figure_table(con, 7, _options(con, "5700"))
    rows = table.to_pylist()
    # both flows complete in 2007 and 2008 (2009: neither); each year's groups, then all groups
    assert [(r["year"], r["hitech_code"]) for r in rows] == list(CHINA_BALANCE)
    assert table.column_names[:6] == ["year", "partner_code", "partner_name", "definition", "hitech_code", "group_name"]
    assert table.column_names[6:] == BALANCE_COLUMNS
    for row in rows:
        expected = CHINA_BALANCE[(row["year"], row["hitech_code"])]
        assert [row[c] for c in BALANCE_COLUMNS] == [_billions(v) for v in expected], row
    assert rows[3]["group_name"] == "All ATP groups"
    # China 2008: a deficit in ICT (-1200 USD), surpluses in Biotechnology and Electronics
    assert rows[5]["partner_balance_usd_billions"] == Decimal("-0.000001200")
    assert {str(table.schema.field(c).type) for c in BALANCE_COLUMNS} == {"decimal128(18, 9)"}
    # the flow setting does not change the balance
    imports = figures.figure_table(con, 7, _options(con, "5700", flow="imports"))
    assert imports.to_pylist() == rows


def test_figure_7_japan_cn_hk_and_fixed_definition(con) -> None:
    japan = {(r["year"], r["hitech_code"]): r for r in figures.figure_table(con, 7, _options(con, "5880")).to_pylist()}
    # Japan 2007: 200 / 200 / 100 exported, 100 / 300 / 400 imported: +100, -100, -300, all -300;
    # 2008: 500 / 300 / 200 vs 150 / 400 / 450: +350, -100, -250, all 0
    assert [japan[(2007, h)]["partner_balance_usd_billions"] for h in (*GROUPS, "all")] == [
        _billions(v) for v in (100, -100, -300, -300)
    ]
    assert [japan[(2008, h)]["partner_balance_usd_billions"] for h in (*GROUPS, "all")] == [
        _billions(v) for v in (350, -100, -250, 0)
    ]
    # China + Hong Kong 2008: exports 300 / 500 / 1700, imports 50 / 1900 / 250
    both = {(r["year"], r["hitech_code"]): r for r in figures.figure_table(con, 7, _options(con, "CN_HK")).to_pylist()}
    assert [both[(2008, h)]["partner_balance_usd_billions"] for h in (*GROUPS, "all")] == [
        _billions(v) for v in (250, -1400, 1450, 300)
    ]
    # the world does not depend on the partner
    assert both[(2008, "all")]["world_balance_usd_billions"] == _billions(1700)
    # fixed 2008 list, China 2007: exports 100 / 300 / 700, imports 0 / 950 / 100
    fixed = figures.figure_table(con, 7, _options(con, "5700", definition="fixed_2008")).to_pylist()
    assert [r["partner_balance_usd_billions"] for r in fixed if r["year"] == 2007] == [
        _billions(v) for v in (100, -650, 600, 50)
    ]
    assert {r["definition"] for r in fixed} == {"fixed_2008"}


def test_figure_7_leaves_out_years_without_both_flows(warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "atp.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        # 2007's import history ends in September: no balance for 2007, the exports figures keep it
        con.execute(
            "update int_trade_history_years set last_stat_month = 9, is_complete_year = false "
            "where trade_flow = 'imports' and year = 2007"
        )
        options = _options(con, "5700")
        assert options.years == (2007, 2008)
        drawn = figures.draw_figure(con, 7, options)
        assert set(_column(drawn.table, "year")) == {2008}
        assert "No balance for 2007: no complete import history for those years." in drawn.caption
        assert (
            "Left out as incomplete: 2009 (export history through month 6), 2007 (import history through "
            "month 9), 2009 (import history through month 3)." in drawn.caption
        )
        _close(drawn.chart)


def test_captions_name_the_flow(con) -> None:
    imports = figures.figure_caption(con, _options(con, "5700", flow="imports"), [2007, 2008])
    assert "SYNTHETIC sample in Census layouts (import values calibrated" in imports
    assert "Left out as incomplete: 2009 (import history through month 3)." in imports
    balance = figures.figure_caption(con, _options(con, "5700"), [2007, 2008], 7)
    assert "(export and import values calibrated" in balance
    assert "Balance = U.S. ATP exports (f.a.s.) minus U.S. ATP general imports (customs value)" in balance
    exports = figures.figure_caption(con, _options(con, "5700"), [2007, 2008])
    assert "(export values calibrated" in exports and "Balance" not in exports


# --- charts: colours, panels, labels ---------------------------------------------------------


def _rgba(color) -> tuple[float, ...]:
    from matplotlib.colors import to_rgba

    return tuple(round(c, 4) for c in to_rgba(color))


def _close(chart) -> None:
    figures.charts.pyplot().close(chart)


def _group_colors(drawn: figures.DrawnFigure) -> dict[str, tuple[float, ...]]:
    """Group name -> the colour it is drawn in: figure 2's stacked bars (one container per group),
    figure 4's panels (titled with the group), figure 6's panels (bars labelled with the group)."""
    colors = {}
    for ax in drawn.chart.axes:
        if drawn.number == 4 and ax.get_visible():
            colors[ax.get_title(loc="left").replace("\n", " ")] = _rgba(ax.lines[0].get_color())
            continue
        for container in ax.containers:
            colors[container.get_label()] = _rgba(container.patches[0].get_facecolor())
    return colors


def test_one_colour_per_group_across_figures(con) -> None:
    options = _options(con, "5700")
    drawn = {n: figures.draw_figure(con, n, options) for n in (2, 4, 6)}
    seen = {n: _group_colors(d) for n, d in drawn.items()}
    palette = {GROUPS[code]: _rgba(color) for code, color in figures.style.GROUP_COLORS.items() if code in GROUPS}
    # figure 2 and 4 draw all three groups; figure 6 the largest gaps' groups, Electronics and Biotechnology
    assert seen[2] == palette and seen[4] == palette
    assert seen[6] == {"Electronics": palette["Electronics"], "Biotechnology": palette["Biotechnology"]}
    for d in drawn.values():
        _close(d.chart)


def test_partner_rest_of_world_and_world_colours_are_no_group_colours() -> None:
    style = figures.style
    groups = set(style.GROUP_COLORS.values())
    series = list(style.SERIES_COLORS.values())
    assert len(groups) == 10  # ten groups, ten colours
    assert {"partner", "rest_of_world", "world"} <= set(style.SERIES_COLORS)
    assert not groups & set(series)
    # no colour carries two meanings
    assert len(set(series)) == len(series)


def test_figure_1_and_3_draw_the_partner_and_rest_of_world_colours(con) -> None:
    options = _options(con, "5880")
    one, three = figures.draw_figure(con, 1, options), figures.draw_figure(con, 3, options)
    top, bottom = one.chart.axes
    assert {_rgba(p.get_facecolor()) for p in top.patches} == {_rgba(figures.style.PARTNER_COLOR)}
    # the lower panel shows the partner's share of the world's ATP exports, %: Japan 2007 500 of 2700, 2008 1000 of 5500
    assert list(bottom.lines[0].get_ydata()) == [pytest.approx(50000 / 2700), pytest.approx(100000 / 5500)]
    assert "current U.S. dollars" in top.get_ylabel()
    bars = {c.get_label(): _rgba(c.patches[0].get_facecolor()) for c in three.chart.axes[0].containers}
    assert bars == {
        "Japan": _rgba(figures.style.PARTNER_COLOR),
        "Rest of world": _rgba(figures.style.REST_OF_WORLD_COLOR),
    }
    for d in (one, three):
        _close(d.chart)


def test_figure_4_small_multiples_one_panel_per_group(con) -> None:
    drawn = figures.draw_figure(con, 4, _options(con, "CN_HK"))
    panels = [ax for ax in drawn.chart.axes if ax.get_visible()]
    assert [ax.get_title(loc="left").replace("\n", " ") for ax in panels] == list(GROUPS.values())
    # one y scale for all panels, a zero line in each
    assert len({ax.get_ylim() for ax in panels}) == 1
    for ax in panels:
        assert any(list(line.get_ydata()) == [0, 0] for line in ax.lines)
    _close(drawn.chart)


def test_figure_4_ten_groups_in_a_two_by_five_grid() -> None:
    from orchestration.figures.chart_groups import chart_4

    names = [
        "Biotechnology",
        "Life Science",
        "Opto-Electronics",
        "Information & Communications",
        "Electronics",
        "Flexible Manufacturing",
        "Advanced Materials",
        "Aerospace",
        "Weapons",
        "Nuclear Technology",
    ]
    rows = [
        {
            "year": year,
            "partner_code": "5700",
            "partner_name": "China",
            "definition": "as_published",
            "hitech_code": f"{i + 1:02d}",
            "group_name": name,
            "partner_minus_rest_of_world_pp": float(i - 5),
        }
        for year in (2007, 2008)
        for i, name in enumerate(names)
    ]
    chart = chart_4(pa.Table.from_pylist(rows), "caption")
    panels = [ax for ax in chart.axes if ax.get_visible()]
    assert len(panels) == 10
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in panels} == {(2, 5)}
    _close(chart)


def test_figure_5_lower_panel_has_a_legend(con) -> None:
    drawn = figures.draw_figure(con, 5, _options(con, "5700"))
    top, bottom = drawn.chart.axes
    assert [t.get_text() for t in bottom.get_legend().get_texts()] == ["As published minus fixed 2008 ATP list"]
    assert "current U.S. dollars" in top.get_ylabel() and "current U.S. dollars" in bottom.get_ylabel()
    _close(drawn.chart)


def test_titles_and_labels_say_the_flow(con) -> None:
    exports, imports = _options(con, "5880"), _options(con, "5880", flow="imports")
    one = figures.draw_figure(con, 1, imports)
    assert (
        one.chart.get_suptitle()
        .replace("\n", " ")
        .startswith("Figure 1. U.S. ATP imports from Japan (general imports, customs value), 2007-2008")
    )
    top, bottom = one.chart.axes
    assert top.get_title(loc="left").startswith("ATP imports from Japan")
    assert bottom.get_title(loc="left") == "Share of U.S. ATP imports from the world that come from Japan, %"
    # Japan's imports 800 and 1000 USD, drawn in the partner's colour
    assert [p.get_height() for p in top.patches] == [pytest.approx(8e-7), pytest.approx(1e-6)]
    same = figures.draw_figure(con, 1, exports)
    assert same.chart.get_suptitle().replace("\n", " ").startswith("Figure 1. U.S. ATP exports to Japan (f.a.s.)")
    three = figures.draw_figure(con, 3, imports)
    assert three.chart.axes[0].get_xlabel() == "Share of ATP imports, %"
    six = figures.draw_figure(con, 6, imports)
    assert "imports from Japan" in six.chart.get_suptitle().replace("\n", " ")
    for d in (one, same, three, six):
        _close(d.chart)


def test_figure_7_two_panels_group_colours_and_balance_lines(con) -> None:
    drawn = figures.draw_figure(con, 7, _options(con, "5700"))
    top, bottom = drawn.chart.axes
    assert top.get_title(loc="left") == "ATP trade balance with China"
    assert bottom.get_title(loc="left") == "ATP trade balance with the world"
    # the balance of all groups: China 0 and +200 USD (partner colour), world +300 and +1700 (world colour)
    (china,) = [line for line in top.lines if line.get_label().startswith("All ATP groups")]
    (world,) = [line for line in bottom.lines if line.get_label().startswith("All ATP groups")]
    assert list(china.get_ydata()) == [pytest.approx(0.0), pytest.approx(2e-7)]
    assert list(world.get_ydata()) == [pytest.approx(3e-7), pytest.approx(1.7e-6)]
    assert _rgba(china.get_color()) == _rgba(figures.style.PARTNER_COLOR)
    assert _rgba(world.get_color()) == _rgba(figures.style.WORLD_COLOR)
    # the last year's balance of all groups, USD billions to one decimal (200 USD shows as 0.0)
    assert top.get_title(loc="right") == "all groups, 2008: 0.0"
    # each group in its colour of every figure; ICT's 2008 deficit with China drawn below zero (-1200 USD)
    palette = {code: _rgba(color) for code, color in figures.style.GROUP_COLORS.items() if code in GROUPS}
    bars = {_rgba(p.get_facecolor()) for p in top.patches if p.get_height()}
    assert bars == set(palette.values())
    ict = [p for p in top.patches if _rgba(p.get_facecolor()) == palette["04"] and p.get_height() < 0]
    assert [(round(p.get_x() + p.get_width() / 2), p.get_height()) for p in ict] == [
        (2007, pytest.approx(-6e-7)),
        (2008, pytest.approx(-1.2e-6)),
    ]
    legend = [t.get_text() for t in top.get_legend().get_texts()]
    assert legend == ["All ATP groups, China (line)", "All ATP groups, world (line)", *GROUPS.values()]
    assert "current U.S. dollars" in top.get_ylabel() and "current U.S. dollars" in bottom.get_ylabel()
    title = drawn.chart.get_suptitle().replace("\n", " ")
    assert title == "Figure 7. U.S. ATP trade balance with China and with the world, by technology group, 2007-2008"
    _close(drawn.chart)


#: Two real Schedule B codes whose descriptions share their first 118 characters (the bundle's 2022 split).
SPLIT_CODES = {
    "8542310010": "ELECTRONIC INTEGRATED CIRCUITS, PROCESSORS & CONTROLLERS, WH/NOT COMBINED W/MEMORIES, "
    "CONVERTERS, LOGIC CIRCU [SYNTHETIC SUBDIVISION 1 OF 2 FROM 2022]",
    "8542310090": "ELECTRONIC INTEGRATED CIRCUITS, PROCESSORS & CONTROLLERS, WH/NOT COMBINED W/MEMORIES, "
    "CONVERTERS, LOGIC CIRCU [SYNTHETIC SUBDIVISION 2 OF 2 FROM 2022]",
}


def _flat(label: str) -> str:
    return " ".join(label.replace("\u2007", " ").split())


def test_figure_6_labels_tell_codes_with_one_long_description_apart() -> None:
    from orchestration.figures.labels import code_labels

    labels = code_labels(list(SPLIT_CODES), list(SPLIT_CODES.values()))
    assert len(set(labels)) == 2
    for (code, description), label in zip(SPLIT_CODES.items(), labels, strict=True):
        flat = _flat(label)
        assert flat.startswith(f"{code} ELECTRONIC INTEGRATED CIRCUITS")
        # the part that differs is shown whole, after the shared start cut with "…"
        assert flat.endswith(description[description.index("SUBDIVISION") :])
        assert "…" in flat
        assert len(label.splitlines()) <= 2
    assert "1 OF 2" in labels[0] and "2 OF 2" in labels[1]
    # a short description is shown whole, a long one with nothing in common is cut at its end
    assert code_labels(["8542330000"], ["ELECTRONIC INTEGRATED CIRCUITS, AMPLIFIERS"]) == [
        "8542330000  ELECTRONIC INTEGRATED CIRCUITS, AMPLIFIERS"
    ]


def test_figure_6_chart_labels_the_split_codes_apart() -> None:
    from orchestration.figures.chart_products import chart_6

    rows = [
        {
            "year": 2023,
            "partner_code": "5880",
            "partner_name": "Japan",
            "definition": "as_published",
            "gap_side": "negative",
            "hitech_code": "05",
            "group_name": "Electronics",
            "group_gap_pp": -8.0,
            "group_partner_share_pct": 20.0,
            "group_rest_of_world_share_pct": 28.0,
            "group_code_count": 2,
            "contribution_rank": rank,
            "hs10_code": code,
            "hs10_description": description,
            "contribution_pp": -5.0 + rank,
        }
        for rank, (code, description) in enumerate(SPLIT_CODES.items(), start=1)
    ]
    chart = chart_6(pa.Table.from_pylist(rows), "caption")
    ticks = [_flat(t.get_text()) for t in chart.axes[0].get_yticklabels()]
    # the largest negative contribution on top: 8542310010 (-4.0), then 8542310090 (-3.0)
    assert [t.split()[0] for t in ticks] == ["8542310010", "8542310090"]
    assert "SUBDIVISION 1 OF 2 FROM 2022]" in ticks[0] and "SUBDIVISION 2 OF 2 FROM 2022]" in ticks[1]
    assert _rgba(chart.axes[0].patches[0].get_facecolor()) == _rgba(figures.style.GROUP_COLORS["05"])
    _close(chart)


def test_importing_the_figures_sets_nothing_up() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}
    code = (
        "import os, sys; import orchestration.figures as f; "
        "assert 'MPLCONFIGDIR' not in os.environ; assert 'matplotlib' not in sys.modules; "
        "f.configure_matplotlib(); import matplotlib; "
        "print(os.environ['MPLCONFIGDIR']); print(matplotlib.get_backend())"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == [str(Path(figures.__file__).parents[2] / "warehouse" / ".matplotlib"), "agg"]


# --- files ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, figures.WrittenFigure]:
    """The seven figures for Japan (figures 1-6 of ATP exports), written as the assets write them."""
    exports = tmp_path_factory.mktemp("exports")
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        options = figures.resolve_figure_options(con, "Japan")
        for number in figures.FIGURE_NAMES:
            out[number] = figures.write_figure(figures.draw_figure(con, number, options), exports, {"run_id": "r1"})
    return out


def test_written_files_names_and_mode(written: dict[int, figures.WrittenFigure]) -> None:
    assert {n: w.png.name for n, w in written.items()} == {
        1: "figure_1_atp_exports_5880_japan.png",
        2: "figure_2_composition_5880_japan.png",
        3: "figure_3_composition_shares_5880_japan_2008.png",
        4: "figure_4_specialization_gaps_5880_japan.png",
        5: "figure_5_atp_definitions_5880_japan.png",
        6: "figure_6_gap_products_5880_japan_2008.png",
        7: "figure_7_trade_balance_5880_japan.png",
    }
    for paths in written.values():
        for path in (paths.csv, paths.parquet, paths.png, paths.svg):
            assert path.stat().st_size > 0
            assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~UMASK, path  # what open() gives
    assert not [p for p in written[1].png.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_written_window_files_are_named_with_the_window(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        options = figures.resolve_figure_options(con, "5700", "2007-2008")
        names = [figures.write_figure(figures.draw_figure(con, n, options), tmp_path).png.name for n in (1, 3, 4)]
    assert names == [
        "figure_1_atp_exports_5700_china_2007_2008.png",
        "figure_3_composition_shares_5700_china_2008.png",
        "figure_4_specialization_gaps_5700_china_2007_2008.png",
    ]


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


def test_the_same_figure_gives_the_same_svg(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        options = figures.resolve_figure_options(con, "CN_HK")
        first = figures.write_figure(figures.draw_figure(con, 4, options), tmp_path / "a")
        second = figures.write_figure(figures.draw_figure(con, 4, options), tmp_path / "b")
    assert first.svg.read_bytes() == second.svg.read_bytes()
    assert first.csv.read_bytes() == second.csv.read_bytes()


def test_written_tables_carry_origin_caption_and_exact_money(written: dict[int, figures.WrittenFigure]) -> None:
    table = pq.read_table(written[1].parquet)
    assert set(table.column("data_origin").to_pylist()) == {"synthetic sample"}
    assert b"SYNTHETIC" in table.schema.metadata[b"caption"]
    assert table.schema.metadata[b"data_origin"] == b"synthetic sample"
    assert table.schema.metadata[b"run_id"] == b"r1"  # the extra metadata of write_figure
    assert str(table.schema.field("partner_atp_exports_usd_billions").type) == "decimal128(18, 9)"
    # Japan 2007 200 + 200 + 100 = 500 USD, 2008 1000 USD (the CSV writes exact decimals, small ones
    # in scientific notation: 5.00E-7)
    rows = [line.split(",") for line in written[1].csv.read_text().splitlines()]
    assert rows[0][4] == "partner_atp_exports_usd_billions"
    # every digit, never Arrow's exponent form (5.00E-7)
    assert [row[4] for row in rows[1:]] == ["0.000000500", "0.000001000"]
    assert [Decimal(row[4]) for row in rows[1:]] == [Decimal("0.000000500"), Decimal("0.000001000")]
    # Japan's share of world ATP exports, rounded to 6 decimals: 500 / 2700 = 18.518519 %, 1000 / 5500 = 18.181818 %
    share = rows[0].index("partner_share_of_world_pct")
    assert [row[share] for row in rows[1:]] == ["18.518519", "18.181818"]
    # the origin, then each extra metadata item as a column of its own (e.g. warehouse_build)
    assert rows[0][-2:] == ["data_origin", "run_id"] and {row[-1] for row in rows[1:]} == {"r1"}
    figure_6 = pq.read_table(written[6].parquet)
    assert figure_6.column("hs10_code").to_pylist() == ["3002120000", "3002200000", "8542310000", "8540110000"]


def test_write_replaces_files_and_keeps_their_mode(tmp_path: Path, warehouse: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "figure_1_atp_exports_5880_japan.png").write_bytes(b"old")
    os.chmod(exports / "figure_1_atp_exports_5880_japan.png", 0o640)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        drawn = figures.draw_figure(con, 1, figures.resolve_figure_options(con, "5880"))
    paths = figures.write_figure(drawn, exports)
    assert paths.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stat.S_IMODE(paths.png.stat().st_mode) == 0o640  # a rewrite keeps the mode the file had
    assert stat.S_IMODE(paths.svg.stat().st_mode) == 0o666 & ~UMASK


def test_write_text_file_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "lineage.md"
    figures.write_text_file(target, "# lineage\n")
    assert target.read_text() == "# lineage\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~UMASK
    assert [p.name for p in tmp_path.iterdir()] == ["lineage.md"]


def test_written_import_files_and_the_balance_say_their_flow(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        options = figures.resolve_figure_options(con, "5700", "2007-2008", flow="imports")
        written = {n: figures.write_figure(figures.draw_figure(con, n, options), tmp_path) for n in (1, 6, 7)}
    assert [w.csv.name for w in written.values()] == [
        "figure_1_atp_imports_5700_china_2007_2008.csv",
        "figure_6_imports_gap_products_5700_china_2008.csv",
        "figure_7_trade_balance_5700_china_2007_2008.csv",
    ]
    rows = [line.split(",") for line in written[1].csv.read_text().splitlines()]
    # China's ATP imports 1000 and 1800 USD, exact
    assert rows[0][4] == "partner_atp_imports_usd_billions"
    assert [row[4] for row in rows[1:]] == ["0.000001000", "0.000001800"]
    one = pq.read_table(written[1].parquet)
    assert one.schema.metadata[b"trade_flow"] == b"imports"
    assert b"import values calibrated" in one.schema.metadata[b"caption"]
    seven = pq.read_table(written[7].parquet)
    assert seven.schema.metadata[b"trade_flow"] == b"exports and imports"
    assert set(seven.column("data_origin").to_pylist()) == {"synthetic sample"}
    assert b"Balance = U.S. ATP exports (f.a.s.) minus U.S. ATP general imports" in seven.schema.metadata[b"caption"]
    # China 2008, all groups: exports 2000, imports 1800, balance +200 USD
    balance = [line.split(",") for line in written[7].csv.read_text().splitlines()]
    header = balance[0]
    last = dict(zip(header, balance[-1], strict=True))
    assert (last["year"], last["hitech_code"], last["partner_balance_usd_billions"]) == ("2008", "all", "0.000000200")
    assert last["world_balance_usd_billions"] == "0.000001700"
