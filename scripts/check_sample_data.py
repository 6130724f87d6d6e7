"""Check the shipped sample partner files against the partner-workbook contract (v1), independently of
`p4c ingest`, and summarise which services are good-practice candidates under the default config.

Why a separate checker: the sample data must be right even while the real validator is being
written, and a second, small reading of the contract catches mistakes in either one. Column and key
aliases come from `p4c.models` and criterion labels and categories from config/criteria.yaml (the
contract as data); the value rules (numbers, scores, dates, enum words) are re-implemented here from
the spec text.

Usage: .venv/bin/python scripts/check_sample_data.py [RAW_DIR] [--config config/criteria.yaml]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from p4c.models import (  # noqa: E402  (src/ must be importable without installing)
    CODE_ALIASES,
    DOT_DECIMAL_COUNTRIES,
    ISO_3166_ALPHA2,
    NEEDS_COLUMNS,
    PARTNER_KEYS,
    PROVIDER_WORDS,
    SERVICE_COLUMNS,
    SHEET_NAMES,
    STATUS_WORDS,
    TITLE_MAX,
)

DEFAULT_RAW = ROOT / "data" / "raw"
DEFAULT_CONFIG = ROOT / "config" / "criteria.yaml"
REFERENCE_DATE = dt.date(2026, 11, 1)
HEADER_SCAN_ROWS = 20
MIN_HEADER_MATCHES = 3

# --- the contract's value rules ------------------------------------------------------------------


def norm(text: object) -> str:
    """Casefold, strip accents, drop (parenthesised) text, collapse non-alphanumerics (contract)."""
    folded = unicodedata.normalize("NFKD", str(text).casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("ß", "ss")
    plain = re.sub(r"\([^)]*\)", " ", plain)
    return re.sub(r"[^0-9a-z]+", " ", plain).strip()


def blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def number(value: object, country: str) -> float:
    """A number cell or text number, with the contract's decimal-mark rules."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("not a number")
    if not isinstance(value, str):
        return float(value)
    text = _SPACES.sub("", value.replace("€", "").replace("EUR", "").replace("\u2212", "-"))
    if not re.fullmatch(r"-?\d[\d.,]*", text):
        raise ValueError(f"not a number: {value!r}")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        group = "," if decimal == "." else "."
        whole, _, frac = text.rpartition(decimal)
        return float(ungroup(whole, group) + "." + frac)
    if dots + commas == 0:
        return float(text)
    mark = "." if dots else ","
    if dots + commas > 1:
        return float(ungroup(text, mark))
    whole, frac = text.split(mark)
    if len(frac) != 3:
        return float(whole + "." + frac)
    decimal_is_dot = country in DOT_DECIMAL_COUNTRIES
    return float(whole + "." + frac) if (mark == ".") == decimal_is_dot else float(whole + frac)


def ungroup(text: str, group: str) -> str:
    parts = text.split(group)
    if not 1 <= len(parts[0]) <= 3 or any(len(p) != 3 for p in parts[1:]):
        raise ValueError(f"bad thousands grouping: {text!r}")
    return "".join(parts)


def score(value: object, country: str, lo: float, hi: float, step: float) -> float:
    if isinstance(value, str) and "/" in value:
        num, den = value.split("/")
        if number(den, country) != hi:
            raise ValueError(f"fraction not out of {hi:g}: {value!r}")
        result = number(num, country)
    else:
        result = number(value, country)
    if not lo <= result <= hi or not math.isclose(round(result / step) * step, result):
        raise ValueError(f"score {value!r} not on the {lo:g}-{hi:g} scale in steps of {step:g}")
    return result


def date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        whole = int(value)
        if 1900 <= whole <= 2100:
            return dt.date(whole, 1, 1)
        if whole >= 10000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=whole)
    if isinstance(value, str):
        text = value.strip()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(\d{4})", text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 1, 1)
    raise ValueError(f"not a date in an accepted form: {value!r}")


def whole(value: object, country: str) -> int:
    result = number(value, country)
    if not result.is_integer() or result < 0:
        raise ValueError(f"not a whole number >= 0: {value!r}")
    return int(result)


# --- what a file holds once read -----------------------------------------------------------------


@dataclass
class Service:
    """One service row as the contract defines it, typed."""

    partner: str
    service_id: str
    title: str
    description: str | None
    category: str
    provider: str
    status: str
    start_date: dt.date | None
    annual_budget_eur: float | None
    staff_fte: float | None
    cis_served: int | None
    smes_reached: int | None
    evidence: str | None
    scores: dict[str, float | None]


@dataclass
class PartnerFile:
    """A partner's file: details, services and needs (category code -> importance)."""

    path: Path
    code: str
    organisation: str
    region: str
    cluster_initiatives: int
    contact: str | None
    services: list[Service] = field(default_factory=list)
    needs: dict[str, float] = field(default_factory=dict)


@dataclass
class Contract:
    """The parts of config/criteria.yaml that the checks need."""

    config: dict[str, Any]

    @property
    def scale(self) -> tuple[float, float, float]:
        s = self.config.get("scale", {})
        return float(s.get("min", 1)), float(s.get("max", 5)), float(s.get("step", 0.5))

    @property
    def score_ids(self) -> list[str]:
        return [c["id"] for c in self.config["criteria"] if c["source"] == "score"]

    def categories(self) -> dict[str, str]:
        out = {}
        for cat in self.config["categories"]:
            for word in (cat["code"], *cat["label"].values(), *cat.get("aliases", [])):
                out[norm(word)] = cat["code"]
        return out

    def service_headers(self) -> dict[str, str]:
        out = {norm(word): f.name for f in SERVICE_COLUMNS for word in (f.name, *f.aliases)}
        for crit in self.config["criteria"]:
            if crit["source"] == "score":
                for word in (crit["id"], f"score {crit['id']}", *crit["label"].values()):
                    out[norm(word)] = crit["id"]
        return out


def load_contract(config_path: Path) -> Contract:
    return Contract(yaml.safe_load(config_path.read_text(encoding="utf-8")))


def read_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's rows as python_calamine gives them (the reader `p4c ingest` uses); CSV by csv."""
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        first = text.splitlines()[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        return {"Services": [[c if c != "" else None for c in row] for row in rows]}
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def cell(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def find_sheet(sheets: dict[str, Any], canonical: str) -> str | None:
    wanted = {norm(n) for n in (canonical, *SHEET_NAMES[canonical])}
    return next((name for name in sheets if norm(name) in wanted), None)


def file_code(path: Path) -> str | None:
    m = re.match(r"([A-Za-z]{2})[ _.-]", path.name)
    if not m:
        return None
    code = m[1].upper()
    code = CODE_ALIASES.get(code, code)
    return code if code in ISO_3166_ALPHA2 else None


def check_file(path: Path, contract: Contract, errors: list[str]) -> PartnerFile | None:
    """Read one file and append every contract violation to `errors` (as `file: Sheet!A1 ...`)."""
    sheets = read_sheets(path)
    where = path.name
    partner_sheet = find_sheet(sheets, "Partner")
    services_sheet = find_sheet(sheets, "Services")
    if services_sheet is None:
        errors.append(f"{where}: no Services sheet among {list(sheets)}")
        return None
    if partner_sheet is not None:
        info = read_partner(sheets[partner_sheet], f"{where}: {partner_sheet}", errors)
    else:
        code = file_code(path)
        details = contract.config.get("partners", {}).get(code or "", None)
        if code is None or not details:
            errors.append(f"{where}: no Partner sheet and no config partners entry for its code")
            return None
        info = {"partner_code": code, **details}
    if not info:
        return None
    code = CODE_ALIASES.get(str(info["partner_code"]).upper(), str(info["partner_code"]).upper())
    if code not in ISO_3166_ALPHA2:
        errors.append(f"{where}: partner code {code} is not ISO 3166 alpha-2")
    partner = PartnerFile(
        path,
        code,
        str(info["organisation"]),
        str(info["region"]),
        int(info["cluster_initiatives"]),
        info.get("contact"),
    )
    if partner.cluster_initiatives < 1:
        errors.append(f"{where}: cluster_initiatives must be >= 1")
    read_services(sheets[services_sheet], services_sheet, partner, contract, errors)
    needs_sheet = find_sheet(sheets, "Needs")
    if needs_sheet is not None:
        read_needs(sheets[needs_sheet], needs_sheet, partner, contract, errors)
    return partner


def read_partner(rows: list[list[Any]], where: str, errors: list[str]) -> dict[str, Any]:
    keys = {norm(w): f for f in PARTNER_KEYS for w in (f.name, *f.aliases)}
    found: dict[str, Any] = {}
    for r, row in enumerate(rows):
        if not row or all(blank(v) for v in row):
            continue
        key = keys.get(norm(row[0]))
        if key is None:
            errors.append(f"{where}!{cell(r, 0)}: unknown key {row[0]!r}")
            continue
        value = row[1] if len(row) > 1 else None
        if key.type == "int":
            try:
                value = whole(value, "")
            except ValueError as exc:
                errors.append(f"{where}!{cell(r, 1)}: {exc}")
                continue
        found[key.name] = value.strip() if isinstance(value, str) else value
    for key in PARTNER_KEYS:
        if key.required and blank(found.get(key.name)):
            errors.append(f"{where}: required key {key.name} missing")
    return found if all(not blank(found.get(k.name)) for k in PARTNER_KEYS if k.required) else {}


def header_row(rows: list[list[Any]], known: dict[str, str]) -> int | None:
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if sum(1 for v in row if not blank(v) and norm(v) in known) >= MIN_HEADER_MATCHES:
            return r
    return None


def read_services(
    rows: list[list[Any]], sheet: str, partner: PartnerFile, contract: Contract, errors: list[str]
) -> None:
    where = f"{partner.path.name}: {sheet}"
    known = contract.service_headers()
    head = header_row(rows, known)
    if head is None:
        errors.append(f"{where}: no header row in the first {HEADER_SCAN_ROWS} rows")
        return
    columns: dict[str, int] = {}
    for c, value in enumerate(rows[head]):
        if blank(value):
            continue
        name = known.get(norm(value))
        if name is None:
            errors.append(f"{where}!{cell(head, c)}: unknown column {value!r} (a warning in ingest)")
        elif name in columns:
            errors.append(f"{where}!{cell(head, c)}: column {name} appears twice")
        else:
            columns[name] = c
    for f in SERVICE_COLUMNS:
        if f.required and f.name not in columns:
            errors.append(f"{where}: required column {f.name} missing")
    if errors and any(e.startswith(where) and "missing" in e for e in errors):
        return
    lo, hi, step = contract.scale
    categories = contract.categories()
    providers = {norm(w): p.value for p, words in PROVIDER_WORDS.items() for w in (p.value, *words)}
    statuses = {norm(w): s.value for s, words in STATUS_WORDS.items() for w in (s.value, *words)}
    seen_ids: set[str] = set()
    country = partner.code
    for r in range(head + 1, len(rows)):
        row = rows[r]
        if all(blank(v) for v in row):
            continue

        def get(name: str, row: list[Any] = row) -> Any:
            c = columns.get(name)
            return None if c is None or c >= len(row) or blank(row[c]) else row[c]

        def bad(name: str, message: str, r: int = r) -> None:
            errors.append(f"{where}!{cell(r, columns[name])} ({name}): {message}")

        for f in SERVICE_COLUMNS:
            if f.required and get(f.name) is None:
                bad(f.name, "required value is blank")
        sid = str(get("service_id") or "").strip()
        if sid in seen_ids:
            bad("service_id", f"duplicate service_id {sid}")
        seen_ids.add(sid)
        title = str(get("title") or "").strip()
        if not 1 <= len(title) <= TITLE_MAX:
            bad("title", f"title must be 1-{TITLE_MAX} characters, has {len(title)}")
        values: dict[str, Any] = {}
        for name, lookup in (("category", categories), ("provider", providers), ("status", statuses)):
            raw = get(name)
            values[name] = lookup.get(norm(raw)) if raw is not None else None
            if raw is not None and values[name] is None:
                bad(name, f"unknown {name} {raw!r}")
        parsers: dict[str, Any] = {
            "start_date": date,
            "annual_budget_eur": lambda v: number(v, country),
            "staff_fte": lambda v: number(v, country),
            "cis_served": lambda v: whole(v, country),
            "smes_reached": lambda v: whole(v, country),
        }
        for name, parse in parsers.items():
            raw = get(name)
            try:
                values[name] = None if raw is None else parse(raw)
            except ValueError as exc:
                bad(name, str(exc))
                values[name] = None
            if isinstance(values[name], float) and values[name] < 0:
                bad(name, "must be >= 0")
        if values["cis_served"] is not None and values["cis_served"] > partner.cluster_initiatives:
            bad("cis_served", f"{values['cis_served']} > cluster_initiatives {partner.cluster_initiatives}")
        scores: dict[str, float | None] = {}
        for crit in contract.score_ids:
            raw = get(crit)
            try:
                scores[crit] = None if raw is None else score(raw, country, lo, hi, step)
            except ValueError as exc:
                bad(crit, str(exc))
                scores[crit] = None
        text = {n: (str(get(n)).strip() if get(n) is not None else None) for n in ("description", "evidence")}
        partner.services.append(
            Service(
                partner.code,
                sid,
                title,
                text["description"],
                values["category"],
                values["provider"],
                values["status"],
                values["start_date"],
                values["annual_budget_eur"],
                values["staff_fte"],
                values["cis_served"],
                values["smes_reached"],
                text["evidence"],
                scores,
            )
        )


def read_needs(
    rows: list[list[Any]], sheet: str, partner: PartnerFile, contract: Contract, errors: list[str]
) -> None:
    where = f"{partner.path.name}: {sheet}"
    known = {norm(w): f.name for f in NEEDS_COLUMNS for w in (f.name, *f.aliases)}
    categories = contract.categories()
    head = next(
        (
            r
            for r, row in enumerate(rows[:HEADER_SCAN_ROWS])
            if {known.get(norm(v)) for v in row if not blank(v)} >= {"category", "importance"}
        ),
        None,
    )
    if head is None:
        errors.append(f"{where}: no header row with category and importance")
        return
    cols = {known[norm(v)]: c for c, v in enumerate(rows[head]) if not blank(v) and norm(v) in known}
    for r in range(head + 1, len(rows)):
        row = rows[r]
        if all(blank(v) for v in row):
            continue
        code = categories.get(norm(row[cols["category"]]))
        if code is None:
            errors.append(f"{where}!{cell(r, cols['category'])}: unknown category")
            continue
        try:
            value = number(row[cols["importance"]], partner.code)
        except ValueError as exc:
            errors.append(f"{where}!{cell(r, cols['importance'])}: {exc}")
            continue
        if not 1 <= value <= 5:
            errors.append(f"{where}!{cell(r, cols['importance'])}: importance outside 1-5")
        if code in partner.needs:
            errors.append(f"{where}!{cell(r, cols['category'])}: category {code} twice")
        partner.needs[code] = value
    missing = {c["code"] for c in contract.config["categories"]} - set(partner.needs)
    if missing:
        errors.append(f"{where}: no importance for {sorted(missing)} (sample data gives all)")


# --- ranking (ranking.md, wsm) and the good-practice rules ---------------------------------------


def months_running(start: dt.date, ref: dt.date) -> int:
    return (ref.year - start.year) * 12 + ref.month - start.month - (ref.day < start.day)


def wsm_scores(partners: list[PartnerFile], contract: Contract) -> dict[tuple[str, str], float]:
    """WSM score per (partner, service_id): scale/minmax normalization, weights rescaled if missing."""
    lo, hi, _ = contract.scale
    cis = {p.code: p.cluster_initiatives for p in partners}
    services = [s for p in partners for s in p.services]
    raw: dict[str, list[float | None]] = {}
    for crit in contract.config["criteria"]:
        values: list[float | None] = []
        for s in services:
            if crit["source"] == "score":
                v = s.scores.get(crit["id"])
                values.append(None if v is None else (v - lo) / (hi - lo))
            elif crit["source"] == "pertinence":
                values.append(None if s.cis_served is None else min(s.cis_served / cis[s.partner], 1))
            elif crit["source"] == "ratio":
                num = getattr(s, crit["numerator"])
                den = getattr(s, crit["denominator"])
                values.append(None if num is None or not den else num / den)
            else:
                values.append(getattr(s, crit["column"]))
        if (
            crit.get("normalization", "scale" if crit["source"] in ("score", "pertinence") else "minmax")
            == "minmax"
        ):
            present = [v for v in values if v is not None]
            low, high = (min(present), max(present)) if present else (0.0, 0.0)
            values = [
                None if v is None else (1.0 if high == low else (v - low) / (high - low)) for v in values
            ]
        if crit["direction"] == "cost":
            values = [None if v is None else 1 - v for v in values]
        raw[crit["id"]] = values
    weights = {c["id"]: float(c["weight"]) for c in contract.config["criteria"]}
    out = {}
    for i, s in enumerate(services):
        present = {cid: vals[i] for cid, vals in raw.items() if vals[i] is not None}
        total = sum(weights[c] for c in present)
        out[(s.partner, s.service_id)] = sum(weights[c] * v for c, v in present.items()) / total
    return out


def candidate_reasons(
    s: Service, partner: PartnerFile, wsm: float, contract: Contract, ref: dt.date = REFERENCE_DATE
) -> list[str]:
    """Every good-practice rule the service fails (empty: it is a candidate)."""
    gp = contract.config["good_practice"]
    reasons = []
    if s.status not in gp["statuses"]:
        reasons.append(f"status {s.status}")
    if s.start_date is None or months_running(s.start_date, ref) < gp["min_months_running"]:
        reasons.append("running < 12 months")
    if gp["require_evidence"] and not s.evidence:
        reasons.append("no evidence")
    if s.provider in gp["excluded_providers"]:
        reasons.append(f"provider {s.provider}")
    if wsm < gp["min_score"]:
        reasons.append(f"score {wsm:.3f} < {gp['min_score']}")
    for crit, minimum in gp["min_criteria"].items():
        value = s.scores.get(crit)
        if value is None or value < minimum:
            reasons.append(f"{crit} {value} < {minimum}")
    pert = None if s.cis_served is None else min(s.cis_served / partner.cluster_initiatives, 1)
    if pert is None or pert <= gp["min_pertinence"]:
        reasons.append(f"pertinence {pert if pert is None else round(pert, 3)} <= {gp['min_pertinence']}")
    return reasons


@dataclass
class Report:
    """What the checker found: partner files, errors, scores and candidates."""

    partners: list[PartnerFile]
    errors: list[str]
    scores: dict[tuple[str, str], float]
    candidates: list[Service]

    def summary(self) -> str:
        by_partner = Counter(s.partner for s in self.candidates)
        cats = Counter(s.category for s in self.candidates)
        total = sum(len(p.services) for p in self.partners)
        lines = [
            f"{len(self.partners)} partner files, {total} services, "
            f"{len(self.candidates)} good-practice candidates "
            f"(reference date {REFERENCE_DATE.isoformat()})"
        ]
        for p in self.partners:
            lines.append(
                f"  {p.code} {p.path.name:<18} services {len(p.services):>2}  "
                f"candidates {by_partner[p.code]:>2}  CIs {p.cluster_initiatives}"
            )
        lines.append(
            f"  categories among candidates ({len(cats)}): "
            + ", ".join(f"{c} {n}" for c, n in sorted(cats.items()))
        )
        lines.append(
            "  shortlist (15, <= 3 per partner, best score first): "
            + ", ".join(f"{s.partner}/{s.service_id}" for s in self.shortlist())
        )
        return "\n".join(lines)

    def shortlist(self, size: int = 15, per_partner: int = 3) -> list[Service]:
        """A greedy preview of the shortlist (the real one is `p4c shortlist`)."""
        ranked = sorted(
            self.candidates, key=lambda s: (-self.scores[(s.partner, s.service_id)], s.partner, s.service_id)
        )
        picked: list[Service] = []
        counts: Counter[str] = Counter()
        for s in ranked:
            if len(picked) < size and counts[s.partner] < per_partner:
                picked.append(s)
                counts[s.partner] += 1
        return picked

    def target_problems(self) -> list[str]:
        """Where the data misses the targets the sample data is designed for."""
        problems = []
        by_partner = Counter(s.partner for s in self.candidates)
        if not 35 <= len(self.candidates) <= 55:
            problems.append(f"{len(self.candidates)} candidates; aim is 35-55")
        for p in self.partners:
            if by_partner[p.code] < 3:
                problems.append(f"{p.code} has {by_partner[p.code]} candidates; needs >= 3")
            if not 18 <= len(p.services) <= 22:
                problems.append(f"{p.code} has {len(p.services)} services; aim is 18-22")
        if len({s.category for s in self.candidates}) < 8:
            problems.append("candidates cover fewer than 8 categories")
        short = self.shortlist()
        if len(short) < 15 or len({s.category for s in short}) < 5:
            problems.append("the shortlist preview has < 15 practices or < 5 categories")
        return problems


def check_dir(raw_dir: Path = DEFAULT_RAW, config_path: Path = DEFAULT_CONFIG) -> Report:
    """Check every partner file in `raw_dir`; see Report.errors and Report.target_problems()."""
    contract = load_contract(config_path)
    errors: list[str] = []
    partners = []
    codes: dict[str, Path] = {}
    for path in sorted(raw_dir.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in (".xlsx", ".ods", ".csv"):
            continue
        if any(kind in path.stem for kind in ("_field_tests", "_plan_", "_scoring")):  # sample_*.py scripts
            continue
        partner = check_file(path, contract, errors)
        if partner is None:
            continue
        if partner.code in codes:
            errors.append(f"{path.name}: partner {partner.code} also in {codes[partner.code].name}")
        codes[partner.code] = path
        partners.append(partner)
    scores = wsm_scores(partners, contract) if partners else {}
    by_code = {p.code: p for p in partners}
    candidates = [
        s
        for p in partners
        for s in p.services
        if not candidate_reasons(s, by_code[s.partner], scores[(s.partner, s.service_id)], contract)
    ]
    return Report(partners, errors, scores, candidates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", nargs="?", type=Path, default=DEFAULT_RAW)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="list every service with its score and the rules it fails",
    )
    args = parser.parse_args(argv)
    report = check_dir(args.raw_dir, args.config)
    if args.verbose:
        by_code = {p.code: p for p in report.partners}
        contract = load_contract(args.config)
        per_partner: dict[str, list[str]] = defaultdict(list)
        for p in report.partners:
            for s in p.services:
                wsm = report.scores[(s.partner, s.service_id)]
                why = candidate_reasons(s, by_code[s.partner], wsm, contract)
                per_partner[p.code].append(
                    f"  {s.service_id:<8} {s.category:<6} {wsm:.3f} "
                    f"{'CANDIDATE' if not why else '; '.join(why)}"
                )
        for code, lines in per_partner.items():
            print(code)
            print("\n".join(lines))
    print(report.summary())
    for problem in report.errors:
        print(f"ERROR {problem}")
    for problem in report.target_problems():
        print(f"TARGET {problem}")
    return 1 if report.errors or report.target_problems() else 0


if __name__ == "__main__":
    sys.exit(main())
