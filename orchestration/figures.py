"""The figures: the briefing's four (figure-ready tables from the marts, and their charts) and a fifth
that shows ATP exports to China under the three ATP definitions.

Source of the figures: Hammer, Koopman & Martinez, "U.S. Exports of Advanced Technology Products
to China", USITC executive briefing (2009), figures 1-4. Every table carries a ``data_origin``
column and every chart a caption saying which inputs are real Census data and which SYNTHETIC
(:func:`orchestration.provenance.caption`).

Money stays exact: tables are Arrow tables straight from DuckDB, USD billions as DECIMAL(18,9)
(whole dollars), written as such to Parquet and CSV; only the charts draw floats. Years whose
export history is incomplete (``int_export_history_years``) are left out, and the caption says so.
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
import pyarrow.compute as pc  # noqa: E402
import pyarrow.csv as pa_csv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from orchestration.provenance import caption  # noqa: E402

#: Years the figures show: those whose export history is complete.
COMPLETE_YEARS = "(select year from int_export_history_years where is_complete_year)"


def _billions(expression: str) -> str:
    """SQL for whole USD as exact USD billions, DECIMAL(18,9)."""
    return f"cast({expression} as decimal(18, 0)) * 0.000000001"


def data_origin(con: duckdb.DuckDBPyConnection) -> str:
    """``"synthetic sample"`` if any fact row comes from synthetic input, else ``"census"``."""
    synthetic = con.execute("select coalesce(bool_or(is_synthetic), false) from fct_atp_exports").fetchone()[0]
    return "synthetic sample" if synthetic else "census"


def figure_caption(con: duckdb.DuckDBPyConnection) -> str:
    """The caption of every chart: which inputs of the years shown are real and which SYNTHETIC
    (:func:`orchestration.provenance.caption`), and which loaded years are left out as incomplete."""
    shown = [r[0] for r in con.execute(f"select year from {COMPLETE_YEARS} order by 1").fetchall()]
    text = caption(con, shown)
    left_out = con.execute(
        "select year, last_stat_month from int_export_history_years where not is_complete_year order by year"
    ).fetchall()
    if left_out:
        text += (
            " Left out as incomplete: "
            + ", ".join(f"{year} (export history through month {month})" for year, month in left_out)
            + "."
        )
    return text


def figure_1_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """One row per year: ATP exports to China, to the world and to the rest of the world (USD
    billions, exact decimals), China and world indexes (first year = 100) and China's
    year-over-year growth (%, empty when the previous year is not in the warehouse)."""
    return con.execute(f"""
        with totals as (
            select year, sum(china_value_usd) as china_usd, sum(world_value_usd) as world_usd,
                   sum(row_value_usd) as row_usd
            from mart_specialization_gaps where year in {COMPLETE_YEARS} group by year
        )
        select year,
               {_billions("china_usd")} as china_atp_exports_usd_billions,
               {_billions("world_usd")} as world_atp_exports_usd_billions,
               {_billions("row_usd")} as rest_of_world_atp_exports_usd_billions,
               100 * china_usd / first_value(china_usd) over (order by year) as china_index_first_year_100,
               100 * world_usd / first_value(world_usd) over (order by year) as world_index_first_year_100,
               case when lag(year) over (order by year) = year - 1
                    then 100 * (china_usd / lag(china_usd) over (order by year) - 1)
               end as china_yoy_growth_pct
        from totals order by year
    """).to_arrow_table()


def figure_2_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """One row per year x ATP group: exports to China (USD billions) and composition share (%)."""
    return con.execute(f"""
        select year, hitech_code, group_name,
               {_billions("china_value_usd")} as china_exports_usd_billions,
               100 * china_composition_share as china_composition_share_pct
        from mart_specialization_gaps where year in {COMPLETE_YEARS} order by year, hitech_code
    """).to_arrow_table()


def figure_3_table(con: duckdb.DuckDBPyConnection, year: int | None = None) -> pa.Table:
    """One row per ATP group for ``year`` (default: the latest complete year): composition shares
    (%) of ATP exports to China and to the rest of the world. Raises ``ValueError`` if the year
    is not in the mart or is incomplete."""
    if year is None:
        year = con.execute(f"select max(year) from mart_specialization_gaps where year in {COMPLETE_YEARS}").fetchone()[
            0
        ]
    incomplete = con.execute(
        "select last_stat_month from int_export_history_years where year = ? and not is_complete_year", [year]
    ).fetchone()
    if incomplete:
        raise ValueError(f"figure 3: {year} is incomplete (export history through month {incomplete[0]})")
    frame = con.execute(
        """
        select year, hitech_code, group_name,
               100 * china_composition_share as china_share_pct,
               100 * row_composition_share as rest_of_world_share_pct
        from mart_specialization_gaps where year = ? order by hitech_code
    """,
        [year],
    ).to_arrow_table()
    if frame.num_rows == 0:
        raise ValueError(f"figure 3: year {year} is not in mart_specialization_gaps")
    return frame


def figure_4_table(con: duckdb.DuckDBPyConnection, first_year: int = 2001) -> pa.Table:
    """One row per year (from ``first_year``, WTO accession) x ATP group: China minus rest-of-world
    composition share, percentage points."""
    return con.execute(
        f"""
        select year, hitech_code, group_name, gap_pp as china_minus_row_share_pp
        from mart_specialization_gaps where year >= ? and year in {COMPLETE_YEARS} order by year, hitech_code
    """,
        [first_year],
    ).to_arrow_table()


def figure_5_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """One row per year: ATP exports to China (all groups) under the three definitions, USD
    billions (as published, fixed base-year list, chain-linked at the first year's level), and
    the reclassification effect, as published minus fixed, USD billions."""
    published = "sum(value_usd) filter (where definition = 'as_published')"
    fixed = "sum(value_usd) filter (where definition like 'fixed_%')"
    chained = "sum(value_usd) filter (where definition = 'chain_linked')"
    return con.execute(f"""
        select year,
               max(definition) filter (where definition like 'fixed_%') as fixed_definition,
               {_billions(published)} as as_published_usd_billions,
               {_billions(fixed)} as fixed_definition_usd_billions,
               {_billions(chained)} as chain_linked_usd_billions,
               {_billions(f"{published} - {fixed}")} as reclassification_effect_usd_billions
        from mart_atp_growth
        where partner_scope = 'china' and hitech_code = 'all' and year in {COMPLETE_YEARS}
        group by year order by year
    """).to_arrow_table()


def chart_frame(table: pa.Table) -> pd.DataFrame:
    """``table`` as a pandas frame for drawing: decimal columns become floats (charts only;
    the exported tables keep the exact decimals)."""
    frame = table.to_pandas()
    for field in table.schema:
        if pa.types.is_decimal(field.type):
            frame[field.name] = frame[field.name].astype(float)
    return frame


def _year_ticks(ax: plt.Axes, count: int) -> None:
    """Rotate the year labels when there are too many to fit side by side."""
    if count > 12:
        ax.tick_params(axis="x", labelrotation=60)


def _caption(fig: plt.Figure, caption: str) -> None:
    fig.text(0.01, 0.01, caption, fontsize=7, ha="left", va="bottom", wrap=True, color="#444444")


def chart_1(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 1 chart from :func:`figure_1_table`: China bars (USD billions), world line on a second axis."""
    table = chart_frame(table)
    fig, ax = plt.subplots(figsize=(9, 5.5))
    ax.bar(table["year"].astype(str), table["china_atp_exports_usd_billions"], color="#b22222", label="China")
    ax.set_ylabel("ATP exports to China, USD billions")
    ax.set_xlabel("Year")
    _year_ticks(ax, len(table))
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
    fig.subplots_adjust(bottom=0.22)
    _caption(fig, caption)
    return fig


def chart_2(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 2 chart from :func:`figure_2_table`: stacked composition shares (%) of ATP exports to China."""
    table = chart_frame(table)
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
    _year_ticks(ax, len(pivot))
    ax.set_title("Figure 2. Composition of U.S. ATP exports to China by technology group")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_xlabel("Year")
    fig.subplots_adjust(right=0.75, bottom=0.22)
    _caption(fig, caption)
    return fig


def chart_3(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 3 chart from :func:`figure_3_table`: shares (%) by group, China vs rest of world, one year."""
    table = chart_frame(table)
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


def chart_4(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 4 chart from :func:`figure_4_table`: China minus rest-of-world share, pp, one line per group."""
    table = chart_frame(table)
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
    fig.subplots_adjust(right=0.75, bottom=0.22)
    _caption(fig, caption)
    return fig


def chart_5(table: pa.Table, caption: str) -> plt.Figure:
    """Figure 5 chart from :func:`figure_5_table`: the three series (lines) and the
    reclassification effect (bars), USD billions."""
    table = chart_frame(table)
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
    fig.subplots_adjust(bottom=0.22)
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


def round_for_export(table: pa.Table) -> pa.Table:
    """Round the float measures to what they can mean (shares, percentage points and indexes to
    6 decimals; float noise would otherwise show in the CSV). USD columns are exact decimals and
    stay as they are."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_floating(field.type) and field.name.endswith(("_pct", "_pp", "_100")):
            column = pc.round(column, 6)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def write_figure(
    table: pa.Table, fig: plt.Figure, exports_dir: Path, stem: str, origin: str, caption_text: str
) -> WrittenFigure:
    """Write ``<stem>.csv``, ``<stem>.parquet`` and ``<stem>.png`` under ``exports_dir``.

    Each file is written to a temporary name and renamed, so a failure never leaves a half-written
    figure over the last good one. Float measures are rounded (:func:`round_for_export`), USD
    stays DECIMAL; tables get a ``data_origin`` column; the Parquet schema carries ``data_origin``
    and ``caption`` metadata.
    """
    table = round_for_export(table)
    table = table.append_column("data_origin", pa.array([origin] * table.num_rows, pa.string()))
    paths = WrittenFigure(exports_dir / f"{stem}.csv", exports_dir / f"{stem}.parquet", exports_dir / f"{stem}.png")
    _atomic_write(paths.csv, lambda p: pa_csv.write_csv(table, p))
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"data_origin": origin.encode(), b"caption": caption_text.encode()}
    )
    _atomic_write(paths.parquet, lambda p: pq.write_table(table, p))
    _atomic_write(paths.png, lambda p: fig.savefig(p, dpi=120, format="png"))
    plt.close(fig)
    return paths
