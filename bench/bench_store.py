"""Benchmark the store behind data/processed: today's parquet files, SQLite (WAL) or DuckDB.

Run: `.venv/bin/python bench/bench_store.py [--services 1000000] [--repeat 3] [--kills 30]
[--crash sqlite-rows,sqlite-parquet,duckdb,duckdb-nokey] [--keep DIR]` (with PYTHONPATH=src, so that
the p4c reference rank can be imported). At 1M services with 30 kills it takes 20-40 minutes, most of
it the crash test (`--kills 0` skips it).

Why: `p4c ingest` replaces one partner's rows and keeps the old ones in history; that must become ONE
transaction (a kill at any moment leaves the old state or the new one), while `p4c rank` on a million
services must not get slower. The workload follows bench_rank.py: 7 partners x ~143k services with
every column of services.parquet (p4c.ingest), a partners table and a needs table.

What is measured (wall time on this machine, best of --repeat; the machine is shared, so noisy):

1. Loading what `p4c rank` reads (partner, service_id, title, category, the 6 scores,
   annual_budget_eur, smes_reached, cis_served + partners' cluster_initiatives) into pandas with
   p4c's dtypes (strings `str`, nullable `Int64`, float64), open + read + close, for each layout and
   reader. Every reader's frame is checked equal to the parquet one (same rows, values and dtypes).
2. Replacing one partner's rows (~143k services, its partners row and needs rows), the old rows moved
   to history tables, in ONE transaction (for parquet: today's rewrite of whole files + renames,
   which is not one transaction). Open + convert + write + commit + close.
3. The rank-like job: load + a weighted sum of the 8 criteria + argsort, in process (and p4c's own
   `rank()` on the same frame once, for scale), and end to end in a fresh process (imports included).
4. Import time of sqlite3, duckdb, pyarrow.parquet and pandas (fresh processes).
5. Crash safety: a child process replaces a partner's rows and is SIGKILLed at a random moment of its
   transaction; on reopen the tables must hold exactly the old state or the new one.
6. Concurrency: two writers, a reader during a write (DuckDB; SQLite with busy_timeout).
7. Size on disk for the 1M services, after the build and after the --repeat writes.

Not a test: it measures and prints.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_rank import ACTIVITIES, CATEGORIES, SCORE_IDS  # a sibling script: the same services

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
PARTNERS = ("BE", "DE", "EE", "FR", "GR", "MT", "SI")
TARGET = "FR"  # the partner whose rows every write replaces
AUDIENCES = ("cluster managers", "SMEs", "start-ups", "research centres", "large firms", "students")
SECTORS = ("agri-food", "health", "ICT", "mobility", "energy", "textile", "tourism", "maritime")
# services columns (p4c.ingest): name -> kind
SERVICES: dict[str, str] = {
    "partner": "str",
    "service_id": "str",
    "title": "str",
    "description": "str",
    "category": "str",
    "provider": "str",
    "status": "str",
    "start_date": "date",
    "annual_budget_eur": "float",
    "staff_fte": "float",
    "cis_served": "int",
    "smes_reached": "int",
    "evidence": "str",
    **dict.fromkeys(SCORE_IDS, "float"),
    "source_file": "str",
    "source_sheet": "str",
    "source_row": "int",
}
PARTNER_TABLE: dict[str, str] = {
    "partner": "str",
    "organisation": "str",
    "region": "str",
    "cluster_initiatives": "int",
    "contact": "str",
    "source_file": "str",
    "sha256": "str",
    "ingested_at": "str",
}
NEEDS: dict[str, str] = {"partner": "str", "category": "str", "importance": "float"}
TABLES = {"services": SERVICES, "partners": PARTNER_TABLE, "needs": NEEDS}
# what rank reads (p4c.rank.input_columns of the default config, checked in main)
RANK_COLUMNS = (
    "partner",
    "service_id",
    "title",
    "category",
    "relevance",
    "impact",
    "cis_served",
    "transferability",
    "annual_budget_eur",
    "smes_reached",
    "sustainability",
    "innovation",
    "synergy",
)
WEIGHTS = {
    "relevance": 0.2,
    "impact": 0.2,
    "pertinence": 0.15,
    "transferability": 0.15,
    "cost_per_sme": 0.1,
    "sustainability": 0.1,
    "innovation": 0.05,
    "synergy": 0.05,
}
SQL_TYPES = {"str": "TEXT", "date": "TEXT", "float": "REAL", "int": "INTEGER"}
DUCK_TYPES = {"str": "VARCHAR", "date": "DATE", "float": "DOUBLE", "int": "BIGINT"}
KEYS = {"services": ("partner", "service_id"), "partners": ("partner",), "needs": ("partner", "category")}
BLOB_FORMATS = {"sqlite-parquet": "parquet", "sqlite-ipc": "ipc", "sqlite-ipc-lz4": "ipc-lz4"}
LAYOUTS = ("parquet", "sqlite-rows", *BLOB_FORMATS, "duckdb", "duckdb-nokey")
CRASH_LAYOUTS = ("sqlite-rows", "sqlite-parquet", "duckdb", "duckdb-nokey")
DUCKDB = ("duckdb", "duckdb-nokey")  # -nokey: the same tables without PRIMARY KEY (no ART index)


# --- data ------------------------------------------------------------------------------------------


def dtype(kind: str) -> Any:
    """p4c's pandas dtype for a column kind (dates are datetime.date objects, as ingest gives them)."""
    return {"str": "str", "float": "float64", "int": "Int64", "date": "object"}[kind]


def conform(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Cast the columns that do not have p4c's dtype yet (a no-op for the ones that have it)."""
    casts = {c: dtype(kinds[c]) for c in frame.columns if str(frame[c].dtype) != str(dtype(kinds[c]))}
    return frame.astype(casts) if casts else frame


def partner_size(n: int, index: int) -> int:
    return n // len(PARTNERS) + (1 if index < n % len(PARTNERS) else 0)


def make_services(partner: str, n: int, seed: int, gen: int = 0) -> pd.DataFrame:
    """One partner's services, typed as p4c.ingest types them; `gen` tags source_file."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    number = pd.Series(np.arange(1, n + 1)).astype("str")
    code = pd.Series(np.full(n, partner), dtype="str")
    service_id = code + "-" + number
    activity = pd.Series(np.array(ACTIVITIES)[rng.integers(0, len(ACTIVITIES), n)], dtype="str")
    audience = pd.Series(np.array(AUDIENCES)[rng.integers(0, len(AUDIENCES), n)], dtype="str")
    sector = pd.Series(np.array(SECTORS)[rng.integers(0, len(SECTORS), n)], dtype="str")
    smes = pd.array(rng.integers(5, 400, n), dtype="Int64")
    smes[rng.random(n) < 0.03] = pd.NA
    columns: dict[str, Any] = {
        "partner": code,
        "service_id": service_id,
        "title": activity + " no. " + number,
        "description": activity + " for " + audience + " in the " + sector + " sector (" + service_id + ")",
        "category": pd.Series(np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)], dtype="str"),
        "provider": pd.Series(
            np.array(["DA", "CI", "JOINT", "EXTERNAL"])[rng.integers(0, 4, n)], dtype="str"
        ),
        "status": pd.Series(np.array(["ONGOING", "COMPLETED", "PILOT"])[rng.integers(0, 3, n)], dtype="str"),
        "start_date": (np.datetime64("2010-01-01") + rng.integers(0, 5000, n)).astype("M8[D]").astype(object),
        "annual_budget_eur": np.round(rng.uniform(5_000, 500_000, n), -2),
        "staff_fte": np.round(rng.uniform(0.2, 6.0, n), 1),
        "cis_served": pd.array(rng.integers(1, 12, n), dtype="Int64"),
        "smes_reached": smes,
        "evidence": "Contracts signed with " + audience + "; surveyed yearly (" + number + ")",
    }
    for crit in SCORE_IDS:
        values = rng.integers(2, 11, n) / 2.0
        values[rng.random(n) < 0.02] = np.nan
        columns[crit] = values
    columns["source_file"] = pd.Series(np.full(n, f"{partner}_services_g{gen}.xlsx"), dtype="str")
    columns["source_sheet"] = pd.Series(np.full(n, "Services"), dtype="str")
    columns["source_row"] = pd.array(np.arange(2, n + 2), dtype="Int64")
    return conform(pd.DataFrame(columns), SERVICES)


def make_partner(partner: str, seed: int, gen: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(partners row, needs rows) of one partner; the number of needs changes with `gen`."""
    import pandas as pd

    info = pd.DataFrame(
        {
            "partner": [partner],
            "organisation": [f"DA {partner}"],
            "region": [f"Region {partner}"],
            "cluster_initiatives": [8 + seed % 7],
            "contact": [None],
            "source_file": [f"{partner}_services_g{gen}.xlsx"],
            "sha256": [f"{seed:064x}"],
            "ingested_at": ["2026-05-01T10:00:00+00:00"],
        }
    )
    count = 10 + gen % 4
    needs = pd.DataFrame(
        {
            "partner": [partner] * count,
            "category": list(CATEGORIES[:count]),
            "importance": [1.0 + (i * 7 + seed) % 9 / 2 for i in range(count)],
        }
    )
    return conform(info, PARTNER_TABLE), conform(needs, NEEDS)


def make_dataset(n: int) -> dict[str, pd.DataFrame]:
    import pandas as pd

    parts = [
        (make_services(p, partner_size(n, i), seed=i), *make_partner(p, seed=i))
        for i, p in enumerate(PARTNERS)
    ]
    return {name: pd.concat([part[j] for part in parts], ignore_index=True) for j, name in enumerate(TABLES)}


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


def arrow_types(arrow_type: pa.DataType) -> Any:
    """types_mapper for Table.to_pandas: p4c's `str` and nullable `Int64` whatever the metadata."""
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow", na_value=float("nan"))
    return None


# --- stores: build ---------------------------------------------------------------------------------


def sqlite_connect(path: Path, synchronous: str = "NORMAL", timeout: float = 30.0) -> sqlite3.Connection:
    """Autocommit mode (transactions are explicit), WAL, synchronous=NORMAL (atomic; only durability
    of the last commit on power loss is traded)."""
    con = sqlite3.connect(path, isolation_level=None, timeout=timeout)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA synchronous={synchronous}")
    return con


def sqlite_values(frame: pd.DataFrame, kinds: dict[str, str]) -> Iterator[tuple[Any, ...]]:
    """The rows as tuples sqlite3 binds (None for missing, dates as ISO text)."""
    columns = []
    for name, kind in kinds.items():
        series = frame[name]
        if kind == "date":
            columns.append([None if d is None else d.isoformat() for d in series])
        elif kind == "float":
            columns.append(series.tolist())  # NaN is stored as NULL by SQLite
        else:
            columns.append(series.to_numpy(dtype=object, na_value=None).tolist())
    return zip(*columns, strict=True)


def _ddl(name: str, kinds: dict[str, str], types: dict[str, str], history: bool, keys: bool = True) -> str:
    cols = [f"{c} {types[k]}" + (" NOT NULL" if c in KEYS[name] else "") for c, k in kinds.items()]
    if history:
        return f"CREATE TABLE {name}_history (replaced_at TEXT NOT NULL, {', '.join(cols)})"
    key = f", PRIMARY KEY ({', '.join(KEYS[name])})" if keys else ""
    return f"CREATE TABLE {name} ({', '.join(cols)}{key})"


def blob_bytes(frame: pd.DataFrame, fmt: str) -> Any:
    """One partner's services as a parquet or Arrow IPC file in memory (a buffer sqlite3 can bind)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = to_arrow(frame)
    sink = pa.BufferOutputStream()
    if fmt == "parquet":
        pq.write_table(table, sink)
    else:
        options = pa.ipc.IpcWriteOptions(compression="lz4" if fmt == "ipc-lz4" else None)
        with pa.ipc.new_file(sink, table.schema, options=options) as writer:
            writer.write_table(table)
    return memoryview(sink.getvalue())


def build(layout: str, path: Path, data: dict[str, pd.DataFrame]) -> None:
    """Create the store with the dataset (untimed set-up, except for the figure printed)."""
    if layout == "parquet":
        path.mkdir(parents=True)
        for name, frame in data.items():
            frame.to_parquet(path / f"{name}.parquet", index=False)
    elif layout in DUCKDB:
        import duckdb

        con = duckdb.connect(path)
        for name, kinds in TABLES.items():
            con.execute(_ddl(name, kinds, DUCK_TYPES, False, keys=layout == "duckdb"))
            con.execute(
                _ddl(name, kinds, DUCK_TYPES, True).replace("replaced_at TEXT", "replaced_at TIMESTAMP")
            )
            incoming = to_arrow(data[name])  # noqa: F841 (read by the SQL below)
            con.execute(f"INSERT INTO {name} SELECT * FROM incoming")
        con.close()
    else:
        con = sqlite_connect(path)
        con.execute("BEGIN")
        for name, kinds in TABLES.items():
            if name == "services" and layout in BLOB_FORMATS:
                con.execute("CREATE TABLE services_blob (partner TEXT PRIMARY KEY, data BLOB NOT NULL)")
                con.execute(
                    "CREATE TABLE services_blob_history (replaced_at TEXT NOT NULL, "
                    "partner TEXT NOT NULL, data BLOB NOT NULL)"
                )
                for code, part in data[name].groupby("partner", sort=True):
                    con.execute(
                        "INSERT INTO services_blob VALUES (?, ?)",
                        (code, blob_bytes(part, BLOB_FORMATS[layout])),
                    )
                continue
            con.execute(_ddl(name, kinds, SQL_TYPES, False))
            con.execute(_ddl(name, kinds, SQL_TYPES, True))
            con.executemany(
                f"INSERT INTO {name} VALUES ({', '.join('?' * len(kinds))})", sqlite_values(data[name], kinds)
            )
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()


# --- stores: load what rank reads ------------------------------------------------------------------

SELECT = f"SELECT {', '.join(RANK_COLUMNS)} FROM services"
SELECT_PARTNERS = "SELECT partner, cluster_initiatives FROM partners"
RANK_KINDS = {c: SERVICES[c] for c in RANK_COLUMNS}
CIS_KINDS = {"partner": "str", "cluster_initiatives": "int"}
Loaded = tuple["pd.DataFrame", "pd.DataFrame"]


def load_parquet(path: Path) -> Loaded:
    """Today: what load_processed(columns=input_columns) does."""
    import pandas as pd
    import pyarrow.parquet as pq

    held = set(pq.read_schema(path / "services.parquet").names)
    services = pd.read_parquet(path / "services.parquet", columns=[c for c in RANK_COLUMNS if c in held])
    partners = pd.read_parquet(path / "partners.parquet", columns=list(CIS_KINDS))
    return services, partners


def _sqlite_partners(con: sqlite3.Connection) -> pd.DataFrame:
    import pandas as pd

    return conform(
        pd.DataFrame.from_records(con.execute(SELECT_PARTNERS).fetchall(), columns=list(CIS_KINDS)), CIS_KINDS
    )


def load_sqlite_read_sql(path: Path) -> Loaded:
    import pandas as pd

    con = sqlite3.connect(path)
    try:
        services = conform(pd.read_sql(SELECT, con), RANK_KINDS)
        return services, _sqlite_partners(con)
    finally:
        con.close()


def load_sqlite_read_sql_dtype(path: Path) -> Loaded:
    import pandas as pd

    con = sqlite3.connect(path)
    try:
        services = pd.read_sql(SELECT, con, dtype={c: dtype(k) for c, k in RANK_KINDS.items()})
        return conform(services, RANK_KINDS), _sqlite_partners(con)
    finally:
        con.close()


def load_sqlite_records(path: Path) -> Loaded:
    import pandas as pd

    con = sqlite3.connect(path)
    try:
        rows = con.execute(SELECT).fetchall()
        services = conform(pd.DataFrame.from_records(rows, columns=list(RANK_COLUMNS)), RANK_KINDS)
        return services, _sqlite_partners(con)
    finally:
        con.close()


def load_sqlite_columns(path: Path) -> Loaded:
    """fetchall, then each column built on its own from the transposed tuples (no object frame)."""
    import numpy as np
    import pandas as pd

    con = sqlite3.connect(path)
    try:
        rows = con.execute(SELECT).fetchall()
        data: dict[str, Any] = {}
        for name, values in zip(RANK_COLUMNS, zip(*rows, strict=True), strict=True):
            kind = RANK_KINDS[name]
            if kind == "float":
                data[name] = np.array(values, dtype=np.float64)  # None -> nan
            else:
                data[name] = pd.array(values, dtype=dtype(kind))
        del rows
        return pd.DataFrame(data), _sqlite_partners(con)
    finally:
        con.close()


def _blob_loader(fmt: str) -> Callable[[Path], Loaded]:
    def load(path: Path) -> Loaded:
        import pyarrow as pa
        import pyarrow.parquet as pq

        con = sqlite3.connect(path)
        try:
            blobs = [row[0] for row in con.execute("SELECT data FROM services_blob ORDER BY partner")]
            if fmt == "parquet":
                tables = [pq.read_table(pa.BufferReader(b), columns=list(RANK_COLUMNS)) for b in blobs]
            else:
                tables = [
                    pa.ipc.open_file(pa.BufferReader(b)).read_all().select(list(RANK_COLUMNS)) for b in blobs
                ]
            services = pa.concat_tables(tables).to_pandas(types_mapper=arrow_types)
            return conform(services, RANK_KINDS), _sqlite_partners(con)
        finally:
            con.close()

    return load


def _duck_loader(how: str) -> Callable[[Path], Loaded]:
    def load(path: Path) -> Loaded:
        import duckdb

        con = duckdb.connect(path, read_only=True)
        try:
            if how == "sql.arrow":
                services = con.sql(SELECT).to_arrow_table().to_pandas(types_mapper=arrow_types)
            elif how == "execute.arrow":
                with warnings.catch_warnings():  # "Arrow output on a DB-API result makes an extra copy"
                    warnings.simplefilter("ignore")
                    services = con.execute(SELECT).to_arrow_table().to_pandas(types_mapper=arrow_types)
            else:
                services = con.sql(SELECT).df()
            partners = con.sql(SELECT_PARTNERS).to_arrow_table().to_pandas(types_mapper=arrow_types)
            return conform(services, RANK_KINDS), conform(partners, CIS_KINDS)
        finally:
            con.close()

    return load


LOADERS: dict[str, tuple[str, Callable[[Path], Loaded]]] = {
    "parquet: pd.read_parquet(columns=) [today]": ("parquet", load_parquet),
    "sqlite-rows: pd.read_sql + astype": ("sqlite-rows", load_sqlite_read_sql),
    "sqlite-rows: pd.read_sql(dtype=)": ("sqlite-rows", load_sqlite_read_sql_dtype),
    "sqlite-rows: fetchall + DataFrame.from_records + astype": ("sqlite-rows", load_sqlite_records),
    "sqlite-rows: fetchall + per-column numpy/pd.array": ("sqlite-rows", load_sqlite_columns),
    "sqlite-parquet: parquet BLOB per partner": ("sqlite-parquet", _blob_loader("parquet")),
    "sqlite-ipc: Arrow IPC BLOB per partner": ("sqlite-ipc", _blob_loader("ipc")),
    "sqlite-ipc-lz4: Arrow IPC lz4 BLOB per partner": ("sqlite-ipc-lz4", _blob_loader("ipc-lz4")),
    "duckdb: con.sql().to_arrow_table().to_pandas()": ("duckdb", _duck_loader("sql.arrow")),
    "duckdb: con.execute().to_arrow_table().to_pandas()": ("duckdb", _duck_loader("execute.arrow")),
    "duckdb: con.sql().df() + astype": ("duckdb", _duck_loader("df")),
}
# the readers run end to end in a fresh process
PROCESS_LOADERS = (
    "parquet: pd.read_parquet(columns=) [today]",
    "sqlite-rows: fetchall + per-column numpy/pd.array",
    "sqlite-parquet: parquet BLOB per partner",
    "sqlite-ipc: Arrow IPC BLOB per partner",
    "duckdb: con.sql().to_arrow_table().to_pandas()",
)


def rank_job(services: pd.DataFrame, partners: pd.DataFrame) -> Any:
    """A trivial stand-in for rank: the 8 default criteria, normalized, weighted, argsorted."""
    import numpy as np

    cis = dict(zip(partners["partner"], partners["cluster_initiatives"].astype(float), strict=True))
    columns = []
    for crit in WEIGHTS:
        if crit in SCORE_IDS:
            x = (services[crit].to_numpy(dtype=float) - 1.0) / 4.0
        elif crit == "pertinence":
            x = np.minimum(
                services["cis_served"].to_numpy(dtype=float, na_value=np.nan)
                / services["partner"].map(cis).to_numpy(dtype=float),
                1.0,
            )
        else:
            smes = services["smes_reached"].to_numpy(dtype=float, na_value=np.nan)
            x = services["annual_budget_eur"].to_numpy(dtype=float) / np.where(smes != 0, smes, np.nan)
            lo, hi = np.nanmin(x), np.nanmax(x)
            x = 1.0 - (x - lo) / (hi - lo)
        columns.append(np.nan_to_num(x))
    score = np.column_stack(columns) @ np.array(list(WEIGHTS.values()))
    return np.argsort(-score, kind="stable")


# --- stores: replace one partner in one transaction -----------------------------------------------


def _no_mark(_: str) -> None:
    """(no crash-test child listening)"""


def replace_partner(
    layout: str,
    path: Path,
    services: pd.DataFrame,
    info: pd.DataFrame,
    needs: pd.DataFrame,
    *,
    synchronous: str = "NORMAL",
    mark: Callable[[str], None] = _no_mark,
) -> None:
    """Replace the partner's services, partners row and needs; its old rows go to history.

    `mark("begin")` just before BEGIN and `mark("commit")` once COMMIT returned (crash test).
    """
    partner = str(info["partner"].iloc[0])
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    if layout == "parquet":
        _replace_parquet(path, partner, {"services": services, "partners": info, "needs": needs}, now)
        return
    if layout in DUCKDB:
        import duckdb

        incoming = {"services": to_arrow(services), "partners": to_arrow(info), "needs": to_arrow(needs)}
        con = duckdb.connect(path)
        try:
            mark("begin")
            con.execute("BEGIN TRANSACTION")
            for name, table in incoming.items():
                con.register("incoming", table)
                con.execute(
                    f"INSERT INTO {name}_history SELECT ?::TIMESTAMP, * FROM {name} WHERE partner = ?",
                    [now, partner],
                )
                con.execute(f"DELETE FROM {name} WHERE partner = ?", [partner])
                con.execute(f"INSERT INTO {name} SELECT * FROM incoming")
                con.unregister("incoming")
            con.execute("COMMIT")
            mark("commit")
        finally:
            con.close()
        return
    con = sqlite_connect(path, synchronous)
    try:
        blob = blob_bytes(services, BLOB_FORMATS[layout]) if layout in BLOB_FORMATS else None
        rows = {
            name: list(sqlite_values(frame, TABLES[name]))
            for name, frame in (("services", services), ("partners", info), ("needs", needs))
            if not (name == "services" and blob is not None)
        }
        mark("begin")
        con.execute("BEGIN IMMEDIATE")
        if blob is not None:
            con.execute(
                "INSERT INTO services_blob_history SELECT ?, partner, data FROM services_blob "
                "WHERE partner = ?",
                (now, partner),
            )
            con.execute("INSERT OR REPLACE INTO services_blob VALUES (?, ?)", (partner, blob))
        for name, values in rows.items():
            con.execute(
                f"INSERT INTO {name}_history SELECT ?, * FROM {name} WHERE partner = ?", (now, partner)
            )
            con.execute(f"DELETE FROM {name} WHERE partner = ?", (partner,))
            con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(TABLES[name]))})", values)
        con.execute("COMMIT")
        mark("commit")
    finally:
        con.close()


def _replace_parquet(path: Path, partner: str, new: dict[str, pd.DataFrame], now: str) -> None:
    """What p4c.ingest.store does today: read each whole file, swap the partner's rows, write every
    file to a temporary name and rename it into place (history first). Several renames: not atomic."""
    import pandas as pd

    history = path / "history" / f"{now.replace(':', '')}_{partner}"
    history.mkdir(parents=True, exist_ok=True)
    staged = []
    for name, frame in new.items():
        current = pd.read_parquet(path / f"{name}.parquet")
        mine = current["partner"] == partner
        staged.append((history / f"{name}.parquet", current[mine]))
        keys = [k for k in ("partner", "source_row", "category") if k in frame.columns]
        merged = pd.concat([current[~mine], frame], ignore_index=True)
        staged.append(
            (path / f"{name}.parquet", merged.sort_values(keys, kind="stable").reset_index(drop=True))
        )
    for target, frame in staged:
        tmp = target.with_name(target.name + ".tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(target)


# --- crash safety ----------------------------------------------------------------------------------


def state(layout: str, path: Path) -> tuple[Any, ...]:
    """(generations of TARGET's services, its service count, total services, TARGET history entries,
    its partners row's source_file, its needs count, integrity) as read after a reopen."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if layout in DUCKDB:
        import duckdb

        con: Any = duckdb.connect(path)
        integrity = "opened"
    else:
        con = sqlite3.connect(path)
        integrity = con.execute("PRAGMA quick_check").fetchone()[0]
    try:

        def one(sql: str) -> Any:
            return con.execute(sql, [TARGET]).fetchone()[0]

        if layout in BLOB_FORMATS:
            blob = one("SELECT data FROM services_blob WHERE partner = ?")
            if BLOB_FORMATS[layout] == "parquet":
                table = pq.read_table(pa.BufferReader(blob), columns=["source_file"])
            else:
                table = pa.ipc.open_file(pa.BufferReader(blob)).read_all()
            gens = tuple(sorted(set(table["source_file"].to_pylist())))
            count = table.num_rows
            total = sum(
                pq.read_metadata(pa.BufferReader(b)).num_rows
                if BLOB_FORMATS[layout] == "parquet"
                else pa.ipc.open_file(pa.BufferReader(b)).read_all().num_rows
                for (b,) in con.execute("SELECT data FROM services_blob").fetchall()
            )
            history = one("SELECT count(*) FROM services_blob_history WHERE partner = ?")
        else:
            gens = tuple(
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT source_file FROM services WHERE partner = ? ORDER BY 1", [TARGET]
                ).fetchall()
            )
            count = one("SELECT count(*) FROM services WHERE partner = ?")
            total = con.execute("SELECT count(*) FROM services").fetchone()[0]
            history = one("SELECT count(*) FROM services_history WHERE partner = ?")
        source = one("SELECT source_file FROM partners WHERE partner = ?")
        needs = one("SELECT count(*) FROM needs WHERE partner = ?")
        return gens, count, total, history, source, needs, integrity
    finally:
        con.close()


def expected_new(layout: str, old: tuple[Any, ...], gen: int, n: int) -> tuple[Any, ...]:
    _, count, total, history, _, _, integrity = old
    tag = f"{TARGET}_services_g{gen}.xlsx"
    step = 1 if layout in BLOB_FORMATS else count
    return (tag,), n, total - count + n, history + step, tag, 10 + gen % 4, integrity


def crash_size(n: int, gen: int) -> int:
    size = partner_size(n, PARTNERS.index(TARGET))
    return size - max(1, size // 150) * (gen % 3)  # the row count tells the generations apart


def child_crash(layout: str, path: Path, gen: int, n: int) -> None:
    """Prepare the new rows, say `ready`, then replace TARGET's rows (the parent kills us meanwhile)."""
    services = make_services(TARGET, crash_size(n, gen), seed=100 + gen, gen=gen)
    info, needs = make_partner(TARGET, seed=100 + gen, gen=gen)
    if layout in DUCKDB:
        import duckdb  # noqa: F401 (imported before `ready`, as the write itself is what is killed)
    begin = time.perf_counter()

    def mark(what: str) -> None:
        print(f"{what} {time.perf_counter() - begin:.4f}", flush=True)

    print("ready", flush=True)
    begin = time.perf_counter()
    replace_partner(layout, path, services, info, needs, mark=mark)
    mark("done")


def crash_test(layout: str, path: Path, n: int, kills: int, rng: random.Random) -> dict[str, Any]:
    """Three unkilled runs to time the steps, then runs SIGKILLed at a uniform random delay between
    0.9 x the (median) time BEGIN was reached and 1.05 x the time the write returned (open and close
    included), counted from the child's `ready` (its new rows built, nothing opened yet), until
    `kills` children were actually killed (a child that finished first is counted, not a kill)."""
    outcomes = {
        "old": 0,
        "new": 0,
        "neither (broken)": 0,
        "reopen failed": 0,
        "killed before BEGIN": 0,
        "killed inside the transaction": 0,
        "killed after COMMIT returned": 0,
        "not killed (finished)": 0,
    }
    details: list[str] = []
    gen = 1

    def run(delay: float | None) -> dict[str, float]:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", "crash", layout, str(path), str(gen), str(n)],
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() != "ready":
            raise SystemExit(f"crash child failed: {line}")
        if delay is not None:
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
        out = proc.stdout.read()
        proc.wait()
        return {line.split()[0]: float(line.split()[1]) for line in out.splitlines() if line.strip()}

    timings = []
    for _ in range(3):
        timings.append(run(None))
        gen += 1
    steps = {key: statistics.median(t[key] for t in timings) for key in timings[0]}
    current = state(layout, path)
    attempts = 0
    while attempts < 3 * kills and outcomes["not killed (finished)"] + kills > attempts:
        attempts += 1
        new = expected_new(layout, current, gen, crash_size(n, gen))
        marks = run(rng.uniform(0.9 * steps["begin"], 1.05 * steps["done"]))
        key = (
            "not killed (finished)"
            if "done" in marks
            else "killed after COMMIT returned"
            if "commit" in marks
            else "killed inside the transaction"
            if "begin" in marks
            else "killed before BEGIN"
        )
        outcomes[key] += 1
        try:
            after = state(layout, path)
        except Exception as exc:  # anything on reopen is a failure to report
            outcomes["reopen failed"] += 1
            details.append(f"{type(exc).__name__}: {exc}"[:200])
            continue
        if after == current:
            outcomes["old"] += 1
        elif after == new:
            outcomes["new"] += 1
            current, gen = after, gen + 1
        else:
            outcomes["neither (broken)"] += 1
            details.append(f"expected {current} or {new}, found {after}")
            current = after
    return {
        "begin_at_s": steps["begin"],
        "commit_at_s": steps["commit"],
        "done_at_s": steps["done"],
        **outcomes,
        "details": details,
    }


# --- concurrency -----------------------------------------------------------------------------------


def child_hold(layout: str, path: Path, seconds: float) -> None:
    """Open the store, start a write (TARGET's services deleted, uncommitted), hold it, roll back."""
    if layout.startswith("duckdb"):
        import duckdb

        con: Any = duckdb.connect(path, read_only=layout == "duckdb-ro")
        if layout == "duckdb":
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM services WHERE partner = ?", [TARGET])
    else:
        con = sqlite_connect(path)
        con.execute("BEGIN IMMEDIATE")
        con.execute("DELETE FROM services WHERE partner = ?", [TARGET])
    print("holding", flush=True)
    time.sleep(seconds)
    if layout != "duckdb-ro":
        con.execute("ROLLBACK")
    con.close()


def _attempt(what: str, action: Callable[[], Any]) -> str:
    begin = time.perf_counter()
    try:
        result = action()
        outcome = f"OK ({result})" if result is not None else "OK"
    except Exception as exc:
        outcome = f"{type(exc).__module__}.{type(exc).__name__}: {' '.join(str(exc).split())[:400]}"
    return f"  {what}: {outcome} after {time.perf_counter() - begin:.2f} s"


def concurrency(folder: Path) -> list[str]:
    import duckdb

    lines = []

    def holding(layout: str, path: Path, seconds: float) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", "hold", layout, str(path), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "holding"
        return proc

    def duck_count(read_only: bool) -> Any:
        con = duckdb.connect(folder / "duckdb", read_only=read_only)
        try:
            return con.execute("SELECT count(*) FROM services WHERE partner = ?", [TARGET]).fetchone()
        finally:
            con.close()

    lines.append("DuckDB, another process holds the file open read-write (uncommitted DELETE):")
    proc = holding("duckdb", folder / "duckdb", 4.0)
    lines.append(_attempt("duckdb.connect(path) read-write", lambda: duck_count(False)))
    lines.append(_attempt("duckdb.connect(path, read_only=True)", lambda: duck_count(True)))
    proc.wait()
    lines.append("DuckDB, another process holds the file open read_only=True:")
    proc = holding("duckdb-ro", folder / "duckdb", 3.0)
    lines.append(_attempt("duckdb.connect(path, read_only=True)", lambda: duck_count(True)))
    lines.append(_attempt("duckdb.connect(path) read-write", lambda: duck_count(False)))
    proc.wait()

    path = folder / "sqlite-rows"

    def sqlite_read() -> Any:
        con = sqlite3.connect(path, timeout=0)
        try:
            return con.execute("SELECT count(*) FROM services WHERE partner = ?", [TARGET]).fetchone()
        finally:
            con.close()

    def sqlite_write(timeout_s: float) -> Any:
        con = sqlite3.connect(path, timeout=timeout_s, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
            return f"busy_timeout {con.execute('PRAGMA busy_timeout').fetchone()[0]} ms"
        finally:
            con.close()

    lines.append("SQLite WAL, another process holds BEGIN IMMEDIATE + an uncommitted DELETE for 4 s:")
    proc = holding("sqlite-rows", path, 4.0)
    lines.append(_attempt("reader SELECT count(*) of the deleted partner (timeout=0)", sqlite_read))
    lines.append(_attempt("writer BEGIN IMMEDIATE, busy_timeout=0", lambda: sqlite_write(0)))
    lines.append(_attempt("writer BEGIN IMMEDIATE, busy_timeout=1000 ms", lambda: sqlite_write(1.0)))
    lines.append(
        _attempt(
            "writer BEGIN IMMEDIATE, busy_timeout=10000 ms (waits for the holder)", lambda: sqlite_write(10.0)
        )
    )
    proc.wait()
    return lines


# --- measuring -------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    return env


def best(job: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        result = None
        begin = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - begin)
    return min(times), result


def process_wall(args: list[str], repeat: int) -> tuple[float, str]:
    """(best wall time, the stdout of that best run)."""
    runs = []
    for _ in range(repeat):
        begin = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True, check=False, env=child_env())
        runs.append((time.perf_counter() - begin, done.stdout))
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return min(runs)


def child_job(label: str, path: Path) -> None:
    """Fresh process: imports + load + rank_job, the breakdown printed as JSON."""
    started = time.perf_counter()
    layout, load = LOADERS[label]
    import numpy as np  # noqa: F401
    import pandas as pd  # noqa: F401

    if layout in DUCKDB:
        import duckdb  # noqa: F401
    else:
        import pyarrow.parquet  # noqa: F401
    imported = time.perf_counter()
    services, partners = load(path)
    loaded = time.perf_counter()
    rank_job(services, partners)
    ranked = time.perf_counter()
    print(json.dumps({"imports": imported - started, "load": loaded - imported, "job": ranked - loaded}))


def disk_size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    siblings = [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", ".wal"))]
    return sum(p.stat().st_size for p in siblings if p.is_file())


def import_times(repeat: int) -> list[str]:
    """Wall time of `python -c "import X"` minus `python -c pass` (best of max(repeat, 5)), and the
    cumulative -X importtime of the module itself."""
    lines = []
    base, _ = process_wall([sys.executable, "-c", "pass"], max(repeat, 5))
    lines.append(f"  python -c pass: {base * 1000:.0f} ms")
    for mods in (
        "sqlite3",
        "duckdb",
        "pyarrow.parquet",
        "pandas",
        "pandas, pyarrow.parquet",
        "pandas, pyarrow.parquet, sqlite3",
        "pandas, pyarrow.parquet, duckdb",
    ):
        wall, _ = process_wall([sys.executable, "-c", f"import {mods}"], max(repeat, 5))
        note = ""
        if "," not in mods:
            done = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", f"import {mods}"],
                capture_output=True,
                text=True,
                check=True,
            )
            top = [ln for ln in done.stderr.splitlines() if ln.rstrip().endswith(f"| {mods}")]
            if top:
                note = f"  (-X importtime cumulative {int(top[-1].split('|')[1]) / 1000:.0f} ms)"
        lines.append(f"  import {mods}: +{(wall - base) * 1000:.0f} ms over a bare python{note}")
    return lines


def same_frames(got: Loaded, want: Loaded) -> str:
    """'' when the rows (in any order), values and dtypes are equal, else what differs."""
    import pandas as pd

    for mine, ref in zip(got, want, strict=True):
        try:
            pd.testing.assert_frame_equal(
                mine.sort_values(
                    ["partner", *(["service_id"] if "service_id" in mine else [])], ignore_index=True
                ),
                ref.sort_values(
                    ["partner", *(["service_id"] if "service_id" in ref else [])], ignore_index=True
                ),
                check_exact=True,
            )
        except AssertionError as exc:
            return str(exc).splitlines()[0][:200]
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kills", type=int, default=30, help="SIGKILLs per store (0: no crash test)")
    parser.add_argument("--crash", default=",".join(CRASH_LAYOUTS), help="stores to crash-test")
    parser.add_argument("--keep", type=Path, help="Build the stores here and keep them.")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "job":
            child_job(rest[0], Path(rest[1]))
        elif kind == "crash":
            child_crash(rest[0], Path(rest[1]), int(rest[2]), int(rest[3]))
        else:
            child_hold(rest[0], Path(rest[1]), float(rest[2]))
        return
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  (progress when redirected)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="p4c-bench-store-"))
    if args.keep and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        measure(folder, args.services, args.repeat, args.kills, tuple(args.crash.split(",")))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def measure(folder: Path, n: int, repeat: int, kills: int, crash: tuple[str, ...]) -> None:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    print(
        f"python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, duckdb {duckdb.__version__}, "
        f"pandas {pd.__version__}, pyarrow {pa.__version__}, {os.cpu_count()} CPUs"
    )
    try:
        from p4c.config import default_config_text, parse_config
        from p4c.rank import input_columns

        config: Any = parse_config(default_config_text())
        if set(input_columns(config)) != set(RANK_COLUMNS):
            raise SystemExit(f"RANK_COLUMNS is out of date: rank reads {input_columns(config)}")
    except ImportError:
        config = None
        print("(p4c not importable: set PYTHONPATH=src for the p4c rank() reference)")

    begin = time.perf_counter()
    data = make_dataset(n)
    print(
        f"\n== {len(data['services']):,} services ({len(PARTNERS)} partners x "
        f"~{partner_size(n, 0):,}), generated in {time.perf_counter() - begin:.1f} s =="
    )
    sizes: dict[str, list[int]] = {}
    for layout in LAYOUTS:
        begin = time.perf_counter()
        build(layout, folder / layout, data)
        sizes[layout] = [disk_size(folder / layout)]
        print(f"built {layout:15} in {time.perf_counter() - begin:6.1f} s, {sizes[layout][0] / 1e6:7.1f} MB")

    print(
        f"\n== 1. load what rank reads ({len(RANK_COLUMNS)} services columns + partners), best of {repeat} =="
    )
    reference = load_parquet(folder / "parquet")
    loads: dict[str, float] = {}
    for label, (layout, load) in LOADERS.items():
        seconds, got = best(lambda load=load, layout=layout: load(folder / layout), repeat)
        loads[label] = seconds
        diff = same_frames(got, reference)
        print(f"  {label:58} {seconds:7.3f} s  {'same frame' if not diff else 'DIFFERS: ' + diff}")
        del got
    print(f"  dtypes: {dict(reference[0].dtypes.astype(str))}")

    print(f"\n== 3. rank-like job in process: load + weighted sum + argsort (best of {repeat}) ==")
    job_s, _ = best(lambda: rank_job(*reference), repeat)
    print(f"  weighted sum of the 8 criteria + argsort on the loaded frame: {job_s:.3f} s")
    if config is not None:
        from p4c.rank import rank

        real_s, _ = best(lambda: rank(reference[0], reference[1], config), 1)
        print(f"  (p4c.rank.rank() itself on the same frame, once: {real_s:.3f} s)")
    for label, seconds in loads.items():
        print(
            f"  {label:58} load {seconds:6.3f} + job {job_s:.3f} = {seconds + job_s:6.3f} s "
            f"(load {seconds / (seconds + job_s):4.0%})"
        )
    print(f"\n   end to end in a fresh process (imports + load + job), best of {repeat}:")
    for label in PROCESS_LOADERS:
        wall, out = process_wall(
            [sys.executable, __file__, "--child", "job", label, str(folder / LOADERS[label][0])], repeat
        )
        parts = json.loads(out.strip().splitlines()[-1])
        print(
            f"  {label:58} {wall:6.2f} s  (imports {parts['imports']:.2f}, load {parts['load']:.2f}, "
            f"job {parts['job']:.2f})"
        )

    print("\n== 4. import time (fresh processes) ==")
    print("\n".join(import_times(repeat)))

    print(
        f"\n== 2. replace {TARGET}'s {partner_size(n, PARTNERS.index(TARGET)):,} services (+ partners row, "
        f"needs), old rows to history, best of {repeat} =="
    )
    new_services = make_services(TARGET, partner_size(n, PARTNERS.index(TARGET)), seed=50, gen=50)
    info, needs = make_partner(TARGET, seed=50, gen=50)
    writers = [(layout, "NORMAL") for layout in LAYOUTS] + [
        ("sqlite-rows", "FULL"),
        ("sqlite-parquet", "FULL"),
    ]
    for layout, sync in writers:
        runs = []
        for _ in range(repeat):
            marks = {"start": time.perf_counter()}
            replace_partner(
                layout,
                folder / layout,
                new_services,
                info,
                needs,
                synchronous=sync,
                mark=lambda what, marks=marks: marks.__setitem__(what, time.perf_counter()),
            )
            marks["end"] = time.perf_counter()
            runs.append(marks)
        fastest = min(runs, key=lambda m: m["end"] - m["start"])
        what = {
            "parquet": "rewrite whole files + renames [today, NOT one transaction]",
            "duckdb": "one transaction, PRIMARY KEYs",
            "duckdb-nokey": "one transaction, no PRIMARY KEY",
        }.get(layout, f"one transaction, WAL, synchronous={sync}")
        steps = (
            f"; open+convert {fastest['begin'] - fastest['start']:.2f}, BEGIN..COMMIT "
            f"{fastest['commit'] - fastest['begin']:.2f}, close {fastest['end'] - fastest['commit']:.2f}"
            if "commit" in fastest
            else ""
        )
        print(f"  {layout:15} {fastest['end'] - fastest['start']:7.3f} s  ({what}{steps})")
        if sync == "NORMAL":
            sizes[layout].append(disk_size(folder / layout))
    check = load_parquet(folder / "parquet")
    readers = {
        "sqlite-rows": load_sqlite_read_sql,
        "sqlite-parquet": _blob_loader("parquet"),
        "duckdb": _duck_loader("sql.arrow"),
        "duckdb-nokey": _duck_loader("sql.arrow"),
    }
    for layout, reader in readers.items():
        diff = same_frames(reader(folder / layout), check)
        print(f"  after the writes, {layout} holds {diff or 'the same rows as parquet'}")

    print(f"\n== 7. size on disk ({n:,} services + partners + needs) ==")
    for layout, (fresh, *after) in sizes.items():
        grown = f", {after[0] / 1e6:7.1f} MB after {repeat} replacements (history kept)" if after else ""
        print(f"  {layout:15} {fresh / 1e6:7.1f} MB fresh{grown}")

    print(f"\n== 5. crash safety: {kills} SIGKILLs at random moments of a replace transaction ==")
    rng = random.Random(20260509)
    for layout in crash if kills else ():
        path = folder / f"crash-{layout}"
        shutil.copytree(folder / layout, path) if (folder / layout).is_dir() else shutil.copy(
            folder / layout, path
        )
        result = crash_test(layout, path, n, kills, rng)
        details = result.pop("details")
        print(
            f"  {layout:15} "
            + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items())
        )
        for line in details[:5]:
            print(f"      {line}")

    print("\n== 6. concurrency ==")
    print("\n".join(concurrency(folder)))


if __name__ == "__main__":
    main()
