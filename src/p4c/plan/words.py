"""Every fixed text of a recommendation plan in English, French and German, and local formats.

One table (`TEXTS`, key -> language -> text) so that a translation can never be forgotten: the
tests walk every key through the three languages. Dates and amounts are formatted with babel the
way each language writes them (fr: 7 mars 2011, 12 345,50 €; de: 7. März 2011, 12.345,50 €).
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from p4c.models import Language

# babel locale and the BCP 47 tag written into documents (w:lang, <html lang>, core properties).
LOCALES: dict[Language, str] = {"en": "en_GB", "fr": "fr_FR", "de": "de_DE"}
LANGUAGE_TAGS: dict[Language, str] = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE"}

TEXTS: dict[str, dict[Language, str]] = {
    # --- the document --------------------------------------------------------------------------
    "doc.title": {"en": "Recommendation plan", "fr": "Plan de recommandations", "de": "Empfehlungsplan"},
    "doc.for_authority": {
        "en": "Recommendations to the regional authority",
        "fr": "Recommandations à l'autorité régionale",
        "de": "Empfehlungen an die regionale Behörde",
    },
    "doc.generated": {"en": "Generated on", "fr": "Établi le", "de": "Erstellt am"},
    "doc.draft": {"en": "DRAFT", "fr": "BROUILLON", "de": "ENTWURF"},
    "doc.draft_note": {
        "en": "This draft was built from the field-test evaluation alone: the partner has not yet "
        "sent its plan workbook. Every action below is a proposal to be discussed.",
        "fr": "Ce brouillon a été établi à partir de la seule évaluation des tests de terrain : le "
        "partenaire n'a pas encore envoyé son classeur de plan. Chaque action ci-dessous est "
        "une proposition à discuter.",
        "de": "Dieser Entwurf beruht allein auf der Auswertung der Feldtests: Der Partner hat seine "
        "Plan-Arbeitsmappe noch nicht eingereicht. Jede Maßnahme unten ist ein Vorschlag zur "
        "Diskussion.",
    },
    "doc.contents": {"en": "Contents", "fr": "Sommaire", "de": "Inhalt"},
    "doc.not_set": {"en": "not yet set", "fr": "pas encore renseigné", "de": "noch nicht festgelegt"},
    # --- the four parts ------------------------------------------------------------------------
    "part1.title": {
        "en": "Part I – The partner and its region",
        "fr": "Partie I – Le partenaire et sa région",
        "de": "Teil I – Der Partner und seine Region",
    },
    "part2.title": {
        "en": "Part II – Policy context",
        "fr": "Partie II – Contexte politique",
        "de": "Teil II – Politischer Kontext",
    },
    "part3.title": {"en": "Part III – Actions", "fr": "Partie III – Actions", "de": "Teil III – Maßnahmen"},
    "part4.title": {"en": "Part IV – Monitoring", "fr": "Partie IV – Suivi", "de": "Teil IV – Monitoring"},
    # --- Part I --------------------------------------------------------------------------------
    "label.partner": {"en": "Partner", "fr": "Partenaire", "de": "Partner"},
    "label.organisation": {"en": "Organisation", "fr": "Organisme", "de": "Organisation"},
    "label.region": {"en": "Region", "fr": "Région", "de": "Region"},
    "label.cluster_initiatives": {
        "en": "Cluster initiatives",
        "fr": "Initiatives clusters",
        "de": "Clusterinitiativen",
    },
    "label.contact": {"en": "Contact", "fr": "Contact", "de": "Kontakt"},
    "needs.title": {"en": "Needs profile", "fr": "Profil des besoins", "de": "Bedarfsprofil"},
    "needs.intro": {
        "en": "How much the region's cluster initiatives need each category of support, from 1 "
        "(not at all) to 5 (top priority).",
        "fr": "Importance de chaque catégorie d'appui pour les initiatives clusters de la région, "
        "de 1 (aucune) à 5 (priorité absolue).",
        "de": "Wie sehr die Clusterinitiativen der Region jede Kategorie der Unterstützung "
        "brauchen, von 1 (gar nicht) bis 5 (höchste Priorität).",
    },
    "needs.category": {"en": "Category", "fr": "Catégorie", "de": "Kategorie"},
    "needs.importance": {"en": "Importance", "fr": "Importance", "de": "Bedeutung"},
    "needs.empty": {"en": "No needs given.", "fr": "Aucun besoin indiqué.", "de": "Kein Bedarf angegeben."},
    # --- Part II -------------------------------------------------------------------------------
    "plan.policy_instrument": {
        "en": "Policy instrument",
        "fr": "Instrument politique",
        "de": "Politikinstrument",
    },
    "plan.authority": {
        "en": "Responsible authority",
        "fr": "Autorité responsable",
        "de": "Zuständige Behörde",
    },
    "plan.context": {"en": "Context", "fr": "Contexte", "de": "Kontext"},
    "plan.objectives": {"en": "Objectives", "fr": "Objectifs", "de": "Ziele"},
    # --- Part III ------------------------------------------------------------------------------
    "actions.intro": {
        "en": "Each action transfers a practice of another region, with what its field tests showed.",
        "fr": "Chaque action transfère une pratique d'une autre région, avec ce qu'en ont montré "
        "les tests de terrain.",
        "de": "Jede Maßnahme überträgt eine Praxis einer anderen Region, mit den Ergebnissen ihrer "
        "Feldtests.",
    },
    "actions.empty": {
        "en": "No action yet.",
        "fr": "Aucune action pour l'instant.",
        "de": "Noch keine Maßnahme.",
    },
    "action.practice": {"en": "Practice", "fr": "Pratique", "de": "Praxis"},
    "action.evidence": {"en": "Evidence", "fr": "Preuves de réussite", "de": "Nachweis"},
    "action.tests": {"en": "Field tests", "fr": "Tests de terrain", "de": "Feldtests"},
    "action.tests_done": {
        "en": "Tests done / successes",
        "fr": "Tests réalisés / réussites",
        "de": "Durchgeführte Tests / Erfolge",
    },
    "action.test_status": {"en": "Our test", "fr": "Notre test", "de": "Unser Test"},
    "action.adoption": {"en": "Adoption", "fr": "Adoption", "de": "Übernahme"},
    "action.satisfaction": {
        "en": "Participants' satisfaction",
        "fr": "Satisfaction des participants",
        "de": "Zufriedenheit der Teilnehmenden",
    },
    "action.indicator_change": {
        "en": "Change of the tests' indicators",
        "fr": "Évolution des indicateurs des tests",
        "de": "Veränderung der Testindikatoren",
    },
    "action.not_tested": {"en": "not tested yet", "fr": "pas encore testée", "de": "noch nicht getestet"},
    "action.verdict": {"en": "Verdict", "fr": "Verdict", "de": "Bewertung"},
    "action.no_verdict": {
        "en": "no verdict yet",
        "fr": "pas encore de verdict",
        "de": "noch keine Bewertung",
    },
    "action.description": {"en": "Description", "fr": "Description", "de": "Beschreibung"},
    "action.players": {"en": "Players", "fr": "Acteurs", "de": "Beteiligte"},
    "action.timeframe": {"en": "Timeframe", "fr": "Calendrier", "de": "Zeitrahmen"},
    "action.cost": {"en": "Cost", "fr": "Coût", "de": "Kosten"},
    "action.funding": {"en": "Funding source", "fr": "Source de financement", "de": "Finanzierungsquelle"},
    "action.indicator": {"en": "Indicator", "fr": "Indicateur", "de": "Indikator"},
    "action.target": {"en": "Target", "fr": "Cible", "de": "Zielwert"},
    "action.status": {"en": "Status", "fr": "Statut", "de": "Status"},
    "action.reason": {"en": "Reason", "fr": "Motif", "de": "Begründung"},
    "action.action": {"en": "Action", "fr": "Action", "de": "Maßnahme"},
    "action.untitled": {"en": "Untitled action", "fr": "Action sans titre", "de": "Maßnahme ohne Titel"},
    # --- Part IV -------------------------------------------------------------------------------
    "monitoring.intro": {
        "en": "The partner reports each indicator against its target to the regional authority "
        "until the action ends.",
        "fr": "Le partenaire rend compte à l'autorité régionale de chaque indicateur par rapport à "
        "sa cible jusqu'à la fin de l'action.",
        "de": "Der Partner berichtet der regionalen Behörde über jeden Indikator im Vergleich zu "
        "seinem Zielwert, bis die Maßnahme endet.",
    },
    "monitoring.number": {"en": "No.", "fr": "N°", "de": "Nr."},
    # --- action statuses (the plan's Actions sheet) ----------------------------------------------
    "status.PLANNED": {"en": "Planned", "fr": "Prévue", "de": "Geplant"},
    "status.ONGOING": {"en": "Ongoing", "fr": "En cours", "de": "Laufend"},
    "status.DONE": {"en": "Done", "fr": "Réalisée", "de": "Abgeschlossen"},
    "status.DROPPED": {"en": "Dropped", "fr": "Abandonnée", "de": "Verworfen"},
    # --- evaluation verdicts ---------------------------------------------------------------------
    "verdict.TRANSFERABLE": {"en": "Transferable", "fr": "Transférable", "de": "Übertragbar"},
    "verdict.PROMISING": {"en": "Promising", "fr": "Prometteuse", "de": "Vielversprechend"},
    "verdict.NOT_TRANSFERABLE": {
        "en": "Not transferable",
        "fr": "Non transférable",
        "de": "Nicht übertragbar",
    },
    "verdict.NOT_TESTED": {"en": "Not tested", "fr": "Non testée", "de": "Nicht getestet"},
    # --- field-test statuses and adoption (the field-test contract's words) ----------------------
    "test.PLANNED": {"en": "planned", "fr": "prévu", "de": "geplant"},
    "test.ONGOING": {"en": "ongoing", "fr": "en cours", "de": "laufend"},
    "test.DONE": {"en": "done", "fr": "terminé", "de": "abgeschlossen"},
    "test.CANCELLED": {"en": "cancelled", "fr": "annulé", "de": "abgesagt"},
    "adoption.FULL": {"en": "adopted as is", "fr": "adoptée telle quelle", "de": "unverändert übernommen"},
    "adoption.PARTIAL": {"en": "adapted", "fr": "adaptée", "de": "angepasst übernommen"},
    "adoption.INTEREST": {
        "en": "interest for later",
        "fr": "intérêt pour plus tard",
        "de": "Interesse für später",
    },
    "adoption.PRINCIPLES": {"en": "principles only", "fr": "principes seulement", "de": "nur Grundsätze"},
    "adoption.NONE": {"en": "not adopted", "fr": "non adoptée", "de": "nicht übernommen"},
    # --- the plan workbook ---------------------------------------------------------------------
    "wb.sheet.plan": {"en": "Plan", "fr": "Plan", "de": "Plan"},
    "wb.sheet.actions": {"en": "Actions", "fr": "Actions", "de": "Maßnahmen"},
    "wb.sheet.instructions": {"en": "Instructions", "fr": "Instructions", "de": "Anleitung"},
    "wb.col.practice_partner": {
        "en": "Practice partner",
        "fr": "Partenaire de la pratique",
        "de": "Partner der Praxis",
    },
    "wb.col.practice_id": {
        "en": "Practice ID",
        "fr": "Identifiant de la pratique",
        "de": "Kennung der Praxis",
    },
    "wb.col.action": {"en": "Action", "fr": "Action", "de": "Maßnahme"},
    "wb.col.description": {"en": "Description", "fr": "Description", "de": "Beschreibung"},
    "wb.col.players": {"en": "Players", "fr": "Acteurs", "de": "Beteiligte"},
    "wb.col.start_date": {"en": "Start date", "fr": "Date de début", "de": "Beginn"},
    "wb.col.end_date": {"en": "End date", "fr": "Date de fin", "de": "Ende"},
    "wb.col.cost_eur": {"en": "Cost (EUR)", "fr": "Coût (€)", "de": "Kosten (EUR)"},
    "wb.col.funding_source": {
        "en": "Funding source",
        "fr": "Source de financement",
        "de": "Finanzierungsquelle",
    },
    "wb.col.indicator": {"en": "Indicator", "fr": "Indicateur", "de": "Indikator"},
    "wb.col.target": {"en": "Target", "fr": "Cible", "de": "Zielwert"},
    "wb.col.status": {"en": "Status", "fr": "Statut", "de": "Status"},
    "wb.col.reason": {
        "en": "Reason (if dropped)",
        "fr": "Motif (si abandonnée)",
        "de": "Begründung (falls verworfen)",
    },
    "wb.help.practice": {
        "en": "The practice this action transfers (partner code and service ID); blank for an "
        "action of your own.",
        "fr": "La pratique que l'action transfère (code partenaire et identifiant) ; vide pour une "
        "action propre.",
        "de": "Die Praxis, die die Maßnahme überträgt (Partnerland und Kennung); leer für eine "
        "eigene Maßnahme.",
    },
    "wb.help.action": {
        "en": "Required: a short title for the action.",
        "fr": "Obligatoire : un titre court pour l'action.",
        "de": "Pflichtfeld: ein kurzer Titel der Maßnahme.",
    },
    "wb.help.description": {
        "en": "What will be done, and how the practice is adapted.",
        "fr": "Ce qui sera fait et comment la pratique est adaptée.",
        "de": "Was getan wird und wie die Praxis angepasst wird.",
    },
    "wb.help.players": {
        "en": "Required: who carries out the action (organisations, roles).",
        "fr": "Obligatoire : qui met en œuvre l'action (organismes, rôles).",
        "de": "Pflichtfeld: wer die Maßnahme umsetzt (Organisationen, Rollen).",
    },
    "wb.help.date": {
        "en": "Required: a date, e.g. 2026-03-07 or 07/03/2026.",
        "fr": "Obligatoire : une date, par ex. 07/03/2026.",
        "de": "Pflichtfeld: ein Datum, z. B. 07.03.2026.",
    },
    "wb.help.cost": {
        "en": "Amount in euros, >= 0 (the full amount, no k€).",
        "fr": "Montant en euros, >= 0 (le montant complet, pas de k€).",
        "de": "Betrag in Euro, >= 0 (der volle Betrag, keine Tsd.).",
    },
    "wb.help.funding": {
        "en": "Where the money comes from (programme, budget line).",
        "fr": "D'où vient l'argent (programme, ligne budgétaire).",
        "de": "Woher das Geld kommt (Programm, Haushaltslinie).",
    },
    "wb.help.indicator": {
        "en": "Required: what will be measured.",
        "fr": "Obligatoire : ce qui sera mesuré.",
        "de": "Pflichtfeld: was gemessen wird.",
    },
    "wb.help.target": {
        "en": "Required: the value to reach, e.g. 40 SMEs.",
        "fr": "Obligatoire : la valeur à atteindre, par ex. 40 PME.",
        "de": "Pflichtfeld: der angestrebte Wert, z. B. 40 KMU.",
    },
    "wb.help.status": {
        "en": "Pick from the list.",
        "fr": "Choisissez dans la liste.",
        "de": "Aus der Liste wählen.",
    },
    "wb.help.reason": {
        "en": "Required when the action is dropped: why.",
        "fr": "Obligatoire si l'action est abandonnée : pourquoi.",
        "de": "Pflicht, wenn die Maßnahme verworfen wird: warum.",
    },
    "wb.instructions": {
        "en": "How to fill in your recommendation plan\n"
        "1. Plan sheet: describe the policy instrument your plan aims to improve, the "
        "authority responsible for it, the context and your objectives (column B).\n"
        "2. Actions sheet: one row per action. The rows already there are the practices "
        "you tested with success, then the transferable and promising practices in the "
        "categories you need most. Edit, add and remove rows.\n"
        "3. Each action needs a title, its players, a start and an end date, an indicator "
        "and a target. A dropped action needs a reason.\n"
        "4. Dates: 07/03/2026 or 2026-03-07. Amounts: plain numbers (12500 or 12 500,50), "
        "no k€ or M.\n"
        "Do not rename the sheets or the column headers. Extra columns are ignored.",
        "fr": "Comment remplir votre plan de recommandations\n"
        "1. Feuille Plan : décrivez l'instrument politique que le plan veut améliorer, "
        "l'autorité qui en est responsable, le contexte et vos objectifs (colonne B).\n"
        "2. Feuille Actions : une ligne par action. Les lignes déjà là sont les pratiques "
        "que vous avez testées avec succès, puis les pratiques transférables et "
        "prometteuses des catégories dont vous avez le plus besoin. Modifiez, ajoutez et "
        "supprimez des lignes.\n"
        "3. Chaque action demande un titre, ses acteurs, une date de début et de fin, un "
        "indicateur et une cible. Une action abandonnée demande un motif.\n"
        "4. Dates : 07/03/2026 ou 2026-03-07. Montants : 12500 ou 12 500,50, pas de k€ ni "
        "de M.\n"
        "Ne renommez ni les feuilles ni les en-têtes. Les colonnes en plus sont ignorées.",
        "de": "So füllen Sie Ihren Empfehlungsplan aus\n"
        "1. Blatt Plan: das Politikinstrument, das der Plan verbessern soll, die zuständige "
        "Behörde, den Kontext und Ihre Ziele beschreiben (Spalte B).\n"
        "2. Blatt Maßnahmen: eine Zeile je Maßnahme. Die vorhandenen Zeilen sind die "
        "erfolgreich getesteten Praktiken, dann die übertragbaren und vielversprechenden "
        "Praktiken der Kategorien mit dem größten Bedarf. Zeilen ändern, ergänzen und "
        "löschen.\n"
        "3. Jede Maßnahme braucht einen Titel, die Beteiligten, Beginn und Ende, einen "
        "Indikator und einen Zielwert. Eine verworfene Maßnahme braucht eine Begründung.\n"
        "4. Datum: 07.03.2026 oder 2026-03-07. Beträge: 12500 oder 12.500,50, kein Tsd. "
        "oder Mio.\n"
        "Blätter und Spaltenköpfe nicht umbenennen. Zusätzliche Spalten werden ignoriert.",
    },
    "wb.date_format": {"en": "yyyy-mm-dd", "fr": "dd/mm/yyyy", "de": "dd.mm.yyyy"},
}

# Texts that are the same word in English and another language (checked by the tests, so a
# forgotten translation cannot hide here).
SAME_AS_ENGLISH: frozenset[tuple[str, Language]] = frozenset(
    {
        ("label.partner", "de"),
        ("label.organisation", "de"),
        ("label.region", "de"),
        ("label.contact", "fr"),
        ("needs.importance", "fr"),
        ("action.adoption", "fr"),
        ("action.verdict", "fr"),
        ("action.description", "fr"),
        ("action.status", "de"),
        ("action.action", "fr"),
        ("wb.sheet.plan", "fr"),
        ("wb.sheet.plan", "de"),
        ("wb.sheet.actions", "fr"),
        ("wb.sheet.instructions", "fr"),
        ("wb.col.action", "fr"),
        ("wb.col.description", "fr"),
        ("wb.col.status", "de"),
    }
)


def text(key: str, lang: Language) -> str:
    """The fixed text `key` in `lang` (a KeyError names a text missing from the table)."""
    return TEXTS[key][lang]


def local_date(value: dt.date, lang: Language) -> str:
    """A date the way the language writes it in full: 7 March 2011, 7 mars 2011, 7. März 2011."""
    return format_date(value, format="long", locale=LOCALES[lang])


def local_amount(value: float, lang: Language) -> str:
    """An amount in euros: €12,345.50, 12 345,50 €, 12.345,50 €."""
    return format_currency(value, "EUR", locale=LOCALES[lang])


def local_number(value: float, lang: Language, pattern: str = "#,##0.0") -> str:
    return format_decimal(value, pattern, locale=LOCALES[lang])


def local_change(value: float, lang: Language) -> str:
    """A relative change as a signed percentage: +12%, +12 %, +12 %."""
    if not math.isfinite(value):
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + format_percent(abs(value), locale=LOCALES[lang])
