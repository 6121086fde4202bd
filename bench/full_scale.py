"""``make bench``: the loader, dbt and the figures at full Census scale, measured side by side.

Input (generated deterministically, outside the repository, SYNTHETIC: :mod:`bench.generate`):
N years of R export history records each (default 3 x 3,000,000, about 366 MB a year), in the
EM545/EA645 layout. Each year takes a bundled year's records (real code and country distributions
of the bundle), sums them per DF x HS10 x country, and spreads each sum over months and customs
districts in whole dollars, so that every total of the bundle year is kept to the dollar and the
generated year passes every check of the warehouse (world ATP = the published 0007 total). The
other files of the year (ATP list, country list) and the country table are the bundle's. Beside
them, one import year (the last year) of I import history records (default 6,000,000, about
1.5 GB), in the IM145/IA245 layout, spread from the bundle year's import history in the same way
(:mod:`bench.generate_imports`), in an input folder and a warehouse file of its own (so (d), (e)
and (f) measure what they measured before).

Timed in one run, each step in a fresh process (so its peak RSS is its own), ``--repeat`` times
(default 3), median reported (the steps are the programs of :mod:`bench.steps`):

(a) DuckDB reading the lines of one year's file alone (``read_csv``, one VARCHAR column): the floor;
(b) pandas ``read_fwf`` of the same file with codes as strings: what a user would write;
(c) the project's year load (:func:`orchestration.census.load.load_table`): parse, checks, swap;
(a2), (c2) the same line read and year load of the import year (its floor and its load);
(d) ``dbt build`` over the loaded years;
(e) a one-year refresh: ``atp refresh --source local`` for one year, end to end;
(f) the figures (the figure tables and charts, for China: figures 1-6 of exports, and figure 7,
the balance, when the input holds imports).

Prints records/s, the ratios to (a) and (b) (for the import steps, to (a2)), the peak RSS of each
step and the import year load's records/s beside the export year load's; writes everything to
``warehouse/bench/<timestamp>.json``. Usage: ``python -m bench.full_scale [--years 3]
[--records 3000000] [--import-records 6000000] [--repeat 3] [--skip-read-fwf] [--steps a_line_read,...]``.
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
from bench.generate_imports import DEFAULT_IMPORT_RECORDS, RECORD_BYTES, prepare_import_input
from orchestration.paths import DUCKDB_PATH_ENV, EXPORTS_DIR_ENV, REPO_ROOT

BENCH_RESULTS_DIR = REPO_ROOT / "warehouse" / "bench"
DEFAULT_WORK_DIR = Path(tempfile.gettempdir()) / "atp-bench"
#: The steps run as programs (:mod:`bench.steps`), by name: (a), (b), (c), (d) and (f) on the export
#: years, (a2) and (c2) on the import year.
STEP_MODULES = {
    "a_line_read": "bench.steps.line_read",
    "b_pandas_read_fwf": "bench.steps.read_fwf",
    "c_year_load": "bench.steps.year_load",
    "d_dbt_build": "bench.steps.dbt_build",
    "f_figures": "bench.steps.figures",
}
IMPORT_STEP_MODULES = {
    "a2_import_line_read": "bench.steps.import_line_read",
    "c2_import_year_load": "bench.steps.import_year_load",
}
#: The steps that read one export year's records (records/s is given for them).
RECORD_STEPS = ("a_line_read", "b_pandas_read_fwf", "c_year_load")
#: The steps that read the import year's records (records/s; ratio to (a2), their own line read).
IMPORT_RECORD_STEPS = tuple(IMPORT_STEP_MODULES)
#: Every step's name, in the order they run.
STEP_NAMES = (
    "a_line_read",
    "b_pandas_read_fwf",
    "c_year_load",
    "a2_import_line_read",
    "c2_import_year_load",
    "d_dbt_build",
    "e_one_year_refresh",
    "f_figures",
)


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
    import_records: int = typer.Option(
        DEFAULT_IMPORT_RECORDS, help="Import history records of the import year (the last year); 0: none."
    ),
    repeat: int = typer.Option(3, help="Repetitions of each step (the median is reported)."),
    work_dir: Path = typer.Option(DEFAULT_WORK_DIR, help="Generated input and warehouse (outside the repository)."),
    skip_read_fwf: bool = typer.Option(False, help="Skip (b), pandas read_fwf (slow: about a minute a run)."),
    steps: str = typer.Option(
        "", help=f"Only these steps, comma-separated (default every one): {', '.join(STEP_NAMES)}."
    ),
) -> None:
    """Generate full-size input and time the loader, dbt and the figures side by side."""
    selected = bench_years(years)
    chosen = _chosen_steps(steps, skip_read_fwf, import_records)
    work_dir.mkdir(parents=True, exist_ok=True)
    root = prepare_input(work_dir, selected, records)
    warehouse, exports = work_dir / "bench.duckdb", work_dir / "exports"
    _load_every_table(root, selected, warehouse, f"{len(selected)} years of {records:,} records")
    year = selected[-1]
    argv = {
        name: [sys.executable, "-m", module, str(root), str(year), str(warehouse), str(exports)]
        for name, module in STEP_MODULES.items()
    }
    imports = None
    if set(chosen) & set(IMPORT_STEP_MODULES):
        imports_root, imports = prepare_import_input(work_dir, year, import_records)
        imports_warehouse = work_dir / "bench_imports.duckdb"
        _load_every_table(
            imports_root, [year], imports_warehouse, f"the import year {year}, {import_records:,} records"
        )
        argv.update(
            {
                name: [sys.executable, "-m", module, str(imports_root), str(year), str(imports_warehouse), str(exports)]
                for name, module in IMPORT_STEP_MODULES.items()
            }
        )
    env = dict(os.environ, **{DUCKDB_PATH_ENV: str(warehouse), EXPORTS_DIR_ENV: str(exports)})
    env["DAGSTER_HOME"] = str(work_dir / "dagster_home")
    Path(env["DAGSTER_HOME"]).mkdir(exist_ok=True)
    atp = str(Path(sys.executable).parent / "atp")
    refresh = [atp, "refresh", "--source", "local", "--local-dir", str(root), "--years", str(year)]
    plan = [
        ("(a) DuckDB line read", "a_line_read", argv["a_line_read"], None),
        ("(b) pandas read_fwf", "b_pandas_read_fwf", argv["b_pandas_read_fwf"], None),
        ("(c) year load (parse + checks + atomic swap)", "c_year_load", argv["c_year_load"], None),
        ("(a2) DuckDB line read of the import year", "a2_import_line_read", argv.get("a2_import_line_read"), None),
        (
            "(c2) import year load (parse + checks + atomic swap)",
            "c2_import_year_load",
            argv.get("c2_import_year_load"),
            None,
        ),
        (f"(d) dbt build over {len(selected)} years", "d_dbt_build", argv["d_dbt_build"], None),
        ("(e) one-year refresh: atp refresh --source local", "e_one_year_refresh", refresh, env),
        ("(f) figures", "f_figures", argv["f_figures"], None),
    ]
    results: list[Measure] = []
    for title, name, step, step_env in plan:
        if name not in chosen:
            continue
        typer.echo(title)
        results.append(measure(name, step, repeat, step_env))
    _compare(results, records, import_records)
    import_input = None
    if imports is not None:
        import_input = {"year": year, "bytes": import_records * RECORD_BYTES, **imports._asdict()}
    out = _write_report(results, selected, records, repeat, import_input)
    _print_table(results)
    typer.echo(f"results: {out}")


def _chosen_steps(steps: str, skip_read_fwf: bool, import_records: int) -> list[str]:
    """The steps to run: those named in ``steps`` (comma-separated; every step when empty), less
    (b) with ``skip_read_fwf`` and the import steps without import records. Raises
    ``typer.BadParameter`` for a name that is not a step."""
    named = [s.strip() for s in steps.split(",") if s.strip()] or list(STEP_NAMES)
    unknown = [s for s in named if s not in STEP_NAMES]
    if unknown:
        raise typer.BadParameter(f"no step {', '.join(unknown)}; the steps: {', '.join(STEP_NAMES)}")
    skipped = {"b_pandas_read_fwf"} if skip_read_fwf else set()
    if import_records <= 0:
        skipped |= set(IMPORT_STEP_MODULES)
    return [s for s in named if s not in skipped]


def _load_every_table(root: Path, years: list[int], warehouse: Path, what: str) -> None:
    """Load every raw table of ``years`` from ``root`` into a new ``warehouse`` (not timed: what
    (d) builds from and (f) draws from, and the year (c) or (c2) loads again). ``what`` says what
    is loaded, for the console."""
    from orchestration.census.load import load_table
    from orchestration.census.tables import RAW_TABLES

    for leftover in (warehouse, Path(f"{warehouse}.wal")):
        leftover.unlink(missing_ok=True)
    typer.echo(f"loading {what} into {warehouse} ...")
    with duckdb.connect(str(warehouse)) as con:
        for table in RAW_TABLES:
            load_table(con, root, table, years)


def _compare(results: list[Measure], records: int, import_records: int) -> None:
    """Fill in records/s of the steps that read one year, and every step's ratio to its line read
    ((a); (a2) for the import steps) and, for the export steps, to (b); a ratio whose step was not
    run stays None."""
    by_name = {m.step: m for m in results}
    fwf = by_name.get("b_pandas_read_fwf")
    for m in results:
        is_import = m.step in IMPORT_RECORD_STEPS
        if m.step in RECORD_STEPS or is_import:
            m.records = import_records if is_import else records
            m.records_per_second = round(m.records / m.median_seconds)
        floor = by_name.get("a2_import_line_read" if is_import else "a_line_read")
        m.ratio_to_line_read = round(m.median_seconds / floor.median_seconds, 2) if floor else None
        if fwf and not is_import:
            m.ratio_to_read_fwf = round(m.median_seconds / fwf.median_seconds, 3)


def _write_report(
    results: list[Measure], years: list[int], records: int, repeat: int, import_year: dict[str, int] | None
) -> Path:
    """Write ``warehouse/bench/<timestamp>.json`` (machine, input, every step); returns its path.
    ``import_year`` is the generated import year (year, records, bytes, totals in USD), if any."""
    report = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "input": {
            "years": years,
            "records_per_year": records,
            "bytes_per_year": (records * 122),
            "import_year": import_year,
        },
        "repeat": repeat,
        "steps": [asdict(m) for m in results],
    }
    BENCH_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = BENCH_RESULTS_DIR / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    return out


def _print_table(results: list[Measure]) -> None:
    """One line per step: median seconds, records/s, x (a) (the import steps: x (a2)), (b)/x
    speed-up, peak RSS; then the import year load's records/s beside the export year load's."""
    fwf = next((m for m in results if m.step == "b_pandas_read_fwf"), None)
    typer.echo("")
    typer.echo(f"{'step':<22}{'median s':>10}{'records/s':>14}{'x (a)':>9}{'(b)/x':>9}{'peak MiB':>10}")
    for m in results:
        compared = fwf and m.step != "b_pandas_read_fwf" and m.step not in IMPORT_RECORD_STEPS
        speedup = f"{fwf.median_seconds / m.median_seconds:.1f}" if compared else ""
        rate = f"{m.records_per_second:,}" if m.records_per_second else ""
        ratio = f"{m.ratio_to_line_read:.1f}" if m.ratio_to_line_read is not None else ""
        typer.echo(f"{m.step:<22}{m.median_seconds:>10.2f}{rate:>14}{ratio:>9}{speedup:>9}{m.peak_rss_mib:>10,.0f}")
    by_name = {m.step: m for m in results}
    exports, imports = by_name.get("c_year_load"), by_name.get("c2_import_year_load")
    if exports and imports:
        typer.echo(
            f"year load, records/s: import {imports.records_per_second:,} ({imports.records:,} records, "
            f"{imports.median_seconds:.2f} s, peak {imports.peak_rss_mib:,.0f} MiB) beside export "
            f"{exports.records_per_second:,} ({exports.records:,} records, {exports.median_seconds:.2f} s, "
            f"peak {exports.peak_rss_mib:,.0f} MiB): {imports.records_per_second / exports.records_per_second:.2f}x"
        )


def main() -> None:
    typer.run(bench)


if __name__ == "__main__":
    main()
