"""The bounds of ``assert_export_records_are_plausible`` against the published record they are
drawn from: the real Census country table of the bundle (country.xlsx, vintage 2024-06)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import yaml

from tests.conftest import COUNTRY_TRADE_XLSX, REPO_ROOT

DBT_VARS = yaml.safe_load(Path(REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]


def _real_table() -> pd.DataFrame:
    table = pd.read_excel(COUNTRY_TRADE_XLSX, dtype={"year": str, "CTY_CODE": str})
    table["eyr"] = [Decimal(str(round(float(v), 6))) for v in table["EYR"]]
    return table


def test_the_record_ceiling_is_above_every_country_total_of_the_published_record() -> None:
    table = _real_table()
    countries = table[~table["CTY_CODE"].str.startswith("0")]
    largest = countries.loc[countries["eyr"].idxmax()]
    # Canada 2022: 359,236.512977 million USD, the largest annual U.S. exports to one country
    assert (largest["year"], largest["CTY_CODE"], largest["eyr"]) == ("2022", "1220", Decimal("359236.512977"))
    assert DBT_VARS["max_record_value_usd"] == 400_000_000_000 > largest["eyr"] * 1_000_000


def test_the_tolerance_is_half_the_coarsest_published_unit() -> None:
    table = _real_table()
    # the coarsest unit the table publishes a total in is the whole million (0007 of 1995-2008,
    # e.g. 2000: 227,395 million); older country totals are to 0.1 million (China 2000: 16,185.2)
    cell = {(y, c): v for y, c, v in zip(table["year"], table["CTY_CODE"], table["eyr"], strict=True)}
    assert cell[("2000", "0007")] == Decimal("227395") and cell[("2000", "5700")] == Decimal("16185.2")
    # a published total is at most half a million short of the sum of its dollars
    assert DBT_VARS["country_total_tolerance_usd"] == 500_000
    removed = {
        "max_record_share_of_world_atp",
        "max_record_share_of_world_atp_synthetic",
        "min_records_for_record_share",
    }
    assert not removed & set(DBT_VARS)
