"""The figures: the briefing's four (figure-ready tables from the marts, and their charts) and a fifth
that shows ATP exports to China under the three ATP definitions.

Source of the figures: Hammer, Koopman & Martinez, "U.S. Exports of Advanced Technology Products
to China", USITC executive briefing (2009), figures 1-4. Every table carries a ``data_origin``
column and every chart a caption saying whether the synthetic sample or Census data built it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

SYNTHETIC_CAPTION = (
    "Data: SYNTHETIC sample in Census file layouts, calibrated to real Census country totals; "
    "NOT Census ATP data. Built by the ATP warehouse."
)
CENSUS_CAPTION = (
    "Data: U.S. Census Bureau, exports of Advanced Technology Products (as published). Built by the ATP warehouse."
)


def data_origin(con: duckdb.DuckDBPyConnection) -> str:
    """``"synthetic sample"`` if any fact row comes from synthetic input, else ``"census"``."""
    synthetic = con.execute("select coalesce(bool_or(is_synthetic), false) from fct_atp_exports").fetchone()[0]
    return "synthetic sample" if synthetic else "census"


def caption_for(origin: str) -> str:
    """The chart caption for a data origin (``"synthetic sample"`` or ``"census"``)."""
    return SYNTHETIC_CAPTION if origin == "synthetic sample" else CENSUS_CAPTION


def figure_1_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per year: ATP exports to China, to the world and to the rest of the world (USD
    billions), China and world indexes (first year = 100) and China's year-over-year growth (%,
    empty when the previous year is not in the warehouse)."""
    return con.execute("""
        with totals as (
            select year, sum(china_value_usd) as china_usd, sum(world_value_usd) as world_usd,
                   sum(row_value_usd) as row_usd
            from mart_specialization_gaps group by year
        )
        select year,
               china_usd / 1e9 as china_atp_exports_usd_billions,
               world_usd / 1e9 as world_atp_exports_usd_billions,
               row_usd / 1e9 as rest_of_world_atp_exports_usd_billions,
               100 * china_usd / first_value(china_usd) over (order by year) as china_index_first_year_100,
               100 * world_usd / first_value(world_usd) over (order by year) as world_index_first_year_100,
               case when lag(year) over (order by year) = year - 1
                    then 100 * (china_usd / lag(china_usd) over (order by year) - 1)
               end as china_yoy_growth_pct
        from totals order by year
    """).df()


def figure_2_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per year x ATP group: exports to China (USD billions) and composition share (%)."""
    return con.execute("""
        select year, hitech_code, group_name,
               china_value_usd / 1e9 as china_exports_usd_billions,
               100 * china_composition_share as china_composition_share_pct
        from mart_specialization_gaps order by year, hitech_code
    """).df()


def figure_3_table(con: duckdb.DuckDBPyConnection, year: int | None = None) -> pd.DataFrame:
    """One row per ATP group for ``year`` (default: latest): composition shares (%) of ATP exports
    to China and to the rest of the world. Raises ``ValueError`` if the year is not in the mart."""
    if year is None:
        year = con.execute("select max(year) from mart_specialization_gaps").fetchone()[0]
    frame = con.execute(
        """
        select year, hitech_code, group_name,
               100 * china_composition_share as china_share_pct,
               100 * row_composition_share as rest_of_world_share_pct
        from mart_specialization_gaps where year = ? order by hitech_code
    """,
        [year],
    ).df()
    if frame.empty:
        raise ValueError(f"figure 3: year {year} is not in mart_specialization_gaps")
    return frame


def figure_4_table(con: duckdb.DuckDBPyConnection, first_year: int = 2001) -> pd.DataFrame:
    """One row per year (from ``first_year``, WTO accession) x ATP group: China minus rest-of-world
    composition share, percentage points."""
    return con.execute(
        """
        select year, hitech_code, group_name, gap_pp as china_minus_row_share_pp
        from mart_specialization_gaps where year >= ? order by year, hitech_code
    """,
        [first_year],
    ).df()


def figure_5_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per year: ATP exports to China (all groups) under the three definitions, USD
    billions (as published, fixed base-year list, chain-linked at the first year's level), and
    the reclassification effect, as published minus fixed, USD billions."""
    return con.execute("""
        select year,
               max(definition) filter (where definition like 'fixed_%') as fixed_definition,
               sum(value_usd) filter (where definition = 'as_published') / 1e9 as as_published_usd_billions,
               sum(value_usd) filter (where definition like 'fixed_%') / 1e9 as fixed_definition_usd_billions,
               sum(value_usd) filter (where definition = 'chain_linked') / 1e9 as chain_linked_usd_billions,
               (sum(value_usd) filter (where definition = 'as_published')
                - sum(value_usd) filter (where definition like 'fixed_%')) / 1e9
                   as reclassification_effect_usd_billions
        from mart_atp_growth
        where partner_scope = 'china' and hitech_code = 'all'
        group by year order by year
    """).df()


def _caption(fig: plt.Figure, caption: str) -> None:
    fig.text(0.01, 0.01, caption, fontsize=7, ha="left", va="bottom", wrap=True, color="#444444")


def chart_1(table: pd.DataFrame, caption: str) -> plt.Figure:
    """Figure 1 chart from :func:`figure_1_table`: China bars (USD billions), world line on a second axis."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    ax.bar(table["year"].astype(str), table["china_atp_exports_usd_billions"], color="#b22222", label="China")
    ax.set_ylabel("ATP exports to China, USD billions")
    ax.set_xlabel("Year")
    second = ax.twinx()
    second.plot(
        table["year"].astype(str),
        table["world_atp_exports_usd_billions"],
        color="#1f4e79",
        marker="o",
        label="World (right axis)",
    )
    second.set_ylabel("ATP exports to the world, USD billions")
    second.set_ylim(bottom=0)
    ax.set_title("Figure 1. U.S. ATP exports to China (USD billions)")
    handles = ax.get_legend_handles_labels()[0] + second.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="upper left")
    fig.subplots_adjust(bottom=0.14)
    _caption(fig, caption)
    return fig


def chart_2(table: pd.DataFrame, caption: str) -> plt.Figure:
    """Figure 2 chart from :func:`figure_2_table`: stacked composition shares (%) of ATP exports to China."""
    pivot = table.pivot(index="year", columns="group_name", values="china_composition_share_pct").fillna(0)
    order = table.drop_duplicates("group_name").sort_values("hitech_code")["group_name"]
    pivot = pivot[[g for g in order if g in pivot.columns]]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    bottom = pd.Series(0.0, index=pivot.index)
    colors = plt.get_cmap("tab10").colors
    for i, group in enumerate(pivot.columns):
        ax.bar(pivot.index.astype(str), pivot[group], bottom=bottom, label=group, color=colors[i % 10])
        bottom += pivot[group]
    ax.set_ylabel("Share of ATP exports to China, %")
    ax.set_ylim(0, 100)
    ax.set_title("Figure 2. Composition of U.S. ATP exports to China by technology group")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_xlabel("Year")
    fig.subplots_adjust(right=0.75, bottom=0.16)
    _caption(fig, caption)
    return fig


def chart_3(table: pd.DataFrame, caption: str) -> plt.Figure:
    """Figure 3 chart from :func:`figure_3_table`: shares (%) by group, China vs rest of world, one year."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    positions = range(len(table))
    ax.barh([p - 0.2 for p in positions], table["china_share_pct"], height=0.4, color="#b22222", label="China")
    ax.barh(
        [p + 0.2 for p in positions],
        table["rest_of_world_share_pct"],
        height=0.4,
        color="#1f4e79",
        label="Rest of world",
    )
    ax.set_yticks(list(positions), table["group_name"])
    ax.invert_yaxis()
    ax.set_xlabel("Share of ATP exports, %")
    ax.set_title(f"Figure 3. ATP export shares by group, China vs rest of world, {int(table['year'].iloc[0])}")
    ax.legend()
    fig.subplots_adjust(left=0.28, bottom=0.16)
    _caption(fig, caption)
    return fig


def chart_4(table: pd.DataFrame, caption: str) -> plt.Figure:
    """Figure 4 chart from :func:`figure_4_table`: China minus rest-of-world share, pp, one line per group."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    colors = plt.get_cmap("tab10").colors
    for i, (_, rows) in enumerate(table.groupby("hitech_code")):
        ax.plot(
            rows["year"],
            rows["china_minus_row_share_pp"],
            marker="o",
            markersize=3,
            label=rows["group_name"].iloc[0],
            color=colors[i % 10],
        )
    ax.axhline(0, color="black", linewidth=0.8)
    years = sorted(table["year"].unique())
    ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 8 else 0)
    ax.set_xlabel("Year")
    ax.set_ylabel("China minus rest of world, percentage points")
    ax.set_title("Figure 4. Difference in ATP export shares, China minus rest of world")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.subplots_adjust(right=0.75, bottom=0.14)
    _caption(fig, caption)
    return fig


def chart_5(table: pd.DataFrame, caption: str) -> plt.Figure:
    """Figure 5 chart from :func:`figure_5_table`: the three series (lines) and the
    reclassification effect (bars), USD billions."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    years = table["year"]
    fixed_name = str(table["fixed_definition"].dropna().iloc[0]) if table["fixed_definition"].notna().any() else "fixed"
    ax.bar(
        years,
        table["reclassification_effect_usd_billions"],
        color="#999999",
        width=0.6,
        label=f"Reclassification effect (as published - {fixed_name})",
    )
    ax.plot(years, table["as_published_usd_billions"], marker="o", color="#b22222", label="As published")
    ax.plot(
        years,
        table["fixed_definition_usd_billions"],
        marker="s",
        color="#1f4e79",
        label=f"Fixed definition ({fixed_name})",
    )
    ax.plot(
        years,
        table["chain_linked_usd_billions"],
        marker="^",
        color="#2e7d32",
        linestyle="--",
        label="Chain-linked (first year's level)",
    )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(list(years), [str(y) for y in years], rotation=45 if len(years) > 8 else 0)
    ax.set_xlabel("Year")
    ax.set_ylabel("ATP exports to China, USD billions")
    ax.set_title("Figure 5. U.S. ATP exports to China under three ATP definitions")
    ax.legend(fontsize=8, loc="upper left")
    fig.subplots_adjust(bottom=0.18)
    _caption(fig, caption)
    return fig


@dataclass(frozen=True)
class WrittenFigure:
    """Paths written for one figure."""

    csv: Path
    parquet: Path
    png: Path


def _atomic_write(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temp))
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def round_for_export(table: pd.DataFrame) -> pd.DataFrame:
    """Round measures to what they can mean: USD billions to 9 decimals (whole dollars), shares,
    percentage points and indexes to 6 decimals; float noise would otherwise show in the CSV."""
    rounded = table.copy()
    for column in rounded.columns:
        if column.endswith("_usd_billions"):
            rounded[column] = rounded[column].round(9)
        elif column.endswith(("_pct", "_pp", "_100")):
            rounded[column] = rounded[column].round(6)
    return rounded


def write_figure(table: pd.DataFrame, fig: plt.Figure, exports_dir: Path, stem: str, origin: str) -> WrittenFigure:
    """Write ``<stem>.csv``, ``<stem>.parquet`` and ``<stem>.png`` under ``exports_dir``.

    Each file is written to a temporary name and renamed, so a failure never leaves a half-written
    figure over the last good one. Measures are rounded (:func:`round_for_export`); tables get a
    ``data_origin`` column; the Parquet schema carries ``data_origin`` and ``caption`` metadata.
    """
    table = round_for_export(table).assign(data_origin=origin)
    paths = WrittenFigure(exports_dir / f"{stem}.csv", exports_dir / f"{stem}.parquet", exports_dir / f"{stem}.png")
    _atomic_write(paths.csv, lambda p: table.to_csv(p, index=False))
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    arrow = arrow.replace_schema_metadata(
        {**(arrow.schema.metadata or {}), b"data_origin": origin.encode(), b"caption": caption_for(origin).encode()}
    )
    _atomic_write(paths.parquet, lambda p: pq.write_table(arrow, p))
    _atomic_write(paths.png, lambda p: fig.savefig(p, dpi=120, format="png"))
    plt.close(fig)
    return paths
