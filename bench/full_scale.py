"""``make bench``: the loader, dbt and the figures at full Census scale, measured side by side.

Input (generated deterministically, outside the repository, SYNTHETIC: :mod:`bench.generate`):
N years of R export history records each (default 3 x 3,000,000, about 366 MB a year), in the
EM545/EA645 layout. Each year takes a bundled year's records (real code and country distributions
of the bundle), sums them per DF x HS10 x country, and spreads each sum over months and customs
districts in whole dollars, so that every total of the bundle year is kept to the dollar and the
generated year passes every check of the warehouse (world ATP = the published 0007 total). The
other files of the year (ATP list, country list) and the country table are the bundle's.

Timed in one run, each step in a fresh process (so its peak RSS is its own), ``--repeat`` times
(default 3), median reported (the steps are the programs of :mod:`bench.steps`):

(a) DuckDB reading the lines of one year's file alone (``read_csv``, one VARCHAR column): the floor;
(b) pandas ``read_fwf`` of the same file with codes as strings: what a user would write;
(c) the project's year load (:func:`orchestration.census.load.load_table`): parse, checks, swap;
(d) ``dbt build`` over the loaded years;
(e) a one-year refresh: ``atp refresh --source local`` for one year, end to end;
(f) the figures (the figure tables and charts, for China: figures 1-6 of exports, and figure 7,
the balance, when the input holds imports).

Prints records/s, the ratios to (a) and (b), and the peak RSS of each step; writes everything
to ``warehouse/bench/<timestamp>.json``. Usage: ``python -m bench.full_scale [--years 3]
[--records 3000000] [--repeat 3] [--skip-read-fwf]``.
"""

from __future__ import annotations

import json
import os
import platform
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

from bench.generate import bench_years, prepare_input
from orchestration.paths import DUCKDB_PATH_ENV, EXPORTS_DIR_ENV, REPO_ROOT

BENCH_RESULTS_DIR = REPO_ROOT / "warehouse" / "bench"
DEFAULT_WORK_DIR = Path(tempfile.gettempdir()) / "atp-bench"
#: The steps run as programs (:mod:`bench.steps`), by name: (a), (b), (c), (d) and (f).
STEP_MODULES = {
    "a_line_read": "bench.steps.line_read",
    "b_pandas_read_fwf": "bench.steps.read_fwf",
    "c_year_load": "bench.steps.year_load",
    "d_dbt_build": "bench.steps.dbt_build",
    "f_figures": "bench.steps.figures",
}
#: The steps that read one year's records (records/s is given for them).
RECORD_STEPS = ("a_line_read", "b_pandas_read_fwf", "c_year_load")


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
    """Run ``argv`` in a fresh process from the repository; (wall seconds, peak RSS MiB of that
    process and its descendants, e.g. dbt). Raises ``RuntimeError`` with its output when it fails."""
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
    warehouse, exports = work_dir / "bench.duckdb", work_dir / "exports"
    _load_every_table(root, selected, warehouse, records)
    year = selected[-1]
    argv = {
        name: [sys.executable, "-m", module, str(root), str(year), str(warehouse), str(exports)]
        for name, module in STEP_MODULES.items()
    }
    env = dict(os.environ, **{DUCKDB_PATH_ENV: str(warehouse), EXPORTS_DIR_ENV: str(exports)})
    env["DAGSTER_HOME"] = str(work_dir / "dagster_home")
    Path(env["DAGSTER_HOME"]).mkdir(exist_ok=True)
    atp = str(Path(sys.executable).parent / "atp")
    refresh = [atp, "refresh", "--source", "local", "--local-dir", str(root), "--years", str(year)]
    plan = [
        ("(a) DuckDB line read", "a_line_read", argv["a_line_read"], None),
        ("(b) pandas read_fwf", "b_pandas_read_fwf", argv["b_pandas_read_fwf"], None),
        ("(c) year load (parse + checks + atomic swap)", "c_year_load", argv["c_year_load"], None),
        (f"(d) dbt build over {len(selected)} years", "d_dbt_build", argv["d_dbt_build"], None),
        ("(e) one-year refresh: atp refresh --source local", "e_one_year_refresh", refresh, env),
        ("(f) figures", "f_figures", argv["f_figures"], None),
    ]
    results: list[Measure] = []
    for title, name, step, step_env in plan:
        if name == "b_pandas_read_fwf" and skip_read_fwf:
            continue
        typer.echo(title)
        results.append(measure(name, step, repeat, step_env))
    _compare(results, records)
    out = _write_report(results, selected, records, repeat)
    _print_table(results)
    typer.echo(f"results: {out}")


def _load_every_table(root: Path, years: list[int], warehouse: Path, records: int) -> None:
    """Load every raw table of ``years`` from ``root`` into a new ``warehouse`` (not timed: what
    (d) builds from and (f) draws from)."""
    from orchestration.census.load import load_table
    from orchestration.census.tables import RAW_TABLES

    for leftover in (warehouse, Path(f"{warehouse}.wal")):
        leftover.unlink(missing_ok=True)
    typer.echo(f"loading {len(years)} years of {records:,} records into {warehouse} ...")
    with duckdb.connect(str(warehouse)) as con:
        for table in RAW_TABLES:
            load_table(con, root, table, years)


def _compare(results: list[Measure], records: int) -> None:
    """Fill in records/s of the steps that read one year, and every step's ratio to (a) and (b)."""
    by_name = {m.step: m for m in results}
    floor = by_name["a_line_read"].median_seconds
    fwf = by_name.get("b_pandas_read_fwf")
    for m in results:
        if m.step in RECORD_STEPS:
            m.records = records
            m.records_per_second = round(records / m.median_seconds)
        m.ratio_to_line_read = round(m.median_seconds / floor, 2)
        m.ratio_to_read_fwf = round(m.median_seconds / fwf.median_seconds, 3) if fwf else None


def _write_report(results: list[Measure], years: list[int], records: int, repeat: int) -> Path:
    """Write ``warehouse/bench/<timestamp>.json`` (machine, input, every step); returns its path."""
    report = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "input": {"years": years, "records_per_year": records, "bytes_per_year": (records * 122)},
        "repeat": repeat,
        "steps": [asdict(m) for m in results],
    }
    BENCH_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = BENCH_RESULTS_DIR / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    return out


def _print_table(results: list[Measure]) -> None:
    """One line per step: median seconds, records/s, x (a), (b)/x speed-up, peak RSS."""
    fwf = next((m for m in results if m.step == "b_pandas_read_fwf"), None)
    typer.echo("")
    typer.echo(f"{'step':<22}{'median s':>10}{'records/s':>14}{'x (a)':>9}{'(b)/x':>9}{'peak MiB':>10}")
    for m in results:
        speedup = f"{fwf.median_seconds / m.median_seconds:.1f}" if fwf and m.step != "b_pandas_read_fwf" else ""
        rate = f"{m.records_per_second:,}" if m.records_per_second else ""
        typer.echo(
            f"{m.step:<22}{m.median_seconds:>10.2f}{rate:>14}{m.ratio_to_line_read:>9.1f}{speedup:>9}"
            f"{m.peak_rss_mib:>10,.0f}"
        )


def main() -> None:
    typer.run(bench)


if __name__ == "__main__":
    main()
