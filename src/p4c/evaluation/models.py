"""The field-test report workbook contract (v1) as data: the sheet, its columns, enum words and labels.

As in `p4c.models`, aliases are written as people type them and every comparison goes through
`values.norm`, so accents, case, punctuation and text in parentheses never matter. Each enum has
`*_LABELS` (the en/fr/de words shown in templates and reports) and `*_WORDS` (every accepted word:
the code, the labels and common variants), derived from the labels so the two never drift apart.

The enum columns are typed "choice" (mode, status, adoption) or "choices" (barriers) with these
words as their `choices`, and satisfaction is a "rating", so `p4c.columns` parses every cell as
ingest reads the workbook. The sheet's names live in `p4c.models.KIND_SHEETS` (one place for every
kind); `FIELD_TESTS_SHEET` is its role name.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal, TypeVar

from p4c.models import KIND_SHEETS, Field, ValueType
from p4c.models import LANGUAGES as LANGS
from p4c.values import is_blank, norm, show


class TestMode(StrEnum):
    __test__ = False  # a pytest collection hint: this is not a test class
    IMPLEMENTATION = "IMPLEMENTATION"
    WORKSHOP = "WORKSHOP"


class TestStatus(StrEnum):
    __test__ = False
    PLANNED = "PLANNED"
    ONGOING = "ONGOING"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


class Adoption(StrEnum):
    FULL = "FULL"
    PARTIAL = "PARTIAL"
    INTEREST = "INTEREST"
    PRINCIPLES = "PRINCIPLES"
    NONE = "NONE"


class Barrier(StrEnum):
    LEGAL = "LEGAL"
    FUNDING = "FUNDING"
    CAPACITY = "CAPACITY"
    DEMAND = "DEMAND"
    CULTURE = "CULTURE"
    TIMING = "TIMING"
    OTHER = "OTHER"


class Verdict(StrEnum):
    TRANSFERABLE = "TRANSFERABLE"
    PROMISING = "PROMISING"
    NOT_TRANSFERABLE = "NOT_TRANSFERABLE"
    NOT_TESTED = "NOT_TESTED"


E = TypeVar("E", bound=StrEnum)
Labels3 = dict[str, str]  # language (en, fr, de) -> label


def _words(labels: Mapping[E, Labels3], extra: Mapping[E, tuple[str, ...]]) -> dict[E, tuple[str, ...]]:
    """Accepted words: the code's own spelling, its labels in each language, then the variants."""
    out: dict[E, tuple[str, ...]] = {}
    for code, label in labels.items():
        words = [code.value.lower(), *(label[lang] for lang in LANGS), *extra.get(code, ())]
        out[code] = tuple(dict.fromkeys(words))
    return out


MODE_LABELS: dict[TestMode, Labels3] = {
    TestMode.IMPLEMENTATION: {"en": "implementation", "fr": "mise en œuvre", "de": "Umsetzung"},
    TestMode.WORKSHOP: {"en": "workshop", "fr": "atelier", "de": "Workshop"},
}
MODE_WORDS = _words(
    MODE_LABELS,
    {
        TestMode.IMPLEMENTATION: (
            "implement",
            "pilot implementation",
            "implémentation",
            "mise en oeuvre",
            "implementierung",
            "durchführung",
        ),
        TestMode.WORKSHOP: ("seminar", "séminaire", "werkstatt"),
    },
)

TEST_STATUS_LABELS: dict[TestStatus, Labels3] = {
    TestStatus.PLANNED: {"en": "planned", "fr": "prévu", "de": "geplant"},
    TestStatus.ONGOING: {"en": "ongoing", "fr": "en cours", "de": "laufend"},
    TestStatus.DONE: {"en": "done", "fr": "terminé", "de": "abgeschlossen"},
    TestStatus.CANCELLED: {"en": "cancelled", "fr": "annulé", "de": "abgesagt"},
}
TEST_STATUS_WORDS = _words(
    TEST_STATUS_LABELS,
    {
        TestStatus.PLANNED: ("prévue", "à venir", "vorgesehen"),
        TestStatus.ONGOING: ("in progress", "running", "in bearbeitung", "läuft"),
        TestStatus.DONE: (
            "completed",
            "finished",
            "terminée",
            "réalisé",
            "réalisée",
            "fait",
            "durchgeführt",
            "erledigt",
            "fertig",
        ),
        TestStatus.CANCELLED: ("canceled", "annulée", "abgebrochen", "storniert"),
    },
)

ADOPTION_LABELS: dict[Adoption, Labels3] = {
    Adoption.FULL: {"en": "adopted as is", "fr": "adoptée telle quelle", "de": "unverändert übernommen"},
    Adoption.PARTIAL: {"en": "adapted", "fr": "adaptée", "de": "angepasst übernommen"},
    Adoption.INTEREST: {
        "en": "declared interest for later",
        "fr": "intérêt déclaré pour plus tard",
        "de": "Interesse für später bekundet",
    },
    Adoption.PRINCIPLES: {"en": "principles only", "fr": "principes seulement", "de": "nur Grundsätze"},
    Adoption.NONE: {"en": "not adopted", "fr": "non adoptée", "de": "nicht übernommen"},
}
ADOPTION_WORDS = _words(
    ADOPTION_LABELS,
    {
        Adoption.FULL: (
            "complete",
            "adopted",
            "totale",
            "complète",
            "adopté tel quel",
            "adoptée",
            "vollständig",
            "übernommen",
        ),
        Adoption.PARTIAL: ("partially", "adapté", "partielle", "partiel", "teilweise", "angepasst"),
        Adoption.INTEREST: (
            "declared interest",
            "intérêt",
            "intérêt déclaré",
            "interesse",
            "interesse bekundet",
        ),
        Adoption.PRINCIPLES: (
            "principles",
            "principes",
            "principes uniquement",
            "grundsätze",
            "prinzipien",
            "nur prinzipien",
        ),
        Adoption.NONE: ("no", "aucune", "non", "non adopté", "keine", "nein"),
    },
)

BARRIER_LABELS: dict[Barrier, Labels3] = {
    Barrier.LEGAL: {"en": "legal", "fr": "juridique", "de": "rechtlich"},
    Barrier.FUNDING: {"en": "funding", "fr": "financement", "de": "Finanzierung"},
    Barrier.CAPACITY: {"en": "capacity", "fr": "capacité", "de": "Kapazität"},
    Barrier.DEMAND: {"en": "demand", "fr": "demande", "de": "Nachfrage"},
    Barrier.CULTURE: {"en": "culture", "fr": "culture", "de": "Kultur"},
    Barrier.TIMING: {"en": "timing", "fr": "calendrier", "de": "Zeitplan"},
    Barrier.OTHER: {"en": "other", "fr": "autre", "de": "Sonstiges"},
}
BARRIER_WORDS = _words(
    BARRIER_LABELS,
    {
        Barrier.LEGAL: (
            "regulatory",
            "regulation",
            "law",
            "légal",
            "réglementaire",
            "réglementation",
            "recht",
            "rechtliche",
            "regulierung",
        ),
        Barrier.FUNDING: (
            "finance",
            "budget",
            "money",
            "financier",
            "financière",
            "finanzen",
            "finanziell",
            "geld",
        ),
        Barrier.CAPACITY: ("staff", "capacities", "capacités", "personnel", "kapazitäten", "personal"),
        Barrier.DEMAND: ("interest of smes", "demand of smes", "bedarf"),
        Barrier.CULTURE: ("cultural", "culturel", "culturelle", "kulturell"),
        Barrier.TIMING: ("time", "calendar", "délais", "délai", "temps", "zeit", "zeitpunkt"),
        Barrier.OTHER: ("others", "autres", "sonstige", "andere"),
    },
)
# Words that mean "no barrier" in the barriers cell (alone only: with a barrier they contradict it).
NO_BARRIER_WORDS: tuple[str, ...] = (
    "none",
    "no barrier",
    "no barriers",
    "aucun",
    "aucune",
    "aucun obstacle",
    "keine",
    "keines",
    "keine hindernisse",
)
BARRIER_SEPARATORS = (",", ";")

VERDICT_LABELS: dict[Verdict, Labels3] = {
    Verdict.TRANSFERABLE: {"en": "Transferable", "fr": "Transférable", "de": "Übertragbar"},
    Verdict.PROMISING: {"en": "Promising", "fr": "Prometteuse", "de": "Vielversprechend"},
    Verdict.NOT_TRANSFERABLE: {"en": "Not transferable", "fr": "Non transférable", "de": "Nicht übertragbar"},
    Verdict.NOT_TESTED: {"en": "Not tested", "fr": "Non testée", "de": "Nicht getestet"},
}

FIELD_TESTS_SHEET = "FieldTests"
FIELD_TEST_SHEET_ALIASES: tuple[str, ...] = KIND_SHEETS["field_tests"][FIELD_TESTS_SHEET]


def choices(words: Mapping[E, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """An enum's words as `Field.choices`: (code, its accepted words) in the contract's order, each
    word once as `values.norm` compares them (so an error lists `Workshop` once, not twice)."""
    out = []
    for code, ws in words.items():
        seen: dict[str, str] = {}
        for w in ws:
            seen.setdefault(norm(w), w)
        out.append((code.value, tuple(seen.values())))
    return tuple(out)


# The words a column's header may be besides its name, as people type them in en, fr and de (the
# template's headers among them), in the contract's column order.
FIELD_TEST_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "practice_partner": (
        "practice partner",
        "practice owner",
        "owner",
        "partenaire de la pratique",
        "partenaire pratique",
        "praxispartner",
        "partner der praxis",
    ),
    "practice_id": (
        "practice",
        "practice id",
        "service id",
        "service",
        "pratique",
        "identifiant pratique",
        "réf pratique",
        "id pratique",
        "praxis",
        "praxis id",
        "praxis kennung",
    ),
    "mode": ("test mode", "modalité", "mode de test", "modus", "testmodus", "art"),
    "status": ("test status", "statut", "état", "stand"),
    "start_date": ("start", "date de début", "début", "beginn", "startdatum"),
    "end_date": ("end", "date de fin", "fin", "ende", "enddatum"),
    "cis_involved": (
        "cis",
        "cluster initiatives involved",
        "cis involved",
        "initiatives clusters impliquées",
        "ic impliquées",
        "beteiligte clusterinitiativen",
        "clusterinitiativen",
    ),
    "smes_involved": ("smes", "smes involved", "pme", "pme impliquées", "kmu", "beteiligte kmu"),
    "participants": (
        "number of participants",
        "nombre de participants",
        "teilnehmende",
        "teilnehmer",
        "teilnehmerzahl",
    ),
    "cost_eur": ("cost", "costs", "coût", "coût eur", "kosten", "kosten eur"),
    "staff_days": (
        "staff days",
        "person days",
        "jours personnel",
        "jours homme",
        "personentage",
        "arbeitstage",
    ),
    "satisfaction": (
        "participant satisfaction",
        "mean satisfaction",
        "satisfaction des participants",
        "satisfaction moyenne",
        "zufriedenheit",
        "mittlere zufriedenheit",
    ),
    "indicator": ("indicateur", "indikator", "kennzahl"),
    "baseline": (
        "before",
        "baseline value",
        "value before",
        "avant",
        "valeur initiale",
        "valeur avant",
        "ausgangswert",
        "vorher",
        "wert vorher",
    ),
    "result": (
        "after",
        "result value",
        "value after",
        "après",
        "résultat",
        "valeur finale",
        "valeur après",
        "ergebnis",
        "nachher",
        "wert nachher",
    ),
    "adoption": ("adoption level", "niveau d adoption", "übernahme"),
    "barriers": ("barrier", "obstacles", "obstacle", "freins", "barrières", "hindernisse", "hemmnisse"),
    "adaptations": ("adaptation", "anpassungen", "anpassung"),
    "lessons": (
        "lessons learnt",
        "lessons learned",
        "reason",
        "leçons",
        "leçons tirées",
        "enseignements",
        "raison",
        "lehren",
        "erkenntnisse",
        "grund",
    ),
}


def _column(
    name: str,
    type: ValueType,
    required: bool = False,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> Field:
    """A column of the FieldTests sheet, its header words taken from FIELD_TEST_COLUMN_ALIASES."""
    return Field(name, type, required, FIELD_TEST_COLUMN_ALIASES[name], minimum, maximum, choices)


FIELD_TEST_COLUMNS: tuple[Field, ...] = (
    _column("practice_partner", "code", True),
    _column("practice_id", "text", True),
    _column("mode", "choice", True, choices=choices(MODE_WORDS)),
    _column("status", "choice", True, choices=choices(TEST_STATUS_WORDS)),
    _column("start_date", "date"),
    _column("end_date", "date"),
    _column("cis_involved", "int", minimum=0),
    _column("smes_involved", "int", minimum=0),
    _column("participants", "int", minimum=0),
    _column("cost_eur", "amount", minimum=0),
    _column("staff_days", "number", minimum=0),
    _column("satisfaction", "rating", minimum=1, maximum=5),
    _column("indicator", "text"),
    _column("baseline", "number"),
    _column("result", "number"),
    _column("adoption", "choice", choices=choices(ADOPTION_WORDS)),
    _column("barriers", "choices", choices=choices(BARRIER_WORDS)),
    _column("adaptations", "text"),
    _column("lessons", "text"),
)


def field_test_columns(inserted: Mapping[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The names of FIELD_TEST_COLUMNS in their order, with `inserted[c]` right after column c: the
    tables and sheets built on the reported tests keep the contract's order."""
    more = inserted or {}
    return tuple(name for f in FIELD_TEST_COLUMNS for name in (f.name, *more.get(f.name, ())))


EnumKind = Literal["mode", "test_status", "adoption", "barriers"]
WORDS_BY_KIND: dict[EnumKind, Mapping[Any, tuple[str, ...]]] = {
    "mode": MODE_WORDS,
    "test_status": TEST_STATUS_WORDS,
    "adoption": ADOPTION_WORDS,
    "barriers": BARRIER_WORDS,
}
LABELS_BY_KIND: dict[EnumKind, Mapping[Any, Labels3]] = {
    "mode": MODE_LABELS,
    "test_status": TEST_STATUS_LABELS,
    "adoption": ADOPTION_LABELS,
    "barriers": BARRIER_LABELS,
}


def accepted_words(labels: Mapping[E, Labels3]) -> str:
    """`CODE (en, fr, de labels)` for each code: what an error message says is accepted."""
    return "; ".join(
        f"{code.value} ({', '.join(dict.fromkeys(label[lang] for lang in LANGS))})"
        for code, label in labels.items()
    )


def _lookup(words: Mapping[E, tuple[str, ...]]) -> dict[str, E]:
    return {norm(w): code for code, ws in words.items() for w in ws}


WordKind = Literal["mode", "test_status", "adoption"]  # one code per cell (barriers: parse_barriers)
_LOOKUPS: dict[EnumKind, dict[str, StrEnum]] = {kind: _lookup(words) for kind, words in WORDS_BY_KIND.items()}
_BARRIER_LOOKUP: dict[str, Barrier] = _lookup(BARRIER_WORDS)
_NO_BARRIER = frozenset(norm(w) for w in NO_BARRIER_WORDS)


def parse_word(kind: WordKind, value: object) -> StrEnum:
    """The code of a mode, test status or adoption cell (code or label in en/fr/de, loose spelling)."""
    code = _LOOKUPS[kind].get(norm(show(value)))
    if code is None:
        what = "status" if kind == "test_status" else kind
        raise ValueError(f"unknown {what} {show(value)!r}; accepted: {accepted_words(LABELS_BY_KIND[kind])}")
    return code


def parse_barriers(text: object) -> tuple[Barrier, ...]:
    """The barriers of a cell: codes or labels in en/fr/de separated by `,` or `;`, case and
    accents loose. Returned once each, in the contract's order; a blank cell or "none" is ()."""
    if is_blank(text):
        return ()
    raw = show(text)
    parts = [p.strip() for p in raw.replace(";", ",").split(",")]
    found: set[Barrier] = set()
    said_none = False
    for part in parts:
        key = norm(part)
        if not key:
            continue
        if key in _NO_BARRIER:
            said_none = True
            continue
        code = _BARRIER_LOOKUP.get(key)
        if code is None:
            raise ValueError(
                f"unknown barrier {part!r}; accepted: zero or more of "
                f"{accepted_words(BARRIER_LABELS)}, separated by , or ; "
                f"(or none, aucun, keine for no barrier)"
            )
        found.add(code)
    if said_none and found:
        raise ValueError(
            f"{raw!r} says both no barrier and {', '.join(sorted(found))}; accepted: "
            f"either barriers separated by , or ; or a word for none (none, aucun, keine)"
        )
    return tuple(b for b in Barrier if b in found)


def barriers_text(barriers: tuple[Barrier, ...]) -> str:
    """The stored form of a barrier list: codes joined by ";", empty when none."""
    return ";".join(b.value for b in barriers)
