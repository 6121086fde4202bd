"""Python asset checks for rules that span systems (dbt tests appear as checks on their own)."""

from collections.abc import Callable

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import atp_dbt_assets
from orchestration.resources import WarehouseResource

#: The fact table the API totals are checked against.
FACT = get_asset_key_for_model([atp_dbt_assets], "fct_atp_exports")

#: Differences between API group totals and file-derived totals are reported above
#: max(API_DIFFERENCE_TOLERANCE_USD, API_DIFFERENCE_TOLERANCE_SHARE x API value).
API_DIFFERENCE_TOLERANCE_USD = 1_000_000
API_DIFFERENCE_TOLERANCE_SHARE = 0.005

COMPARE_SQL = f"""
with api as (
    select year, cty_code, hitech_code, annual_value_usd from raw.api_hitech_exports
),
fact as (
    select year, cty_code, hitech_code, export_value_usd from fct_atp_exports
    where year in (select distinct year from api)
),
compared as (
    select coalesce(api.year, fact.year) as year, coalesce(api.cty_code, fact.cty_code) as cty_code,
           coalesce(api.hitech_code, fact.hitech_code) as hitech_code,
           coalesce(api.annual_value_usd, 0) as api_value_usd, coalesce(fact.export_value_usd, 0) as fact_value_usd
    from api full outer join fact
        on api.year = fact.year and api.cty_code = fact.cty_code and api.hitech_code = fact.hitech_code
)
select *, fact_value_usd - api_value_usd as difference_usd
from compared
where abs(fact_value_usd - api_value_usd)
    > greatest({API_DIFFERENCE_TOLERANCE_USD}, {API_DIFFERENCE_TOLERANCE_SHARE} * api_value_usd)
order by abs(fact_value_usd - api_value_usd) desc, year, cty_code, hitech_code
"""


def api_table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``raw.api_hitech_exports`` exists (only sources with API tables create it)."""
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'api_hitech_exports'"
        ).fetchone()[0]
    )


def compare_api_totals(con: duckdb.DuckDBPyConnection) -> tuple[int, list[tuple]]:
    """(pairs compared, rows over the threshold) of API exports/hitech totals vs fct_atp_exports,
    per year x country x ATP group, for the years that have API totals."""
    if not api_table_exists(con):
        return 0, []
    compared = con.execute("select count(*) from raw.api_hitech_exports").fetchone()[0]
    return compared, con.execute(COMPARE_SQL).fetchall()


def _warning(rows: list[tuple], counts: dict[str, int], listed: str, line: Callable[..., str]) -> AssetCheckResult:
    """The result of a check of severity warn: passed when ``rows`` is empty; its metadata the
    ``counts`` and, under ``listed``, the first 10 rows, one Markdown list item each (``line`` of
    the row's values), or ``none``."""
    return AssetCheckResult(
        passed=not rows,
        severity=AssetCheckSeverity.WARN,
        metadata={**counts, listed: MetadataValue.md("\n".join(f"- {line(*row)}" for row in rows[:10]) or "none")},
    )


@asset_check(
    asset=FACT,
    additional_deps=[AssetKey(["raw", "api_hitech_exports"])],
    description="API exports/hitech totals per year x country x ATP group match the fact built from "
    f"the export history (differences over max(${API_DIFFERENCE_TOLERANCE_USD:,}, "
    f"{API_DIFFERENCE_TOLERANCE_SHARE:.1%}) are reported).",
)
def api_group_totals_match_fact(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.read() as con:
        compared, over = compare_api_totals(con)
    counts = {"pairs_with_api_totals": compared, "differences_over_threshold": len(over)}
    return _warning(
        over,
        counts,
        "largest",
        lambda y, c, h, a, f, d: f"{y} {c} {h}: API {a:,} USD, fact {f:,} USD, difference {d:,}",
    )


@asset_check(
    asset=AssetKey(["raw", "api_hitech_exports"]),
    description="For every country x ATP group of the Census API, the December year-to-date value "
    "(ALL_VAL_YR) equals the sum of the monthly values (ALL_VAL_MO).",
)
def api_year_to_date_equals_monthly_sum(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    with warehouse.read() as con:
        if not api_table_exists(con):
            return AssetCheckResult(passed=True, metadata={"pairs_checked": 0})
        rows = con.execute(
            "select year, cty_code, hitech_code, annual_value_usd, monthly_sum_usd from raw.api_hitech_exports "
            "where annual_value_usd <> monthly_sum_usd order by year, cty_code, hitech_code"
        ).fetchall()
        checked = con.execute("select count(*) from raw.api_hitech_exports").fetchone()[0]
    counts = {"pairs_checked": checked, "mismatches": len(rows)}
    return _warning(
        rows,
        counts,
        "first_mismatches",
        lambda y, c, h, a, m: f"{y} {c} {h}: year to date {a:,} USD, monthly sum {m:,} USD",
    )


@asset_check(
    asset=AssetKey(["raw", "export_history"]),
    blocking=True,
    description="Every loaded year of the export history has rows and no negative value (USD); blocking: "
    "a failure stops the marts and figures of the run from being rebuilt.",
)
def raw_export_history_rows_and_values(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    with warehouse.read() as con:
        per_year = con.execute("""
            select f.year, count(h.year) as record_count,
                   count(*) filter (where h.value_usd < 0) as negative_values
            from (select distinct year from raw.source_files where raw_table = 'export_history') as f
            left join raw.export_history as h on h.year = f.year
            group by f.year order by f.year
        """).fetchall()
    empty = [year for year, rows, _ in per_year if rows == 0]
    negative = [year for year, _, bad in per_year if bad]
    return AssetCheckResult(
        passed=not empty and not negative,
        metadata={
            "rows_per_year": MetadataValue.md("\n".join(f"- {y}: {n:,} records" for y, n, _ in per_year) or "none"),
            "years_without_rows": ", ".join(map(str, empty)) or "none",
            "years_with_negative_values": ", ".join(map(str, negative)) or "none",
        },
    )
