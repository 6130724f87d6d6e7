"""Everything about `data/processed/`: file names, table columns, the transactional store, exports.

The store is one SQLite database, `p4c.sqlite` (WAL journal, full sync). Each submitted workbook
becomes *chunks*: one per table it fills (services, partners, needs, rejected; later kinds add
theirs), each the rows as a parquet blob, owned by one partner. A new workbook of a partner marks
its current chunks replaced and adds new ones, and the submission log gains its lines, in one
transaction: a kill or a power loss at any moment leaves the old state or the new one, history
included. SQLite's own lock makes a second writer wait (`LOCK_TIMEOUT_S`), and readers see one
committed state. Parquet blobs keep pandas' types exactly and read at parquet speed (a million
services load as fast as from the parquet files of p4c 0.1; the figures are in the README).

After each commit the tables are also exported for analysts (`services.parquet`, ...,
`submissions.csv`, `history/`). p4c never reads the exports; a kill between the commit and the
exports leaves them one submission behind until the next command that writes.

Outputs of later stages (ranking.csv, ...) are files, each written atomically by `p4c.io`, and
named here only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c import __version__
from p4c.errors import P4CError
from p4c.models import SERVICE_KEY

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from p4c.config import Config
    from p4c.scoring.apply import ScoringOutcome

# --- names: every processed file p4c writes is named here and nowhere else ----------------------------

DB_FILE = "p4c.sqlite"
SERVICES_FILE = "services.parquet"
PARTNERS_FILE = "partners.parquet"
NEEDS_FILE = "needs.parquet"
REJECTED_FILE = "rejected.parquet"
SUBMISSIONS_FILE = "submissions.csv"
HISTORY_DIR = "history"
FEEDBACK_DIR = "feedback"  # the feedback workbooks `p4c ingest` writes for partners
CATALOGUE_DIR = "catalogue"  # p4c catalogue: the static site and its open-data package
RANKING_FILE = "ranking.csv"
RANKING_XLSX = "ranking.xlsx"
WEIGHT_STABILITY_FILE = "weight_stability.csv"
CANDIDATES_FILE = "candidates.csv"
SHORTLIST_FILE = "shortlist.csv"
FIELD_TESTS_FILE = "field_tests.csv"
SHORTLIST_XLSX = "shortlist.xlsx"
REPORT_HTML = "report.html"
REPORT_XLSX = "report.xlsx"
LEGACY_LOCK_FILE = ".p4c.lock"  # p4c 0.1's hand-made lock; SQLite's lock replaces it
LOCK_TIMEOUT_S = 120.0

# Field tests (spec field-tests.md): the reports' store table and `p4c evaluate`'s outputs.
FIELD_TESTS_REPORTED = "field_tests_reported"  # table, one chunk per host partner (source field_tests)
EVALUATION_FILE = "evaluation.csv"
EVALUATION_XLSX = "evaluation.xlsx"
FIELD_TEST_RESULTS_FILE = "field_test_results.csv"
# Manifests: what made each derived output (settings, config and input hashes, the files written);
# written and checked by p4c.report.provenance.
RANKING_MANIFEST = "ranking.json"
SHORTLIST_MANIFEST = "shortlist.json"
REPORT_MANIFEST = "report.json"
# Peer scoring (spec: scoring.md): the tables a scoring workbook fills, and what `p4c rank` writes.
SCORES, WEIGHTS = "scores", "weights"
SCORING_XLSX = "scoring.xlsx"

# The tables a partner workbook fills, and their export files.
SERVICES, PARTNERS, NEEDS, REJECTED = "services", "partners", "needs", "rejected"
EXPORTS: dict[str, str] = {
    SERVICES: SERVICES_FILE,
    PARTNERS: PARTNERS_FILE,
    NEEDS: NEEDS_FILE,
    REJECTED: REJECTED_FILE,
}

# services: one row per service, typed: partner, service_id, title, description, category (code),
#   provider (code), status (code), start_date (date), annual_budget_eur (float), staff_fte (float),
#   cis_served (Int64), smes_reached (Int64), evidence, <one float column per score criterion id>,
#   source_file, source_sheet, source_row (1-based row in the sheet)
PARTNER_COLUMNS = (
    "partner",
    "organisation",
    "region",
    "cluster_initiatives",
    "contact",
    "source_file",
    "sha256",
    "ingested_at",
)
PARTNER_DETAILS = ("organisation", "region", "cluster_initiatives", "contact")
NEEDS_COLUMNS = ("partner", "category", "importance")
REJECTED_COLUMNS = (
    "partner",
    "source_file",
    "source_sheet",
    "source_row",
    "cell",
    "column",
    "value",
    "message",
    "raw",
)
SUBMISSION_COLUMNS = (
    "time",
    "partner",
    "file",
    "sha256",
    "accepted",
    "rejected",
    "warnings",
    "written",
    "p4c_version",
)
STATUS_COLUMNS = (
    "partner",
    "organisation",
    "region",
    "services",
    "rejected",
    "source_file",
    "sha256",
    "ingested_at",
    "stale_scores",  # peer scores of this partner's services that no longer exist (scoring.md)
)

# Recommendation plans (spec field-tests.md, `p4c plan`): the plan workbooks' tables (one chunk each
# per partner, source plan) and the plans written, under PLANS_DIR of the processed (or -o) folder.
PLANS, PLAN_ACTIONS = "plans", "plan_actions"
PLANS_DIR = "plans"
PLAN_HTML = "{partner}_plan.html"
PLAN_DOCX = "{partner}_plan.docx"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'partner',
    rows INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    replaced_at TEXT,
    replaced_by TEXT,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_current ON chunks (kind, replaced_at, owner);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL, partner TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL,
    accepted INTEGER NOT NULL, rejected INTEGER NOT NULL, warnings INTEGER NOT NULL,
    written TEXT NOT NULL, p4c_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Processed:
    """What `p4c ingest` stored: the input of every later stage."""

    services: pd.DataFrame
    partners: pd.DataFrame
    needs: pd.DataFrame
    scoring: ScoringOutcome | None = None  # how the partners scored (None: not asked for)
    weights: dict[str, float] = field(default_factory=dict)  # weights.from: partners -> the consensus


@dataclass(frozen=True)
class Submission:
    """One owner's tables from one file, as the store writes them (`frames` by table).

    `source` is the kind of workbook (partner, scoring, field_tests, plan): a new workbook replaces
    its owner's tables of that kind only, so a partner's scores survive its new services.
    """

    owner: str
    frames: Mapping[str, pd.DataFrame]
    source: str = "partner"


@dataclass(frozen=True)
class LogLine:
    """One line of the submission log: what happened to one file."""

    partner: str
    file: str
    sha256: str
    accepted: int
    rejected: int
    warnings: int
    written: bool


_KILL_AT = "P4C_KILL_AT"  # tests: SIGKILL this process at the Nth write step (1-based)
_steps = 0


def step() -> None:
    """One write step of the store: where the crash-safety test kills the process."""
    global _steps  # noqa: PLW0603 - a per-process counter, read by the test hook only
    _steps += 1
    if os.environ.get(_KILL_AT) == str(_steps):
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def db_path(folder: Path) -> Path:
    """The store's database in a processed folder (`Project.processed_dir`)."""
    return folder / DB_FILE


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- the connection --------------------------------------------------------------------------------


def _damaged(path: Path, exc: sqlite3.DatabaseError) -> P4CError:
    return P4CError(
        f"the store {path} is damaged ({exc}); nothing was changed",
        hint="Run `p4c rebuild` to rebuild it from data/raw/ and the history/ exports "
        "(the damaged file is kept beside it).",
    )


def _os_error(path: Path, exc: OSError | sqlite3.OperationalError) -> P4CError:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return P4CError(
            f"cannot write to {path.parent}: the folder or {path.name} is read-only",
            hint="Give yourself write permission on data/processed/, or pass "
            "--project to a folder you may write.",
        )
    if ("disk" in text and "full" in text) or getattr(exc, "errno", None) == 28:
        return P4CError(
            f"the disk holding {path.parent} is full; nothing was changed",
            hint="Free some space and run the command again.",
        )
    if "locked" in text or "busy" in text:
        return P4CError(
            f"another p4c command is writing {path.parent}; waited {LOCK_TIMEOUT_S:.0f} s",
            hint="Try again when it has finished.",
        )
    detail = getattr(exc, "strerror", None) or str(exc)
    return P4CError(
        f"cannot use the store {path}: {detail}",
        hint="Check that data/processed/ exists and that you may write it.",
    )


@contextlib.contextmanager
def _connect(folder: Path, *, write: bool) -> Iterator[sqlite3.Connection]:
    """A connection in one transaction: BEGIN IMMEDIATE (the write lock) or a read snapshot.

    Commits when the block ends normally, rolls back otherwise. SQLite errors become P4CErrors
    that say what to do.
    """
    path = db_path(folder)
    if not write and not path.is_file():
        _migrate_if_needed(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
    except OSError as exc:
        raise _os_error(path, exc) from None
    except sqlite3.OperationalError as exc:
        raise _os_error(path, exc) from None
    try:
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            if write:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    con.execute(statement)
                con.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            yield con
            if write:
                step()
            con.execute("COMMIT")
            if write:
                step()
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):
            raise _os_error(path, exc) from None
        raise _damaged(path, exc) from None
    except OSError as exc:
        raise _os_error(path, exc) from None
    finally:
        con.close()


def _has_tables(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE name = 'chunks'").fetchone() is not None


# --- writing ----------------------------------------------------------------------------------------


def _blob(frame: pd.DataFrame) -> bytes:
    import io

    buffer = io.BytesIO()
    frame.reset_index(drop=True).to_parquet(buffer, index=False)
    return buffer.getvalue()


def commit(
    folder: Path,
    submissions: Sequence[Submission],
    log: Sequence[LogLine],
    *,
    reason: str = "ingest",
    withdraw: Iterable[str] = (),
) -> None:
    """Replace each owner's chunks with its new ones and log every file, in one transaction.

    The replaced chunks stay in the store as history (`replaced_at` set); `withdraw` owners lose
    their current chunks the same way, with nothing new in their place.
    """
    moment = now_utc()
    stamp = moment.isoformat(timespec="microseconds")
    blobs = [
        (s.owner, s.source, kind, len(frame), _blob(frame))
        for s in submissions
        for kind, frame in s.frames.items()
    ]
    with _connect(folder, write=True) as con:
        step()
        _migrate(con, folder)
        for s in submissions:
            con.execute(
                "UPDATE chunks SET replaced_at = ?, replaced_by = ? "
                "WHERE owner = ? AND source = ? AND replaced_at IS NULL",
                (stamp, reason, s.owner, s.source),
            )
            step()
        for owner in withdraw:
            con.execute(
                "UPDATE chunks SET replaced_at = ?, replaced_by = ? WHERE owner = ? AND replaced_at IS NULL",
                (stamp, reason, owner),
            )
            step()
        con.executemany(
            "INSERT INTO chunks (kind, owner, source, rows, created_at, data) VALUES (?, ?, ?, ?, ?, ?)",
            [(kind, owner, source, rows, stamp, blob) for owner, source, kind, rows, blob in blobs],
        )
        step()
        time = moment.isoformat(timespec="seconds")
        con.executemany(
            "INSERT INTO submissions (time, partner, file, sha256, accepted, rejected, "
            "warnings, written, p4c_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    time,
                    line.partner,
                    line.file,
                    line.sha256,
                    line.accepted,
                    line.rejected,
                    line.warnings,
                    str(line.written).lower(),
                    __version__,
                )
                for line in log
            ],
        )
    with _connect(folder, write=True) as con:  # the write lock: no newer commit can be exported over
        export(folder, con)


def owners(folder: Path, kind: str = PARTNERS) -> list[str]:
    """The owners (partner codes) holding current rows of a table."""
    with _connect(folder, write=False) as con:
        if not _has_tables(con):
            return []
        rows = con.execute(
            "SELECT DISTINCT owner FROM chunks WHERE kind = ? AND replaced_at IS NULL ORDER BY owner", (kind,)
        ).fetchall()
    return [r[0] for r in rows]


def withdraw(folder: Path, code: str) -> int:
    """Take a partner out of the processed data; its rows go to history. Returns its services."""
    with _connect(folder, write=False) as con:
        held = (
            _has_tables(con)
            and con.execute(
                "SELECT COALESCE(SUM(rows), 0) FROM chunks WHERE kind = ? AND owner = ? "
                "AND replaced_at IS NULL",
                (SERVICES, code),
            ).fetchone()[0]
        )
        present = (
            _has_tables(con)
            and con.execute(
                "SELECT 1 FROM chunks WHERE owner = ? AND replaced_at IS NULL", (code,)
            ).fetchone()
        )
    if not present:
        known = owners(folder)
        raise P4CError(
            f"partner {code} has no processed data to withdraw",
            hint=f"Partners in the store: {', '.join(known) or 'none'}.",
        )
    commit(folder, [], [], reason="withdraw", withdraw=[code])
    return int(held or 0)


# --- reading ----------------------------------------------------------------------------------------


def read_table(
    folder: Path, kind: str, columns: Sequence[str] | None = None, *, history: bool = False
) -> pd.DataFrame | None:
    """A table's current rows (every owner's chunk, by owner), or None when it has none.

    `columns`: only these (those a chunk holds); `history`: the replaced chunks instead, with
    `replaced_at` and `replaced_by` columns.
    """
    rows = _chunk_rows(folder, kind, history=history)
    if not rows:
        return None
    return _concat_blobs(rows, columns, history=history)


def _chunk_rows(folder: Path, kind: str, *, history: bool) -> list[tuple[bytes, str | None, str | None]]:
    """The (data, replaced_at, replaced_by) of a table's current chunks (or replaced ones), by owner."""
    with _connect(folder, write=False) as con:
        return (
            _chunks_of(con, kind, "data, replaced_at, replaced_by", history=history)
            if _has_tables(con)
            else []
        )


def _chunks_of(con: sqlite3.Connection, kind: str, columns: str, *, history: bool) -> list[Any]:
    """`columns` of a table's current chunks (or replaced ones), by owner."""
    where = "replaced_at IS NOT NULL" if history else "replaced_at IS NULL"
    rows: list[Any] = con.execute(
        f"SELECT {columns} FROM chunks WHERE kind = ? AND {where} ORDER BY owner, id", (kind,)
    ).fetchall()
    return rows


def _concat_blobs(
    rows: list[tuple[bytes, str | None, str | None]], columns: Sequence[str] | None, *, history: bool
) -> pd.DataFrame:
    frame: pd.DataFrame = _concat_arrow(rows, columns, history=history).to_pandas()
    return frame


def _concat_arrow(
    rows: list[tuple[bytes, str | None, str | None]], columns: Sequence[str] | None, *, history: bool
) -> pa.Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = []
    for data, replaced_at, replaced_by in rows:
        chunk = pq.ParquetFile(pa.BufferReader(data))  # its footer read once, no dataset machinery
        wanted = None
        if columns is not None:
            held = set(chunk.schema_arrow.names)
            wanted = [c for c in columns if c in held]
        table = chunk.read(columns=wanted)
        if history:
            table = table.append_column("replaced_at", pa.array([replaced_at] * len(table))).append_column(
                "replaced_by", pa.array([replaced_by] * len(table))
            )
        tables.append(table)
    return pa.concat_tables(tables, promote_options="default")


def read_stage_csv(path: Path, required: Sequence[str], *, text: Iterable[str], command: str) -> pd.DataFrame:
    """A CSV a stage wrote (`command` rewrites it): the `text` columns kept as text (`007`, `NA`),
    the formula guard (`'=`) of every text cell undone, the `required` columns checked."""
    import pandas as pd

    from p4c.io import FORMULA_PREFIXES, unguard

    try:
        data = path.read_bytes()
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding="utf-8-sig",
            keep_default_na=False,
            na_values=[""],
            dtype=dict.fromkeys(text, str),
        )
    except OSError as exc:
        raise P4CError(f"{path} cannot be read ({exc.strerror})", hint=f"Run `{command}` again.") from None
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        hint = f"Run `{command}` again to rewrite it."
        raise P4CError(f"{path} cannot be read ({exc})", hint=hint) from None
    lacking = [c for c in required if c not in frame.columns]
    if lacking:
        raise P4CError(
            f"{path} lacks the column(s) {', '.join(lacking)}",
            hint=f"It was written by another version of p4c; run `{command}` again.",
        )
    if not any(b"'" + prefix.encode() in data for prefix in FORMULA_PREFIXES):
        return frame  # no cell is guarded: the columns need not be looked at one by one
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or str(values.dtype) in ("str", "string"):
            cells = values.astype(object)
            quoted = cells.str[:1].eq("'")
            if quoted.any():
                frame[column] = cells.where(~quoted, cells[quoted].map(unguard))
    return frame


def submissions(folder: Path) -> pd.DataFrame:
    import pandas as pd

    with _connect(folder, write=False) as con:
        rows = (
            con.execute(f"SELECT {', '.join(SUBMISSION_COLUMNS)} FROM submissions ORDER BY id").fetchall()
            if _has_tables(con)
            else []
        )
    return pd.DataFrame(rows, columns=list(SUBMISSION_COLUMNS))


def empty_needs() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "partner": pd.Series(dtype=object),
            "category": pd.Series(dtype=object),
            "importance": pd.Series(dtype="float64"),
        }
    )


def load_processed(
    folder: Path, config: Config, columns: Sequence[str] | None = None, *, scored: bool = True
) -> Processed:
    """The processed data, or a P4CError that says to run `p4c ingest` first.

    `columns`: read only these services columns (those the store holds, and service_id), such as
    `rank.input_columns(config)`: a fraction of the time and memory on a million services.
    `scored`: the services' score columns made by `config.scoring` from the scoring workbooks
    (`p4c.scoring.apply`), with `raters`, `spread` and `flagged`; False gives the stored self scores.
    """
    wanted = None if columns is None else list(dict.fromkeys(["service_id", *columns]))
    services = read_table(folder, SERVICES, wanted)
    if services is None or services.empty or "service_id" not in services.columns:
        raise P4CError(
            f"no processed data in {folder}", hint="Run `p4c ingest data/raw/*` (or `p4c run`) first."
        )
    partners = read_table(folder, PARTNERS)
    if partners is None:  # every ingest writes both: only a store made by hand lacks them
        raise P4CError(
            f"the store in {folder} holds services but no partners",
            hint="Run `p4c rebuild` to make it again from data/raw/.",
        )
    needs = read_table(folder, NEEDS)
    if needs is None or "category" not in needs.columns:
        needs = empty_needs()
    for crit in config.score_criteria:  # a criterion added to the config after the ingest
        if crit.id not in services.columns and (columns is None or crit.id in columns):
            services[crit.id] = float("nan")
    partners, needs = partners.reset_index(drop=True), needs.reset_index(drop=True)
    if not scored:
        return Processed(services, partners, needs)
    from p4c.scoring.apply import rank_weights, score_services

    result = score_services(services, read_table(folder, SCORES), read_table(folder, WEIGHTS), config)
    return Processed(result.services, partners, needs, result.outcome, rank_weights(result.outcome, config))


def status(folder: Path) -> pd.DataFrame:
    """One row per ingested partner: organisation, services, source file, sha256, when."""
    import pandas as pd

    partners = read_table(folder, PARTNERS)
    if partners is None:
        return pd.DataFrame(columns=list(STATUS_COLUMNS))
    services = read_table(folder, SERVICES, ["partner"])
    counts = services["partner"].value_counts() if services is not None else pd.Series(dtype="int64")
    rejected = pd.Series(dtype="int64")
    rej = read_table(folder, REJECTED)
    if rej is not None and not rej.empty:
        rejected = rej.drop_duplicates(["partner", "source_sheet", "source_row"])["partner"].value_counts()
    out = partners.assign(
        services=partners["partner"].map(counts).fillna(0).astype(int),
        rejected=partners["partner"].map(rejected).fillna(0).astype(int),
        stale_scores=partners["partner"].map(_stale_counts(folder)).fillna(0).astype(int),
    )
    return out[list(STATUS_COLUMNS)].sort_values("partner").reset_index(drop=True)


def _stale_counts(folder: Path) -> pd.Series:
    """Per partner, how many stored peer scores are of its services that no longer exist."""
    import pandas as pd

    scores = read_table(folder, SCORES, SERVICE_KEY)
    if scores is None or scores.empty:
        return pd.Series(dtype="int64")
    services = read_table(folder, SERVICES, SERVICE_KEY)
    known = (
        pd.MultiIndex.from_frame(services.astype(str))
        if services is not None
        else pd.MultiIndex.from_tuples([], names=list(SERVICE_KEY))
    )
    stale = ~pd.MultiIndex.from_frame(scores.astype(str)).isin(known)
    return scores.loc[stale, "partner"].astype(str).value_counts()


# --- exports for analysts ---------------------------------------------------------------------------


def export(folder: Path, con: sqlite3.Connection) -> None:
    """Write the current tables as parquet, the log as CSV and history as parquet files.

    `con` holds the write lock. A table is written again only when its current chunks changed
    since its last export, or its file did (removed, edited): a scoring workbook then does not
    rewrite 100,000 services. What was exported is recorded in `meta`, in the same transaction.
    """
    from p4c.fastcsv import write_csv

    for kind, name in EXPORTS.items():
        target = folder / name
        ids = ",".join(str(chunk_id) for (chunk_id,) in _chunks_of(con, kind, "id", history=False))
        key = f"export:{kind}"
        known = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if known is not None and known[0] == f"{ids}|{_file_state(target)}":
            continue
        rows = _chunks_of(con, kind, "data, replaced_at, replaced_by", history=False)
        if len(rows) == 1:  # a chunk is a parquet file already
            _write_bytes(rows[0][0], target)
        elif rows:  # Arrow to parquet, with no trip through pandas
            _write_arrow(_concat_arrow(rows, None, history=False), target)
        elif target.exists():
            target.unlink()
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, f"{ids}|{_file_state(target)}"))
        step()
    write_csv(submissions(folder), folder / SUBMISSIONS_FILE)
    step()
    replaced = con.execute("SELECT id, kind, owner, replaced_at FROM chunks WHERE replaced_at IS NOT NULL")
    for chunk_id, kind, owner, replaced_at in replaced.fetchall():
        stamp = replaced_at.replace("-", "").replace(":", "").replace("+0000", "Z")
        target = folder / HISTORY_DIR / f"{stamp}_{owner}" / EXPORTS.get(kind, f"{kind}.parquet")
        if not target.exists():
            (data,) = con.execute("SELECT data FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
            _write_bytes(data, target)
            step()


def _file_state(path: Path) -> str:
    """A file's size and modification time ("-" when it is missing): what tells that it changed."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "-"
    return f"{info.st_size}:{info.st_mtime_ns}"


def _write_bytes(data: bytes, target: Path) -> None:
    from p4c.io import atomic_path

    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def _write_arrow(table: pa.Table, target: Path) -> None:
    import pyarrow.parquet as pq

    from p4c.io import atomic_path

    with atomic_path(target) as tmp:
        pq.write_table(table, tmp)


# --- migration from p4c 0.1's parquet files ------------------------------------------------------------


def _migrate_if_needed(folder: Path) -> None:
    if (folder / SERVICES_FILE).is_file():
        with _connect(folder, write=True) as con:
            _migrate(con, folder)


def set_aside(folder: Path) -> Path | None:
    """Move a damaged database (and its journal files) aside; the path it was moved to."""
    path = db_path(folder)
    if not path.exists():
        return None
    stamp = now_utc().strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.replace(target.with_name(target.name + suffix))
    return target


def restore_exports(folder: Path) -> list[str]:
    """Fill a new store from the exports (tables, log, history/); the files it had to skip."""
    skipped: list[str] = []
    with _connect(folder, write=True) as con:
        _migrate(con, folder, skipped=skipped)
    return skipped


def _migrate(con: sqlite3.Connection, folder: Path, skipped: list[str] | None = None) -> None:
    """Bring p4c 0.1's parquet files into the store, once, inside the caller's transaction."""
    if con.execute("SELECT 1 FROM meta WHERE key = 'migrated'").fetchone():
        return
    con.execute("INSERT INTO meta VALUES ('migrated', ?)", (now_utc().isoformat(),))
    if con.execute("SELECT 1 FROM chunks LIMIT 1").fetchone():
        return
    import pandas as pd

    stamp = now_utc().isoformat(timespec="microseconds")
    for kind, name in EXPORTS.items():
        path = folder / name
        if not path.is_file():
            continue
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # a damaged file: rebuild goes on without it, a migration stops
            if skipped is not None:
                skipped.append(name)
                continue
            raise P4CError(
                f"cannot migrate {path} into the store: {exc}",
                hint="Move the file away and run `p4c rebuild`.",
            ) from None
        if "partner" not in frame.columns:
            continue
        for owner, part in frame.groupby("partner", sort=True):
            con.execute(
                "INSERT INTO chunks (kind, owner, rows, created_at, data) VALUES (?, ?, ?, ?, ?)",
                (kind, str(owner), len(part), stamp, _blob(part)),
            )
    _migrate_history(con, folder)
    log = folder / SUBMISSIONS_FILE
    if log.is_file():
        lines = pd.read_csv(log, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if set(SUBMISSION_COLUMNS) <= set(lines.columns):
            con.executemany(
                f"INSERT INTO submissions ({', '.join(SUBMISSION_COLUMNS)}) VALUES "
                f"({', '.join('?' * len(SUBMISSION_COLUMNS))})",
                lines[list(SUBMISSION_COLUMNS)].itertuples(index=False, name=None),
            )


def _migrate_history(con: sqlite3.Connection, folder: Path) -> None:
    import pandas as pd

    history = folder / HISTORY_DIR
    if not history.is_dir():
        return
    kinds = {name: kind for kind, name in EXPORTS.items()}
    for entry in sorted(history.iterdir()):
        stamp, _, owner = entry.name.rpartition("_")
        if not entry.is_dir() or not stamp:
            continue
        for file in sorted(entry.iterdir()):
            kind = kinds.get(file.name)
            if kind is None:
                continue
            frame = pd.read_parquet(file)
            con.execute(
                "INSERT INTO chunks (kind, owner, rows, created_at, replaced_at, "
                "replaced_by, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kind, owner, len(frame), stamp, stamp, "ingest", _blob(frame)),
            )
