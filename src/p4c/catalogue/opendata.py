"""The open-data package: CSV files and a Frictionless Data Package descriptor (Table Schema).

Anyone can reuse the catalogue's data with standard tools (`frictionless validate`, pandas, R,
spreadsheets) without knowing p4c: every file is described, typed and keyed in `datapackage.json`.
Values are written exactly as they are (no spreadsheet-formula guard), because open data must
round-trip.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from p4c.catalogue.model import CatalogueData, truthy
from p4c.config import Config
from p4c.fastcsv import OPEN_DATA, write_csv
from p4c.models import SERVICE_COLUMNS, SERVICE_KEY

PACKAGE_FILE = "datapackage.json"
SERVICE_FIELDS = ("partner", *(f.name for f in SERVICE_COLUMNS))  # the contract's columns, in order
INTEGER_FIELDS = {*(f.name for f in SERVICE_COLUMNS if f.type == "int"), "cluster_initiatives", "rank"}
DESCRIPTIONS = {
    "partner": "Partner code (ISO 3166 alpha-2 country code) of the development agency",
    "service_id": "The partner's reference of the service",
    "title": "Title of the service",
    "category": "Category code of the service",
    "provider": "Who provides the service: DA, CI, JOINT or EXTERNAL",
    "status": "ONGOING, COMPLETED, PILOT or PLANNED",
    "annual_budget_eur": "Annual budget in euros",
    "staff_fte": "Staff in full-time equivalents",
    "cis_served": "Cluster initiatives served",
    "smes_reached": "SMEs reached per year",
    "evidence": "Measured results of the service",
    "rank": "Rank of the service among all services (1 = best; ties share a rank)",
    "score": "Weighted score, 0 to 1",
    "good_practice": "Meets the good-practice definition of the partnership",
    "shortlisted": "On the shortlist of good practices",
    "verdict": "Field-test verdict: TRANSFERABLE, PROMISING, NOT_TRANSFERABLE or NOT_TESTED",
    "cluster_initiatives": "Cluster initiatives linked to the agency",
    "rater": "Partner code of the partner who rated",
    "criterion": "Criterion id",
    "practice_partner": "Partner code of the practice's agency",
    "practice_id": "service_id of the practice",
    "mode": "IMPLEMENTATION or WORKSHOP",
    "adoption": "FULL, PARTIAL, INTEREST, PRINCIPLES or NONE",
    "satisfaction": "Participants' mean rating, 1 to 5",
}


def _blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


_KEY_FIELDS = ("partner", "service_id", "practice_partner", "practice_id", "rater", "criterion")


def _column(series: pd.Series, name: str) -> tuple[str, pd.Series]:
    """The column's Table Schema type and the values it is written from.

    Typed columns are decided from their dtype at once (100,000 services); text and mixed columns
    value by value, as `_field_type` reads them."""
    dtype = series.dtype
    series = series.reset_index(drop=True)
    if isinstance(dtype, pd.StringDtype) and (name in _KEY_FIELDS or series.notna().any()):
        return "string", series
    if name not in _KEY_FIELDS and series.notna().any():
        if pd.api.types.is_bool_dtype(dtype):
            return "boolean", series.astype("boolean")
        if pd.api.types.is_integer_dtype(dtype):
            return "integer", series.astype("Int64")
        if pd.api.types.is_float_dtype(dtype):
            present = series.dropna()
            if name in INTEGER_FIELDS and bool((present % 1 == 0).all()):
                return "integer", series.astype("Int64")
            return "number", series.astype("float64")
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "date", series.dt.strftime("%Y-%m-%d").astype("str")
    plain = _plain(series.to_frame(name))[name]
    kind = _field_type(plain, name)
    return kind, _typed(plain, kind)


def _field_type(series: pd.Series, name: str) -> str:
    values = [v for v in series.tolist() if not _blank(v)]
    if name in _KEY_FIELDS:
        return "string"
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, dt.date) for v in values):
        return "date"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        whole = all(float(v).is_integer() for v in values)
        return (
            "integer"
            if whole and (name in INTEGER_FIELDS or all(isinstance(v, int) for v in values))
            else "number"
        )
    if not values and name in INTEGER_FIELDS:
        return "integer"
    if not values and name == "start_date":
        return "date"
    return "string"


def _typed(values: pd.Series, kind: str) -> pd.Series:
    """A column as the dtype its Table Schema type is written from (blank -> missing)."""
    cells = values.tolist()
    if kind == "boolean":
        return pd.Series(pd.array([None if _blank(v) else bool(v) for v in cells], dtype="boolean"))
    if kind == "integer":
        return pd.Series(pd.array([None if _blank(v) else int(float(v)) for v in cells], dtype="Int64"))
    if kind == "number":
        return pd.Series([math.nan if _blank(v) else float(v) for v in cells], dtype="float64")
    if kind == "date":
        cells = [v.date() if isinstance(v, dt.datetime) else v for v in cells]
        cells = [v.isoformat() if isinstance(v, dt.date) else v for v in cells]
    return pd.Series(pd.array([None if _blank(v) else str(v) for v in cells], dtype="str"))


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Python values per cell (dates as dates, missing as None) so types are read from the values."""
    out = frame.astype(object).where(frame.notna(), None)
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column].dtype):
            out[column] = [None if _blank(v) else v.date() for v in frame[column]]
    return out


def _resource(
    frame: pd.DataFrame, name: str, folder: Path, titles: dict[str, str], primary: list[str] | None
) -> tuple[dict[str, Any], Path]:
    fields = []
    typed = {}
    for column in frame.columns:
        kind, typed[str(column)] = _column(frame[column], str(column))
        spec: dict[str, Any] = {"name": str(column), "type": kind}
        if kind == "date":
            spec["format"] = "default"
        if column in titles:
            spec["title"] = titles[str(column)]
        if column in DESCRIPTIONS:
            spec["description"] = DESCRIPTIONS[str(column)]
        if primary and column in primary:
            spec["constraints"] = {"required": True}
        fields.append(spec)
    path = folder / f"{name}.csv"
    write_csv(pd.DataFrame(typed), path, OPEN_DATA)
    schema: dict[str, Any] = {"fields": fields}
    if primary:
        schema["primaryKey"] = primary
    resource = {
        "name": name,
        "path": path.name,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }
    return resource, path


def _keyed_resource(  # noqa: PLR0917 - the table, and where and how to write it
    frame: pd.DataFrame, name: str, columns: list[str], key: list[str], folder: Path, titles: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, Any], Path]:
    """`columns` of `frame` as resource `name`, the `key` columns as text and its primary key
    when they identify every row; returns the table written, the resource and its file."""
    table = frame[columns].copy()
    for c in key:
        table[c] = table[c].astype(str)
    res, path = _resource(table, name, folder, titles, _unique_key(table, key))
    return table, res, path


def _unique_key(frame: pd.DataFrame, key: list[str]) -> list[str] | None:
    """`key` when it identifies every row (no blanks, no repeats), else None: no false promise."""
    if frame.empty or any(c not in frame.columns for c in key):
        return None
    part = frame[key]
    if part.isna().any().any() or part.astype(str).duplicated().any():
        return None
    return key


def _refs_ok(frame: pd.DataFrame, fields: list[str], target: pd.DataFrame, target_fields: list[str]) -> bool:
    """Every value of `fields` exists in `target` (a foreign key that frictionless will accept)."""
    if any(c not in frame.columns for c in fields):
        return False
    have = set(target[target_fields].astype(str).itertuples(index=False, name=None))
    want = frame[fields].dropna().astype(str).itertuples(index=False, name=None)
    return all(tuple(w) in have for w in want)


def services_table(data: CatalogueData, config: Config) -> pd.DataFrame:
    """One row per service: its columns, scores, rank, score, good-practice flags and verdict."""
    services = data.services
    score_ids = [c.id for c in config.score_criteria if c.id in services.columns]
    columns = [c for c in SERVICE_FIELDS if c in services.columns] + score_ids
    out = services[columns].copy()
    out["partner"] = out["partner"].astype(str)
    out["service_id"] = out["service_id"].astype(str)
    keys = list(SERVICE_KEY)

    def keyed(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
        part = frame[[*keys, *cols]].copy()
        part["partner"] = part["partner"].astype(str)
        part["service_id"] = part["service_id"].astype(str)
        return part.drop_duplicates(keys)

    ranking = keyed(data.ranking, ["rank", "score"])
    ranking["rank"] = pd.to_numeric(ranking["rank"], errors="coerce").astype("Int64")
    out = out.merge(ranking, on=keys, how="left")
    cand = keyed(data.candidates, ["eligible", "shortlisted"]).rename(columns={"eligible": "good_practice"})
    cand["good_practice"] = cand["good_practice"].map(truthy).astype(object)
    cand["shortlisted"] = cand["shortlisted"].map(truthy).astype(object)
    out = out.merge(cand, on=keys, how="left")
    listed = set(data.shortlist[list(SERVICE_KEY)].astype(str).itertuples(index=False, name=None))
    out["shortlisted"] = [
        True if (p, s) in listed else (None if _blank(v) else bool(v))
        for p, s, v in zip(out["partner"], out["service_id"], out["shortlisted"], strict=True)
    ]
    if data.evaluation is not None:
        ev = data.evaluation.rename(columns={"practice_partner": "partner", "practice_id": "service_id"})
        ev = keyed(ev, ["verdict"])
        out = out.merge(ev, on=keys, how="left")
    return out


def write_datapackage(data: CatalogueData, config: Config, folder: Path) -> list[Path]:
    """Write the CSV resources and `datapackage.json` into `folder`; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    titles = {c.id: c.text("en") for c in config.criteria}
    services = services_table(data, config)
    partners = data.partners[
        [
            c
            for c in ("partner", "organisation", "region", "cluster_initiatives", "contact")
            if c in data.partners.columns
        ]
    ].copy()
    partners["partner"] = partners["partner"].astype(str)
    resources: list[dict[str, Any]] = []
    written: list[Path] = []

    partner_key = _unique_key(partners, ["partner"])
    res, path = _resource(services, "services", folder, titles, list(SERVICE_KEY))
    if partner_key and _refs_ok(services, ["partner"], partners, ["partner"]):
        res["schema"]["foreignKeys"] = [
            {"fields": ["partner"], "reference": {"resource": "partners", "fields": ["partner"]}}
        ]
    resources.append(res)
    written.append(path)
    res, path = _resource(partners, "partners", folder, titles, partner_key)
    resources.append(res)
    written.append(path)

    service_ref = {"resource": "services", "fields": list(SERVICE_KEY)}
    if data.scores is not None:
        key = ["rater", "partner", "service_id", "criterion"]
        scores, res, path = _keyed_resource(data.scores, "scores", [*key, "score"], key, folder, titles)
        if _refs_ok(scores, list(SERVICE_KEY), services, list(SERVICE_KEY)):
            res["schema"]["foreignKeys"] = [{"fields": list(SERVICE_KEY), "reference": service_ref}]
        resources.append(res)
        written.append(path)
    if data.field_tests is not None:
        key = ["partner", "practice_partner", "practice_id"]
        columns = [*key, "mode", "status", "adoption", "satisfaction"]
        tests, res, path = _keyed_resource(data.field_tests, "field_tests", columns, key, folder, titles)
        keys = []
        if _refs_ok(tests, ["practice_partner", "practice_id"], services, list(SERVICE_KEY)):
            keys.append({"fields": ["practice_partner", "practice_id"], "reference": service_ref})
        if partner_key and _refs_ok(tests, ["partner"], partners, ["partner"]):
            keys.append({"fields": ["partner"], "reference": {"resource": "partners", "fields": ["partner"]}})
        if keys:
            res["schema"]["foreignKeys"] = keys
        resources.append(res)
        written.append(path)

    descriptor = {
        "profile": "tabular-data-package",
        "name": "p4c-service-catalogue",
        "title": "Services of development agencies for cluster initiatives",
        "description": "Every service of the partnership with its scores, rank, good-practice status and "
        "field tests, as published in the p4c catalogue.",
        "resources": resources,
    }
    target = folder / PACKAGE_FILE
    target.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written.append(target)
    return written
