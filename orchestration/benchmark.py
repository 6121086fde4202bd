"""``make bench``: the loader, dbt and the figures at full Census scale, measured side by side.

Input (generated deterministically, outside the repository, SYNTHETIC): N years of R export
history records each (default 3 x 3,000,000, about 366 MB a year), in the EM545/EA645 layout.
Each year takes a bundled year's records (real code and country distributions of the bundle),
sums them per DF x HS10 x country, and spreads each sum over months and customs districts in
whole dollars, so that every total of the bundle year is kept to the dollar and the generated
year passes every check of the warehouse (world ATP = the published 0007 total). The other files
of the year (ATP list, country list) and the country table are the bundle's.

Timed in one run, each step in a fresh process (so its peak RSS is its own), ``--repeat`` times
(default 3), median reported:

(a) DuckDB reading the lines of one year's file alone (``read_csv``, one VARCHAR column): the floor;
(b) pandas ``read_fwf`` of the same file with codes as strings: what a user would write;
(c) the project's year load (:func:`orchestration.census.load.load_table`): parse, checks, swap;
(d) ``dbt build`` over the loaded years;
(e) a one-year refresh: ``atp refresh --source local`` for one year, end to end;
(f) the figures (the six figure tables and charts, for China).

Prints records/s, the ratios to (a) and (b), and the peak RSS of each step; writes everything
to ``warehouse/bench/<timestamp>.json``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import typer

from orchestration.census.fixed_width import parse_fixed_width
from orchestration.census.layouts import EXPORT_HISTORY
from orchestration.resources import REPO_ROOT
from orchestration.resources import SAMPLE_DIR as SAMPLE_DIR_NAME

BENCH_RESULTS_DIR = REPO_ROOT / "warehouse" / "bench"
SAMPLE_DIR = REPO_ROOT / SAMPLE_DIR_NAME
DEFAULT_WORK_DIR = Path(tempfile.gettempdir()) / "atp-bench"
#: The bundle's years (each generated year is spread from the bundle year of the same number).
BUNDLE_YEARS = range(2000, 2024)


def bench_years(count: int) -> list[int]:
    """``count`` bundle years ending in 2008 (the briefing's last year), or later when more are
    asked for: 3 -> 2006-2008, 24 -> 2000-2023. Raises ``typer.BadParameter`` beyond 24."""
    if not 1 <= count <= len(BUNDLE_YEARS):
        raise typer.BadParameter(f"--years must be 1 to {len(BUNDLE_YEARS)}")
    end = max(2008, BUNDLE_YEARS[0] + count - 1)
    return list(range(end - count + 1, end + 1))


def generate_year(sample_dir: Path, year: int, records: int, target: Path) -> int:
    """Write ``target``, a SYNTHETIC EM545/EA645 export history of ``year`` with ``records``
    records: the bundle year's value per DF x HS10 x country spread over months (1-12) and
    customs districts (01, 02, ...) in whole USD, so every such total equals the bundle's.
    Quantities and the vessel/air split are 0. Deterministic. Returns the records written.

    Raises ``ValueError`` when ``records`` needs more than 99 districts x 12 months per cell.
    """
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        parse_fixed_width(con, sample_dir / str(year) / "EXP_HIST.TXT", f"{year}/EXP_HIST.TXT", EXPORT_HISTORY, "h")
        cells = con.execute("select count(*) from (select distinct df_code, hs10_code, cty_code from h)").fetchone()[0]
        if records > cells * 99 * 12:
            raise ValueError(f"{records:,} records: at most {cells * 99 * 12:,} for {year} ({cells:,} cells)")
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"""
            copy (
                with totals as (
                    select df_code, hs10_code, cty_code, sum(value_usd) as value_usd from h group by all
                ),
                cells as (
                    select *, row_number() over (order by df_code, hs10_code, cty_code) - 1 as cell from totals
                ),
                sized as (
                    select *, {records} // {cells} + case when cell < {records} % {cells} then 1 else 0 end as pieces
                    from cells
                ),
                pieces as (select *, unnest(range(pieces)) as piece from sized)
                select df_code || ' ' || hs10_code || cty_code
                       || lpad(cast(piece // 12 + 1 as varchar), 2, '0')
                       || lpad(cast(piece % 12 + 1 as varchar), 2, '0')
                       || '{year}' || repeat('0', 36)
                       || lpad(cast(value_usd // pieces + case when piece < value_usd % pieces then 1 else 0 end
                                    as varchar), 12, '0')
                       || repeat('0', 48) || chr(13) as line
                from pieces order by cell, piece
            ) to '{target}' (format csv, header false, quote '', delimiter '\x01')
        """)
    return records


def prepare_input(work: Path, years: list[int], records: int) -> Path:
    """A local input folder under ``work`` with a generated export history for each of ``years``
    and the bundle's other files (lists, country table, code changes); generated once per size."""
    root = work / f"input_{records}"
    marker = root / ".complete"
    wanted = ",".join(map(str, years))
    if marker.is_file() and marker.read_text() == wanted:
        return root
    for year in years:
        folder = root / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for source in (SAMPLE_DIR / str(year)).iterdir():
            if source.name != "EXP_HIST.TXT":
                shutil.copy(source, folder / source.name)
        typer.echo(f"generating {year}: {records:,} records ...")
        generate_year(SAMPLE_DIR, year, records, folder / "EXP_HIST.TXT")
    shutil.copytree(SAMPLE_DIR / "country_trade", root / "country_trade", dirs_exist_ok=True)
    shutil.copy(SAMPLE_DIR / "hs10_changes.csv", root / "hs10_changes.csv")
    from orchestration.files import sha256_of

    manifest = {
        "files": [
            {"path": f"{y}/EXP_HIST.TXT", "origin": "synthetic", "sha256": sha256_of(root / str(y) / "EXP_HIST.TXT")}
            for y in years
        ]
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    marker.write_text(wanted)
    return root


#: Code each step runs in its own process (argv: input folder, year, warehouse file, exports).
STEPS = {
    "a_line_read": """
import sys, duckdb
path = f"{sys.argv[1]}/{sys.argv[2]}/EXP_HIST.TXT"
print(duckdb.connect().execute(
    f"select count(*) from read_csv('{path}', columns = {{'line': 'VARCHAR'}}, header = false, "
    "delim = '\\x01', quote = '', escape = '', auto_detect = false)").fetchone()[0])
""",
    "b_pandas_read_fwf": """
import sys, pandas as pd
path = f"{sys.argv[1]}/{sys.argv[2]}/EXP_HIST.TXT"
widths = [1, 1, 10, 4, 2, 2, 4, 12, 12, 12, 12, 12, 12, 12, 12]
names = ["df", "filler", "hs10", "cty", "district", "month", "year", "qty2", "cc", "qty1", "value",
         "vessel_kg", "vessel_usd", "air_kg", "air_usd"]
frame = pd.read_fwf(path, widths=widths, names=names, header=None,
                    dtype={"df": str, "hs10": str, "cty": str, "district": str})
print(len(frame))
""",
    "c_year_load": """
import sys
from pathlib import Path
from orchestration.census.load import load_table
from orchestration.census.tables import EXPORT_HISTORY_TABLE
from orchestration.resources import WarehouseResource
with WarehouseResource(duckdb_path=sys.argv[3]).connect() as con:
    (result,) = load_table(con, Path(sys.argv[1]), EXPORT_HISTORY_TABLE, [int(sys.argv[2])])
print(result.rows_loaded)
""",
    "d_dbt_build": """
import sys, json, subprocess
from orchestration.project import DBT_EXECUTABLE, DBT_PROJECT_DIR
done = subprocess.run([DBT_EXECUTABLE, "build", "--quiet", "--vars", json.dumps({"duckdb_path": sys.argv[3]})],
                      cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
if done.returncode:
    print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
    raise SystemExit(done.returncode)
print(0)
""",
    "f_figures": """
import sys, duckdb
from pathlib import Path
from orchestration import figures
with duckdb.connect(sys.argv[3]) as con:
    for n in figures.FIGURES:
        drawn = figures.draw_figure(con, n, figures.DEFAULT_PARTNER)
        figures.write_figure(drawn.table, drawn.chart, Path(sys.argv[4]), drawn.stem, drawn.origin, drawn.caption)
print(len(figures.FIGURES))
""",
}


@dataclass
class Measure:
    """One step: wall seconds of each repetition, their median, the largest peak RSS (MiB)."""

    step: str
    seconds: list[float]
    median_seconds: float
    peak_rss_mib: float
    records: int | None = None
    records_per_second: float | None = None
    ratio_to_line_read: float | None = None
    ratio_to_read_fwf: float | None = None


#: Runs a step and reports the peak RSS of the step and its descendants (``PEAK_KIB`` on stderr).
#: The step is started from this small process, not from the benchmark's own (large) one, whose
#: memory a forked child's ``ru_maxrss`` would otherwise count.
_PEAK_WRAPPER = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print('PEAK_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


def run_step(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``argv`` in a fresh process; (wall seconds, peak RSS MiB of that process and its
    descendants, e.g. dbt). Raises ``RuntimeError`` with its output when it fails."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_WRAPPER, *argv], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{' '.join(argv[:4])} failed ({done.returncode}): {done.stderr[-2000:]}")
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KIB"))
    return seconds, peak / 1024


def measure(name: str, argv: list[str], repeat: int, env: dict[str, str] | None = None) -> Measure:
    """Run a step ``repeat`` times and summarise it."""
    times, peaks = [], []
    for _ in range(repeat):
        seconds, peak = run_step(argv, env)
        times.append(round(seconds, 3))
        peaks.append(peak)
        typer.echo(f"  {name}: {seconds:.2f} s, peak RSS {peak:,.0f} MiB")
    return Measure(name, times, round(statistics.median(times), 3), round(max(peaks), 1))


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        model = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line), ""
        )
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        memory = meminfo.read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load_average_at_start": os.getloadavg(),
    }


def bench(
    years: int = typer.Option(3, help="How many years to generate (bundle years: 3 = 2006-2008, 24 = 2000-2023)."),
    records: int = typer.Option(3_000_000, help="Export history records per year."),
    repeat: int = typer.Option(3, help="Repetitions of each step (the median is reported)."),
    work_dir: Path = typer.Option(DEFAULT_WORK_DIR, help="Generated input and warehouse (outside the repository)."),
    skip_read_fwf: bool = typer.Option(False, help="Skip (b), pandas read_fwf (slow: about a minute a run)."),
) -> None:
    """Generate full-size input and time the loader, dbt and the figures side by side."""
    selected = bench_years(years)
    work_dir.mkdir(parents=True, exist_ok=True)
    root = prepare_input(work_dir, selected, records)
    warehouse = work_dir / "bench.duckdb"
    exports = work_dir / "exports"
    for leftover in (warehouse, Path(f"{warehouse}.wal")):
        leftover.unlink(missing_ok=True)
    python = sys.executable
    year = selected[-1]
    argv = {
        name: [python, "-c", code, str(root), str(year), str(warehouse), str(exports)] for name, code in STEPS.items()
    }

    typer.echo(f"loading {len(selected)} years of {records:,} records into {warehouse} ...")
    from orchestration.census.load import load_table
    from orchestration.census.tables import RAW_TABLES

    with duckdb.connect(str(warehouse)) as con:
        for table in RAW_TABLES:
            load_table(con, root, table, selected)

    results: list[Measure] = []
    typer.echo("(a) DuckDB line read")
    results.append(measure("a_line_read", argv["a_line_read"], repeat))
    if not skip_read_fwf:
        typer.echo("(b) pandas read_fwf")
        results.append(measure("b_pandas_read_fwf", argv["b_pandas_read_fwf"], repeat))
    typer.echo("(c) year load (parse + checks + atomic swap)")
    results.append(measure("c_year_load", argv["c_year_load"], repeat))
    typer.echo(f"(d) dbt build over {len(selected)} years")
    results.append(measure("d_dbt_build", argv["d_dbt_build"], repeat))
    typer.echo("(e) one-year refresh: atp refresh --source local")
    env = dict(os.environ, ATP_DUCKDB_PATH=str(warehouse), ATP_EXPORTS_DIR=str(exports))
    env["DAGSTER_HOME"] = str(work_dir / "dagster_home")
    Path(env["DAGSTER_HOME"]).mkdir(exist_ok=True)
    refresh = [str(Path(python).parent / "atp"), "refresh", "--source", "local", "--local-dir", str(root)]
    results.append(measure("e_one_year_refresh", [*refresh, "--years", str(year)], repeat, env))
    typer.echo("(f) figures")
    results.append(measure("f_figures", argv["f_figures"], repeat))

    by_name = {m.step: m for m in results}
    floor = by_name["a_line_read"].median_seconds
    fwf = by_name.get("b_pandas_read_fwf")
    for m in results:
        if m.step in ("a_line_read", "b_pandas_read_fwf", "c_year_load"):
            m.records = records
            m.records_per_second = round(records / m.median_seconds)
        m.ratio_to_line_read = round(m.median_seconds / floor, 2)
        m.ratio_to_read_fwf = round(m.median_seconds / fwf.median_seconds, 3) if fwf else None

    report = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "input": {"years": selected, "records_per_year": records, "bytes_per_year": (records * 122)},
        "repeat": repeat,
        "steps": [asdict(m) for m in results],
    }
    BENCH_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = BENCH_RESULTS_DIR / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    typer.echo("")
    typer.echo(f"{'step':<22}{'median s':>10}{'records/s':>14}{'x (a)':>9}{'(b)/x':>9}{'peak MiB':>10}")
    for m in results:
        speedup = f"{fwf.median_seconds / m.median_seconds:.1f}" if fwf and m.step != "b_pandas_read_fwf" else ""
        rate = f"{m.records_per_second:,}" if m.records_per_second else ""
        typer.echo(
            f"{m.step:<22}{m.median_seconds:>10.2f}{rate:>14}{m.ratio_to_line_read:>9.1f}{speedup:>9}{m.peak_rss_mib:>10,.0f}"
        )
    typer.echo(f"results: {out}")


def main() -> None:
    typer.run(bench)


if __name__ == "__main__":
    main()
