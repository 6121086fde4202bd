"""What the console says after a run and for ``atp summary``: the years and rows the marts hold,
which inputs are real and which SYNTHETIC, where the DuckDB file and the figures are, the charts a
run wrote, and what a run whose publish did not finish left behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orchestration.console.common import reader
from orchestration.provenance import SYNTHETIC, inputs_origin, origin_description, origin_lines, year_ranges
from orchestration.publish import (
    CANDIDATE_EXPORTS,
    PUBLISHING_MARKER,
    fingerprint_of,
    foreign_figures,
    marked_with_database,
)


def summary_lines(
    duckdb_path: Path, exports_dir: Path, marts: list[str], written: list[Path] | None = None
) -> list[str]:
    """The years the marts hold, rows per mart (``marts``: their names, from the dbt manifest,
    :func:`orchestration.marts.mart_names`; the marts that are views on one line, with their
    rows), which inputs of which years are real or synthetic, and where the DuckDB file and
    figures are: the charts ``written`` by a run (with a count of the other charts in the
    folder), or every chart in the folder. A missing or unreadable warehouse is one line on
    stderr and exit 1 (:func:`~orchestration.console.common.reader`)."""
    with reader(duckdb_path) as con:
        years = [r[0] for r in con.execute("select distinct year from fct_atp_trade order by 1").fetchall()]
        lines = [f"DuckDB warehouse: {duckdb_path} (years held: {year_ranges(years) or 'none'})"]
        views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        lines.extend(f"  {_mart_line(con, mart)}" for mart in marts if mart not in views)
        held_views = [mart for mart in marts if mart in views]
        if held_views:
            counts = ", ".join(
                f"{view} {con.execute(f'select count(*) from {view}').fetchone()[0]:,}" for view in held_views
            )
            lines.append(f"  views (rows): {counts}")
        origin = inputs_origin(con)
        calibrated = ", calibrated to real Census totals" if origin == SYNTHETIC else ""
        lines.append(f"  data origin of the marts: {origin_description(origin)}{calibrated}")
        lines.append("Inputs by year (raw.source_files):")
        lines.extend(f"  {line}" for line in origin_lines(con))
        fingerprint = fingerprint_of(con)
    return lines + _figure_lines(exports_dir, fingerprint, written)


def _mart_line(con: Any, mart: str) -> str:
    """``fct_atp_trade: 1,234 rows, 24 years`` (a mart without a year column: its rows; the
    partner dimension: its rows and partner groups)."""
    if mart == "dim_partners":
        rows, groups = con.execute(
            "select count(*), count(*) filter (where partner_kind = 'group') from dim_partners"
        ).fetchone()
        return f"{mart}: {rows:,} rows ({groups} partner group{'' if groups == 1 else 's'})"
    columns = {
        r[0] for r in con.execute("select column_name from duckdb_columns() where table_name = ?", [mart]).fetchall()
    }
    if "year" not in columns:
        return f"{mart}: {con.execute(f'select count(*) from {mart}').fetchone()[0]:,} rows"
    rows, years = con.execute(f"select count(*), count(distinct year) from {mart}").fetchone()
    return f"{mart}: {rows:,} rows, {years} year{'' if years == 1 else 's'}"


def _figure_lines(exports_dir: Path, fingerprint: str | None, written: list[Path] | None) -> list[str]:
    """The charts (written by a run, or all in the folder), the lineage file, and the figures drawn
    from another build of the warehouse than ``fingerprint``."""
    every = sorted(exports_dir.glob("figure_*.png"))
    charts = every if written is None else sorted(exports_dir / p.name for p in written)
    others = len(every) - len(charts)
    more = f"; {others} other chart{'s' if others != 1 else ''} in the folder" if others > 0 else ""
    lines = [f"Figures ({len(charts)} charts, PNG and SVG, with CSV and Parquet tables{more}): {exports_dir}"]
    lines.extend(f"  {with_companions(png)}" for png in charts)
    if (exports_dir / "lineage.md").exists():
        lines.append("  lineage.md (every asset and what it is built from, a Mermaid flowchart)")
    stale = sorted({Path(name).stem for name in foreign_figures(exports_dir, fingerprint)})
    if stale:
        lines.append(
            f"  {len(stale)} figure(s) in the folder were drawn from another build of the warehouse (redraw them with "
            f"`atp figures`): {', '.join(stale[:5])}{' ...' if len(stale) > 5 else ''}"
        )
    return lines


def with_companions(png: Path) -> str:
    """``figure_1_....png (.svg .csv .parquet)``: the chart and the files written beside it."""
    beside = [suffix for suffix in (".svg", ".csv", ".parquet") if png.with_suffix(suffix).exists()]
    return f"{png.name} ({' '.join(beside)})" if beside else png.name


def written_charts(result: Any) -> list[Path]:
    """The charts a run wrote (the figure assets' ``png`` metadata; a run over a range of years
    records each materialization once per year), each once, in order."""
    return sorted(
        {
            Path(str(event.materialization.metadata["png"].value))
            for event in result.get_asset_materialization_events()
            if "png" in event.materialization.metadata
        }
    )


def written_figure_lines(result: Any) -> list[str]:
    """The charts a run wrote (from the figure assets' ``png`` metadata), one line each."""
    pngs = written_charts(result)
    if not pngs:
        return ["No figure written."]
    lines = [f"Figures ({len(pngs)} charts, PNG and SVG, with CSV and Parquet tables): {pngs[0].parent}"]
    return lines + [f"  {with_companions(png)}" for png in pngs]


def unfinished_publish(run_id: str, candidate: Path, database: Path, publish_tag: str | None) -> str:
    """What is published after a run whose steps all passed but whose ``candidate`` is still there
    (``database``: the published DuckDB file; ``publish_tag``: the run's ``atp/publish`` tag, if
    any): nothing (the publish failed before its first rename), or the warehouse and some figures
    (it was cut short: the rest waits in the candidate, which the next run of any kind finishes)."""
    pending = sorted(p.name for p in (candidate / CANDIDATE_EXPORTS).glob("*") if p.is_file())
    database_pending = (candidate / database.name).exists()
    cause = f" ({publish_tag})" if publish_tag else ""
    if not (candidate / PUBLISHING_MARKER).exists():
        return (
            f"FAILED to publish run {run_id}{cause}: nothing was published; the warehouse and the figures are as "
            f"they were. Its checked candidate is kept in {candidate}."
        )
    if database_pending:
        done = "nothing renamed yet"
    elif marked_with_database(candidate):
        done = f"the warehouse {database}"
    else:  # a figures-only run: the warehouse is the one that was published before it
        done = "some figures of a figures-only run (the warehouse is unchanged)"
    return (
        f"Publish of run {run_id} cut short{cause}: published so far: {done}; {len(pending)} figure files wait in "
        f"{candidate / CANDIDATE_EXPORTS}. The next run of any kind (e.g. `atp figures`) finishes the publish first."
    )
