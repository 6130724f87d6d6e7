"""The partner-workbook contract (v1) as data: sheets, keys, columns, enum words and their aliases.

Aliases are written as people type them; every comparison goes through `values.norm`, so accents,
case, punctuation and text in parentheses never matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

# The languages of workbooks, messages and documents.
Language = Literal["en", "fr", "de"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

# A service is known by its partner and its id, unique together (ids repeat across partners).
SERVICE_KEY: tuple[str, str] = ("partner", "service_id")


class Status(StrEnum):
    ONGOING = "ONGOING"
    COMPLETED = "COMPLETED"
    PILOT = "PILOT"
    PLANNED = "PLANNED"


class Provider(StrEnum):
    DA = "DA"
    CI = "CI"
    JOINT = "JOINT"
    EXTERNAL = "EXTERNAL"


STATUS_WORDS: dict[Status, tuple[str, ...]] = {
    Status.ONGOING: ("ongoing", "en cours", "laufend"),
    Status.COMPLETED: ("completed", "terminé", "abgeschlossen"),
    Status.PILOT: ("pilot", "pilote"),
    Status.PLANNED: ("planned", "prévu", "geplant"),
}

PROVIDER_WORDS: dict[Provider, tuple[str, ...]] = {
    Provider.DA: ("da", "agency", "agence", "agentur"),
    Provider.CI: ("ci", "cluster"),
    Provider.JOINT: ("joint", "both", "conjoint", "gemeinsam"),
    Provider.EXTERNAL: ("external", "externe", "extern"),
}

SHEET_NAMES: dict[str, tuple[str, ...]] = {
    "Partner": ("partner", "partenaire", "partnerin", "partner info"),
    "Services": ("services", "prestations", "dienstleistungen", "leistungen"),
    "Needs": ("needs", "besoins", "bedarf"),
}

# The sheets of the other kinds of workbook, by role; the first role of each kind tells it apart.
KIND_SHEETS: dict[str, dict[str, tuple[str, ...]]] = {
    "scoring": {
        "Scores": ("scores", "notes", "bewertungen", "scoring", "evaluations", "évaluations"),
        "Rater": ("rater", "évaluateur", "evaluateur", "bewerter", "bewerterin"),
        "Weights": ("weights", "pondérations", "ponderations", "gewichtung", "gewichtungen"),
    },
    "field_tests": {
        "FieldTests": (
            "fieldtests",
            "field tests",
            "field test",
            "tests terrain",
            "tests de terrain",
            "feldtests",
            "feldtest",
        ),
        "Partner": SHEET_NAMES["Partner"],
    },
    "plan": {
        "Actions": ("actions", "mesures", "maßnahmen", "massnahmen", "aktionen"),
        "Plan": ("plan", "plan d action", "aktionsplan"),
        "Partner": SHEET_NAMES["Partner"],
    },
}
# Every sheet name a reader must load (other sheets, such as Instructions, are never read).
ALL_SHEET_NAMES: frozenset[str] = frozenset(
    alias for roles in (SHEET_NAMES, *KIND_SHEETS.values()) for aliases in roles.values() for alias in aliases
)

ValueType = Literal[
    "text",
    "code",
    "int",
    "number",
    "amount",
    "date",
    "category",
    "provider",
    "status",
    "score",
    "choice",  # one code of `choices` (a code or any of its words)
    "choices",  # zero or more codes of `choices`, separated by `,` or `;` (stored joined by `;`)
    "rating",  # a number from `minimum` to `maximum`, any decimals (a participants' mean rating)
]


@dataclass(frozen=True)
class Field:
    """One key of the Partner sheet or one column of the Services or Needs sheet."""

    name: str
    type: ValueType
    required: bool
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()  # choice(s): (code, its words in en/fr/de)


PARTNER_KEYS: tuple[Field, ...] = (
    Field("partner_code", "code", True, ("partner", "country", "code partenaire", "partnerland")),
    Field("organisation", "text", True, ("organization", "organisme", "organisation partenaire")),
    Field("region", "text", True, ("région",)),
    Field(
        "cluster_initiatives",
        "int",
        True,
        ("number of cluster initiatives", "initiatives clusters", "anzahl clusterinitiativen"),
        minimum=1,
    ),
    Field("contact", "text", False, ("e-mail", "email", "kontakt")),
)

SERVICE_COLUMNS: tuple[Field, ...] = (
    Field(
        "service_id",
        "text",
        True,
        ("id", "service id", "ref", "reference", "réf", "référence", "identifiant", "nr", "kennung"),
    ),
    Field(
        "title",
        "text",
        True,
        (
            "service",
            "service title",
            "name",
            "intitulé",
            "intitulé du service",
            "titre",
            "titel",
            "bezeichnung",
            "dienstleistung",
        ),
    ),
    Field("description", "text", False, ("beschreibung",)),
    Field("category", "category", True, ("catégorie", "kategorie")),
    Field("provider", "provider", True, ("provided by", "prestataire", "anbieter", "träger")),
    Field("status", "status", True, ("statut",)),
    Field(
        "start_date",
        "date",
        False,
        ("start", "since", "date de début", "depuis", "beginn", "startdatum", "seit"),
    ),
    Field(
        "annual_budget_eur",
        "amount",
        False,
        ("annual budget", "budget", "budget eur", "budget annuel", "jahresbudget"),
        minimum=0,
    ),
    Field("staff_fte", "number", False, ("fte", "staff", "etp", "personnel", "vzä", "personal"), minimum=0),
    Field(
        "cis_served",
        "int",
        False,
        (
            "cluster initiatives served",
            "cis served",
            "initiatives clusters servies",
            "betreute clusterinitiativen",
        ),
        minimum=0,
    ),
    Field("smes_reached", "int", False, ("smes per year", "pme touchées", "erreichte kmu"), minimum=0),
    Field(
        "evidence",
        "text",
        False,
        ("evidence of success", "results", "preuves", "résultats", "nachweis", "ergebnisse"),
    ),
)

NUMERIC_SERVICE_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in SERVICE_COLUMNS if f.type in ("int", "number", "amount")
)

NEEDS_COLUMNS: tuple[Field, ...] = (
    Field("category", "category", True, ("catégorie", "kategorie", "kategorie")),
    Field(
        "importance",
        "number",
        True,
        ("need", "besoin", "bedarf", "wichtigkeit", "bedeutung", "priorité", "priority"),
        minimum=1,
        maximum=5,
    ),
)

TITLE_MAX = 200

# Partner codes written in a file name or a Partner sheet; EL and UK are the EU's own spellings.
CODE_ALIASES = {"EL": "GR", "UK": "GB"}
DOT_DECIMAL_COUNTRIES = frozenset({"MT", "IE", "GB", "CY"})

ISO_3166_ALPHA2 = frozenset(
    """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split()
)

CODE_HELP = (
    "an ISO 3166 alpha-2 country code: two letters such as BE, DE, MT (EL and UK are read as GR and GB)"
)


def canonical_code(text: str) -> str | None:
    """A partner code as p4c stores it (upper case, EL -> GR, UK -> GB), or None if not a country."""
    code = text.strip().upper()
    code = CODE_ALIASES.get(code, code)
    return code if code in ISO_3166_ALPHA2 else None


# --- the scoring workbook (spec: scoring.md) ----------------------------------------------------------

RATER_KEYS: tuple[Field, ...] = (
    Field(
        "rater_code",
        "code",
        True,
        ("rater", "évaluateur", "evaluateur", "bewerter", "partner_code", "partner"),
    ),
)
SCORE_COLUMNS: tuple[Field, ...] = (
    Field("partner", "code", True, ("partner_code", "partenaire", "partnerland", "region partner")),
    Field("service_id", "text", True, SERVICE_COLUMNS[0].aliases),
    Field("comment", "text", False, ("comments", "commentaire", "remarque", "kommentar", "bemerkung")),
)
# Columns the scoring template shows for information: recognised (so never "unknown"), never read.
SCORE_INFO_COLUMNS: tuple[str, ...] = (
    "rater",
    "own",
    "own service",
    "propre",
    "eigene",
    *(alias for f in SERVICE_COLUMNS[1:] for alias in (f.name, *f.aliases)),
)
WEIGHT_COLUMNS: tuple[Field, ...] = (
    Field("criterion", "text", True, ("critère", "critere", "kriterium", "criterion id")),
    # Not required cell by cell: the template lists every criterion, and a blank means "not weighted"
    # (the scoring workbook module still requires the column).
    Field("points", "number", False, ("weight", "poids", "punkte", "gewicht", "points"), minimum=0),
)
