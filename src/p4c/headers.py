"""Human column headers of the Excel outputs in en/fr/de, and the machine ids behind them.

The CSV and Parquet outputs keep machine ids (`service_id`, `p_top`) as their headers: scripts read
them. An .xlsx output is read by people, so `p4c.io.write_xlsx` writes the headers below and keeps
the ids in its last sheet (`Columns`), which `read_xlsx_ids` uses to give a sheet its ids back.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from p4c.models import LANGUAGES as LANGS

if TYPE_CHECKING:
    import pandas as pd


# (en, fr, de) for every column id an Excel output of p4c writes.
COLUMN_LABELS: dict[str, tuple[str, str, str]] = {
    "rank": ("Rank", "Rang", "Rang"),
    "partner": ("Partner", "Partenaire", "Partner"),
    "service_id": ("Service ID", "Identifiant", "Kennung"),
    "title": ("Title", "Intitulé", "Titel"),
    "description": ("Description", "Description", "Beschreibung"),
    "category": ("Category", "Catégorie", "Kategorie"),
    "category_label": ("Category (label)", "Catégorie (libellé)", "Kategorie (Bezeichnung)"),
    "score": ("Score", "Score", "Punktzahl"),
    "complete": ("All criteria scored", "Tous critères notés", "Alle Kriterien bewertet"),
    "missing": ("Missing criteria", "Critères manquants", "Fehlende Kriterien"),
    "p_top": (
        "Share of draws in the top k",
        "Part des tirages dans le top k",
        "Anteil der Ziehungen unter den ersten k",
    ),
    "rank_p05": ("Rank, 5th percentile", "Rang, 5e centile", "Rang, 5. Perzentil"),
    "rank_p50": ("Rank, median", "Rang médian", "Rang, Median"),
    "rank_p95": ("Rank, 95th percentile", "Rang, 95e centile", "Rang, 95. Perzentil"),
    "group_rank": ("Rank in group", "Rang dans le groupe", "Rang in der Gruppe"),
    "criterion": ("Criterion", "Critère", "Kriterium"),
    "criterion_label": ("Criterion (label)", "Critère (libellé)", "Kriterium (Bezeichnung)"),
    "weight": ("Weight", "Poids", "Gewicht"),
    "lo": ("Lowest weight, same top k", "Poids minimal, même top k", "Kleinstes Gewicht, gleiche ersten k"),
    "hi": ("Highest weight, same top k", "Poids maximal, même top k", "Größtes Gewicht, gleiche ersten k"),
    "eligible": ("Good practice", "Bonne pratique", "Gute Praxis"),
    "shortlisted": ("Shortlisted", "Retenue", "In der Auswahl"),
    "reasons": ("Reasons", "Motifs", "Gründe"),
    "practice_partner": ("Practice of", "Pratique de", "Praxis von"),
    "practice_id": ("Practice ID", "Identifiant de la pratique", "Kennung der Praxis"),
    "mode": ("Mode", "Modalité", "Form"),
    "need": ("Need", "Besoin", "Bedarf"),
    "match": ("Match", "Adéquation", "Passung"),
    "note": ("Note", "Remarque", "Hinweis"),
    "kind": ("Kind", "Type", "Art"),
    "service": ("Service", "Service", "Leistung"),
    "organisation": ("Organisation", "Organisme", "Organisation"),
    "region": ("Region", "Région", "Region"),
    "contact": ("Contact", "Contact", "Kontakt"),
    "cluster_initiatives": ("Cluster initiatives", "Initiatives clusters", "Clusterinitiativen"),
    "best_rank": ("Best rank", "Meilleur rang", "Bester Rang"),
    "accepted": ("Services accepted", "Services acceptés", "Angenommene Leistungen"),
    "rejected": ("Services rejected", "Services rejetés", "Abgelehnte Leistungen"),
    "warnings": ("Warnings", "Avertissements", "Warnungen"),
    "sha256": (
        "File fingerprint (SHA-256)",
        "Empreinte du fichier (SHA-256)",
        "Prüfsumme der Datei (SHA-256)",
    ),
    "provider": ("Provider", "Prestataire", "Anbieter"),
    "status": ("Status", "Statut", "Status"),
    "start_date": ("Start date", "Date de début", "Startdatum"),
    "end_date": ("End date", "Date de fin", "Enddatum"),
    "annual_budget_eur": ("Annual budget (EUR)", "Budget annuel (€)", "Jahresbudget (EUR)"),
    "staff_fte": ("Staff (FTE)", "Personnel (ETP)", "Personal (VZÄ)"),
    "cis_served": ("CIs served", "Initiatives clusters servies", "Betreute Clusterinitiativen"),
    "smes_reached": ("SMEs per year", "PME touchées", "Erreichte KMU"),
    "evidence": ("Evidence of success", "Résultats", "Nachweis"),
    "planned": ("Planned", "Prévu", "Geplant"),
    "satisfaction": ("Satisfaction", "Satisfaction", "Zufriedenheit"),
    "success_rate": ("Success rate", "Taux de réussite", "Erfolgsquote"),
    "cost_eur": ("Cost (EUR)", "Coût (€)", "Kosten (EUR)"),
    "cost_per_sme": ("Cost per SME (EUR)", "Coût par PME (€)", "Kosten je KMU (EUR)"),
}

# (en, fr, de) sheet names of the Excel outputs.
SHEET_LABELS: dict[str, tuple[str, str, str]] = {
    "Ranking": ("Ranking", "Classement", "Rangliste"),
    "Weights": ("Weights", "Poids", "Gewichte"),
    "Weight stability": ("Weight stability", "Stabilité des poids", "Stabilität der Gewichte"),
    "Shortlist": ("Shortlist", "Sélection", "Auswahl"),
    "Field tests": ("Field tests", "Tests terrain", "Feldtests"),
    "Plan": ("Plan", "Plan", "Plan"),
    "Candidates": ("Candidates", "Candidats", "Kandidaten"),
    "Notes": ("Notes", "Remarques", "Hinweise"),
}

# The last sheet of every Excel output: which header of which sheet holds which machine id.
COLUMNS_SHEET: dict[str, tuple[str, tuple[str, str, str]]] = {
    "en": ("Columns", ("Sheet", "Header", "Machine id")),
    "fr": ("Colonnes", ("Feuille", "En-tête", "Identifiant machine")),
    "de": ("Spalten", ("Blatt", "Spaltenkopf", "Maschinenkennung")),
}


def sheet_label(name: str, lang: str = "en") -> str:
    """The name of an output sheet in `lang` (the English name when the table does not know it)."""
    labels = SHEET_LABELS.get(name)
    return name if labels is None else labels[LANGS.index(lang) if lang in LANGS else 0]


def humanise(column: str) -> str:
    """`cost_per_sme` -> "Cost per sme": a readable header for an id the table above does not know."""
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else column


def column_label(column: str, lang: str = "en", extra: Mapping[str, str] | None = None) -> str:
    """The header people read for `column`: `extra` first (e.g. criterion labels), then the table."""
    if extra and column in extra:
        return extra[column]
    labels = COLUMN_LABELS.get(column)
    if labels is None:
        return humanise(column)
    return labels[LANGS.index(lang) if lang in LANGS else 0]


def unique_headers(headers: list[str], ids: list[str]) -> list[str]:
    """Headers made unique within a sheet (the id is appended to a repeat), so the map is one-to-one."""
    seen: set[str] = set()
    out = []
    for header, column in zip(headers, ids, strict=True):
        text = header if header not in seen else f"{header} ({column})"
        seen.add(text)
        out.append(text)
    return out


def read_xlsx_ids(path: Path, sheet: str) -> pd.DataFrame:
    """A sheet of a p4c Excel output with its machine ids as column names (as the CSV has them)."""
    import pandas as pd

    frame = pd.read_excel(path, sheet_name=sheet, engine="openpyxl")
    mapping = pd.read_excel(
        path, sheet_name=-1, dtype=str, engine="openpyxl"
    )  # the Columns sheet is always the last
    own = mapping[mapping.iloc[:, 0] == sheet]
    return frame.rename(columns=dict(zip(own.iloc[:, 1], own.iloc[:, 2], strict=True)))
