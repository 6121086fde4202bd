"""Every mart and every figure CSV equals the reference dumps taken at the last commit before the
house-in-order refactor (tests/reference/, written by tests/reference_dumps.py): a change of model
SQL, of the figure code or of the module layout that changes a number fails here, with the table
or file named. On the bundle (built by ``make run`` in test_bundled_build.py, plus the CN_HK
figures over 2000-2008) and on the tiny hand-computed input."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests import reference_dumps


def test_the_tiny_input_equals_its_reference_dump(built: Path) -> None:
    differences = reference_dumps.differences(
        reference_dumps.dump(built / "wh" / "atp.duckdb", built / "exports"), reference_dumps.load("tiny")
    )
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize("name", ["bundle", "tiny"])
def test_the_reference_holds_every_mart_and_figure(name: str) -> None:
    reference = reference_dumps.load(name)
    assert {"dim_partners", "fct_atp_exports", "fct_specialization_gaps", "fct_hs10_gap_contributions_top"} <= set(
        reference["marts"]
    )
    assert len(reference["figures"]) == (12 if name == "bundle" else 6)


def _warehouse(path: Path, statements: list[str]) -> Path:
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    return path


def test_dim_partners_is_compared_with_its_member_list_recomposed_from_the_bridge(tmp_path: Path) -> None:
    # the old shape: member_cty_codes in fourth place, codes in order, one space apart
    before = _warehouse(
        tmp_path / "before.duckdb",
        [
            "create table dim_partners (partner_code varchar, partner_name varchar, partner_kind varchar, "
            "member_cty_codes varchar, first_year integer, last_year integer)",
            "insert into dim_partners values ('5700', 'China', 'country', '5700', 2000, 2023), "
            "('CN_HK', 'China + Hong Kong', 'group', '1220 5700 5820', 2000, 2023)",
        ],
    )
    after = [
        "create table dim_partners (partner_code varchar, partner_name varchar, partner_kind varchar, "
        "first_year integer, last_year integer)",
        "insert into dim_partners values ('5700', 'China', 'country', 2000, 2023), "
        "('CN_HK', 'China + Hong Kong', 'group', 2000, 2023)",
        "create table dim_partner_members (partner_code varchar, cty_code varchar, first_year integer, "
        "last_year integer)",
        "insert into dim_partner_members values ('CN_HK', '5820', 2000, 2023), ('5700', '5700', 2000, 2023), "
        "('CN_HK', '1220', 2000, 2023), ('CN_HK', '5700', 2000, 2023)",
    ]
    expected = reference_dumps.mart_digests(before)
    assert (
        reference_dumps.mart_digests(_warehouse(tmp_path / "after.duckdb", after))["dim_partners"]
        == (expected["dim_partners"])
    )
    # a member missing from the bridge (or a partner without members) is a difference
    missing = _warehouse(
        tmp_path / "missing.duckdb", [*after, "delete from dim_partner_members where cty_code = '1220'"]
    )
    assert reference_dumps.mart_digests(missing)["dim_partners"] != expected["dim_partners"]
    country = _warehouse(
        tmp_path / "country.duckdb", [*after, "delete from dim_partner_members where cty_code = '5700'"]
    )
    assert reference_dumps.mart_digests(country)["dim_partners"] != expected["dim_partners"]


def test_only_the_listed_new_marts_may_be_absent_from_the_reference() -> None:
    digest = {"columns": ["a"], "rows": 1, "md5": "0"}
    reference = {"marts": {"dim_partners": digest}, "figures": {}}
    assert "dim_partner_members" in reference_dumps.NEW_MARTS
    new = {"marts": {"dim_partners": digest, "dim_partner_members": digest}, "figures": {}}
    assert reference_dumps.differences(new, reference) == []
    unlisted = {"marts": {**new["marts"], "dim_unknown": digest}, "figures": {}}
    assert reference_dumps.differences(unlisted, reference) == [f"mart dim_unknown: expected None, got {digest}"]
    # a listed new mart that the reference does hold is compared like any other
    held = {"marts": {**reference["marts"], "dim_partner_members": {**digest, "md5": "1"}}, "figures": {}}
    assert reference_dumps.differences(new, held) == [
        f"mart dim_partner_members: expected {held['marts']['dim_partner_members']}, got {digest}"
    ]


def test_only_figure_7_may_be_absent_from_the_reference() -> None:
    digest = {"rows": 3, "md5": "0"}
    reference = {"marts": {}, "figures": {"figure_1_atp_exports_5700_china.csv": digest}}
    balance = "figure_7_trade_balance_5700_china.csv"
    assert (
        reference_dumps.differences({"marts": {}, "figures": {**reference["figures"], balance: digest}}, reference)
        == []
    )
    # a figure of imports, or any other new figure, is a difference; so is a changed export figure
    imports = "figure_1_atp_imports_5700_china.csv"
    assert reference_dumps.differences(
        {"marts": {}, "figures": {**reference["figures"], imports: digest}}, reference
    ) == [f"figure {imports}: expected None, got {digest}"]
    changed = {"marts": {}, "figures": {"figure_1_atp_exports_5700_china.csv": {**digest, "md5": "1"}}}
    assert len(reference_dumps.differences(changed, reference)) == 1


def test_a_mart_with_the_trade_flow_is_compared_as_its_exports_rows_without_the_column(tmp_path: Path) -> None:
    before = _warehouse(
        tmp_path / "before.duckdb",
        [
            "create table fct_x (year integer, partner_code varchar, value_usd bigint)",
            "insert into fct_x values (2010, '5700', 600), (2010, '5880', 1000)",
        ],
    )
    after = [
        "create table fct_x (year integer, trade_flow varchar, partner_code varchar, value_usd bigint)",
        "insert into fct_x values (2010, 'exports', '5700', 600), (2010, 'imports', '5700', 900), "
        "(2010, 'exports', '5880', 1000)",
    ]
    expected = reference_dumps.mart_digests(before)["fct_x"]
    assert expected["columns"] == ["year", "partner_code", "value_usd"]
    assert reference_dumps.mart_digests(_warehouse(tmp_path / "after.duckdb", after))["fct_x"] == expected
    # an export number that changes is a difference, whatever the imports hold
    changed = _warehouse(
        tmp_path / "changed.duckdb", [*after, "update fct_x set value_usd = 601 where value_usd = 600"]
    )
    assert reference_dumps.mart_digests(changed)["fct_x"] != expected
