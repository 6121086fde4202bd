"""The files of a figure (named by :mod:`orchestration.figures.names`): writing them atomically
(CSV and Parquet tables, PNG and SVG charts). A failure never leaves a half-written file over the
last good one; a rewritten file keeps its mode, a new one gets what ``open()`` gives
(``0666 & ~umask``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orchestration.figures.captions import figure_flows
from orchestration.files import atomic_write
from orchestration.provenance import origin_table_value

if TYPE_CHECKING:
    from orchestration.figures.build import DrawnFigure

#: Resolution of the PNG charts (an SVG is written beside each).
PNG_DPI = 150


def round_for_export(table: pa.Table) -> pa.Table:
    """Round the float measures to what they can mean (columns ending ``_pct``, ``_pp`` and
    ``_100``: shares, percentage points and indexes, to 6 decimals; float noise would otherwise
    show in the CSV). USD columns are exact decimals and stay as they are."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_floating(field.type) and field.name.endswith(("_pct", "_pp", "_100")):
            column = pc.round(column, 6)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _csv_field(value: object) -> object:
    """A CSV field: decimals as plain digits (Arrow would write 0.000000500 as ``5.00E-7``),
    empty for null."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def write_csv(table: pa.Table, path: Path) -> None:
    """The CSV of a figure table: a header, then one line per row; fields quoted only when they
    hold a comma, quote or line end; USD decimals with every digit and no exponent."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.column_names)
        for row in zip(*(column.to_pylist() for column in table.columns), strict=True):
            writer.writerow([_csv_field(value) for value in row])


@dataclass(frozen=True)
class WrittenFigure:
    """Paths written for one figure: its table (``csv``, ``parquet``) and chart (``png``, ``svg``)."""

    csv: Path
    parquet: Path
    png: Path
    svg: Path


def export_table(drawn: DrawnFigure) -> pa.Table:
    """The table as written: float measures rounded (:func:`round_for_export`), USD still
    DECIMAL(18,9), and a ``data_origin`` column (``"census"``, ``"synthetic sample"`` or
    ``"unverified"``: :func:`orchestration.provenance.origin_table_value`)."""
    table = round_for_export(drawn.table)
    origin = origin_table_value(drawn.origin)
    return table.append_column("data_origin", pa.array([origin] * table.num_rows, pa.string()))


def write_figure(drawn: DrawnFigure, exports_dir: Path, metadata: dict[str, str] | None = None) -> WrittenFigure:
    """Write ``<stem>.csv``, ``<stem>.parquet``, ``<stem>.png`` (:data:`PNG_DPI`) and ``<stem>.svg``
    of a drawn figure (:func:`~orchestration.figures.build.draw_figure`) under ``exports_dir``.

    Each file is written to a temporary name and renamed (:func:`atomic_write`): a new file gets
    ``0666 & ~umask``, a rewritten one keeps its mode. The tables are :func:`export_table` with
    one more constant column per ``metadata`` item (e.g. ``warehouse_build``, the fingerprint of
    the warehouse drawn from), in the CSV and the Parquet; the Parquet schema metadata carries
    ``metadata`` too, then ``data_origin``, ``caption`` and ``trade_flow`` (``exports``, ``imports``, or
    ``exports and imports`` for the balance; which ``metadata`` cannot override). The SVG carries no
    date and fixed ids, so the same figure gives the same file. The chart is closed afterwards.
    Returns the four paths; raises what writing raises (``OSError``), leaving earlier files as
    they were.
    """
    from orchestration.figures.charts import pyplot

    plt = pyplot()
    table = export_table(drawn)
    for key, value in (metadata or {}).items():
        table = table.append_column(str(key), pa.array([str(value)] * table.num_rows, pa.string()))
    paths = WrittenFigure(*(exports_dir / f"{drawn.stem}.{suffix}" for suffix in ("csv", "parquet", "png", "svg")))
    try:
        atomic_write(paths.csv, lambda p: write_csv(table, p))
        schema_metadata = {
            **(table.schema.metadata or {}),
            **{str(key).encode(): str(value).encode() for key, value in (metadata or {}).items()},
            b"data_origin": origin_table_value(drawn.origin).encode(),
            b"caption": drawn.caption.encode(),
            b"trade_flow": " and ".join(figure_flows(drawn.number, drawn.options)).encode(),
        }
        atomic_write(paths.parquet, lambda p: pq.write_table(table.replace_schema_metadata(schema_metadata), p))
        atomic_write(paths.png, lambda p: drawn.chart.savefig(p, dpi=PNG_DPI, format="png"))
        with plt.rc_context({"svg.hashsalt": drawn.stem}):
            atomic_write(paths.svg, lambda p: drawn.chart.savefig(p, format="svg", metadata={"Date": None}))
    finally:
        plt.close(drawn.chart)
    return paths
