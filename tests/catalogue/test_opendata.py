"""The open-data package: valid for frictionless, typed, keyed, and the values round-trip exactly."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
import pandas as pd

from p4c.catalogue import write_datapackage
from tests.catalogue.data import HOSTILE, config, make_data


def test_the_package_validates_with_every_table(tmp_path: Path) -> None:
    files = write_datapackage(make_data(20, hostile=True), config(), tmp_path)
    assert sorted(f.name for f in files) == [
        "datapackage.json",
        "field_tests.csv",
        "partners.csv",
        "scores.csv",
        "services.csv",
    ]
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["type", "message"])
    assert report.stats["errors"] == 0


def test_the_package_validates_without_optional_tables(tmp_path: Path) -> None:
    files = write_datapackage(make_data(3, optional=False), config(), tmp_path)
    assert sorted(f.name for f in files) == ["datapackage.json", "partners.csv", "services.csv"]
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["type", "message"])


def test_descriptor_types_and_keys(tmp_path: Path) -> None:
    write_datapackage(make_data(5), config(), tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in package["resources"]}
    assert all(r["encoding"] == "utf-8" and r["format"] == "csv" for r in res.values())
    services = res["services"]["schema"]
    types = {f["name"]: f["type"] for f in services["fields"]}
    assert types["start_date"] == "date" and types["cis_served"] == "integer" and types["rank"] == "integer"
    assert types["annual_budget_eur"] == "number" and types["relevance"] == "number"
    assert types["good_practice"] == "boolean" and types["shortlisted"] == "boolean"
    assert types["service_id"] == "string" and types["verdict"] == "string"
    assert services["primaryKey"] == ["partner", "service_id"]
    assert services["foreignKeys"] == [
        {"fields": ["partner"], "reference": {"resource": "partners", "fields": ["partner"]}}
    ]
    assert res["partners"]["schema"]["primaryKey"] == ["partner"]
    tests = res["field_tests"]["schema"]
    assert tests["primaryKey"] == ["partner", "practice_partner", "practice_id"]
    assert {
        "fields": ["practice_partner", "practice_id"],
        "reference": {"resource": "services", "fields": ["partner", "service_id"]},
    } in tests["foreignKeys"]
    assert res["scores"]["schema"]["primaryKey"] == ["rater", "partner", "service_id", "criterion"]


def test_values_round_trip(tmp_path: Path) -> None:
    data = make_data(20, hostile=True)
    write_datapackage(data, config(), tmp_path)
    schema = json.loads((tmp_path / "datapackage.json").read_text())["resources"][0]["schema"]
    schema.pop("foreignKeys")  # checked by the package validation; a lone resource cannot resolve them
    back = frictionless.Resource(
        str(tmp_path / "services.csv"), schema=frictionless.Schema.from_descriptor(schema)
    ).to_pandas()
    back = back.reset_index()  # frictionless indexes by the primary key
    merged = data.services.merge(back, on=["partner", "service_id"], suffixes=("", "_csv"))
    assert len(merged) == len(data.services) == 140
    for column in ("title", "description", "evidence", "category", "status"):
        left = merged[column].fillna("").astype(str).tolist()
        right = merged[f"{column}_csv"].fillna("").astype(str).tolist()
        assert left == right, column
    assert set(HOSTILE) <= set(merged["title_csv"])
    assert (merged["annual_budget_eur"] == merged["annual_budget_eur_csv"].astype(float)).all()
    assert [str(d) for d in merged["start_date"]] == [str(d)[:10] for d in merged["start_date_csv"]]
    ranked = data.ranking.set_index(["partner", "service_id"])["rank"]
    got = back.set_index(["partner", "service_id"])["rank"]
    assert all(int(got[k]) == int(v) for k, v in ranked.items())
    assert got.isna().sum() == 1  # the unranked service


def test_unknown_references_drop_the_foreign_key_not_the_rows(tmp_path: Path) -> None:
    data = make_data(3)
    odd = pd.concat(
        [
            data.field_tests,
            pd.DataFrame(
                [
                    {
                        "partner": "EE",
                        "practice_partner": "XX",
                        "practice_id": "nope",
                        "mode": "WORKSHOP",
                        "status": "PLANNED",
                        "adoption": None,
                        "satisfaction": None,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    data = type(data)(
        data.services,
        data.partners,
        data.ranking,
        data.candidates,
        data.shortlist,
        data.evaluation,
        odd,
        data.plans,
        data.scores,
    )
    write_datapackage(data, config(), tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    tests = next(r for r in package["resources"] if r["name"] == "field_tests")
    assert tests["schema"]["foreignKeys"] == [
        {"fields": ["partner"], "reference": {"resource": "partners", "fields": ["partner"]}}
    ]
    assert len(pd.read_csv(tmp_path / "field_tests.csv")) == len(odd)
    assert frictionless.validate(tmp_path / "datapackage.json").valid
