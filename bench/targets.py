"""``make bench``: the refresh-cost targets of issue 21 at full Census scale, both flows, one run.

Input (SYNTHETIC, generated deterministically outside the repository): 24 export years
(2000-2023) of ``--records`` EM545/EA645 records each (default 3,000,000, about 366 MB a year,
:mod:`bench.generate`), and for the last ``--import-years`` years (default 3: 2021-2023) an
IM145/IA245 import history of ``--import-records`` records (default 6,000,000, 1.53 GB a year,
:mod:`bench.generate_imports`); the other years keep the bundle's import history, every year the
bundle's lists, country table and code changes. Every total of the bundle holds to the dollar.

Measured, each a process of its own (wall seconds and peak RSS of it and its children, dbt
included), in this order:

1. ``build_24``: ``atp refresh --source local --years 2000-2023`` into a new warehouse (the
   24-year warehouse every later step uses);
2. ``plain_insert`` and ``year_load`` of 2020's export history, alternating (target: the year
   load, parse + checks + swap, at most 2x the plain typed insert of the same file);
3. ``refresh_export_24`` and ``refresh_export_3``, alternating: ``atp refresh --years 2020`` on
   the 24-year warehouse and on a 3-year one (2018-2020, built first) (targets: at most 45 s,
   and at most 1.3x the 3-year one);
4. ``refresh_import_24``: ``atp refresh --years 2023`` (3,000,000 export and 6,000,000 import
   records) on the 24-year warehouse;
5. the marts after these year-incremental refreshes are digested (md5 of all ordered rows, both flows), then
   ``full_rebuild_24``: ``atp refresh --years 2023 --full-rebuild`` (target: at most 3 minutes,
   peak RSS under 4 GB) and ``dbt_full_24`` (``dbt build --full-refresh`` alone); the marts must
   equal the incremental ones;
6. ``copy_now`` and ``copy_before``: what a run's candidate copies now (the published file) and
   what it copied before the year store (the same file with the two histories as tables in it);
7. the UI range (``bench.ui_range --years 2018-2020``) on a copy of the 24-year warehouse: the
   Materialize dialog and the Launchpad against ``atp refresh`` of the same years (target: at
   most 1.5x).

Writes ``warehouse/bench/targets-<time>.json`` and prints one table per target. Usage:
``python -m bench.targets [--records 3000000] [--import-records 6000000] [--import-years 3]
[--repeat 3] [--work-dir DIR] [--skip-ui]``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import typer

from bench.full_scale import BENCH_RESULTS_DIR, machine, run_step
from bench.generate import SAMPLE_DIR, bench_years, prepare_input
from bench.generate_imports import DEFAULT_IMPORT_RECORDS, generate_import_year
from orchestration.census.tables import IMPORT_HISTORY_FILE, INPUT_MANIFEST, input_file
from orchestration.files import sha256_of
from orchestration.paths import DUCKDB_PATH_ENV, EXPORTS_DIR_ENV, MEMORY_LIMIT_ENV, REPO_ROOT
from orchestration.provenance import SYNTHETIC
from orchestration.resources import WarehouseResource
from tests.reference_dumps import every_row_digests

DEFAULT_WORK_DIR = Path(tempfile.gettempdir()) / "atp-bench-targets"
#: The export year refreshed on the 24-year and on the 3-year warehouse (not the base year, so
#: the refresh is year-incremental), and the 3-year warehouse's years.
EXPORT_YEAR = 2020
THREE_YEARS = "2018-2020"


def add_import_years(root: Path, years: list[int], records: int) -> list[dict[str, object]]:
    """Replace the bundle's import history of each of ``years`` in the input folder ``root`` with a
    generated full-size one of ``records`` records (once: a marker per year and size), listed
    SYNTHETIC in the folder's manifest. Returns what was generated, per year."""
    manifest_path = root / INPUT_MANIFEST
    manifest = json.loads(manifest_path.read_text())
    generated = []
    for year in years:
        relative = input_file(IMPORT_HISTORY_FILE, year)
        marker = root / str(year) / f".imports_{records}"
        if marker.is_file():
            generated.append(json.loads(marker.read_text()))
            continue
        typer.echo(f"generating the import year {year}: {records:,} records ...")
        made = generate_import_year(SAMPLE_DIR, year, records, root / relative)
        entry = {"path": relative, "origin": SYNTHETIC, "sha256": sha256_of(root / relative)}
        manifest["files"] = [e for e in manifest["files"] if e["path"] != relative] + [entry]
        manifest_path.write_text(json.dumps(manifest))
        marker.write_text(json.dumps({"year": year, **made._asdict()}))
        generated.append(json.loads(marker.read_text()))
    return generated


class Bench:
    """The steps of one run: the input folder, the work folder, the environment of each warehouse."""

    def __init__(self, root: Path, work: Path) -> None:
        self.root, self.work = root, work
        self.results: dict[str, list[dict[str, float]]] = {}
        self.atp = str(Path(sys.executable).parent / "atp")

    def env(self, name: str) -> dict[str, str]:
        """The environment of the warehouse ``name`` (its file, figures and Dagster instance)."""
        folder = self.work / name
        (folder / "dagster_home").mkdir(parents=True, exist_ok=True)
        return dict(
            os.environ,
            **{
                DUCKDB_PATH_ENV: str(folder / "atp.duckdb"),
                EXPORTS_DIR_ENV: str(folder / "exports"),
                "DAGSTER_HOME": str(folder / "dagster_home"),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            },
        )

    def refresh(self, years: str, *extra: str) -> list[str]:
        return [self.atp, "refresh", "--source", "local", "--local-dir", str(self.root), "--years", years, *extra]

    def step(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        """Run one step once and keep its seconds and peak RSS under ``name``."""
        seconds, peak = run_step(argv, env)
        self.results.setdefault(name, []).append({"seconds": round(seconds, 2), "peak_rss_mib": round(peak)})
        typer.echo(f"  {name}: {seconds:.2f} s, peak RSS {peak:,.0f} MiB")

    def median(self, name: str) -> float:
        return statistics.median(r["seconds"] for r in self.results[name])

    def peak(self, name: str) -> float:
        return max(r["peak_rss_mib"] for r in self.results[name])

    def timed_copy(self, name: str, source: Path, repeat: int) -> None:
        """Time ``shutil.copyfile`` of ``source`` (what a run's candidate does), ``repeat`` times."""
        target = source.with_name("copy.duckdb")
        for _ in range(repeat):
            seconds, _ = run_step([sys.executable, "-c", _COPY, str(source), str(target)])
            self.results.setdefault(name, []).append(
                {"seconds": round(seconds, 2), "bytes": source.stat().st_size, "peak_rss_mib": 0}
            )
            typer.echo(f"  {name}: {seconds:.2f} s ({source.stat().st_size / 1e9:.2f} GB)")
        target.unlink(missing_ok=True)


_COPY = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"


def tables_copy(warehouse: Path, target: Path) -> Path:
    """``target``: the published ``warehouse`` file with its year store histories held as DuckDB
    tables again (what the published file was before the year store), checkpointed."""
    shutil.copyfile(warehouse, target)
    limit = WarehouseResource(duckdb_path=str(target)).effective_memory_limit()
    with duckdb.connect(str(target), config={"memory_limit": limit}) as con:
        for table in ("export_history", "import_history"):
            con.execute(f"create table raw.{table}_held as select * from raw.{table}")
            con.execute(f"drop view raw.{table}")
            con.execute(f"alter table raw.{table}_held rename to {table}")
        con.execute("checkpoint")
    return target


def bench(
    records: int = typer.Option(3_000_000, help="Export history records per year (24 years)."),
    import_records: int = typer.Option(DEFAULT_IMPORT_RECORDS, help="Import history records per full-size year."),
    import_years: int = typer.Option(3, help="How many of the last years get a full-size import history."),
    repeat: int = typer.Option(3, help="Repetitions of the alternated steps (the median is reported)."),
    work_dir: Path = typer.Option(DEFAULT_WORK_DIR, help="Generated input and warehouses (outside the repository)."),
    skip_ui: bool = typer.Option(False, help="Skip the UI range (7)."),
) -> None:
    """Generate full-size input of both flows and measure the targets of issue 21 in one run."""
    started = datetime.now(UTC)
    years = bench_years(24)
    work_dir.mkdir(parents=True, exist_ok=True)
    root = prepare_input(work_dir, years, records)
    generated = add_import_years(root, years[-import_years:] if import_years else [], import_records)
    b = Bench(root, work_dir)
    for name in ("w24", "w3", "scratch"):
        shutil.rmtree(work_dir / name, ignore_errors=True)
    w24 = work_dir / "w24" / "atp.duckdb"
    typer.echo(f"1. the 24-year warehouse {w24}")
    b.step("build_24", b.refresh(f"{years[0]}-{years[-1]}"), b.env("w24"))

    typer.echo(f"2. plain typed insert against the year load, {EXPORT_YEAR}")
    scratch = work_dir / "scratch"
    scratch.mkdir(exist_ok=True)
    for _ in range(repeat):
        b.step(
            "plain_insert",
            [
                sys.executable,
                "-m",
                "bench.steps.plain_insert",
                str(root),
                str(EXPORT_YEAR),
                str(scratch / "plain.duckdb"),
            ],
        )
        (scratch / "load.duckdb").unlink(missing_ok=True)
        shutil.rmtree(scratch / "load.years", ignore_errors=True)
        b.step(
            "year_load",
            [sys.executable, "-m", "bench.steps.year_load", str(root), str(EXPORT_YEAR), str(scratch / "load.duckdb")],
        )

    typer.echo(f"3. one-year refresh of {EXPORT_YEAR} on 24 years and on 3 years ({THREE_YEARS})")
    b.step("build_3", b.refresh(THREE_YEARS), b.env("w3"))
    for _ in range(repeat):
        b.step("refresh_export_24", b.refresh(str(EXPORT_YEAR)), b.env("w24"))
        b.step("refresh_export_3", b.refresh(str(EXPORT_YEAR)), b.env("w3"))

    typer.echo(f"4. one-year refresh of {years[-1]} (both flows at full size) on 24 years")
    b.step("refresh_import_24", b.refresh(str(years[-1])), b.env("w24"))

    typer.echo("5. the marts after incremental refreshes, then the full rebuild")
    incremental = every_row_digests(w24)
    b.step("full_rebuild_24", b.refresh(str(years[-1]), "--full-rebuild"), b.env("w24"))
    full = every_row_digests(w24)
    b.step(
        "dbt_full_24",
        [sys.executable, "-m", "bench.steps.dbt_build", str(root), str(years[-1]), str(w24)],
        b.env("w24"),
    )
    differing = sorted(name for name in full if full[name] != incremental.get(name))

    typer.echo("6. what a run's candidate copies: now, and before the year store")
    b.timed_copy("copy_now", w24, repeat)
    before = tables_copy(w24, scratch / "tables.duckdb")
    b.timed_copy("copy_before", before, repeat)
    before.unlink()

    ui = None
    if not skip_ui:
        typer.echo(f"7. the UI range {THREE_YEARS} against atp refresh, on a copy of the 24-year warehouse")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.ui_range",
                "--years",
                THREE_YEARS,
                "--repeat",
                "1",
                "--local-dir",
                str(root),
                "--warehouse",
                str(w24),
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        typer.echo(done.stdout[-2000:])
        if done.returncode:
            typer.echo(done.stderr[-3000:], err=True)
        else:
            ui = json.loads(Path(done.stdout.strip().rsplit("; ", 1)[-1]).read_text())

    report = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "memory_limit": os.environ.get(MEMORY_LIMIT_ENV) or WarehouseResource().effective_memory_limit(),
        "input": {
            "export_years": years,
            "export_records_per_year": records,
            "import_years": generated,
            "import_records_per_full_year": import_records,
        },
        "steps": b.results,
        "incremental_equals_full": not differing,
        "marts_differing": differing,
        "marts_compared": sorted(full),
        "ui_range": ui,
    }
    report["targets"] = targets(b, ui)
    BENCH_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = BENCH_RESULTS_DIR / f"targets-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=1) + "\n")
    typer.echo("")
    for target in report["targets"]:
        typer.echo(f"{'MET    ' if target['met'] else 'NOT MET'} {target['target']}: {target['measured']}")
    typer.echo(f"incremental marts equal the full rebuild: {not differing} ({len(full)} marts compared)")
    typer.echo(f"results: {out}")
    if differing:
        raise typer.Exit(1)


def targets(b: Bench, ui: dict | None) -> list[dict[str, object]]:
    """Each target of issue 21 with what was measured and whether it is met."""
    r24, r3 = b.median("refresh_export_24"), b.median("refresh_export_3")
    load, plain = b.median("year_load"), b.median("plain_insert")
    full, dbt_full = b.results["full_rebuild_24"][0], b.results["dbt_full_24"][0]
    rows = [
        {
            "target": "one-year refresh of a 3M-record export year on 24 years <= 45 s",
            "measured": f"{r24:.1f} s",
            "met": r24 <= 45,
        },
        {
            "target": "... and <= 1.3x the same refresh on 3 years",
            "measured": f"{r24:.1f} s / {r3:.1f} s = {r24 / r3:.2f}x",
            "met": r24 / r3 <= 1.3,
        },
        {
            "target": "full rebuild of 24 years, both flows, <= 3 min",
            "measured": f"atp refresh --full-rebuild {full['seconds']:.1f} s; dbt build --full-refresh "
            f"{dbt_full['seconds']:.1f} s",
            "met": full["seconds"] <= 180,
        },
        {
            "target": "full rebuild peak RSS < 4 GB",
            "measured": f"{full['peak_rss_mib']:,} MiB; dbt alone {dbt_full['peak_rss_mib']:,} MiB",
            "met": max(full["peak_rss_mib"], dbt_full["peak_rss_mib"]) * 2**20 < 4e9,
        },
        {
            "target": "year load <= 2x a plain typed insert of the same file",
            "measured": f"{load:.1f} s / {plain:.1f} s = {load / plain:.2f}x",
            "met": load / plain <= 2,
        },
    ]
    if ui is not None:
        rows.append(
            {
                "target": "3-year UI range at full scale <= 1.5x atp refresh",
                "measured": f"Materialize dialog {ui['ratio']:.2f}x, Launchpad {ui['launchpad_ratio']:.2f}x "
                f"(atp refresh {ui['median_console_seconds']:.1f} s)",
                "met": ui["launchpad_ratio"] <= 1.5 and ui["ratio"] <= 1.5,
            }
        )
    return rows


def main() -> None:
    typer.run(bench)


if __name__ == "__main__":
    main()
