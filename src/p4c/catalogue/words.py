"""Every fixed text of the catalogue in English, French and German, in one table.

One table keeps the three languages side by side, so a missing translation is caught by a test
instead of by a reader in Tartu.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Final

from p4c.models import LANGUAGES

LANGS: Final = LANGUAGES
LANGUAGE_NAMES: Final = {"en": "English", "fr": "Français", "de": "Deutsch"}

# key -> (en, fr, de)
_TABLE: Final[dict[str, tuple[str, str, str]]] = {
    "site_title": ("Catalogue of services", "Catalogue des services", "Dienstleistungskatalog"),
    "intro": (
        "Every service that the partnership's development agencies offer to cluster initiatives, "
        "with its evidence, scores and contact.",
        "Tous les services que les agences de développement du partenariat offrent aux "
        "initiatives clusters, avec leurs preuves, leurs notes et leur contact.",
        "Alle Dienstleistungen, die die Entwicklungsagenturen der Partnerschaft "
        "Clusterinitiativen anbieten, mit Nachweisen, Bewertungen und Kontakt.",
    ),
    "skip": ("Skip to content", "Aller au contenu", "Zum Inhalt springen"),
    "search": ("Search", "Rechercher", "Suchen"),
    "search_hint": (
        "Words from the title, description or evidence; accents and capitals do not matter.",
        "Des mots du titre, de la description ou des preuves ; accents et majuscules n'ont pas d'importance.",
        "Wörter aus Titel, Beschreibung oder Nachweis; Akzente und Großschreibung spielen keine Rolle.",
    ),
    "filters": ("Filters", "Filtres", "Filter"),
    "partner": ("Partner / region", "Partenaire / région", "Partner / Region"),
    "category": ("Category", "Catégorie", "Kategorie"),
    "provider": ("Provider", "Prestataire", "Anbieter"),
    "status": ("Status", "Statut", "Status"),
    "good_practice": ("Good practice", "Bonne pratique", "Gute Praxis"),
    "shortlisted": ("Shortlisted", "Présélectionné", "In der Auswahlliste"),
    "verdict": ("Field-test verdict", "Verdict des tests terrain", "Ergebnis der Feldtests"),
    "sort": ("Sort by", "Trier par", "Sortieren nach"),
    "sort_score": ("Score (best first)", "Note (meilleure d'abord)", "Punktzahl (beste zuerst)"),
    "sort_title": ("Title (A-Z)", "Titre (A-Z)", "Titel (A-Z)"),
    "all": ("All", "Tous", "Alle"),
    "yes": ("Yes", "Oui", "Ja"),
    "no": ("No", "Non", "Nein"),
    "not_evaluated": ("Not evaluated", "Non évalué", "Nicht bewertet"),
    "apply": ("Show", "Afficher", "Anzeigen"),
    "clear": ("Clear search and filters", "Effacer recherche et filtres", "Suche und Filter zurücksetzen"),
    "count_all": ("{n} services", "{n} services", "{n} Dienstleistungen"),
    "count_some": ("{n} of {total} services", "{n} services sur {total}", "{n} von {total} Dienstleistungen"),
    "loading": ("Loading…", "Chargement…", "Wird geladen…"),
    "no_results": (
        "No service matches. Try fewer words or clear the filters.",
        "Aucun service ne correspond. Essayez moins de mots ou effacez les filtres.",
        "Keine Dienstleistung passt. Weniger Wörter versuchen oder Filter zurücksetzen.",
    ),
    "load_error": (
        "A data file could not be loaded: {file}",
        "Un fichier de données n'a pas pu être chargé : {file}",
        "Eine Datendatei konnte nicht geladen werden: {file}",
    ),
    "results": ("Results", "Résultats", "Ergebnisse"),
    "prev": ("Previous page", "Page précédente", "Vorherige Seite"),
    "next": ("Next page", "Page suivante", "Nächste Seite"),
    "page_of": ("Page {page} of {pages}", "Page {page} sur {pages}", "Seite {page} von {pages}"),
    "rank": ("Rank", "Rang", "Rang"),
    "score": ("Score", "Note", "Punktzahl"),
    "open_data": ("Open data", "Données ouvertes", "Offene Daten"),
    "open_data_text": (
        "Every service, partner, rating and field test as CSV files with a Data Package descriptor:",
        "Tous les services, partenaires, notes et tests terrain en fichiers CSV, avec un "
        "descripteur Data Package :",
        "Alle Dienstleistungen, Partner, Bewertungen und Feldtests als CSV-Dateien mit "
        "einem Data-Package-Deskriptor:",
    ),
    "noscript": (
        "Searching needs JavaScript. The open data below lists every service.",
        "La recherche nécessite JavaScript. Les données ouvertes ci-dessous listent tous les services.",
        "Die Suche braucht JavaScript. Die offenen Daten unten enthalten alle Dienstleistungen.",
    ),
    "back": ("All services", "Tous les services", "Alle Dienstleistungen"),
    "same_category": (
        "Other services in this category",
        "Autres services de cette catégorie",
        "Weitere Dienstleistungen dieser Kategorie",
    ),
    "languages": ("Other languages", "Autres langues", "Andere Sprachen"),
    "choose_language": ("Choose a language", "Choisissez une langue", "Sprache wählen"),
    "reference": ("Reference", "Référence", "Kennung"),
    "description": ("Description", "Description", "Beschreibung"),
    "evidence": ("Evidence of success", "Preuves de réussite", "Erfolgsnachweis"),
    "none_given": ("None given.", "Non renseigné.", "Keine Angabe."),
    "key_figures": ("Key figures", "Chiffres clés", "Kennzahlen"),
    "start_date": ("Start date", "Date de début", "Beginn"),
    "annual_budget_eur": ("Annual budget (EUR)", "Budget annuel (EUR)", "Jahresbudget (EUR)"),
    "staff_fte": ("Staff (FTE)", "Personnel (ETP)", "Personal (VZÄ)"),
    "cis_served": (
        "Cluster initiatives served",
        "Initiatives clusters servies",
        "Betreute Clusterinitiativen",
    ),
    "smes_reached": ("SMEs reached per year", "PME touchées par an", "Erreichte KMU pro Jahr"),
    "score_rank": ("Score and rank", "Note et rang", "Punktzahl und Rang"),
    "rank_of": (
        "Rank {rank} of {total}, score {score}",
        "Rang {rank} sur {total}, note {score}",
        "Rang {rank} von {total}, Punktzahl {score}",
    ),
    "not_ranked": ("Not ranked.", "Non classé.", "Nicht eingestuft."),
    "incomplete": (
        "Some criteria are missing; the score uses the others.",
        "Des critères manquent ; la note repose sur les autres.",
        "Einige Kriterien fehlen; die Punktzahl beruht auf den übrigen.",
    ),
    "criterion": ("Criterion", "Critère", "Kriterium"),
    "weight": ("Weight", "Poids", "Gewicht"),
    "value": ("Value", "Valeur", "Wert"),
    "contribution": ("Contribution to the score", "Contribution à la note", "Beitrag zur Punktzahl"),
    "peer_ratings": ("Peer ratings", "Notes des pairs", "Bewertungen der Partner"),
    "ratings": ("Ratings", "Notes", "Bewertungen"),
    "mean": ("Mean", "Moyenne", "Mittelwert"),
    "range": ("Lowest - highest", "Plus basse - plus haute", "Niedrigste - höchste"),
    "gp_section": ("Good practice", "Bonne pratique", "Gute Praxis"),
    "gp_yes": (
        "This service meets the good-practice definition.",
        "Ce service répond à la définition de bonne pratique.",
        "Diese Dienstleistung erfüllt die Definition guter Praxis.",
    ),
    "gp_no": (
        "This service does not meet the good-practice definition.",
        "Ce service ne répond pas à la définition de bonne pratique.",
        "Diese Dienstleistung erfüllt die Definition guter Praxis nicht.",
    ),
    "gp_unknown": ("Not assessed.", "Non évalué.", "Nicht geprüft."),
    "sl_yes": (
        "It is on the shortlist of good practices.",
        "Il figure dans la sélection des bonnes pratiques.",
        "Sie steht in der Auswahlliste guter Praktiken.",
    ),
    "sl_no": (
        "It is not on the shortlist.",
        "Il ne figure pas dans la sélection.",
        "Sie steht nicht in der Auswahlliste.",
    ),
    "reasons": ("Reasons", "Motifs", "Gründe"),
    "field_tests": ("Field tests", "Tests terrain", "Feldtests"),
    "host": ("Tested by", "Testé par", "Getestet von"),
    "mode": ("Mode", "Mode", "Form"),
    "test_status": ("Status", "Statut", "Status"),
    "adoption": ("Adoption", "Adoption", "Übernahme"),
    "satisfaction": ("Satisfaction (1-5)", "Satisfaction (1-5)", "Zufriedenheit (1-5)"),
    "plans": ("Plans that adopt it", "Plans qui l'adoptent", "Pläne, die sie übernehmen"),
    "action": ("Action", "Action", "Maßnahme"),
    "contact": ("Contact", "Contact", "Kontakt"),
    "organisation": ("Organisation", "Organisme", "Organisation"),
    "region": ("Region", "Région", "Region"),
    "email": ("E-mail", "Courriel", "E-Mail"),
    "made_with": (
        "Made with p4c; open it from any folder or web server, nothing is loaded from the internet.",
        "Réalisé avec p4c ; s'ouvre depuis tout dossier ou serveur web, rien n'est chargé depuis internet.",
        "Erstellt mit p4c; läuft aus jedem Ordner oder Webserver, nichts wird aus dem Internet geladen.",
    ),
    # codes of the pipeline, shown by their label
    "provider.DA": ("Development agency", "Agence de développement", "Entwicklungsagentur"),
    "provider.CI": ("Cluster initiative", "Initiative cluster", "Clusterinitiative"),
    "provider.JOINT": (
        "Agency and cluster jointly",
        "Agence et cluster ensemble",
        "Agentur und Cluster gemeinsam",
    ),
    "provider.EXTERNAL": ("External provider", "Prestataire externe", "Externer Anbieter"),
    "status.ONGOING": ("Ongoing", "En cours", "Laufend"),
    "status.COMPLETED": ("Completed", "Terminé", "Abgeschlossen"),
    "status.PILOT": ("Pilot", "Pilote", "Pilot"),
    "status.PLANNED": ("Planned", "Prévu", "Geplant"),
    "verdict.TRANSFERABLE": ("Transferable", "Transférable", "Übertragbar"),
    "verdict.PROMISING": ("Promising", "Prometteur", "Vielversprechend"),
    "verdict.NOT_TRANSFERABLE": ("Not transferable", "Non transférable", "Nicht übertragbar"),
    "verdict.NOT_TESTED": ("Not tested", "Non testé", "Nicht getestet"),
    "mode.IMPLEMENTATION": ("Implementation", "Mise en œuvre", "Umsetzung"),
    "mode.WORKSHOP": ("Workshop", "Atelier", "Workshop"),
    "test.PLANNED": ("Planned", "Prévu", "Geplant"),
    "test.ONGOING": ("Ongoing", "En cours", "Laufend"),
    "test.DONE": ("Done", "Terminé", "Abgeschlossen"),
    "test.CANCELLED": ("Cancelled", "Annulé", "Abgesagt"),
    "adoption.FULL": ("Adopted as is", "Adopté tel quel", "Unverändert übernommen"),
    "adoption.PARTIAL": ("Adapted", "Adapté", "Angepasst übernommen"),
    "adoption.INTEREST": ("Interest for later", "Intérêt pour plus tard", "Interesse für später"),
    "adoption.PRINCIPLES": ("Principles only", "Principes seulement", "Nur Grundsätze"),
    "adoption.NONE": ("Not adopted", "Non adopté", "Nicht übernommen"),
    "plan.PLANNED": ("Planned", "Prévu", "Geplant"),
    "plan.ONGOING": ("Ongoing", "En cours", "Laufend"),
    "plan.DONE": ("Done", "Réalisé", "Umgesetzt"),
    "plan.DROPPED": ("Dropped", "Abandonné", "Aufgegeben"),
}

VERDICTS: Final = ("TRANSFERABLE", "PROMISING", "NOT_TRANSFERABLE", "NOT_TESTED")


def word(lang: str, key: str) -> str:
    """The fixed text `key` in `lang` (en, fr or de)."""
    return _TABLE[key][LANGS.index(lang)]


@lru_cache(maxsize=8)
def words(lang: str) -> dict[str, str]:
    """The whole table in one language (what the index page's script needs). Shared: do not change."""
    i = LANGS.index(lang)
    return {key: texts[i] for key, texts in _TABLE.items()}


@lru_cache(maxsize=8)
def html_words(lang: str) -> dict[str, str]:
    """The table in one language, HTML-escaped once (pages use each text thousands of times)."""
    return {key: html.escape(value, quote=True) for key, value in words(lang).items()}


def code_label(lang: str, kind: str, code: str) -> str:
    """A pipeline code (provider, status, verdict...) as words; an unknown code is shown as is."""
    texts = _TABLE.get(f"{kind}.{code}")
    return texts[LANGS.index(lang)] if texts else code


def keys() -> list[str]:
    return list(_TABLE)
