"""Reference dumps: what every mart and every figure CSV held at the last commit before the
house-in-order refactor (issue 19), so that a refactor of the models or the figure code is proven
to change no number.

A mart's digest is its row count and the md5 of its rows in order, every column cast to text and
DOUBLE columns written with 8 significant digits first (``printf('%.7e', x)``: two engines, or
two SQL spellings, may differ in the last bits of a double). Until issue 20 doubles were rounded
to 12 decimal places, which for an index in the thousands asks for 16 significant digits, more
than a double holds: the chain-linked index (``exp`` of a window sum of logs) then differed in
its last bit when the same rows were summed in another grouping. The dumps were rewritten with
the new rounding from a build of the commit that reproduced the old dumps exactly (main at
53c7ba8, checked with the old rounding on the same builds); no figure digest changed. In issue 21
(the histories read from Parquet, some models year-incremental) one chain-linked index value of
``fct_atp_growth`` crossed a rounding boundary at 12 digits (10,777 index values differed from
main's build in their last bits, at most 1.9e-15 relative, e.g. 274.15302041855745 against
274.1530204185574), and at 10 digits one still did: doubles are now written with 8 significant
digits (``printf('%.7e', x)``; a value differing by 2e-15 crosses a boundary with a chance of
about 1 in 10 million), and the mart digests were rewritten from main's build (d4f6753), after
checking that it reproduces the stored dumps exactly at 12 digits and that the issue-21 build
equals it at 8; the tiny dump's mart digests were rewritten at 8 digits from the issue-21 build of
the tiny input, which equals the stored tiny dump exactly at 12 digits (no figure digest changed).

A figure CSV's digest is the md5 of its text without the ``warehouse_build`` column, the
fingerprint of the dbt project that built it, which a change of model text changes by design.

The stored dumps are in ``tests/reference/``; ``python -m tests.reference_dumps`` rewrites them
from a build of the current code (only ever from the commit the reference is meant to hold).

One deliberate shape change since the reference (issue 19, portable SQL): ``dim_partners`` lost
its column ``member_cty_codes`` (a partner's member Schedule C codes, distinct, in code order,
joined by one space: ``'5700 5820'`` for CN_HK, a country's own code for a country) to the bridge
table ``dim_partner_members`` (one row per partner x member country, a country the one member of
itself). When ``dim_partners`` lacks the column and the bridge exists, its digest is taken over
``dim_partners`` with ``member_cty_codes`` recomposed from the bridge as the old model built it,
in its old place (fourth column, after ``partner_kind``): ``string_agg`` of the partner's member
codes, in code order, separated by ``' '``. Every partner of the old model had at least one
member (its list was never null); a partner without a row in the bridge recomposes to null, as
``string_agg`` over no rows gives, and so fails the digest. New marts absent from the reference
are skipped only when listed in :data:`NEW_MARTS`; any other new mart fails.

A second deliberate shape change (issue 20, imports): the partner marts carry the trade flow
(column ``trade_flow``, ``exports`` or ``imports``). The reference was taken when every mart held
exports only, so a mart with a ``trade_flow`` column is compared as its ``exports`` rows without
that column (``select * exclude (trade_flow) ... where trade_flow = 'exports'``): the export
numbers, and the column order they had, must not change; the import rows are checked by their
own tests.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import duckdb

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
#: The figure column that names the build (the dbt project's checksum is part of it).
BUILD_COLUMN = "warehouse_build"
#: A mart is a table of the main schema whose name starts so (dbt's marts layer).
MART_PREFIXES = ("fct_", "dim_")
#: Figures drawn beside ``make run``'s: a partner group (its member countries) over a year window.
PARTNER_GROUP_FIGURES = ("figures", "--partner", "CN_HK", "--years", "2000-2008")
#: Marts added since the reference was taken: absent from it, skipped by :func:`differences`.
NEW_MARTS = {"dim_partner_members", "fct_atp_trade", "fct_atp_trade_by_definition", "fct_atp_trade_balance"}
#: Figures added since the reference was taken (issue 20: figure 7, the ATP trade balance), by the
#: start of their file names: absent from it, skipped by :func:`differences`; every figure of the
#: reference (1-6, ATP exports) is still compared.
NEW_FIGURE_PREFIXES = ("figure_7_",)
#: The flow column of the marts since issue 20, and the flow the reference holds.
FLOW_COLUMN = "trade_flow"
REFERENCE_FLOW = "exports"
#: ``dim_partners`` as the reference holds it: ``member_cty_codes`` recomposed from the bridge
#: ``dim_partner_members``, in its old place and spelling (see the module docstring).
DIM_PARTNERS_AS_BEFORE = """
    select
        dim_partners.partner_code,
        dim_partners.partner_name,
        dim_partners.partner_kind,
        members.member_cty_codes,
        dim_partners.first_year,
        dim_partners.last_year
    from dim_partners
    left join (
        select partner_code, string_agg(cty_code, ' ' order by cty_code) as member_cty_codes
        from dim_partner_members
        group by partner_code
    ) as members on dim_partners.partner_code = members.partner_code
"""


def _marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' order by table_name"
    ).fetchall()
    return [name for (name,) in names if name.startswith(MART_PREFIXES)]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [name for name, *_ in con.execute(f"describe {table}").fetchall()]


def table_digest(con: duckdb.DuckDBPyConnection, table: str, query: str | None = None) -> dict[str, object]:
    """{"columns": [...], "rows": n, "md5": hex} of one table (DOUBLE/FLOAT to 8 significant digits),
    or of the rows of ``query`` when given (a select standing for the table)."""
    source = f"({query})" if query else table
    described = con.execute(f"describe {query or table}").fetchall()
    columns = [(name, kind) for name, kind, *_ in described]
    cells = [f"printf('%.7e', {name})" if kind in ("DOUBLE", "FLOAT") else f"{name}::varchar" for name, kind in columns]
    row = "concat_ws('\x1f', " + ", ".join(f"coalesce({cell}, '<null>')" for cell in cells) + ")"
    rows, digest = con.execute(
        f"select count(*), md5(coalesce(string_agg(r, '\x1e' order by r), '')) from (select {row} as r from {source})"
    ).fetchone()
    return {"columns": [name for name, _ in columns], "rows": rows, "md5": digest}


#: The USD columns of ``fct_atp_growth`` that the chain-linked rows derive from a double (the
#: chain-linked index times a base value, rounded to the dollar): a last-bit difference of the
#: index moves a value at .5 by one dollar (issue 21: 2023, 1610, all groups, 450,765,051,838
#: against 450,765,051,839), so those rows' USD are compared, like doubles, at 8 digits.
CHAIN_LINKED_USD = ("partner_value_usd", "rest_of_world_value_usd", "world_value_usd")


def _chain_linked_usd(table: str) -> str:
    if table != "fct_atp_growth":
        return ""
    replaced = ", ".join(
        f"case when definition = 'chain_linked' then printf('%.7e', {c}::double) else {c}::varchar end as {c}"
        for c in CHAIN_LINKED_USD
    )
    return f" replace ({replaced})"


def mart_digests(warehouse: Path) -> dict[str, dict[str, object]]:
    """The digest of every mart of a warehouse file, by table name: a mart with a trade flow
    column as its exports rows without it; ``dim_partners`` as the reference holds it when its
    member list has moved to ``dim_partner_members``."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = _marts(con)
        digests = {
            table: table_digest(
                con,
                table,
                f"select * exclude ({FLOW_COLUMN}){_chain_linked_usd(table)} from {table} "
                f"where {FLOW_COLUMN} = '{REFERENCE_FLOW}'"
                if FLOW_COLUMN in _columns(con, table)
                else None,
            )
            for table in marts
        }
        if (
            "dim_partners" in marts
            and "dim_partner_members" in marts
            and "member_cty_codes" not in _columns(con, "dim_partners")
        ):
            digests["dim_partners"] = table_digest(con, "dim_partners", DIM_PARTNERS_AS_BEFORE)
        return digests


def every_row_digests(warehouse: Path) -> dict[str, dict[str, object]]:
    """The digest of every mart of a warehouse file, by table name, over all its rows and columns
    (both flows; doubles to 8 significant digits, and the chain-linked USD of ``fct_atp_growth``,
    a double rounded to the dollar, as a double): what a year-incremental build and a full
    rebuild from the same raw tables must agree on."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: table_digest(con, table, f"select *{_chain_linked_usd(table)} from {table}") for table in _marts(con)
        }


def csv_digest(path: Path) -> dict[str, object]:
    """{"rows": n, "md5": hex} of a figure CSV without its build column."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    keep = [i for i, name in enumerate(rows[0]) if name != BUILD_COLUMN]
    text = "\n".join(",".join(row[i] for i in keep) for row in rows)
    return {"rows": len(rows) - 1, "md5": hashlib.md5(text.encode()).hexdigest()}


def figure_digests(exports: Path) -> dict[str, dict[str, object]]:
    """The digest of every figure CSV of an exports folder, by file name."""
    return {path.name: csv_digest(path) for path in sorted(exports.glob("*.csv"))}


def dump(warehouse: Path, exports: Path) -> dict[str, dict[str, dict[str, object]]]:
    """Both digests of one build: {"marts": ..., "figures": ...}."""
    return {"marts": mart_digests(warehouse), "figures": figure_digests(exports)}


def differences(actual: dict, expected: dict) -> list[str]:
    """One line per mart or figure whose digest differs from the reference dump (or is missing);
    a mart of :data:`NEW_MARTS` or a figure of :data:`NEW_FIGURE_PREFIXES` that the reference
    lacks is not compared."""
    lines = []
    for kind in ("marts", "figures"):
        for name in sorted(set(actual[kind]) | set(expected[kind])):
            if kind == "marts" and name in NEW_MARTS and name not in expected[kind]:
                continue
            if kind == "figures" and name.startswith(NEW_FIGURE_PREFIXES) and name not in expected[kind]:
                continue
            got, want = actual[kind].get(name), expected[kind].get(name)
            if got != want:
                lines.append(f"{kind[:-1]} {name}: expected {want}, got {got}")
    return lines


def load(name: str) -> dict[str, dict[str, dict[str, object]]]:
    """A stored reference dump (``bundle`` or ``tiny``)."""
    return json.loads((REFERENCE_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _write(name: str, content: dict) -> None:
    REFERENCE_DIR.mkdir(exist_ok=True)
    (REFERENCE_DIR / f"{name}.json").write_text(json.dumps(content, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:  # pragma: no cover - run by hand, once, at the reference commit
    """Build the bundle (``make run``) and the tiny input in temporary folders and write both dumps."""
    import os
    import subprocess
    import sys
    import tempfile

    from tests.test_end_to_end import run_job
    from tests.tiny_input import write_tiny_input

    root = Path(tempfile.mkdtemp(prefix="reference-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATP_")}
    env |= {"ATP_DUCKDB_PATH": str(root / "bundle" / "atp.duckdb"), "ATP_EXPORTS_DIR": str(root / "bundle" / "exports")}
    env["DAGSTER_HOME"] = str(root / "dagster_home")
    subprocess.run(["make", "run"], cwd=REFERENCE_DIR.parent.parent, env=env, check=True)
    subprocess.run([str(Path(sys.executable).parent / "atp"), *PARTNER_GROUP_FIGURES], env=env, check=True)
    _write("bundle", dump(root / "bundle" / "atp.duckdb", root / "bundle" / "exports"))

    write_tiny_input(root / "input")
    os.environ |= {
        "ATP_DUCKDB_PATH": str(root / "tiny" / "atp.duckdb"),
        "ATP_EXPORTS_DIR": str(root / "tiny" / "exports"),
        "ATP_SOURCE": "local",
        "ATP_LOCAL_DIR": str(root / "input"),
    }
    from orchestration.project import prepare_manifest

    prepare_manifest()
    assert run_job(2010, 2011).success
    _write("tiny", dump(root / "tiny" / "atp.duckdb", root / "tiny" / "exports"))
    print(f"reference dumps written to {REFERENCE_DIR} (builds in {root})")


if __name__ == "__main__":
    main()
