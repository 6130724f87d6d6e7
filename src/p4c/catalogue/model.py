"""The catalogue's input tables and one assembled record per service.

The pipeline's outputs are separate tables keyed by (partner, service_id); the pages need them
joined per service. Joining once, with plain dicts, keeps generation linear at 100,000 services.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from p4c.errors import P4CError
from p4c.models import SERVICE_KEY
from p4c.values import finite_number as number

SERVICE_REQUIRED = ("partner", "service_id", "title", "category", "provider", "status")
SERVICE_OPTIONAL = (
    "description",
    "evidence",
    "start_date",
    "annual_budget_eur",
    "staff_fte",
    "cis_served",
    "smes_reached",
)
REQUIRED: dict[str, tuple[str, ...]] = {
    "services": SERVICE_REQUIRED,
    "partners": ("partner", "organisation", "region", "cluster_initiatives", "contact"),
    "ranking": ("rank", "partner", "service_id", "score"),
    "candidates": ("partner", "service_id", "eligible", "shortlisted", "reasons"),
    "shortlist": SERVICE_KEY,
    "evaluation": ("practice_partner", "practice_id", "verdict", "reasons"),
    "field_tests": (
        "partner",
        "practice_partner",
        "practice_id",
        "mode",
        "status",
        "adoption",
        "satisfaction",
    ),
    "plans": ("partner", "practice_partner", "practice_id", "action", "status"),
    "scores": ("rater", "partner", "service_id", "criterion", "score"),
}


@dataclass(frozen=True, eq=False)
class CatalogueData:
    """What the catalogue shows: the processed tables of the pipeline (the last four optional)."""

    services: pd.DataFrame
    partners: pd.DataFrame
    ranking: pd.DataFrame
    candidates: pd.DataFrame
    shortlist: pd.DataFrame
    evaluation: pd.DataFrame | None = None
    field_tests: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None

    def check(self) -> None:
        """Every table has its columns and services are unique, else one P4CError naming them."""
        for name, needed in REQUIRED.items():
            frame = getattr(self, name)
            if frame is None:
                continue
            missing = [c for c in needed if c not in frame.columns]
            if missing:
                raise P4CError(
                    f"catalogue: the {name} table lacks the column(s) {', '.join(missing)}; "
                    f"it needs {', '.join(needed)}",
                    hint="Run `p4c run` again so every processed file is up to date.",
                )
        keys = self.services[list(SERVICE_KEY)].astype(str)
        dupes = keys[keys.duplicated()]
        if len(dupes):
            first = dupes.iloc[0]
            raise P4CError(
                f"catalogue: service {first['partner']} {first['service_id']} appears "
                f"{int((keys == first).all(axis=1).sum())} times in services; each "
                "(partner, service_id) must be unique"
            )


# --- values --------------------------------------------------------------------------------------


def blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def text(value: object) -> str:
    """A cell as display text ('' when blank)."""
    if type(value) is str:  # the common case first: pages call this millions of times at 100k
        return value if value and (not value[0].isspace() or value.strip()) else ""
    if blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def texts(values: list[Any]) -> list[str]:
    """`text()` of every cell of a column; a plain string (the usual cell) is taken as it is."""
    return [v if type(v) is str and v and not v[0].isspace() else text(v) for v in values]


def truthy(value: object) -> bool:
    """Booleans as CSV readers give them back: True, 'true', 'True', 1."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return not blank(value) and bool(value)


# --- search ----------------------------------------------------------------------------------------

_UNSPLIT = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "ı": "i", "ð": "d", "þ": "th", "ς": "σ"}
)
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=262144)
def norm_word(word: str) -> str:
    """One word as the browser compares it: casefolded, no accents or other marks.

    The page's script does the same (NFKD, lower case, marks removed, the same letter map), so a
    query typed with or without accents finds the same services.
    """
    if word.isascii():  # no accents, marks or special letters: lower case is the whole folding
        return " ".join(_WORD.findall(word.lower()))
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", word).casefold())
    stripped = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("M"))
    return " ".join(_WORD.findall(stripped.translate(_UNSPLIT)))


def search_text(*parts: str) -> str:
    """The distinct normalized words of `parts`, space separated: a word-substring index.

    Query words are matched as substrings of these words, so repeated words are dropped to keep the
    index small without changing any match.
    """
    found = [
        " ".join(map(norm_word, _WORD.findall(unicodedata.normalize("NFC", part)))) for part in parts if part
    ]  # map() over the cached norm_word keeps the loop in C: 100,000 services, ~50 words each
    return " ".join(dict.fromkeys(" ".join(found).split()))


def search_texts(*columns: list[str]) -> list[str]:
    """`search_text` of each service's texts (one list a column): an ASCII text has its words
    folded in one pass, since there folding a word is lowering its case."""
    out = []
    findall = _WORD.findall
    normalize = unicodedata.normalize
    for parts in zip(*columns, strict=True):
        found: list[str] = []
        for part in parts:
            if part.isascii():
                found += findall(part.lower())
            else:
                found += " ".join(map(norm_word, findall(normalize("NFC", part)))).split()
        out.append(" ".join(dict.fromkeys(found)))
    return out


@dataclass(frozen=True)
class WordIndex:
    """The search index, built once here so the browser never scans the services' text.

    `words` are the distinct normalized words, sorted; `postings[k]` is the encoded list of the
    services (by position) whose text has `words[k]`; `shards` are the first word of each posting
    file, so a query loads only the files of the words it matches.
    """

    words: list[str]
    postings: list[str]
    shards: list[int]


def _varint(values: Any) -> bytes:
    """Non-negative integers as LEB128 bytes (7 bits a byte, high bit = more), vectorised."""
    import numpy as np

    g = np.asarray(values, dtype=np.uint64)
    size = np.ones(len(g), dtype=np.int64)
    for k in range(1, 10):
        size += g >= (1 << (7 * k))
    start = np.cumsum(size) - size
    out = np.zeros(int(size.sum()), dtype=np.uint8)
    for k in range(int(size.max(initial=0))):
        mask = size > k
        byte = (g[mask] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (size[mask] > k + 1).astype(np.uint64) << np.uint64(7)
        out[start[mask] + k] = (byte | more).astype(np.uint8)
    return out.tobytes()


def encode_posting(positions: Any, total: int) -> str:
    """Sorted service positions as text: `b` + base64 bitmap (bit i of byte i//8, low bit first) or
    `d` + base64 LEB128 gaps (first gap from -1), whichever is shorter."""
    import numpy as np

    pos = np.asarray(positions, dtype=np.int64)
    gaps = np.diff(pos, prepend=-1)
    deltas = _varint(gaps)
    if len(deltas) <= (total + 7) // 8:
        return "d" + base64.b64encode(deltas).decode("ascii")
    bits = np.zeros(total, dtype=bool)
    bits[pos] = True
    return "b" + base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode("ascii")


def decode_posting(code: str, total: int) -> list[int]:
    """The positions of `encode_posting` (the page's script does the same; tests check both)."""
    raw = base64.b64decode(code[1:])
    if code[0] == "b":
        return [i for i in range(total) if raw[i >> 3] >> (i & 7) & 1]
    out, value, shift, last = [], 0, 0, -1
    for byte in raw:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            last += value
            out.append(last)
            value, shift = 0, 0
    return out


def word_index(texts: list[str], shard_bytes: int = 65536) -> WordIndex:
    """The inverted index of `texts` (each a `search_text`: distinct words, space separated)."""
    import numpy as np

    ids: dict[str, int] = {}
    flat_words: list[int] = []
    flat_services: list[int] = []
    for i, found in enumerate(texts):
        if not found:
            continue
        for w in found.split(" "):
            k = ids.get(w)
            if k is None:
                k = ids[w] = len(ids)
            flat_words.append(k)
            flat_services.append(i)
    words = sorted(ids)
    if not words:
        return WordIndex([], [], [])
    rank = np.empty(len(ids), dtype=np.int64)
    rank[[ids[w] for w in words]] = np.arange(len(words))
    word_of = rank[np.asarray(flat_words, dtype=np.int64)]
    order = np.argsort(word_of, kind="stable")  # services stay ascending within a word
    services = np.asarray(flat_services, dtype=np.int64)[order]
    ends = np.cumsum(np.bincount(word_of, minlength=len(words)))
    total = len(texts)
    postings: list[str] = []
    start = 0
    for end in ends.tolist():
        if end - start <= 32:  # most words are rare: plain Python is faster than numpy for them
            chunk = services[start:end].tolist()
            out = bytearray()
            last = -1
            for s in chunk:
                gap = s - last
                last = s
                while gap >= 0x80:
                    out.append((gap & 0x7F) | 0x80)
                    gap >>= 7
                out.append(gap)
            postings.append("d" + base64.b64encode(bytes(out)).decode("ascii"))
        else:
            postings.append(encode_posting(services[start:end], total))
        start = end
    shards = [0]
    size = 0
    for k, code in enumerate(postings):
        if size and size + len(code) > shard_bytes:
            shards.append(k)
            size = 0
        size += len(code) + 3
    return WordIndex(words, postings, shards)


# --- file names ------------------------------------------------------------------------------------

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")  # used with fullmatch: no trailing newline
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
_WINDOWS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def file_stems(ids: list[str]) -> list[str]:
    """A file-name stem for each id: the id itself when it is plain and unique ignoring case, else an
    ASCII slug plus a hash of the id, so any text (slashes, dots, accents, `..`) gives a safe name
    and two ids never share a file, even on case-insensitive disks."""
    lower_counts: dict[str, int] = {}
    for sid in ids:
        lower_counts[sid.lower()] = lower_counts.get(sid.lower(), 0) + 1
    stems = []
    for sid in ids:
        if (
            _SAFE.fullmatch(sid)
            and lower_counts[sid.lower()] == 1
            and sid.lower() not in _WINDOWS
            and not sid.lower().endswith("-h")
        ):
            stems.append(sid)
        else:
            slug = (
                _UNSAFE_CHARS.sub(
                    "-", unicodedata.normalize("NFKD", sid).encode("ascii", "ignore").decode()
                ).strip("-_")[:40]
                or "service"
            )
            digest = hashlib.sha256(sid.encode("utf-8")).hexdigest()[:12]
            stems.append(f"{slug}-{digest}-h")
    if len({s.lower() for s in stems}) != len(stems):  # pragma: no cover - a sha256 collision
        raise P4CError("catalogue: two service ids give the same file name")
    return stems


# --- one record per service ------------------------------------------------------------------------


@dataclass
class Entry:
    """Everything the catalogue shows about one service but its cells: `pos` and `rpos` are its rows
    in the services and ranking tables, whose columns the pages read a batch of services at a time."""

    partner: str
    service_id: str
    stem: str
    pos: int
    rpos: int = -1  # -1: not ranked
    rank: int | None = None
    score: float | None = None
    complete: bool = True
    eligible: bool | None = None
    shortlisted: bool = False
    reasons: str = ""
    verdict: str = ""
    verdict_reasons: str = ""
    tests: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Rows as dicts, for the small tables (tests, plans, ratings, partners)."""
    columns = table_columns(frame)
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def table_columns(frame: pd.DataFrame | None, names: tuple[str, ...] | None = None) -> dict[str, list[Any]]:
    """Every column (or those of `names` the table has) as a list of native Python values (missing
    ones stay NaN, NaT or NA: blank() knows them all); of two columns with the same name the later
    wins, as in a row dict."""
    if frame is None or frame.empty:
        return {}
    at = {name: k for k, name in enumerate(frame.columns) if names is None or name in names}
    return {name: frame.iloc[:, k].tolist() for name, k in at.items()}


def numbers(frame: pd.DataFrame, name: str) -> Any:
    """`number()` of every cell of a column as a float64 array, NaN where it gives None (a missing
    column: all NaN). Numeric columns are converted at once; any other column cell by cell."""
    import numpy as np

    where = [k for k, c in enumerate(frame.columns) if c == name]
    if not where:
        return np.full(len(frame), np.nan)
    column = frame.iloc[:, where[-1]]
    dtype = column.dtype
    if dtype.kind in "fiu":  # numpy or nullable numbers (not booleans, which number() refuses)
        out = column.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    else:
        out = np.array(
            [math.nan if (x := number(v)) is None else x for v in column.tolist()], dtype="float64"
        )
    out[~np.isfinite(out)] = np.nan
    return out


def assemble(data: CatalogueData) -> list[Entry]:
    """One Entry per service, in ranking order (unranked services last, by partner and id)."""
    data.check()
    services = table_columns(data.services, SERVICE_KEY)
    partners = texts(services["partner"])
    ids = texts(services["service_id"])
    partner_ids: dict[str, list[str]] = {}
    for p, sid in zip(partners, ids, strict=True):
        partner_ids.setdefault(p, []).append(sid)
    stems = {p: dict(zip(sids, file_stems(sids), strict=True)) for p, sids in partner_ids.items()}
    entries: dict[tuple[str, str], Entry] = {}
    for pos, (p, sid) in enumerate(zip(partners, ids, strict=True)):
        entries[(p, sid)] = Entry(p, sid, stems[p][sid], pos)

    def keyed(columns: dict[str, list[Any]], partner: str, sid: str) -> list[Entry | None]:
        """The entry of each row of a table (None: a service not in the services table)."""
        if not columns:
            return []
        get = entries.get
        return list(map(get, zip(texts(columns[partner]), texts(columns[sid]), strict=True)))

    ranking = table_columns(data.ranking, ("partner", "service_id", "rank", "score", "complete"))
    if ranking:
        complete = ranking.get("complete") or [True] * len(ranking["rank"])
        for rpos, (entry, rank, score, done) in enumerate(
            zip(
                keyed(ranking, "partner", "service_id"),
                ranking["rank"],
                ranking["score"],
                complete,
                strict=True,
            )
        ):
            if entry is not None:
                value = number(rank)
                entry.rpos = rpos
                entry.rank = int(value) if value is not None else None
                entry.score = number(score)
                entry.complete = truthy(done)
    candidates = table_columns(
        data.candidates, ("partner", "service_id", "eligible", "shortlisted", "reasons")
    )
    if candidates:
        for entry, eligible, shortlisted, reasons in zip(
            keyed(candidates, "partner", "service_id"),
            candidates["eligible"],
            candidates["shortlisted"],
            candidates["reasons"],
            strict=True,
        ):
            if entry is not None:
                entry.eligible = truthy(eligible)
                entry.shortlisted = truthy(shortlisted)
                entry.reasons = text(reasons)
    for entry in keyed(table_columns(data.shortlist, SERVICE_KEY), *SERVICE_KEY):
        if entry is not None:
            entry.shortlisted = True
    for row in _records(data.evaluation):
        entry = entries.get((text(row["practice_partner"]), text(row["practice_id"])))
        if entry is not None:
            entry.verdict = text(row["verdict"]).strip().upper()
            entry.verdict_reasons = text(row["reasons"])
    for row in _records(data.field_tests):
        entry = entries.get((text(row["practice_partner"]), text(row["practice_id"])))
        if entry is not None:
            entry.tests.append(row)
    for row in _records(data.plans):
        entry = entries.get((text(row["practice_partner"]), text(row["practice_id"])))
        if entry is not None:
            entry.plans.append(row)
    for row in _records(data.scores):
        entry = entries.get((text(row["partner"]), text(row["service_id"])))
        if entry is not None:
            entry.ratings.append(row)

    def order(e: Entry) -> tuple[int, float, str, str]:
        return (0 if e.rank is not None else 1, e.rank if e.rank is not None else 0, e.partner, e.service_id)

    return sorted(entries.values(), key=order)


def partner_info(data: CatalogueData) -> dict[str, dict[str, Any]]:
    return {text(r["partner"]): r for r in _records(data.partners)}


_EMAIL = re.compile(
    r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def email(value: object) -> str | None:
    """The contact as an e-mail address when it looks like one (only then is it a mailto link)."""
    candidate = text(value).strip().removeprefix("mailto:")
    return candidate if _EMAIL.fullmatch(candidate) and len(candidate) <= 254 else None
