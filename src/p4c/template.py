"""`p4c template`: a workbook a partner can fill in without reading a manual.

It follows the contract exactly (sheet names, keys and headers in the chosen language, one score
column per scored criterion of the project's config), so a filled-in template always ingests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.config import Config
from p4c.models import SERVICE_KEY, Language, Provider, Status
from p4c.values import fmt
from p4c.xlsxstyle import STYLES, add_formats, instructions_sheet, lists_sheet, print_setup

if TYPE_CHECKING:
    import pandas as pd

DATA_ROWS = 300  # rows prepared with dropdowns


@dataclass(frozen=True)
class Words:
    sheets: dict[str, str]
    keys: dict[str, str]
    columns: dict[str, str]
    providers: dict[Provider, str]
    statuses: dict[Status, str]
    needs: tuple[str, str]
    instructions: tuple[str, ...]
    score_help: str
    category_help: str
    instructions_sheet: str = "Instructions"
    # Input prompts of the cells (data validation messages), keyed by what they ask for.
    prompts: dict[str, str] = field(default_factory=dict)
    criterion_line: str = "• {label}: {text}"
    title: str = "p4c partner workbook"


WORDS: dict[str, Words] = {
    "en": Words(
        sheets={"Partner": "Partner", "Services": "Services", "Needs": "Needs"},
        keys={
            "partner_code": "Partner code",
            "organisation": "Organisation",
            "region": "Region",
            "cluster_initiatives": "Cluster initiatives",
            "contact": "Contact",
        },
        columns={
            "service_id": "Service ID",
            "title": "Title",
            "description": "Description",
            "category": "Category",
            "provider": "Provider",
            "status": "Status",
            "start_date": "Start date",
            "annual_budget_eur": "Annual budget (EUR)",
            "staff_fte": "Staff (FTE)",
            "cis_served": "CIs served",
            "smes_reached": "SMEs per year",
            "evidence": "Evidence of success",
        },
        providers={
            Provider.DA: "DA",
            Provider.CI: "CI",
            Provider.JOINT: "JOINT",
            Provider.EXTERNAL: "EXTERNAL",
        },
        statuses={
            Status.ONGOING: "ONGOING",
            Status.COMPLETED: "COMPLETED",
            Status.PILOT: "PILOT",
            Status.PLANNED: "PLANNED",
        },
        needs=("Category", "Importance"),
        instructions=(
            "How to fill in this workbook",
            "1. Partner sheet: fill in column B. Cluster initiatives = how many cluster "
            "initiatives (CIs) your agency works with in the region.",
            "2. Services sheet: one row per service your agency (DA) or its CIs provide to the "
            "CIs. Pick category, provider, status and scores from the dropdowns.",
            "3. Service ID: any short code, unique in this workbook (e.g. BE-01). Title: at most "
            "200 characters.",
            "4. Numbers: plain numbers (12500 or 12 500,50). No k€ or M: write the full amount. "
            "Dates: 07/03/2011, 2011-03-07 or a year alone (2011).",
            "5. Scores: {scale}; blank if you cannot say (the service is then ranked on the other "
            "criteria and flagged).",
            "6. Evidence of success: measured results (figures, surveys). A good practice needs it.",
            "7. Needs sheet: how much your region's CIs need each category, from 1 (not at all) "
            "to 5 (top priority). It decides which practices you will field-test.",
            "Do not rename the sheets or the column headers. Extra columns are ignored.",
            "Criteria:",
        ),
        score_help="Score {lo}-{hi}, half points allowed",
        category_help="Pick the category that fits the service best",
        instructions_sheet="Instructions",
        prompts={
            "cluster_initiatives": "Whole number >= 1",
            "partner_code": "ISO country code, e.g. BE, DE, MT",
            "amount": "A number >= 0",
            "count": "Whole number >= 0",
            "date": "A date (07/03/2011, 2011-03-07) or a year (2011)",
            "importance": "1 (not at all) to 5 (top priority)",
        },
        criterion_line="• {label}: {text}",
        title="p4c partner workbook",
    ),
    "fr": Words(
        sheets={"Partner": "Partenaire", "Services": "Prestations", "Needs": "Besoins"},
        keys={
            "partner_code": "Code partenaire",
            "organisation": "Organisme",
            "region": "Région",
            "cluster_initiatives": "Initiatives clusters",
            "contact": "E-mail",
        },
        columns={
            "service_id": "Identifiant",
            "title": "Intitulé du service",
            "description": "Description",
            "category": "Catégorie",
            "provider": "Prestataire",
            "status": "Statut",
            "start_date": "Date de début",
            "annual_budget_eur": "Budget annuel (€)",
            "staff_fte": "Personnel (ETP)",
            "cis_served": "Initiatives clusters servies",
            "smes_reached": "PME touchées",
            "evidence": "Résultats",
        },
        providers={
            Provider.DA: "agence",
            Provider.CI: "cluster",
            Provider.JOINT: "conjoint",
            Provider.EXTERNAL: "externe",
        },
        statuses={
            Status.ONGOING: "en cours",
            Status.COMPLETED: "terminé",
            Status.PILOT: "pilote",
            Status.PLANNED: "prévu",
        },
        needs=("Catégorie", "Importance"),
        instructions=(
            "Comment remplir ce classeur",
            "1. Feuille Partenaire : remplissez la colonne B. Initiatives clusters = nombre "
            "d'initiatives clusters suivies par votre agence dans la région.",
            "2. Feuille Prestations : une ligne par service rendu aux clusters par l'agence ou "
            "les clusters. Choisissez catégorie, prestataire, statut et notes dans les listes.",
            "3. Identifiant : un code court, unique dans ce classeur (p. ex. FR-01). Intitulé : 200 "
            "caractères au plus.",
            "4. Nombres : 12500 ou 12 500,50. Pas de k€ ni de M : le montant complet. Dates : "
            "07/03/2011, 2011-03-07 ou une année seule (2011).",
            "5. Notes : {scale} ; vide si vous ne savez pas (le service est alors classé sur les "
            "autres critères et signalé).",
            "6. Résultats : des résultats mesurés (chiffres, enquêtes). Une bonne pratique en a besoin.",
            "7. Feuille Besoins : importance de chaque catégorie pour les clusters de votre "
            "région, de 1 (aucune) à 5 (priorité). Elle décide des pratiques que vous testerez.",
            "Ne renommez ni les feuilles ni les en-têtes. Les colonnes en plus sont ignorées.",
            "Critères :",
        ),
        score_help="Note de {lo} à {hi}, demi-points permis",
        category_help="Choisissez la catégorie qui décrit le mieux le service",
        instructions_sheet="Instructions",
        prompts={
            "cluster_initiatives": "Nombre entier, au moins 1",
            "partner_code": "Code pays ISO, p. ex. BE, FR, MT",
            "amount": "Un nombre positif ou nul",
            "count": "Nombre entier positif ou nul",
            "date": "Une date (07/03/2011, 2011-03-07) ou une année (2011)",
            "importance": "De 1 (aucune) à 5 (priorité)",
        },
        criterion_line="• {label} : {text}",
        title="Classeur partenaire p4c",
    ),
    "de": Words(
        sheets={"Partner": "Partner", "Services": "Leistungen", "Needs": "Bedarf"},
        keys={
            "partner_code": "Partnerland",
            "organisation": "Organisation",
            "region": "Region",
            "cluster_initiatives": "Anzahl Clusterinitiativen",
            "contact": "Kontakt",
        },
        columns={
            "service_id": "Kennung",
            "title": "Titel",
            "description": "Beschreibung",
            "category": "Kategorie",
            "provider": "Anbieter",
            "status": "Status",
            "start_date": "Startdatum",
            "annual_budget_eur": "Jahresbudget (EUR)",
            "staff_fte": "Personal (VZÄ)",
            "cis_served": "Betreute Clusterinitiativen",
            "smes_reached": "Erreichte KMU",
            "evidence": "Nachweis",
        },
        providers={
            Provider.DA: "Agentur",
            Provider.CI: "Cluster",
            Provider.JOINT: "gemeinsam",
            Provider.EXTERNAL: "extern",
        },
        statuses={
            Status.ONGOING: "laufend",
            Status.COMPLETED: "abgeschlossen",
            Status.PILOT: "Pilot",
            Status.PLANNED: "geplant",
        },
        needs=("Kategorie", "Bedarf"),
        instructions=(
            "So füllen Sie diese Arbeitsmappe aus",
            "1. Blatt Partner: Spalte B ausfüllen. Anzahl Clusterinitiativen = Zahl der "
            "Clusterinitiativen, mit denen Ihre Agentur in der Region arbeitet.",
            "2. Blatt Leistungen: eine Zeile je Leistung der Agentur oder der Cluster für die "
            "Cluster. Kategorie, Anbieter, Status und Bewertungen aus den Listen wählen.",
            "3. Kennung: ein kurzer, in dieser Datei eindeutiger Code (z. B. DE-01). Titel: "
            "höchstens 200 Zeichen.",
            "4. Zahlen: 12500 oder 12.500,50. Kein Tsd. oder Mio.: den vollen Betrag. Datum: "
            "07.03.2011, 2011-03-07 oder nur das Jahr (2011).",
            "5. Bewertungen: {scale}; leer lassen, wenn unbekannt (die Leistung wird dann nach den "
            "übrigen Kriterien gereiht und markiert).",
            "6. Nachweis: gemessene Ergebnisse (Zahlen, Umfragen). Eine gute Praxis braucht ihn.",
            "7. Blatt Bedarf: wie sehr die Cluster Ihrer Region jede Kategorie brauchen, von 1 "
            "(gar nicht) bis 5 (höchste Priorität). Es bestimmt, welche Praktiken Sie testen.",
            "Blätter und Spaltenköpfe nicht umbenennen. Zusätzliche Spalten werden ignoriert.",
            "Kriterien:",
        ),
        score_help="Bewertung {lo}-{hi}, halbe Punkte erlaubt",
        category_help="Die Kategorie wählen, die am besten passt",
        instructions_sheet="Anleitung",
        prompts={
            "cluster_initiatives": "Ganze Zahl, mindestens 1",
            "partner_code": "ISO-Ländercode, z. B. BE, DE, MT",
            "amount": "Eine Zahl, mindestens 0",
            "count": "Ganze Zahl, mindestens 0",
            "date": "Ein Datum (07.03.2011, 2011-03-07) oder ein Jahr (2011)",
            "importance": "1 (gar nicht) bis 5 (höchste Priorität)",
        },
        criterion_line="• {label}: {text}",
        title="p4c-Arbeitsmappe für Partner",
    ),
}


def sheet_names(lang: Language = "en") -> list[str]:
    """The visible sheets of the partner template in `lang`, in order (for the CLI's message)."""
    words = WORDS[lang]
    return [words.instructions_sheet, *(words.sheets[k] for k in ("Partner", "Services", "Needs"))]


def score_values(config: Config) -> list[float]:
    scale = config.scale
    step = scale.step or 1.0
    count = round((scale.max - scale.min) / step)
    return [scale.min + i * step for i in range(count + 1)]


def template(config: Config, path: Path, *, lang: Language = "en", partner: str | None = None) -> Path:
    """Write the partner workbook to `path` (atomically) and return it."""
    import xlsxwriter

    from p4c.io import atomic_path

    words = WORDS[lang]
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False})
        fmt_ = _formats(book)
        lists = _lists_sheet(book, config, words, lang)
        _instructions(book, config, words, lang, fmt_)
        _partner_sheet(book, words, partner, fmt_)
        _services_sheet(book, config, words, lang=lang, lists=lists, f=fmt_)
        _needs_sheet(book, config, words, lang=lang, lists=lists, f=fmt_)
        book.set_properties({"title": words.title, "comments": f"language {lang}"})
        book.close()
    return path


def _formats(book: Any) -> dict[str, Any]:
    return add_formats(book, ("header", "key", "title", "wrap", "input", "date", "amount", "decimal", "int"))


def _lists_sheet(book: Any, config: Config, words: Words, lang: str) -> dict[str, str]:
    """A hidden sheet holding the dropdown values (inline lists are capped at 255 characters)."""
    columns: dict[str, list[Any]] = {
        "category": [c.text(lang) for c in config.categories],
        "provider": list(words.providers.values()),
        "status": list(words.statuses.values()),
        "score": score_values(config),
        "importance": [1, 2, 3, 4, 5],
    }
    return lists_sheet(book, columns)


def instruction_lines(config: Config, lang: Language = "en") -> list[str]:
    """Every line of the Instructions sheet in `lang`, title first (the criteria described last)."""
    words = WORDS[lang]
    scale_text = f"{fmt(config.scale.min)}-{fmt(config.scale.max)}"
    lines = [line.replace("{scale}", scale_text) for line in words.instructions]
    for crit in config.score_criteria:
        lines.append(words.criterion_line.format(label=crit.text(lang), text=crit.description_text(lang)))
    return lines


def _instructions(book: Any, config: Config, words: Words, lang: str, f: dict[str, Any]) -> None:
    title, *lines = instruction_lines(config, lang)  # type: ignore[arg-type]
    sheet, _ = instructions_sheet(book, words.instructions_sheet, title, lines, f, fit_rows=True)
    sheet.set_row(0, 24)
    print_setup(sheet, words.instructions_sheet, repeat_header=False)
    sheet.activate()


_PARTNER_CHECKS: dict[str, dict[str, Any]] = {
    "cluster_initiatives": {"validate": "integer", "criteria": ">=", "value": 1},
    "partner_code": {"validate": "length", "criteria": "==", "value": 2},
}


def _partner_sheet(book: Any, words: Words, partner: str | None, f: dict[str, Any]) -> None:
    sheet = book.add_worksheet(words.sheets["Partner"])
    print_setup(sheet, words.sheets["Partner"], repeat_header=False)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 45)
    for r, (key, label) in enumerate(words.keys.items()):
        sheet.write_string(r, 0, label, f["key"])
        if key == "partner_code" and partner:
            sheet.write_string(r, 1, partner.upper(), f["input"])
        else:
            sheet.write_blank(r, 1, None, f["input"])
        if key in _PARTNER_CHECKS:
            prompt = {"input_title": label[:32], "input_message": words.prompts[key]}
            sheet.data_validation(r, 1, r, 1, {**_PARTNER_CHECKS[key], **prompt})


def _services_sheet(
    book: Any, config: Config, words: Words, *, lang: str, lists: dict[str, str], f: dict[str, Any]
) -> None:
    from p4c.io import wrapped_lines

    sheet = book.add_worksheet(words.sheets["Services"])
    headers = list(words.columns.items()) + [(c.id, c.text(lang)) for c in config.score_criteria]
    widths = {
        "service_id": 12,
        "title": 36,
        "description": 44,
        "category": 34,
        "provider": 14,
        "status": 14,
        "start_date": 13,
        "annual_budget_eur": 16,
        "staff_fte": 11,
        "cis_served": 14,
        "smes_reached": 14,
        "evidence": 40,
    }
    # Typed cells show as what they are: a date as a date, an amount with its decimals.
    number_formats = {
        "start_date": f["date"],
        "annual_budget_eur": f["amount"],
        "staff_fte": f["decimal"],
        "cis_served": f["int"],
        "smes_reached": f["int"],
    }
    last = DATA_ROWS
    scale = config.scale
    header_lines = 1
    for c, (key, label) in enumerate(headers):
        sheet.write_string(0, c, label, f["header"])
        width = widths.get(key, 16)
        sheet.set_column(c, c, width, number_formats.get(key))
        header_lines = max(header_lines, wrapped_lines(label, width))
        check: dict[str, Any] | None = None
        if key in ("category", "provider", "status"):
            choices: dict[str, dict[Any, str]] = {
                "provider": dict(words.providers),
                "status": dict(words.statuses),
            }
            message = " / ".join(choices[key].values()) if key in choices else words.category_help
            check = {"validate": "list", "source": lists[key]}
        elif key in ("annual_budget_eur", "staff_fte"):
            check = {"validate": "decimal", "criteria": ">=", "value": 0, "error_type": "warning"}
            message = words.prompts["amount"]
        elif key in ("cis_served", "smes_reached"):
            check = {"validate": "integer", "criteria": ">=", "value": 0, "error_type": "warning"}
            message = words.prompts["count"]
        elif key not in words.columns:  # a score criterion
            check = {"validate": "list", "source": lists["score"]}
            message = words.score_help.format(lo=fmt(scale.min), hi=fmt(scale.max))[:255]
        elif key == "start_date":
            check, message = {"validate": "any"}, words.prompts["date"]
        if check is not None:
            sheet.data_validation(
                1, c, last, c, {**check, "input_title": label[:32], "input_message": message}
            )
    sheet.set_row(0, max(45, 15 * header_lines + 3))
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, last, len(headers) - 1)
    print_setup(sheet, words.sheets["Services"])


def _items_sheet(
    book: Any,
    name: str,
    headers: tuple[str, str],
    rows: Sequence[tuple[str, float | None]],
    check: dict[str, Any],
    *,
    widths: tuple[int, int],
    f: dict[str, Any],
    protected: bool = False,
) -> Any:
    """A sheet of two headed columns, the Needs and the Weights: an item a row (a category, a
    criterion) and the number the partner gives it (blank until given), which `check` validates.
    On a `protected` sheet only those numbers can be changed."""
    item_format, value_format = (f["locked"], f["open"]) if protected else (None, f["input"])
    sheet = book.add_worksheet(name)
    for c, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.write_string(0, c, header, f["header"])
        sheet.set_column(c, c, width)
    for r, (item, value) in enumerate(rows, start=1):
        sheet.write_string(r, 0, item, item_format)
        if value is None:
            sheet.write_blank(r, 1, None, value_format)
        else:
            sheet.write_number(r, 1, value, value_format)
    sheet.data_validation(1, 1, len(rows), 1, {**check, "input_title": headers[1]})
    if protected:
        sheet.protect("", {"format_columns": True})
    return sheet


def _needs_sheet(
    book: Any, config: Config, words: Words, *, lang: str, lists: dict[str, str], f: dict[str, Any]
) -> None:
    rows = [(cat.text(lang), None) for cat in config.categories]
    check = {"validate": "list", "source": lists["importance"], "input_message": words.prompts["importance"]}
    sheet = _items_sheet(book, words.sheets["Needs"], words.needs, rows, check, widths=(50, 14), f=f)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, words.sheets["Needs"])


# --- the scoring workbook (spec: scoring.md) ---------------------------------------------------------


@dataclass(frozen=True)
class ScoringWords:
    """The fixed texts of a scoring workbook in one language (headers read back by ingest)."""

    sheets: dict[str, str]  # Instructions, Rater, Scores, Weights
    rater: str
    partner: str
    own: str  # header of the own-service mark
    own_mark: str
    comment: str
    weights: tuple[str, str]
    instructions: tuple[str, ...]


SCORING_WORDS: dict[str, ScoringWords] = {
    "en": ScoringWords(
        sheets={"Instructions": "Instructions", "Rater": "Rater", "Scores": "Scores", "Weights": "Weights"},
        rater="Rater",
        partner="Partner",
        own="Own service",
        own_mark="own",
        comment="Comment",
        weights=("Criterion", "Points"),
        instructions=(
            "How to fill in this scoring workbook",
            "1. Rater sheet: your partner code ({rater}). Do not change it.",
            "2. Scores sheet: one row per service of every partner, yours included (marked «own»: "
            "your scores of your own services are kept out of the peer scores).",
            "3. Score each criterion from the dropdown ({scale}, half points allowed). Leave a cell "
            "blank if you cannot judge: the service is then scored by the other partners.",
            "4. The grey columns describe the service and are locked: only the score and comment "
            "cells can be edited. Do not change the partner or the service ID.",
            "5. Weights sheet (optional): share out 100 points among the criteria, by how much each "
            "should count. Any non-negative points are accepted and rescaled.",
            "6. Send the whole workbook back; a new one replaces all of your earlier scores.",
            "Criteria:",
        ),
    ),
    "fr": ScoringWords(
        sheets={
            "Instructions": "Instructions",
            "Rater": "Évaluateur",
            "Scores": "Notes",
            "Weights": "Pondérations",
        },
        rater="Évaluateur",
        partner="Partenaire",
        own="Propre",
        own_mark="propre",
        comment="Commentaire",
        weights=("Critère", "Points"),
        instructions=(
            "Comment remplir ce classeur de notation",
            "1. Feuille Évaluateur : votre code partenaire ({rater}). Ne le changez pas.",
            "2. Feuille Notes : une ligne par service de chaque partenaire, les vôtres compris (marqués "
            "« propre » : vos notes de vos propres services restent hors des notes des pairs).",
            "3. Notez chaque critère dans la liste ({scale}, demi-points permis). Laissez vide si vous "
            "ne pouvez pas juger : le service est alors noté par les autres partenaires.",
            "4. Les colonnes grises décrivent le service et sont verrouillées : seules les notes et "
            "le commentaire se modifient. Ne changez ni le partenaire ni l'identifiant.",
            "5. Feuille Pondérations (facultative) : répartissez 100 points entre les critères selon "
            "leur importance. Tout nombre positif ou nul est accepté et remis à l'échelle.",
            "6. Renvoyez tout le classeur ; un nouveau classeur remplace toutes vos notes précédentes.",
            "Critères :",
        ),
    ),
    "de": ScoringWords(
        sheets={
            "Instructions": "Anleitung",
            "Rater": "Bewerter",
            "Scores": "Bewertungen",
            "Weights": "Gewichtung",
        },
        rater="Bewerter",
        partner="Partnerland",
        own="Eigene",
        own_mark="eigene",
        comment="Kommentar",
        weights=("Kriterium", "Punkte"),
        instructions=(
            "So füllen Sie diese Bewertungsmappe aus",
            "1. Blatt Bewerter: Ihr Partnercode ({rater}). Bitte nicht ändern.",
            "2. Blatt Bewertungen: eine Zeile je Leistung jedes Partners, Ihre eigenen eingeschlossen "
            "(markiert „eigene“: Ihre Bewertungen eigener Leistungen zählen nicht zu denen der Partner).",
            "3. Jedes Kriterium aus der Liste bewerten ({scale}, halbe Punkte erlaubt). Leer lassen, "
            "wenn Sie es nicht beurteilen können: dann bewerten die anderen Partner.",
            "4. Die grauen Spalten beschreiben die Leistung und sind gesperrt: nur Bewertungen und "
            "Kommentar sind änderbar. Partner und Kennung nicht ändern.",
            "5. Blatt Gewichtung (freiwillig): 100 Punkte auf die Kriterien verteilen, je nachdem, wie "
            "viel jedes zählen soll. Jede nicht negative Zahl wird angenommen und umgerechnet.",
            "6. Die ganze Mappe zurücksenden; eine neue ersetzt alle früheren Bewertungen.",
            "Kriterien:",
        ),
    ),
}

# The informative columns of the Scores sheet, after partner and service_id (spec: scoring.md).
SCORING_INFO = (
    "title",
    "description",
    "category",
    "provider",
    "status",
    "evidence",
    "annual_budget_eur",
    "smes_reached",
)
Filled = Mapping[tuple[str, str], Mapping[str, float | None]]


def scoring_template(
    config: Config,
    services: pd.DataFrame,
    path: Path,
    *,
    partner: str,
    lang: Language = "en",
    scores: Filled | None = None,
    weights: Mapping[str, float] | None = None,
    created: dt.datetime | None = None,
) -> Path:
    """Write `partner`'s scoring workbook for `services` (one row each, sorted by partner and id).

    `services` holds partner, service_id and the SCORING_INFO columns it has (the store's
    services). `scores` and `weights` prefill the cells (sample data); `created` fixes the document
    date so that a rerun gives the same bytes.
    """
    import xlsxwriter

    from p4c.io import atomic_path

    words, base = SCORING_WORDS[lang], WORDS[lang]
    rows = services.assign(
        partner=services["partner"].astype(str), service_id=services["service_id"].astype(str)
    ).sort_values(list(SERVICE_KEY), kind="stable")
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
        )
        f = _formats(book)
        f |= add_formats(
            book,
            ("locked", "own", "open"),
            locked={"bg_color": "#EDEDED", "valign": "top", "locked": True},
            own={"bg_color": "#D9E1F2", "bold": True, "valign": "top", "locked": True},
            open={**STYLES["input"], "locked": False},
        )
        lists = _lists_sheet(book, config, base, lang)
        _scoring_instructions(book, config, words, lang=lang, partner=partner, f=f)
        rater = book.add_worksheet(words.sheets["Rater"])
        rater.set_column(0, 0, 20)
        rater.write_string(0, 0, words.rater, f["key"])
        rater.write_string(0, 1, partner, f["key"])
        rater.protect("", {"select_locked_cells": True})
        _scores_sheet(book, config, rows, words, lang=lang, partner=partner, lists=lists, f=f, filled=scores)
        _weights_sheet(book, config, words, lang=lang, f=f, filled=weights)
        properties: dict[str, Any] = {"title": "p4c scoring workbook", "comments": f"rater {partner}, {lang}"}
        if created is not None:
            properties["created"] = created
        book.set_properties(properties)
        book.close()
    return path


def _scoring_instructions(
    book: Any, config: Config, words: ScoringWords, *, lang: str, partner: str, f: dict[str, Any]
) -> None:
    scale = f"{fmt(config.scale.min)}-{fmt(config.scale.max)}"
    lines = [line.format(rater=partner, scale=scale) for line in words.instructions[1:]]
    lines += [f"• {crit.text(lang)}: {crit.description}" for crit in config.score_criteria]
    sheet, _ = instructions_sheet(book, words.sheets["Instructions"], words.instructions[0], lines, f)
    sheet.activate()


def _scores_sheet(
    book: Any,
    config: Config,
    rows: pd.DataFrame,
    words: ScoringWords,
    *,
    lang: str,
    partner: str,
    lists: dict[str, str],
    f: dict[str, Any],
    filled: Filled | None,
) -> None:
    import pandas as pd

    sheet = book.add_worksheet(words.sheets["Scores"])
    base = WORDS[lang]
    info = [key for key in SCORING_INFO if key in rows.columns]
    labels = {c.code: c.text(lang) for c in config.categories}
    providers = {p.value: w for p, w in base.providers.items()}
    statuses = {s.value: w for s, w in base.statuses.items()}
    criteria = config.score_criteria
    headers = [words.own, words.partner, base.columns["service_id"], *(base.columns[k] for k in info)]
    first_score = len(headers)
    headers += [c.text(lang) for c in criteria] + [words.comment]
    widths = {"title": 40, "description": 50, "category": 30, "evidence": 40}
    for c, label in enumerate(headers):
        sheet.write_string(0, c, label, f["header"])
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 2, 12)
    for c, key in enumerate(info, start=3):
        sheet.set_column(c, c, widths.get(key, 14))
    sheet.set_column(first_score, first_score + len(criteria) - 1, 14, f["open"])
    sheet.set_column(first_score + len(criteria), first_score + len(criteria), 40, f["open"])
    columns = {key: rows[key].tolist() for key in ("partner", "service_id", *info)}
    for r in range(len(rows)):
        code, sid = columns["partner"][r], columns["service_id"][r]
        own = code == partner
        cell = f["own"] if own else f["locked"]
        sheet.write_string(r + 1, 0, words.own_mark if own else "", cell)
        sheet.write_string(r + 1, 1, code, cell)
        sheet.write_string(r + 1, 2, sid, cell)
        for c, key in enumerate(info, start=3):
            value = columns[key][r]
            if value is None or bool(pd.isna(value)):
                sheet.write_blank(r + 1, c, None, cell)
            elif key in ("annual_budget_eur", "smes_reached"):
                sheet.write_number(r + 1, c, float(value), cell)
            else:
                text = {"category": labels, "provider": providers, "status": statuses}.get(key, {})
                sheet.write_string(r + 1, c, text.get(str(value), str(value)), cell)
        given = (filled or {}).get((code, sid), {})
        for j, crit in enumerate(criteria):  # every input cell styled: unlocked whatever the reader
            score = given.get(crit.id)
            if score is None:
                sheet.write_blank(r + 1, first_score + j, None, f["open"])
            else:
                sheet.write_number(r + 1, first_score + j, score, f["open"])
        sheet.write_blank(r + 1, first_score + len(criteria), None, f["open"])
    last = max(len(rows), 1)
    for j, crit in enumerate(criteria):
        sheet.data_validation(
            1,
            first_score + j,
            last,
            first_score + j,
            {
                "validate": "list",
                "source": lists["score"],
                "input_title": crit.text(lang)[:32],
                "input_message": base.score_help.format(lo=fmt(config.scale.min), hi=fmt(config.scale.max)),
            },
        )
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, last, len(headers) - 1)
    sheet.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})


def _weights_sheet(
    book: Any,
    config: Config,
    words: ScoringWords,
    *,
    lang: str,
    f: dict[str, Any],
    filled: Mapping[str, float] | None,
) -> None:
    rows = [(crit.text(lang), (filled or {}).get(crit.id)) for crit in config.criteria]
    check = {"validate": "decimal", "criteria": ">=", "value": 0, "input_message": ">= 0"}
    _items_sheet(
        book, words.sheets["Weights"], words.weights, rows, check, widths=(45, 12), f=f, protected=True
    )


def project_scoring_template(
    folder: Path, config: Config, partner: str | None, lang: Language, output: Path | None
) -> tuple[Path, int]:
    """`p4c template --scoring`: the partner's scoring workbook of the ingested services, and how many."""
    from p4c import store
    from p4c.errors import P4CError

    if partner is None:
        raise P4CError(
            "--scoring needs --partner CODE: a scoring workbook holds one partner's scores",
            hint="For example: p4c template --scoring --partner BE",
        )
    target = output or Path(f"{partner}_scoring_{lang}.xlsx")
    if target.suffix.lower() != ".xlsx":
        raise P4CError(f"{target}: the template is an .xlsx workbook; give a name ending in .xlsx")
    services = store.read_table(folder, store.SERVICES, ["partner", "service_id", *SCORING_INFO])
    if services is None or services.empty:
        raise P4CError(
            "no services are ingested yet: a scoring workbook lists the ingested services",
            hint="Ingest the partners' workbooks first: p4c ingest data/raw/*",
        )
    return scoring_template(config, services, target, partner=partner, lang=lang), len(services)
