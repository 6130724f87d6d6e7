"""Write the shipped sample partner files in data/raw/: seven partners, about 20 services each.

Why: the demo, the docs and the end-to-end tests need realistic, messy-but-valid partner workbooks
that follow the partner-workbook contract (v1) exactly: French and German headers, words and
number/date text forms, a title row, an .ods, a `;` CSV with a BOM, `EL` for Greece, blank optional
cells, and about a third of the services good-practice candidates under the default config.

The data is written by hand below (so that it reads like real DA services); a seeded RNG only picks
between equivalent spellings (`4/5` or `4`, with or without cents), so every run is identical.
xlsx and ods files get fixed document properties and zip timestamps: byte-identical reruns.
MT's partner details live in config/criteria.yaml `partners:` (a CSV has no Partner sheet).

Usage: .venv/bin/python scripts/make_sample_data.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_sample_data as checker  # a sibling script, not a package

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "raw"
SEED = 20261101
FIXED_TIME = dt.datetime(2026, 1, 15, 9, 0, 0)
ZIP_TIME = (2026, 1, 15, 9, 0, 0)
NBSP, NNBSP = "\u00a0", "\u202f"
SCORE_IDS = ("relevance", "impact", "transferability", "sustainability", "innovation", "synergy")


# --- the data ------------------------------------------------------------------------------------

Start = dt.date | int | None


@dataclass(frozen=True)
class Svc:
    """One service as meant (codes, typed values); each writer spells it in its partner's style."""

    sid: str
    title: str
    description: str
    category: str
    provider: str
    status: str
    start: Start
    budget: float | None
    fte: float | None
    cis: int | None
    smes: int | None
    evidence: str | None
    scores: tuple[float | None, ...]


@dataclass(frozen=True)
class Partner:
    """A partner region: details as written in its file, its needs and its services."""

    code: str
    written_code: str
    organisation: str
    region: str
    cluster_initiatives: int
    contact: str
    needs: dict[str, int] | None
    services: tuple[Svc, ...]


def svc(  # noqa: PLR0917  (one positional line per service keeps the table readable)
    sid: str,
    title: str,
    description: str,
    category: str,
    provider: str,
    status: str,
    start: str | int | None,
    budget: float | None,
    fte: float | None,
    cis: int | None,
    smes: int | None,
    evidence: str | None,
    scores: str,
) -> Svc:
    """A service from one compact line; `scores` is six numbers or `-` (blank) in SCORE_IDS order."""
    when: Start = dt.date.fromisoformat(start) if isinstance(start, str) else start
    marks = tuple(None if s == "-" else float(s) for s in scores.split())
    assert len(marks) == len(SCORE_IDS), sid
    return Svc(
        sid, title, description, category, provider, status, when, budget, fte, cis, smes, evidence, marks
    )


def needs(values: str) -> dict[str, int]:
    """Importance per category, in the contract's category order."""
    codes = ("NET INTEL INNOV FIN INTL SKILLS CMGT BRAND POLICY INFRA START COMM XSECT MONIT").split()
    return dict(zip(codes, (int(v) for v in values.split()), strict=True))


BE = Partner(
    "BE",
    "BE",
    "Agence de développement économique Namur-Wallonie",
    "Wallonie – province de Namur",
    14,
    "clusters.namur@example.org",
    needs("4 3 5 4 4 5 3 2 2 3 3 2 4 2"),
    (
        svc(
            "BE-01",
            "Journées d'affaires B2B intercluster",
            "Rencontres B2B d'une journée entre PME de clusters différents, avec agendas préprogrammés "
            "sur une plateforme en ligne.",
            "NET",
            "JOINT",
            "ONGOING",
            "2015-03-02",
            68500,
            1.2,
            11,
            240,
            "38 PME ont signé des accords de coopération en 2023 ; satisfaction 4,4/5",
            "4.5 4 4.5 4 3 4.5",
        ),
        svc(
            "BE-02",
            "Guichet Europe : montage de projets européens",
            "Helpdesk de l'agence pour repérer les appels (Horizon Europe, Interreg, LIFE), relire les "
            "propositions et trouver des partenaires.",
            "FIN",
            "DA",
            "ONGOING",
            "2012-09-01",
            95000,
            1.8,
            12,
            85,
            "21 propositions accompagnées en 2023, dont 9 financées (6,4 M€ pour les PME membres)",
            "5 4.5 4 4.5 2.5 3.5",
        ),
        svc(
            "BE-03",
            "Pavillon wallon collectif sur les salons internationaux",
            "Stand commun pour les membres des clusters (SIAL, Batimat, Medica) ; logistique, "
            "communication et préparation des rendez-vous prises en charge.",
            "INTL",
            "JOINT",
            "ONGOING",
            2010,
            212450.80,
            1.5,
            7,
            64,
            "64 PME exposantes en 2023 ; 412 contacts qualifiés ; 17 contrats signés dans les 12 mois",
            "4 4 3.5 3.5 2 4",
        ),
        svc(
            "BE-04",
            "Parcours certifiant pour managers de cluster",
            "Formation de 8 jours (stratégie, animation, financement, offre de services) avec tutorat "
            "entre pairs, reconnue par l'agence.",
            "CMGT",
            "DA",
            "COMPLETED",
            "2016-01-11",
            42000,
            0.6,
            10,
            None,
            "16 managers certifiés de 2016 à 2022 ; 3 clusters ont ensuite obtenu le label ECEI Silver",
            "4 3.5 5 3 3 3.5",
        ),
        svc(
            "BE-05",
            "Bulletin de veille technologique agro-alimentaire",
            "Veille mensuelle (brevets, normes, appels à projets) rédigée par le pôle agro-alimentaire "
            "pour ses membres.",
            "INTEL",
            "CI",
            "ONGOING",
            "2014-05-01",
            28000,
            0.5,
            3,
            180,
            "180 abonnés ; taux d'ouverture moyen 46 % ; 12 demandes d'étude approfondie en 2023",
            "3.5 3 4 4 2 2",
        ),
        svc(
            "BE-06",
            "Chèques innovation pour les PME des clusters",
            "Chèques de 5 000 à 20 000 € pour acheter des prestations de R&D auprès des centres de "
            "recherche agréés, décision en 15 jours.",
            "INNOV",
            "DA",
            "ONGOING",
            "2017-02-01",
            350000,
            2.0,
            12,
            140,
            "140 chèques accordés en 2023 ; 31 prototypes réalisés avec un centre de recherche ; "
            "88 % des PME en redemandent",
            "4.5 4.5 4 3.5 3.5 3",
        ),
        svc(
            "BE-07",
            "Coaching vers le label européen de management de cluster",
            "Accompagnement par un consultant à l'auto-évaluation et à l'audit ECEI (Bronze, Silver).",
            "CMGT",
            "EXTERNAL",
            "COMPLETED",
            "2019-04-01",
            36000,
            0.3,
            8,
            None,
            "5 clusters labellisés Bronze et 2 Silver entre 2019 et 2022",
            "4 3.5 4 2.5 2.5 2",
        ),
        svc(
            "BE-08",
            "Laboratoire d'essais partagé pour l'éco-construction",
            "Plateforme d'essais (thermique, acoustique, feu) cofinancée par l'agence et le cluster "
            "éco-construction, ouverte aux PME à tarif réduit.",
            "INFRA",
            "JOINT",
            "ONGOING",
            "2018-10-01",
            420000,
            3.5,
            4,
            35,
            "35 PME ont testé des matériaux biosourcés en 2023 ; 12 produits ont obtenu un agrément "
            "technique",
            "4 4 2.5 3 4.5 4",
        ),
        svc(
            "BE-09",
            "Programme d'accélération « Food Starter »",
            "Six mois de mentorat, d'accès aux halls pilotes et de mise en relation avec les industriels "
            "du cluster pour de jeunes entreprises agro-alimentaires.",
            "START",
            "JOINT",
            "ONGOING",
            "2020-09-01",
            120000,
            1.4,
            5,
            22,
            "22 start-ups accompagnées depuis 2020 ; 7 ont levé des fonds (3,1 M€ au total)",
            "4 4 3.5 3 4 4",
        ),
        svc(
            "BE-10",
            "Hackathon intercluster « Namur Digital Days »",
            "Deux jours en équipes mixtes (numérique, agro-alimentaire, logistique, santé) sur des défis "
            "posés par les entreprises membres.",
            "XSECT",
            "JOINT",
            "COMPLETED",
            "2019-11-15",
            55000,
            0.8,
            13,
            90,
            "4 éditions, 26 équipes mixtes, 9 projets collaboratifs lancés dont 3 financés par la Région",
            "4 3.5 4.5 3 4.5 5",
        ),
        svc(
            "BE-11",
            "Enquête annuelle de satisfaction des membres",
            "Questionnaire commun à tous les clusters, analysé par l'agence, avec un tableau de bord "
            "comparatif restitué à chaque cluster.",
            "MONIT",
            "DA",
            "ONGOING",
            2013,
            12000,
            0.2,
            14,
            520,
            "Taux de réponse 41 % ; satisfaction moyenne 4,1/5 en 2023 ; plan d'action dans 11 clusters",
            "3.5 3 4.5 4.5 2 3",
        ),
        svc(
            "BE-12",
            "Tables rondes « clusters et politique régionale »",
            "Trois rencontres par an entre managers de cluster, administration et cabinet ministériel "
            "sur les freins réglementaires.",
            "POLICY",
            "DA",
            "ONGOING",
            "2016-06-01",
            18000,
            0.3,
            14,
            None,
            "3 recommandations reprises dans la stratégie de spécialisation intelligente 2021-2027",
            "4 2.5 3.5 4 2.5 4",
        ),
        svc(
            "BE-13",
            "Campagne « Fabriqué en Wallonie »",
            "Campagne de notoriété (presse, réseaux sociaux) confiée à une agence de communication pour "
            "valoriser les produits des membres.",
            "BRAND",
            "EXTERNAL",
            "COMPLETED",
            "2021-03-01",
            75000,
            0.2,
            6,
            150,
            "1,2 million d'impressions ; 38 articles de presse",
            "3 2.5 3 2 2.5 2",
        ),
        svc(
            "BE-14",
            "Mission export Québec",
            "Mission collective de 5 jours à Montréal et Québec pour les PME agro-alimentaires et de la "
            "construction bois.",
            "INTL",
            "DA",
            "COMPLETED",
            "2022-05-10",
            48000,
            0.4,
            4,
            14,
            "14 PME participantes ; 5 accords de distribution signés",
            "3.5 3.5 3.5 2 2.5 3",
        ),
        svc(
            "BE-15",
            "Centrale d'achat groupé d'énergie",
            "Achat groupé d'électricité et de gaz pour les membres de trois clusters industriels.",
            "COMM",
            "CI",
            "PILOT",
            "2025-09-01",
            30000,
            0.3,
            3,
            60,
            None,
            "3.5 - 4 3 3 3.5",
        ),
        svc(
            "BE-16",
            "Académie des compétences numériques",
            "Modules courts (cybersécurité, données, IA) pour les salariés des PME membres, avec les "
            "centres de compétence.",
            "SKILLS",
            "JOINT",
            "ONGOING",
            "2021-01-18",
            85000,
            1.0,
            8,
            110,
            "230 salariés formés en 2023 ; 92 % de satisfaction ; 18 PME ont lancé un projet données",
            "3.5 3.5 4 3 3 3.5",
        ),
        svc(
            "BE-17",
            "Parcours « Logistique 4.0 »",
            "Diagnostics et démonstrateurs d'automatisation d'entrepôt pour les PME du cluster logistique.",
            "INNOV",
            "JOINT",
            "PLANNED",
            "2027-01-04",
            150000,
            None,
            6,
            None,
            None,
            "4 - 3.5 - 4 4",
        ),
        svc(
            "BE-18",
            "Cartographie des compétences des clusters",
            "Base de données des savoir-faire des membres, consultable par les acheteurs et les chercheurs.",
            "INTEL",
            "DA",
            "COMPLETED",
            2018,
            24000,
            0.4,
            14,
            None,
            None,
            "3.5 3 4 2.5 2.5 3.5",
        ),
        svc(
            "BE-19",
            "Club des managers de cluster",
            "Réunion trimestrielle des managers pour échanger sur leurs pratiques, animée par l'agence.",
            "CMGT",
            "DA",
            "ONGOING",
            2011,
            8000,
            0.1,
            12,
            None,
            "10 managers présents en moyenne ; 3 projets communs lancés depuis 2021",
            "3 2.5 4 4 2 4.5",
        ),
        svc(
            "BE-20",
            "Préparation des PME aux marchés publics",
            "Ateliers et veille sur les marchés publics pour les PME des clusters construction et numérique.",
            "COMM",
            "DA",
            "ONGOING",
            "2019-02-04",
            22000,
            0.3,
            5,
            48,
            "48 PME formées ; 11 marchés remportés en 2023 (2,3 M€)",
            "3.5 3.5 3.5 3.5 2.5 2",
        ),
    ),
)

EE = Partner(
    "EE",
    "EE",
    "South Estonia Business Development Centre",
    "Tartu, Estonia",
    9,
    "clusters.tartu@example.org",
    needs("4 3 5 5 5 4 4 3 2 3 4 2 4 2"),
    (
        svc(
            "EE-S01",
            "Cluster-manager mentoring programme",
            "Experienced cluster managers from Finland and Estonia mentor newly appointed managers for "
            "one year.",
            "CMGT",
            "DA",
            "COMPLETED",
            "2017-09-01",
            26000,
            0.3,
            4,
            None,
            "11 managers mentored 2017-2022; 4 clusters reached ECEI Bronze; peer rating 4.5/5",
            "4 3.5 4.5 3 3 3.5",
        ),
        svc(
            "EE-S02",
            "B2B matchmaking at the Tartu Science Park",
            "Quarterly matchmaking sessions between ICT, health-tech and wood-industry cluster members "
            "and university research groups.",
            "NET",
            "JOINT",
            "ONGOING",
            "2016-02-15",
            34000,
            0.6,
            7,
            160,
            "46 bilateral meetings per session; 23 cooperation agreements in 2023; satisfaction 4.3/5",
            "4.5 4 4.5 4 3 4",
        ),
        svc(
            "EE-S03",
            "Digitalisation vouchers: ICT meets traditional industry",
            "Vouchers up to EUR 10,000 for wood, food and furniture SMEs to buy digitalisation services "
            "from ICT cluster members.",
            "INNOV",
            "DA",
            "ONGOING",
            "2018-03-01",
            280000,
            1.2,
            6,
            95,
            "95 vouchers in 2023; 41 projects completed; average productivity gain of 12% reported",
            "4.5 4.5 4 3.5 4 4.5",
        ),
        svc(
            "EE-S04",
            "Joint export mission to the Nordic countries",
            "Annual mission to Stockholm, Helsinki and Oslo for cluster SMEs, with B2B meetings prepared "
            "by the clusters.",
            "INTL",
            "JOINT",
            "ONGOING",
            2015,
            95000,
            0.8,
            4,
            38,
            "38 SMEs in 2023; 146 B2B meetings; 12 export contracts worth EUR 2.1 million",
            "4 4 4 3 2.5 4",
        ),
        svc(
            "EE-S05",
            "EU funding helpdesk for clusters",
            "Agency helpdesk that screens calls, checks budgets and finds partners for cluster projects.",
            "FIN",
            "DA",
            "ONGOING",
            "2014-01-06",
            52000,
            1.0,
            8,
            40,
            "17 proposals supported in 2023, 6 funded (EUR 3.8 million)",
            "4 4 4 4 2 3",
        ),
        svc(
            "EE-S06",
            "Technology watch reports for the wood cluster",
            "Quarterly technology and market reports on CLT, prefabrication and bio-based materials.",
            "INTEL",
            "CI",
            "ONGOING",
            "2019-05-01",
            15000,
            0.3,
            1,
            45,
            "45 companies subscribed; 2 new product lines cite the reports",
            "3.5 3 3.5 3.5 2 2",
        ),
        svc(
            "EE-S07",
            "Health-tech test bed at the university hospital",
            "Access to a clinical testing environment for cluster SMEs, with ethics and regulatory support.",
            "INFRA",
            "JOINT",
            "ONGOING",
            "2020-10-01",
            380000,
            2.5,
            2,
            14,
            "14 SMEs tested products in 2023; 5 obtained CE marking",
            "4.5 4 2.5 3 5 4.5",
        ),
        svc(
            "EE-S08",
            'Start-up pre-incubation "Tartu Spark"',
            "Ten-week programme for student and researcher teams linked to the clusters.",
            "START",
            "JOINT",
            "ONGOING",
            "2017-09-18",
            110000,
            1.5,
            4,
            30,
            "30 teams per year; 11 companies founded in 2022-2023",
            "4 3.5 4 3.5 3.5 3.5",
        ),
        svc(
            "EE-S09",
            "Cross-cluster weekend hackathon",
            "Weekend hackathon mixing ICT, food and creative-industry companies, run by an event company.",
            "XSECT",
            "EXTERNAL",
            "COMPLETED",
            "2018-04-20",
            40000,
            0.2,
            6,
            70,
            "3 editions, 21 prototypes",
            "3.5 3 4 2 4 3",
        ),
        svc(
            "EE-S10",
            "Member satisfaction survey",
            "Annual online survey of all cluster members, with a benchmarked report for each cluster.",
            "MONIT",
            "DA",
            "ONGOING",
            2019,
            6000,
            0.1,
            9,
            310,
            "Response rate 37%; satisfaction 4.0/5 in 2023; 2 clusters changed their service offer",
            "3 3 4.5 4 2 3",
        ),
        svc(
            "EE-S11",
            "Cluster policy round table with the ministry",
            "Twice-yearly round table with the ministry on the rules of the national cluster programme.",
            "POLICY",
            "DA",
            "ONGOING",
            2016,
            5000,
            0.1,
            9,
            None,
            "Cluster programme co-financing rate raised from 50% to 60% in 2022 after the round table's "
            "proposals",
            "4 3.5 3 3.5 2 3",
        ),
        svc(
            "EE-S12",
            "Green transition training for SMEs",
            "Short courses on carbon footprint and eco-design for cluster members.",
            "SKILLS",
            "JOINT",
            "PILOT",
            "2025-02-03",
            45000,
            0.5,
            5,
            60,
            "First cohort of 22 participants",
            "4 3 4 3 3.5 3.5",
        ),
        svc(
            "EE-S13",
            "Shared e-commerce platform for food producers",
            "Joint online shop for the South Estonian food cluster members.",
            "COMM",
            "CI",
            "ONGOING",
            "2021-05-01",
            38000,
            0.8,
            1,
            26,
            "26 producers; online sales of EUR 310,000 in 2023",
            "3.5 3.5 3 3 3 2",
        ),
        svc(
            "EE-S14",
            'Branding campaign "Smart Tartu Region"',
            "International investor and talent campaign featuring cluster companies.",
            "BRAND",
            "DA",
            "COMPLETED",
            "2020-01-01",
            60000,
            0.4,
            5,
            80,
            None,
            "3 2.5 3 2 2.5 2.5",
        ),
        svc(
            "EE-S15",
            "Cluster programme application advice",
            "One-to-one advice to cluster managers on their applications to the national cluster programme.",
            "FIN",
            "DA",
            "ONGOING",
            2013,
            20000,
            0.4,
            9,
            None,
            "All 9 clusters funded in the 2022 call",
            "3.5 3 2.5 4 1.5 2.5",
        ),
        svc(
            "EE-S16",
            "Open lab days at the Science Park",
            "Open days where SMEs visit university labs and pilot lines.",
            "INNOV",
            "JOINT",
            "ONGOING",
            "2019-10-01",
            14000,
            0.2,
            6,
            120,
            "120 SMEs attended; 8 contract research projects",
            "3 2.5 4 3 2.5 3.5",
        ),
        svc(
            "EE-S17",
            "Digital skills bootcamp for cluster members",
            "Twelve-week evening bootcamp on data analysis and automation.",
            "SKILLS",
            "CI",
            "COMPLETED",
            "2022-01-10",
            48000,
            0.4,
            3,
            40,
            "40 employees trained; 85% completion",
            "3.5 3.5 4 2 2.5 2",
        ),
        svc(
            "EE-S18",
            "Support to join European strategic cluster partnerships",
            "Help for clusters to find partners and apply to European cluster partnership calls.",
            "INTL",
            "DA",
            "PLANNED",
            2027,
            None,
            None,
            4,
            None,
            None,
            "3.5 - 4 - 3 4",
        ),
        svc(
            "EE-S19",
            "Start-up and corporate challenge calls",
            "Cluster companies post challenges; start-ups pitch pilots funded by the agency.",
            "START",
            "JOINT",
            "ONGOING",
            "2023-03-01",
            30000,
            0.5,
            5,
            25,
            "18 pilots between start-ups and cluster companies in 2023-2024",
            "4 3.5 4 3 4 4",
        ),
    ),
)

FR = Partner(
    "FR",
    "FR",
    "Agence régionale de développement économique Auvergne-Rhône-Alpes",
    "Auvergne-Rhône-Alpes",
    22,
    "poles-clusters.ara@example.org",
    needs("3 4 4 3 4 5 3 2 3 3 3 2 5 3"),
    (
        svc(
            "ARA-01",
            "Rencontres d'affaires « Industrie du futur »",
            "Rendez-vous B2B annuels entre donneurs d'ordre (automobile, aéronautique, énergie) et PME "
            "sous-traitantes des clusters.",
            "NET",
            "JOINT",
            "ONGOING",
            "2014-10-07",
            145000,
            1.6,
            15,
            420,
            "1 850 rendez-vous en 2023 ; 96 marchés conclus dans les 6 mois ; satisfaction 4,5/5",
            "5 4.5 4 4.5 3 4",
        ),
        svc(
            "ARA-02",
            "Veille stratégique mutualisée",
            "Plateforme de veille (marchés, technologies, réglementation) partagée par les clusters, "
            "avec deux analystes de l'agence.",
            "INTEL",
            "DA",
            "ONGOING",
            "2016-01-04",
            160000,
            2.5,
            18,
            650,
            "650 PME abonnées ; 42 notes sectorielles en 2023 ; 78 % jugent la veille utile",
            "4 3.5 4 4 3 4",
        ),
        svc(
            "ARA-03",
            "Pass Innovation : aide aux projets de R&D",
            "Subvention de 10 000 à 50 000 € pour un premier projet de R&D avec un laboratoire, instruite "
            "avec le cluster de la PME.",
            "INNOV",
            "DA",
            "ONGOING",
            2015,
            600000,
            2.0,
            20,
            210,
            "210 projets financés en 2023 ; 64 % débouchent sur un nouveau produit en 2 ans",
            "4.5 4.5 3.5 4 3 3",
        ),
        svc(
            "ARA-04",
            "Accompagnement au financement européen",
            "Cellule Europe commune à l'agence et aux clusters : veille des appels, montage, recherche "
            "de partenaires.",
            "FIN",
            "JOINT",
            "ONGOING",
            "2017-05-15",
            130000,
            1.5,
            11,
            60,
            "28 projets déposés en 2023, 11 retenus (8,2 M€ pour les membres)",
            "4.5 4 4 3.5 2.5 4",
        ),
        svc(
            "ARA-05",
            "Pavillons régionaux sur les salons internationaux",
            "Stands collectifs sur Hannover Messe, le CES et JEC World, avec préparation des PME.",
            "INTL",
            "JOINT",
            "ONGOING",
            2012,
            480000,
            2.0,
            16,
            140,
            "140 PME exposantes en 2023 ; 37 M€ de chiffre d'affaires export déclaré à 18 mois",
            "3.5 3.5 2.5 3 2.5 4.5",
        ),
        svc(
            "ARA-06",
            "Université des clusters",
            "Trois jours de formation par an pour managers et chargés de mission des clusters et pôles.",
            "CMGT",
            "DA",
            "ONGOING",
            "2013-06-20",
            70000,
            0.7,
            21,
            None,
            "120 participants par édition ; 9 sur 10 la recommandent ; référentiel de compétences adopté "
            "par 15 clusters",
            "4 3.5 4.5 4 3 4",
        ),
        svc(
            "ARA-07",
            "Labellisation et benchmarking des clusters",
            "Coaching par un cabinet spécialisé pour préparer l'évaluation ECEI.",
            "CMGT",
            "EXTERNAL",
            "COMPLETED",
            "2018-03-01",
            90000,
            0.5,
            12,
            None,
            "12 clusters labellisés dont 4 Gold",
            "4 4 4 3 3 2.5",
        ),
        svc(
            "ARA-08",
            "Plateforme d'essais mutualisée en plasturgie",
            "Presses, rhéologie et vieillissement accéléré accessibles aux PME du cluster plasturgie.",
            "INFRA",
            "CI",
            "ONGOING",
            2011,
            520000,
            6.0,
            2,
            48,
            "48 PME utilisatrices ; 310 campagnes d'essais en 2023",
            "3.5 4 2 3.5 3.5 3",
        ),
        svc(
            "ARA-09",
            "Incubateur « Deeptech Alpes »",
            "Incubation de start-ups issues des laboratoires grenoblois et lyonnais, avec accès aux "
            "clusters.",
            "START",
            "JOINT",
            "ONGOING",
            "2019-01-14",
            250000,
            3.0,
            6,
            35,
            "35 start-ups incubées ; 12 M€ levés en 2023",
            "4 4 3 3.5 4.5 4",
        ),
        svc(
            "ARA-10",
            "Hackathon intercluster santé, numérique et montagne",
            "Défis croisés entre les filières santé, numérique et sports de montagne.",
            "XSECT",
            "JOINT",
            "COMPLETED",
            "2020-11-16",
            65000,
            0.6,
            9,
            80,
            "3 éditions ; 14 consortiums formés ; 4 projets financés",
            "4 3.5 4 3 4.5 4.5",
        ),
        svc(
            "ARA-11",
            "Baromètre de satisfaction des adhérents",
            "Enquête en ligne commune à tous les clusters, résultats comparés d'une année à l'autre.",
            "MONIT",
            "DA",
            "ONGOING",
            2017,
            25000,
            0.3,
            22,
            1250,
            "Taux de réponse 34 % ; satisfaction 4,2/5 ; résultats présentés aux 22 clusters",
            "3.5 3 4 4 2.5 3.5",
        ),
        svc(
            "ARA-12",
            "Comité régional des clusters",
            "Instance de dialogue entre la Région, l'agence et les présidents de clusters.",
            "POLICY",
            "DA",
            "ONGOING",
            "2016-09-01",
            15000,
            0.2,
            22,
            None,
            "Avis du comité intégrés au schéma régional 2022-2028 ; 2 dispositifs d'aide modifiés",
            "4 3 3 3.5 2 3.5",
        ),
        svc(
            "ARA-13",
            "Campagne de marque régionale",
            "Campagne d'attractivité mettant en avant les entreprises des clusters.",
            "BRAND",
            "DA",
            "ONGOING",
            2018,
            200000,
            1.0,
            10,
            300,
            "300 entreprises partenaires de la marque",
            "3 3 3 3 2 2.5",
        ),
        svc(
            "ARA-14",
            "Mission export Japon",
            "Mission de prospection à Tokyo et Osaka pour les PME de la mécanique et de la santé.",
            "INTL",
            "DA",
            "COMPLETED",
            "2023-10-02",
            80000,
            0.5,
            5,
            18,
            "18 PME participantes ; 4 contrats de distribution",
            "3.5 3 3 2 2.5 3",
        ),
        svc(
            "ARA-15",
            "Groupement d'achats des PME de la plasturgie",
            "Achats groupés de matières premières négociés par le cluster.",
            "COMM",
            "CI",
            "ONGOING",
            "2020-04-01",
            20000,
            0.4,
            3,
            90,
            "Économies de 7 % sur les matières premières pour 90 PME",
            "3.5 3.5 3.5 3.5 2 2.5",
        ),
        svc(
            "ARA-16",
            "Compétences industrie du futur",
            "Gestion prévisionnelle des emplois et compétences à l'échelle des bassins industriels, avec "
            "les clusters et les OPCO.",
            "SKILLS",
            "JOINT",
            "ONGOING",
            "2018-09-03",
            180000,
            1.8,
            13,
            260,
            "540 salariés formés et 120 recrutements facilités en 2023",
            "4 3.5 3.5 3.5 3 4",
        ),
        svc(
            "ARA-17",
            "Programme hydrogène inter-filières",
            "Identification de démonstrateurs hydrogène communs aux filières mobilité, chimie et énergie.",
            "XSECT",
            "JOINT",
            "PILOT",
            "2024-09-02",
            300000,
            2.0,
            7,
            30,
            "12 démonstrateurs identifiés",
            "4 - 3.5 3 4.5 4.5",
        ),
        svc(
            "ARA-18",
            "Observatoire des clusters",
            "Tableau de bord commun des indicateurs d'activité et d'impact des clusters.",
            "MONIT",
            "DA",
            "PLANNED",
            "2027-03-01",
            40000,
            0.5,
            22,
            None,
            None,
            "4 - 4 - 3 3",
        ),
        svc(
            "ARA-19",
            "Club RSE intercluster",
            "Échanges de pratiques sur la responsabilité sociétale entre membres de clusters différents.",
            "XSECT",
            "CI",
            "ONGOING",
            2021,
            30000,
            0.3,
            12,
            140,
            None,
            "3.5 3 4 3 2.5 3",
        ),
        svc(
            "ARA-20",
            "Prêts d'honneur pour PME innovantes",
            "Prêts sans garantie accordés par un réseau associatif partenaire.",
            "FIN",
            "EXTERNAL",
            "ONGOING",
            2014,
            150000,
            0.5,
            8,
            45,
            "45 prêts accordés en 2023",
            "3.5 3 3.5 4 2 2",
        ),
        svc(
            "ARA-21",
            "Valorisation des brevets des laboratoires",
            "Mise en relation des PME des clusters avec les offres de licence des laboratoires publics.",
            "INNOV",
            "JOINT",
            "ONGOING",
            2019,
            220000,
            2.0,
            11,
            30,
            "9 licences signées avec des PME depuis 2019",
            "4 3.5 3 3.5 3.5 3.5",
        ),
    ),
)

SI = Partner(
    "SI",
    "SI",
    "Slovenian Regional Development Agency for Clusters",
    "Slovenia",
    12,
    "clusters.si@example.org",
    needs("4 4 5 4 5 4 4 3 3 2 3 3 4 2"),
    (
        svc(
            "SI-01",
            "Automotive supplier matchmaking with OEMs",
            "Annual supplier days where Tier-2 and Tier-3 SMEs meet purchasing teams of car makers.",
            "NET",
            "JOINT",
            "ONGOING",
            "2016-04-04",
            75000,
            1.0,
            8,
            120,
            "31 new supply contracts in 2023; satisfaction 4.2/5",
            "4.5 4 4 3.5 3 4",
        ),
        svc(
            "SI-02",
            "Smart-specialisation funding desk",
            "Agency desk helping cluster members apply to national and EU smart-specialisation calls.",
            "FIN",
            "DA",
            "ONGOING",
            2017,
            60000,
            1.0,
            6,
            55,
            "15 projects funded in 2023 (EUR 5.6 million)",
            "4 4 3.5 4 2 3",
        ),
        svc(
            "SI-03",
            "Wood-industry design and innovation centre",
            "Prototyping workshop and design studio for furniture and wood-construction SMEs.",
            "INFRA",
            "CI",
            "ONGOING",
            "2015-09-01",
            310000,
            4.0,
            2,
            40,
            "40 SMEs used the centre; 22 new products in 2023",
            "4 4 2.5 3.5 4 3",
        ),
        svc(
            "SI-04",
            "Cluster-manager academy with Croatian and Austrian partners",
            "Five cross-border modules on strategy, services, financing and internationalisation.",
            "CMGT",
            "DA",
            "COMPLETED",
            "2018-10-01",
            48000,
            0.5,
            9,
            None,
            "14 managers trained; 6 clusters revised their strategy",
            "4 3.5 4.5 3 3 3.5",
        ),
        svc(
            "SI-05",
            "Export missions to the Western Balkans",
            "Two missions a year with B2B meetings prepared by the chambers of commerce.",
            "INTL",
            "JOINT",
            "ONGOING",
            2014,
            90000,
            0.8,
            7,
            45,
            "45 SMEs per year; 18 distribution agreements in 2023",
            "4 3.5 4 3.5 2.5 3.5",
        ),
        svc(
            "SI-06",
            "Smart-home technology watch",
            "Monthly digest on standards and products for the smart-home cluster.",
            "INTEL",
            "CI",
            "ONGOING",
            2019,
            18000,
            0.3,
            3,
            60,
            "60 subscribers; 3 joint standardisation comments",
            "3 3 3.5 - 2.5 2",
        ),
        svc(
            "SI-07",
            "Industry 4.0 demonstration factory",
            "Learning factory where SMEs test robotics, sensors and MES software before investing.",
            "INNOV",
            "JOINT",
            "ONGOING",
            "2019-06-03",
            450000,
            3.0,
            6,
            45,
            "45 SMEs ran pilots in 2023; 17 invested afterwards",
            "4.5 4 3 3 4.5 4.5",
        ),
        svc(
            "SI-08",
            "Cluster track in the national start-up programme",
            "Start-up programme run by a private accelerator with a track for cluster themes.",
            "START",
            "EXTERNAL",
            "ONGOING",
            2018,
            80000,
            0.5,
            5,
            40,
            "40 start-ups; 9 pilots with cluster members",
            "3.5 3.5 3.5 3 3.5 3",
        ),
        svc(
            "SI-09",
            "Green transition skills programme",
            "Training on circular design and energy efficiency for employees of cluster members.",
            "SKILLS",
            "JOINT",
            "ONGOING",
            "2021-03-01",
            95000,
            1.0,
            9,
            150,
            "150 employees certified in circular design in 2023",
            "4 3.5 4 3 3.5 4",
        ),
        svc(
            "SI-10",
            "Cross-cluster circular economy platform",
            "Platform and workshops matching waste and by-product streams across clusters.",
            "XSECT",
            "JOINT",
            "ONGOING",
            "2020-01-15",
            70000,
            0.8,
            10,
            85,
            "12 industrial symbiosis deals; 3,400 t of waste re-used in 2023",
            "4 4 4.5 3 4.5 5",
        ),
        svc(
            "SI-11",
            "Member satisfaction and service audit",
            "Survey of members and review of each cluster's services.",
            "MONIT",
            "DA",
            "COMPLETED",
            2021,
            9000,
            0.2,
            12,
            280,
            None,
            "3.5 3 4 3 2 3",
        ),
        svc(
            "SI-12",
            "Policy dialogue on smart-specialisation governance",
            "Working group of cluster managers and ministries on partnership governance.",
            "POLICY",
            "DA",
            "ONGOING",
            2017,
            10000,
            0.2,
            12,
            None,
            "New governance rules of 2022 include 4 of the 6 proposals",
            "3.5 2.5 3 3.5 2 3",
        ),
        svc(
            "SI-13",
            "Slovenian pavilion at Hannover Messe",
            "First national pavilion for cluster members.",
            "INTL",
            "DA",
            "PILOT",
            "2025-04-01",
            120000,
            0.6,
            5,
            15,
            "15 exhibitors",
            "3.5 3 3.5 2.5 2 3",
        ),
        svc(
            "SI-14",
            'Joint brand "Green industry Slovenia"',
            "Shared label and marketing material for cluster members meeting green criteria.",
            "BRAND",
            "JOINT",
            "ONGOING",
            2019,
            55000,
            0.4,
            8,
            200,
            "200 companies use the label",
            "3 3 3.5 3 2.5 3",
        ),
        svc(
            "SI-15",
            "Collaborative R&D call brokerage",
            "Consortium-building days before national and Horizon Europe calls.",
            "INNOV",
            "DA",
            "ONGOING",
            2016,
            40000,
            0.5,
            11,
            70,
            "22 consortia formed in 2023; 9 funded",
            "4 3.5 4 3.5 3 3.5",
        ),
        svc(
            "SI-16",
            "Joint procurement for automotive suppliers",
            "Joint purchasing of tooling steel and logistics services.",
            "COMM",
            "CI",
            "ONGOING",
            "2022-02-01",
            25000,
            0.3,
            2,
            30,
            "Savings of 6% for 30 SMEs",
            "3 3 3 3 2 2",
        ),
        svc(
            "SI-17",
            "Cluster KPI dashboard",
            "Common indicators and an online dashboard for all clusters.",
            "MONIT",
            "DA",
            "PLANNED",
            2027,
            30000,
            None,
            12,
            None,
            None,
            "3.5 - 4 - 3 3",
        ),
        svc(
            "SI-18",
            "Mentoring for women entrepreneurs in clusters",
            "Year-long mentoring by senior managers of cluster member companies.",
            "START",
            "JOINT",
            "ONGOING",
            2020,
            35000,
            0.4,
            7,
            28,
            "28 mentees; 9 new companies founded",
            "3.5 3.5 3.5 3 3 3.5",
        ),
        svc(
            "SI-19",
            'Hackathon "Smart Wood"',
            "Two-day hackathon on sensors and digital tools for the wood industry.",
            "XSECT",
            "CI",
            "COMPLETED",
            "2023-05-12",
            20000,
            0.2,
            4,
            40,
            "8 teams; 2 prototypes adopted",
            "3.5 3 3.5 2 3.5 3",
        ),
        svc(
            "SI-20",
            "Digital product passport pilot",
            "Pilot of digital product passports for furniture and electrical appliances.",
            "INNOV",
            "JOINT",
            "PILOT",
            "2025-10-01",
            60000,
            0.5,
            4,
            12,
            None,
            "4 - 3.5 3 4.5 4",
        ),
    ),
)

DE = Partner(
    "DE",
    "DE",
    "Agentur für Clusterentwicklung Neckar-Alb",
    "Baden-Württemberg (Region Neckar-Alb)",
    18,
    "cluster.bw@example.org",
    needs("3 4 4 3 3 5 2 2 3 4 4 2 5 2"),
    (
        svc(
            "BW-01",
            "Kooperationsbörse Automotive und Maschinenbau",
            "Jährliche B2B-Börse mit vorab vereinbarten Gesprächen zwischen Zulieferern, Maschinenbauern "
            "und Forschungseinrichtungen.",
            "NET",
            "JOINT",
            "ONGOING",
            "2013-03-07",
            120000,
            1.5,
            12,
            380,
            "1.240 B2B-Gespräche 2023; 64 Kooperationsvereinbarungen; Zufriedenheit 4,3/5",
            "4.5 4 4 4 3 4",
        ),
        svc(
            "BW-02",
            "Förderlotse für EU- und Landesprogramme",
            "Beratung zu Förderprogrammen, Antragscheck und Partnersuche für Clustermitglieder.",
            "FIN",
            "DA",
            "ONGOING",
            2010,
            140000,
            2.0,
            16,
            110,
            "38 Anträge 2023 begleitet, 19 bewilligt (11,2 Mio. EUR)",
            "4.5 4.5 4 4 2.5 3.5",
        ),
        svc(
            "BW-03",
            "Technologiescouting Photonik und Medizintechnik",
            "Monatliche Technologieberichte und Scouting-Reisen für zwei Cluster.",
            "INTEL",
            "CI",
            "ONGOING",
            2017,
            60000,
            0.8,
            3,
            90,
            "90 Abonnenten; 6 Lizenzanfragen 2023",
            "3.5 3 3.5 3.5 3 2.5",
        ),
        svc(
            "BW-04",
            "Innovationsgutscheine Hightech",
            "Gutscheine für FuE-Aufträge von KMU an Hochschulen und Forschungsinstitute.",
            "INNOV",
            "DA",
            "ONGOING",
            "2008-07-01",
            900000,
            3.0,
            15,
            160,
            "160 Gutscheine 2023; 47 Patentanmeldungen seit 2020",
            "4.5 4 4 4.5 3 3",
        ),
        svc(
            "BW-05",
            "Gemeinschaftsstand auf der Hannover Messe",
            "Landesgemeinschaftsstand mit Standbau, Pressearbeit und Matchmaking für Clustermitglieder.",
            "INTL",
            "JOINT",
            "ONGOING",
            2009,
            350000,
            1.2,
            11,
            75,
            "75 Aussteller 2023; 2.300 Leads; 21 Exportaufträge",
            "4 3.5 4 3.5 2 4",
        ),
        svc(
            "BW-06",
            "Zertifikatslehrgang Clustermanagement",
            "Berufsbegleitender Lehrgang in sechs Modulen für Clustermanagerinnen und -manager.",
            "CMGT",
            "DA",
            "COMPLETED",
            "2012-10-15",
            55000,
            0.5,
            14,
            None,
            "42 Absolventinnen und Absolventen; 6 Cluster mit ECEI-Gold-Label",
            "4 4 4.5 3 2.5 3.5",
        ),
        svc(
            "BW-07",
            "Benchmarking- und Labelberatung",
            "Vorbereitung auf das ECEI-Benchmarking durch ein Beratungsunternehmen.",
            "CMGT",
            "EXTERNAL",
            "COMPLETED",
            2016,
            70000,
            0.3,
            10,
            None,
            "10 Cluster benchmarkt, 3 Gold-Labels",
            "4 3.5 4 3 2.5 2.5",
        ),
        svc(
            "BW-08",
            "Testfeld autonomes Fahren",
            "Öffentliches Testfeld mit Sensorik und Datenplattform, von Agentur und Automotive-Cluster "
            "betrieben.",
            "INFRA",
            "JOINT",
            "ONGOING",
            "2018-05-02",
            1200000,
            5.0,
            4,
            25,
            "25 KMU nutzten das Testfeld 2023; 8 Fahrzeugfunktionen zugelassen",
            "4 4 2 3 5 4",
        ),
        svc(
            "BW-09",
            "Gründungsprogramm Cluster-Track",
            "Acceleratorprogramm mit Mentoring durch Clustermitglieder.",
            "START",
            "JOINT",
            "ONGOING",
            "2019-01-15",
            180000,
            1.5,
            7,
            40,
            "40 Start-ups; 14 Pilotprojekte mit Mitgliedsunternehmen",
            "4 3.5 3.5 3 4 4",
        ),
        svc(
            "BW-10",
            "Clusterübergreifende Innovationswerkstätten",
            "Moderierte Werkstätten, in denen Unternehmen verschiedener Cluster gemeinsame Projekte "
            "entwickeln.",
            "XSECT",
            "JOINT",
            "ONGOING",
            "2016-04-01",
            80000,
            1.0,
            13,
            150,
            "18 Werkstätten 2023; 11 branchenübergreifende Projekte gestartet",
            "4 3.5 4.5 3.5 4 5",
        ),
        svc(
            "BW-11",
            "Mitgliederzufriedenheitsbefragung",
            "Jährliche Online-Befragung aller Clustermitglieder mit Vergleichsbericht.",
            "MONIT",
            "DA",
            "ONGOING",
            2015,
            15000,
            0.2,
            18,
            900,
            "Rücklaufquote 29 %; Zufriedenheit 4,0/5; Ergebnisse in allen Clusterbeiräten besprochen",
            "3 2.5 4 4 2 3",
        ),
        svc(
            "BW-12",
            "Clusterdialog mit dem Wirtschaftsministerium",
            "Halbjährlicher Austausch der Clustermanagements mit dem Ministerium.",
            "POLICY",
            "DA",
            "ONGOING",
            2011,
            20000,
            0.3,
            18,
            None,
            "Clusterförderrichtlinie 2022 in zwei Punkten angepasst",
            "3.5 2.5 3 3.5 2 3",
        ),
        svc(
            "BW-13",
            "Fachkräfteallianz Maschinenbau",
            "Gemeinsame Ausbildungs- und Rekrutierungskampagnen der Maschinenbaucluster.",
            "SKILLS",
            "JOINT",
            "ONGOING",
            "2017-09-01",
            220000,
            2.0,
            9,
            200,
            "200 Betriebe beteiligt; 320 Ausbildungsplätze besetzt 2023",
            "4 4 3.5 3.5 3 3.5",
        ),
        svc(
            "BW-14",
            "Standortkampagne Innovationsregion Neckar-Alb",
            "Imagekampagne einer Werbeagentur mit Unternehmen aus den Clustern.",
            "BRAND",
            "EXTERNAL",
            "ONGOING",
            2021,
            150000,
            0.3,
            6,
            None,
            "4,5 Mio. Kontakte in sozialen Medien",
            "3 2.5 3 2.5 2.5 2",
        ),
        svc(
            "BW-15",
            "Einkaufskooperation Energie",
            "Gemeinsamer Strom- und Gaseinkauf für Mitglieder des Kunststoffclusters.",
            "COMM",
            "CI",
            "ONGOING",
            "2022-11-01",
            18000,
            0.2,
            2,
            70,
            "Einsparung von 9 % für 70 Betriebe",
            "3 3 3 3 2 2",
        ),
        svc(
            "BW-16",
            "KI-Lab für KMU",
            "Labor, in dem KMU mit Forschenden KI-Anwendungen erproben.",
            "INNOV",
            "JOINT",
            "ONGOING",
            "2026-02-02",
            260000,
            2.0,
            10,
            30,
            "30 KMU in den ersten acht Monaten; 9 KI-Prototypen",
            "4.5 3.5 3.5 3 4.5 4",
        ),
        svc(
            "BW-17",
            "Wasserstoff-Netzwerk",
            "Netzwerk für Wasserstoffanwendungen in Produktion und Logistik.",
            "XSECT",
            "JOINT",
            "PLANNED",
            "2027-01-11",
            120000,
            None,
            7,
            None,
            None,
            "4 - 3.5 - 4 4",
        ),
        svc(
            "BW-18",
            "Delegationsreise USA",
            "Delegationsreise nach Chicago und Detroit für Automotive-Zulieferer.",
            "INTL",
            "DA",
            "COMPLETED",
            "2023-05-08",
            65000,
            0.4,
            6,
            16,
            "16 Teilnehmende; 3 Vertriebspartnerschaften",
            "3.5 3 3 2 2.5 3",
        ),
        svc(
            "BW-19",
            "Digitale Weiterbildung Cluster-Academy",
            "Online-Kurse zu Digitalisierung für Beschäftigte von Mitgliedsunternehmen.",
            "SKILLS",
            "CI",
            "ONGOING",
            2020,
            None,
            0.5,
            4,
            120,
            None,
            "3.5 3 3.5 3 2.5 2.5",
        ),
        svc(
            "BW-20",
            "Lieferkettenatlas",
            "Datenbank der Kompetenzen und Fertigungstechnologien der Clustermitglieder.",
            "INTEL",
            "DA",
            "ONGOING",
            "2019-10-01",
            45000,
            0.5,
            15,
            600,
            "600 Unternehmensprofile; 240 Anfragen von Einkäufern 2023",
            "3.5 3 4 3.5 2.5 -",
        ),
        svc(
            "BW-21",
            "Open Innovation Space",
            "Coworking- und Veranstaltungsfläche für Cluster, Start-ups und Hochschulen.",
            "INFRA",
            "JOINT",
            "ONGOING",
            "2020-06-01",
            150000,
            1.5,
            7,
            110,
            "110 Veranstaltungen 2023; 35 Start-ups eingemietet",
            "3.5 3 3 3 3.5 4",
        ),
    ),
)

GR = Partner(
    "GR",
    "EL",
    "Regional Development Agency of Central Macedonia",
    "Central Macedonia",
    10,
    "clusters.cm@example.org",
    needs("5 4 4 5 5 4 5 3 3 3 3 3 3 4"),
    (
        svc(
            "CM-01",
            "Agri-food B2B brokerage at the Thessaloniki fair",
            "Pre-arranged meetings between agri-food cluster members and foreign buyers during the "
            "international fair.",
            "NET",
            "JOINT",
            "ONGOING",
            "2017-09-08",
            45000,
            0.8,
            7,
            130,
            "210 B2B meetings in 2023; 19 supply agreements; satisfaction 4.1/5",
            "4 4 4 3.5 2.5 4",
        ),
        svc(
            "CM-02",
            "EU and national funding helpdesk",
            "Agency helpdesk for cluster members on Horizon Europe, Interreg and regional programme calls.",
            "FIN",
            "DA",
            "ONGOING",
            2015,
            70000,
            1.5,
            8,
            95,
            "27 applications supported in 2023; 14 approved (EUR 4.9 million)",
            "4.5 4 4 3.5 2 3",
        ),
        svc(
            "CM-03",
            "Export missions to the Balkans and the Middle East",
            "Collective missions for food, textile and building-materials SMEs.",
            "INTL",
            "JOINT",
            "ONGOING",
            "2016-03-01",
            85000,
            0.8,
            6,
            42,
            "42 SMEs in 2023; 11 export deals",
            "4 3.5 3.5 3 2.5 3.5",
        ),
        svc(
            "CM-04",
            "Textile and fashion design lab",
            "Shared CAD and sampling lab for apparel SMEs.",
            "INFRA",
            "CI",
            "ONGOING",
            2018,
            160000,
            2.0,
            2,
            38,
            "38 SMEs used the lab; 120 collections sampled",
            "3.5 3.5 2.5 3 3.5 3",
        ),
        svc(
            "CM-05",
            "Cluster-manager training with EU partners",
            "Online and on-site modules shared with two other European regions.",
            "CMGT",
            "DA",
            "COMPLETED",
            "2019-02-11",
            30000,
            0.3,
            6,
            None,
            "9 managers trained; 2 clusters obtained ECEI Bronze",
            "3.5 3 4 2.5 2.5 3",
        ),
        svc(
            "CM-06",
            "Innovation vouchers for agri-food SMEs",
            "Vouchers for product development with the region's universities and research centres.",
            "INNOV",
            "DA",
            "ONGOING",
            "2018-01-15",
            240000,
            1.0,
            7,
            60,
            "60 vouchers in 2023; 14 new products on the market",
            "4.5 4 3.5 3 3.5 3",
        ),
        svc(
            "CM-07",
            "Market intelligence on food exports",
            "Quarterly export market briefs by the food cluster.",
            "INTEL",
            "CI",
            "ONGOING",
            2020,
            20000,
            0.3,
            3,
            80,
            "80 subscribers; 5 new export markets entered",
            "3.5 3 3.5 3 2.5 2",
        ),
        svc(
            "CM-08",
            "Start-up programme of the innovation zone",
            "Accelerator run by a private operator with places for cluster-related start-ups.",
            "START",
            "EXTERNAL",
            "ONGOING",
            2019,
            140000,
            0.6,
            4,
            30,
            "30 start-ups; EUR 4 million raised",
            "3.5 3.5 3 3 3.5 3",
        ),
        svc(
            "CM-09",
            "Cross-cluster workshops: logistics, agri-food and ICT",
            "Workshops where ICT and logistics companies co-design solutions with food producers.",
            "XSECT",
            "JOINT",
            "ONGOING",
            "2021-04-12",
            25000,
            0.4,
            8,
            65,
            "6 workshops; 5 joint pilot projects on cold-chain tracking",
            "4 3.5 4 3 4 4.5",
        ),
        svc(
            "CM-10",
            "Member satisfaction survey",
            "First common survey of the members of all clusters.",
            "MONIT",
            "DA",
            "PILOT",
            "2025-06-02",
            8000,
            0.1,
            10,
            None,
            None,
            "3.5 - 4 3 2 3",
        ),
        svc(
            "CM-11",
            "Regional policy forum on clusters",
            "Forum of clusters, the region and universities on smart-specialisation priorities.",
            "POLICY",
            "DA",
            "ONGOING",
            2018,
            12000,
            0.2,
            10,
            None,
            "The 2021-2027 smart-specialisation strategy includes 3 measures proposed by the forum",
            "4 3 3.5 3 2 3.5",
        ),
        svc(
            "CM-12",
            "Digital skills for agri-food employees",
            "Short courses on e-commerce and traceability software.",
            "SKILLS",
            "JOINT",
            "ONGOING",
            "2022-10-03",
            55000,
            0.6,
            5,
            90,
            "90 SMEs, 210 employees trained",
            "4 3.5 4 3 3 3.5",
        ),
        svc(
            "CM-13",
            'Joint label "Made in Central Macedonia"',
            "Regional product label and retail promotion for cluster members.",
            "BRAND",
            "JOINT",
            "COMPLETED",
            2019,
            90000,
            0.5,
            6,
            120,
            "120 products labelled; retail listings up 15%",
            "3 3 3 2.5 2.5 3",
        ),
        svc(
            "CM-14",
            "Shared logistics platform for food exporters",
            "Groupage of pallets and shared cold storage.",
            "COMM",
            "CI",
            "ONGOING",
            2020,
            50000,
            0.5,
            3,
            45,
            "45 SMEs; freight costs down 12%",
            "3.5 3.5 3 3 2.5 2.5",
        ),
        svc(
            "CM-15",
            "Wine and gastronomy export catalogue",
            "Printed and online catalogue for importers.",
            "INTL",
            "CI",
            "COMPLETED",
            2021,
            15000,
            0.2,
            2,
            55,
            None,
            "3 2.5 3 2 2 2",
        ),
        svc(
            "CM-16",
            "Research-industry matchmaking",
            "Meetings between university research teams and cluster companies on concrete problems.",
            "INNOV",
            "JOINT",
            "ONGOING",
            "2019-05-06",
            35000,
            0.5,
            6,
            50,
            "50 SMEs in 2023; 12 joint research proposals, 2 funded",
            "4 2.5 3.5 3.5 3 3.5",
        ),
        svc(
            "CM-17",
            "Cluster observatory",
            "Yearly report on the region's clusters and their members.",
            "MONIT",
            "DA",
            "PLANNED",
            2027,
            None,
            None,
            10,
            None,
            None,
            "3.5 - 4 - 2.5 3",
        ),
        svc(
            "CM-18",
            "Agri-tech demonstration farm",
            "Demonstration of precision farming equipment for cluster members.",
            "INFRA",
            "JOINT",
            "PILOT",
            2024,
            110000,
            1.0,
            3,
            25,
            "25 farms visited",
            "4 3 3 2.5 4 3.5",
        ),
    ),
)

MT = Partner(
    "MT",
    "MT",
    "Malta Cluster Development Office",
    "Malta",
    6,
    "clusters.mt@example.org",
    None,
    (
        svc(
            "MT01",
            "Maritime and aviation supplier matchmaking",
            "Meet-the-buyer days with shipyards, MRO companies and their local suppliers.",
            "NET",
            "JOINT",
            "ONGOING",
            "2018-04-16",
            28000,
            0.5,
            4,
            70,
            "24 new supplier contracts in 2023; satisfaction 4.4/5",
            "4 4 4 3.5 3 4",
        ),
        svc(
            "MT02",
            "EU funding desk for cluster members",
            "Advice on Horizon Europe and ERDF calls and help to find partners abroad.",
            "FIN",
            "DA",
            "ONGOING",
            2016,
            45000,
            1.0,
            5,
            40,
            "11 applications in 2023, 5 funded (EUR 2.3 million)",
            "4.5 4 4 4 2 3",
        ),
        svc(
            "MT03",
            "Fintech sandbox support",
            "Guidance for fintech start-ups entering the regulatory sandbox.",
            "INNOV",
            "JOINT",
            "ONGOING",
            "2019-09-02",
            60000,
            0.8,
            2,
            18,
            "18 firms supported; 6 licensed",
            "4 3.5 2.5 3 4 3",
        ),
        svc(
            "MT04",
            "Export mission to North Africa",
            "Mission to Tunis and Tripoli for construction and food SMEs.",
            "INTL",
            "DA",
            "COMPLETED",
            "2022-11-07",
            35000,
            0.3,
            3,
            12,
            "12 SMEs; 3 distribution agreements",
            "3.5 3 3 2 2 3",
        ),
        svc(
            "MT05",
            "Cluster-manager training (online)",
            "Online course for the managers of Malta's clusters with peer sessions.",
            "CMGT",
            "DA",
            "ONGOING",
            "2020-01-13",
            12000,
            0.2,
            6,
            None,
            "6 managers trained; 3 new service lines launched by the clusters",
            "4 3.5 4.5 3.5 3 4",
        ),
        svc(
            "MT06",
            "Maritime technology watch",
            "Quarterly technology brief for the maritime cluster.",
            "INTEL",
            "CI",
            "ONGOING",
            2021,
            10000,
            0.2,
            1,
            35,
            "35 subscribers",
            "3 3 3.5 3 2.5 2",
        ),
        svc(
            "MT07",
            "Aviation maintenance training centre",
            "Courses for aircraft maintenance technicians delivered by a private academy.",
            "SKILLS",
            "EXTERNAL",
            "ONGOING",
            2017,
            120000,
            1.0,
            2,
            20,
            "160 technicians certified since 2017",
            "4 4 3 3.5 2.5 2.5",
        ),
        svc(
            "MT08",
            "Start-up residency for gaming and ICT",
            "Six-month residency with mentors from cluster member companies.",
            "START",
            "JOINT",
            "ONGOING",
            "2018-10-01",
            75000,
            1.0,
            4,
            25,
            "25 start-ups; 10 still active after 3 years; EUR 6 million raised",
            "4 3.5 3.5 3 4 4",
        ),
        svc(
            "MT09",
            "Cross-cluster blue economy workshops",
            "Workshops between maritime, tourism and ICT companies on blue-economy projects.",
            "XSECT",
            "JOINT",
            "ONGOING",
            "2021-06-01",
            18000,
            0.3,
            5,
            55,
            "7 workshops; 4 cross-sector projects",
            "4 3.5 4 3 4 4.5",
        ),
        svc(
            "MT10",
            "Member satisfaction survey",
            "Online survey of the members of all clusters.",
            "MONIT",
            "DA",
            "ONGOING",
            2019,
            3000,
            0.1,
            6,
            140,
            None,
            "3.5 3 4 3.5 2 3",
        ),
        svc(
            "MT11",
            "Policy round table with national agencies",
            "Round table of clusters and national agencies on regulations affecting members.",
            "POLICY",
            "DA",
            "ONGOING",
            2017,
            6000,
            None,
            6,
            None,
            "2 regulatory changes for ship-repair yards",
            "3.5 3 3 3 2 3",
        ),
        svc(
            "MT12",
            "Joint stand at international maritime fairs",
            "Shared national stand at Posidonia and SMM for maritime cluster members.",
            "INTL",
            "JOINT",
            "ONGOING",
            2017,
            55000,
            0.4,
            4,
            20,
            "20 exhibitors in 2023; 9 contracts",
            "3.5 3.5 3.5 3 2.5 3.5",
        ),
        svc(
            "MT13",
            "Shared 3D printing lab",
            "Additive manufacturing lab for prototypes and spare parts.",
            "INFRA",
            "CI",
            "PILOT",
            "2025-02-03",
            90000,
            1.0,
            2,
            10,
            None,
            "3.5 - 3 3 4 3",
        ),
        svc(
            "MT14",
            'Branding "Malta maritime hub"',
            "International promotion of the maritime cluster.",
            "BRAND",
            "DA",
            "COMPLETED",
            2019,
            80000,
            0.3,
            4,
            60,
            "3 trade-press campaigns",
            "3 2.5 3 2.5 2.5 2.5",
        ),
        svc(
            "MT15",
            "Group purchasing for hospitality SMEs",
            "Joint purchasing of energy and supplies for hotels and restaurants.",
            "COMM",
            "CI",
            "PLANNED",
            2027,
            15000,
            None,
            2,
            None,
            None,
            "3.5 - 3.5 - 2 3",
        ),
        svc(
            "MT16",
            "Digital skills for tourism SMEs",
            "Courses on online booking, reviews and data protection.",
            "SKILLS",
            "JOINT",
            "ONGOING",
            "2022-03-01",
            30000,
            0.4,
            3,
            85,
            "85 SMEs; 190 employees trained",
            "3.5 3.5 3.5 3 2.5 3",
        ),
        svc(
            "MT17",
            "Innovation vouchers",
            "Vouchers for product and process innovation with the university and private labs.",
            "INNOV",
            "DA",
            "ONGOING",
            2019,
            150000,
            0.6,
            3,
            45,
            "45 vouchers in 2023; 12 new products or processes",
            "4 4 3.5 3.5 3 3",
        ),
        svc(
            "MT18",
            "Collaborative R&D with the university",
            "Joint research projects between the university and cluster companies.",
            "INNOV",
            "JOINT",
            "ONGOING",
            2020,
            40000,
            0.5,
            2,
            15,
            "15 SMEs; 4 joint publications and 2 patents",
            "3.5 3.5 3 3 3.5 3",
        ),
    ),
)

PARTNERS = (BE, EE, FR, SI, DE, GR, MT)
FILE_NAMES = {
    "BE": "BE_services.xlsx",
    "EE": "EE_services.xlsx",
    "FR": "FR_services.xlsx",
    "SI": "SI_services.ods",
    "DE": "DE_services.xlsx",
    "GR": "GR_services.xlsx",
    "MT": "MT_services.csv",
}


# --- local spellings -----------------------------------------------------------------------------

FR_WORDS = {
    "DA": "agence",
    "CI": "cluster",
    "JOINT": "conjoint",
    "EXTERNAL": "externe",
    "ONGOING": "en cours",
    "COMPLETED": "terminé",
    "PILOT": "pilote",
    "PLANNED": "prévu",
}
DE_WORDS = {
    "DA": "Agentur",
    "CI": "Cluster",
    "JOINT": "gemeinsam",
    "EXTERNAL": "extern",
    "ONGOING": "laufend",
    "COMPLETED": "abgeschlossen",
    "PILOT": "Pilot",
    "PLANNED": "geplant",
}
EN_WORDS = {
    "DA": "DA",
    "CI": "CI",
    "JOINT": "Joint",
    "EXTERNAL": "External",
    "ONGOING": "Ongoing",
    "COMPLETED": "Completed",
    "PILOT": "Pilot",
    "PLANNED": "Planned",
}


def _category_labels() -> dict[str, dict[str, str]]:
    """The category labels partners see, read from the project's config (the words p4c accepts)."""
    from p4c.config import parse_config

    config = parse_config((ROOT / "config" / "criteria.yaml").read_text(encoding="utf-8"))
    return {lang: {c.code: c.text(lang) for c in config.categories} for lang in ("en", "fr", "de")}


CATEGORY_LABELS = _category_labels()


def grouped(value: int, sep: str) -> str:
    return f"{value:,}".replace(",", sep)


def amount(value: float, group: str, decimal: str, cents: bool) -> str:
    """`12 345,50`-style text: thousands grouped, cents when asked or when not whole."""
    whole, frac = divmod(round(value * 100), 100)
    text = grouped(int(whole), group)
    return f"{text}{decimal}{frac:02d}" if cents or frac else text


def dec(value: float, mark: str) -> str:
    """A short decimal (FTE, score) with the given decimal mark; whole numbers without decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", mark)


def start_text(start: Start, style: str) -> str | None:
    if start is None:
        return None
    if isinstance(start, int):
        return str(start)
    if style == "fr":
        return start.strftime("%d/%m/%Y")
    if style == "de":
        return start.strftime("%d.%m.%Y")
    if style == "de-short":
        return f"{start.day}. {start.month}. {start.year}"
    return start.isoformat()


# --- writers -------------------------------------------------------------------------------------

Row = list[Any]


@dataclass
class Sheet:
    """A sheet to write: rows of values (str, int, float, date or None), a header row index."""

    name: str
    rows: list[Row]
    header: int | None = 0
    title_merge: int = 0  # merge the first row across this many columns (a title row)


def write_xlsx(path: Path, sheets: list[Sheet], title: str) -> None:
    """An xlsx with fixed document properties, so reruns are byte-identical."""
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties(
        {
            "title": title,
            "author": "p4c sample data",
            "company": "POOLING4CLUSTERS sample",
            "created": FIXED_TIME,
        }
    )
    bold = workbook.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top", "border": 1}
    )
    big = workbook.add_format({"bold": True, "font_size": 14})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for spec in sheets:
        ws = workbook.add_worksheet(spec.name)
        widths: dict[int, int] = {}
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                if r == 0 and spec.title_merge:
                    if c == 0:
                        ws.merge_range(0, 0, 0, spec.title_merge - 1, value, big)
                    continue
                fmt = bold if r == spec.header else None
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, str):
                    ws.write_string(r, c, value, fmt or (wrap if len(value) > 60 else None))
                else:
                    ws.write_number(r, c, value, fmt)
                if r != 0 or not spec.title_merge:
                    widths[c] = max(widths.get(c, 8), min(len(str(value)) + 2, 50))
        for c, width in widths.items():
            ws.set_column(c, c, width)
        if spec.header is not None:
            ws.freeze_panes(spec.header + 1, 0)
    workbook.close()
    fix_zip(path)


ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
)


def write_ods(path: Path, sheets: list[Sheet], title: str) -> None:
    """A minimal OpenDocument spreadsheet written directly (string, float and date cells).

    Written by hand rather than through pandas/odfpy because odfpy keeps process-wide namespace
    state, so the same data did not always give the same bytes.
    """
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ODS_NS} '
        'office:version="1.2"><office:automatic-styles>'
        '<number:date-style style:name="N1"><number:day number:style="long"/>'
        '<number:text>/</number:text><number:month number:style="long"/>'
        "<number:text>/</number:text><number:year/></number:date-style>"
        '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>'
        '<style:style style:name="ce2" style:family="table-cell">'
        '<style:text-properties fo:font-weight="bold"/></style:style>'
        "</office:automatic-styles><office:body><office:spreadsheet>"
    )
    parts = [head]
    for spec in sheets:
        parts.append(f'<table:table table:name="{escape(spec.name, ODS_QUOTE)}">')
        for r, row in enumerate(spec.rows):
            parts.append("<table:table-row>")
            for value in row:
                parts.append(ods_cell(value, bold=r == spec.header))
            parts.append("</table:table-row>")
        parts.append("</table:table>")
    parts.append("</office:spreadsheet></office:body></office:document-content>")
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {ODS_NS} '
        f'office:version="1.2"><office:meta><meta:generator>p4c make_sample_data'
        f"</meta:generator><dc:title>{escape(title)}</dc:title><meta:creation-date>"
        f"{FIXED_TIME.isoformat()}</meta:creation-date></office:meta></office:document-meta>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {ODS_NS} '
        'office:version="1.2"><office:styles/></office:document-styles>'
    )
    entries = "".join(
        f'<manifest:file-entry manifest:full-path="{n}" manifest:media-type="text/xml"/>'
        for n in ("content.xml", "styles.xml", "meta.xml")
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        f'manifest:media-type="{ODS_MIME}"/>{entries}</manifest:manifest>'
    )
    files = {
        "mimetype": ODS_MIME,
        "META-INF/manifest.xml": manifest,
        "content.xml": "".join(parts),
        "styles.xml": styles,
        "meta.xml": meta,
    }
    with zipfile.ZipFile(path, "w") as out:
        for name, text in files.items():
            out.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), text.encode("utf-8"))
    fix_zip(path)


ODS_QUOTE = {'"': "&quot;"}


def ods_cell(value: object, *, bold: bool) -> str:
    style = ' table:style-name="ce2"' if bold else ""
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell table:style-name="ce1" office:value-type="date" '
            f'office:date-value="{value.isoformat()}"><text:p>'
            f"{value.strftime('%d/%m/%Y')}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell{style} office:value-type="float" office:value="{value!r}">'
            f"<text:p>{value:g}</text:p></table:table-cell>"
        )
    text = escape(str(value))
    return f'<table:table-cell{style} office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def fix_zip(path: Path) -> None:
    """Rewrite a zip container with fixed timestamps and order (mimetype first, stored)."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def service_rows(partner: Partner, headers: list[str], spell: Callable[[Svc], Row]) -> list[Row]:
    return [headers, *(spell(s) for s in partner.services)]


def partner_sheet(
    name: str, keys: tuple[str, str, str, str, str], partner: Partner, cis: object = None
) -> Sheet:
    values = (
        partner.written_code,
        partner.organisation,
        partner.region,
        partner.cluster_initiatives if cis is None else cis,
        partner.contact,
    )
    return Sheet(name, [[k, v] for k, v in zip(keys, values, strict=True)], header=None)


def needs_sheet(name: str, headers: tuple[str, str], partner: Partner, lang: str | None) -> Sheet:
    assert partner.needs is not None
    rows: list[Row] = [list(headers)]
    for code, value in partner.needs.items():
        rows.append([CATEGORY_LABELS[lang][code] if lang else code, value])
    return Sheet(name, rows)


def write_be(partner: Partner, path: Path, rng: random.Random) -> None:
    """Wallonia: French everything, text numbers with narrow no-break spaces, `4/5` scores."""
    headers = [
        "Référence",
        "Intitulé du service",
        "Description",
        "Catégorie",
        "Prestataire",
        "Statut",
        "Date de début",
        "Budget annuel (€)",
        "Personnel (ETP)",
        "Initiatives clusters servies",
        "PME touchées (par an)",
        "Résultats",
        "Adéquation aux besoins",
        "Impact",
        "Transférabilité",
        "Durabilité",
        "Innovation",
        "Synergie agence-clusters",
    ]

    def score(v: float | None) -> str | None:
        if v is None:
            return None
        return f"{int(v)}/5" if v.is_integer() and rng.random() < 0.7 else dec(v, ",")

    def spell(s: Svc) -> Row:
        budget = None if s.budget is None else (amount(s.budget, NNBSP, ",", rng.random() < 0.5) + NBSP + "€")
        return [
            s.sid,
            s.title,
            s.description,
            s.category,
            FR_WORDS[s.provider],
            FR_WORDS[s.status],
            start_text(s.start, "fr"),
            budget,
            None if s.fte is None else dec(s.fte, ","),
            s.cis,
            s.smes,
            s.evidence,
            *(score(v) for v in s.scores),
        ]

    write_xlsx(
        path,
        [
            partner_sheet(
                "Partenaire",
                ("Code partenaire", "Organisme", "Région", "Initiatives clusters", "E-mail"),
                partner,
            ),
            Sheet("Prestations", service_rows(partner, headers, spell)),
            needs_sheet("Besoins", ("Catégorie", "Importance"), partner, None),
        ],
        "Prestations aux clusters – Wallonie (Namur)",
    )


def write_fr(partner: Partner, path: Path, rng: random.Random) -> None:
    """Auvergne-Rhône-Alpes: French, a merged title row and a note above the header, French
    category labels, no-break-space thousands, `3,5/5` and `4/5` scores."""
    headers = [
        "Réf.",
        "Titre",
        "Description",
        "Catégorie",
        "Prestataire",
        "Statut",
        "Depuis",
        "Budget annuel (€ TTC)",
        "ETP",
        "Initiatives clusters servies",
        "PME touchées",
        "Preuves",
        "Adéquation aux besoins (1-5)",
        "Impact (1-5)",
        "Transférabilité (1-5)",
        "Durabilité (1-5)",
        "Innovation (1-5)",
        "Synergie agence-clusters (1-5)",
    ]

    def score(v: float | None) -> str | None:
        if v is None:
            return None
        return f"{dec(v, ',')}/5" if rng.random() < 0.6 else dec(v, ",")

    def spell(s: Svc) -> Row:
        smes: object = s.smes
        if s.smes is not None and s.smes >= 1000:
            smes = grouped(s.smes, NBSP)
        budget = None if s.budget is None else f"{amount(s.budget, NBSP, ',', False)}{NBSP}€"
        return [
            s.sid,
            s.title,
            s.description,
            CATEGORY_LABELS["fr"][s.category],
            FR_WORDS[s.provider].capitalize(),
            FR_WORDS[s.status],
            start_text(s.start, "fr"),
            budget,
            None if s.fte is None else dec(s.fte, ","),
            s.cis,
            smes,
            s.evidence,
            *(score(v) for v in s.scores),
        ]

    rows = service_rows(partner, headers, spell)
    title = "Recensement des services aux clusters – Auvergne-Rhône-Alpes"
    note = "Mise à jour : 15/01/2026. Budgets annuels en euros ; notes de 1 à 5."
    write_xlsx(
        path,
        [
            partner_sheet(
                "Partenaire",
                ("Code partenaire", "Organisation partenaire", "Région", "Initiatives clusters", "Contact"),
                partner,
            ),
            Sheet(
                "Prestations",
                [[title] + [None] * (len(headers) - 1), [note], [], *rows],
                header=3,
                title_merge=len(headers),
            ),
            needs_sheet("Besoins", ("Catégorie", "Priorité"), partner, "fr"),
        ],
        title,
    )


def write_de(partner: Partner, path: Path, rng: random.Random) -> None:
    """Baden-Württemberg: German headers and words, `12.345,50 €`, `07.03.2011` and `1. 3. 2015`."""
    headers = [
        "Nr.",
        "Bezeichnung",
        "Beschreibung",
        "Kategorie",
        "Träger",
        "Status",
        "Startdatum",
        "Jahresbudget (EUR)",
        "VZÄ",
        "Betreute Clusterinitiativen",
        "Erreichte KMU (pro Jahr)",
        "Ergebnisse",
        "Relevanz",
        "Wirkung",
        "Übertragbarkeit",
        "Nachhaltigkeit",
        "Innovation",
        "Synergie Agentur-Cluster",
    ]

    def spell(s: Svc) -> Row:
        budget = None
        if s.budget is not None:
            budget = amount(s.budget, ".", ",", rng.random() < 0.5) + rng.choice(["", " €", " EUR"])
        start: object = (
            s.start
            if isinstance(s.start, int)
            else start_text(s.start, "de-short" if rng.random() < 0.2 else "de")
        )
        scores = [v if v is None or rng.random() < 0.6 else dec(v, ",") for v in s.scores]
        return [
            s.sid,
            s.title,
            s.description,
            s.category,
            DE_WORDS[s.provider],
            DE_WORDS[s.status],
            start,
            budget,
            None if s.fte is None else (dec(s.fte, ",") if rng.random() < 0.5 else s.fte),
            s.cis,
            s.smes,
            s.evidence,
            *scores,
        ]

    write_xlsx(
        path,
        [
            partner_sheet(
                "Partner",
                ("Partnerland", "Organisation", "Region", "Anzahl Clusterinitiativen", "Kontakt"),
                partner,
            ),
            Sheet("Dienstleistungen", service_rows(partner, headers, spell)),
            needs_sheet("Bedarf", ("Kategorie", "Wichtigkeit"), partner, "de"),
        ],
        "Clusterdienstleistungen Baden-Württemberg",
    )


def english_row(s: Svc, start: object, category: str) -> Row:
    return [
        s.sid,
        s.title,
        s.description,
        category,
        EN_WORDS[s.provider],
        EN_WORDS[s.status],
        start,
        s.budget,
        s.fte,
        s.cis,
        s.smes,
        s.evidence,
        *s.scores,
    ]


def write_ee(partner: Partner, path: Path, rng: random.Random) -> None:
    """Estonia: the template's own column names, numeric and date cells, an extra sheet."""
    del rng
    headers = [
        "service_id",
        "title",
        "description",
        "category",
        "provider",
        "status",
        "start_date",
        "annual_budget_eur",
        "staff_fte",
        "cis_served",
        "smes_reached",
        "evidence",
        *SCORE_IDS,
    ]
    instructions = [
        ["How to fill in this workbook"],
        ["One row per service on the Services sheet; scores 1-5, half points allowed."],
        ["Leave a cell blank when a value is not known."],
    ]
    write_xlsx(
        path,
        [
            Sheet("Instructions", instructions, header=None),
            partner_sheet(
                "Partner",
                ("partner_code", "organisation", "region", "cluster_initiatives", "contact"),
                partner,
            ),
            Sheet("Services", service_rows(partner, headers, lambda s: english_row(s, s.start, s.category))),
            needs_sheet("Needs", ("category", "importance"), partner, None),
        ],
        "Cluster services - Tartu, Estonia",
    )


def write_gr(partner: Partner, path: Path, rng: random.Random) -> None:
    """Central Macedonia: `EL` as partner code, English labels, ISO text dates and year cells."""
    del rng
    headers = [
        "ID",
        "Service title",
        "Description",
        "Category",
        "Provided by",
        "Status",
        "Start",
        "Annual budget (EUR)",
        "Staff (FTE)",
        "Cluster initiatives served",
        "SMEs per year",
        "Evidence of success",
        "Relevance to CI needs",
        "Impact",
        "Transferability",
        "Sustainability",
        "Innovation",
        "DA-CI synergy",
    ]

    def spell(s: Svc) -> Row:
        start = s.start if isinstance(s.start, int) else start_text(s.start, "iso")
        return english_row(s, start, CATEGORY_LABELS["en"][s.category])

    write_xlsx(
        path,
        [
            partner_sheet(
                "Partner info",
                ("Partner", "Organization", "Region", "Number of cluster initiatives", "E-mail"),
                partner,
            ),
            Sheet("Services", service_rows(partner, headers, spell)),
            needs_sheet("Needs", ("Category", "Need"), partner, "en"),
        ],
        "Cluster services - Central Macedonia",
    )


def write_si(partner: Partner, path: Path, rng: random.Random) -> None:
    """Slovenia: an OpenDocument workbook with numeric and date cells and `score <id>` headers."""
    del rng
    headers = [
        "Service ID",
        "Name",
        "Description",
        "Category",
        "Provider",
        "Status",
        "Since",
        "Budget (EUR)",
        "FTE",
        "CIs served",
        "SMEs per year",
        "Results",
        *(f"Score {c}" for c in SCORE_IDS),
    ]
    write_ods(
        path,
        [
            partner_sheet(
                "Partner", ("Country", "Organisation", "Region", "Cluster initiatives", "Contact"), partner
            ),
            Sheet("Services", service_rows(partner, headers, lambda s: english_row(s, s.start, s.category))),
            needs_sheet("Needs", ("Category", "Importance"), partner, None),
        ],
        "Cluster services - Slovenia",
    )


def write_mt(partner: Partner, path: Path, rng: random.Random) -> None:
    """Malta: the Services table alone as a `;` CSV, UTF-8 with BOM, dot decimals (`28,000.00`)."""
    headers = [
        "Ref",
        "Service",
        "Description",
        "Category",
        "Provided by",
        "Status",
        "Start",
        "Annual budget",
        "FTE",
        "CIs served",
        "SMEs per year",
        "Evidence",
        *SCORE_IDS,
    ]

    def spell(s: Svc) -> Row:
        budget = None
        if s.budget is not None:
            style = rng.choice(["group", "cents", "plain"])
            budget = {
                "group": amount(s.budget, ",", ".", False),
                "cents": amount(s.budget, ",", ".", True),
                "plain": amount(s.budget, "", ".", False),
            }[style]
        start = str(s.start) if isinstance(s.start, int) or s.start is None else s.start.strftime("%d/%m/%Y")
        return [
            s.sid,
            s.title,
            s.description,
            s.category,
            EN_WORDS[s.provider],
            EN_WORDS[s.status],
            start,
            budget,
            None if s.fte is None else f"{s.fte:g}",
            s.cis,
            s.smes,
            s.evidence,
            *(None if v is None else f"{v:g}" for v in s.scores),
        ]

    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in service_rows(partner, headers, spell):
        out.writerow(["" if v is None else v for v in row])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


WRITERS: dict[str, Callable[[Partner, Path, random.Random], None]] = {
    "BE": write_be,
    "EE": write_ee,
    "FR": write_fr,
    "SI": write_si,
    "DE": write_de,
    "GR": write_gr,
    "MT": write_mt,
}


# --- run -----------------------------------------------------------------------------------------


def write_all(out_dir: Path) -> list[Path]:
    """Write every partner file into `out_dir`; the same files on every run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for partner in PARTNERS:
        rng = random.Random(f"{SEED}-{partner.code}")
        path = out_dir / FILE_NAMES[partner.code]
        WRITERS[partner.code](partner, path, rng)
        paths.append(path)
    from sample_scoring import write_scoring_workbooks  # every partner's scoring workbook

    return paths + write_scoring_workbooks(PARTNERS, out_dir)


def round_trip_problems(report: checker.Report) -> list[str]:
    """Where the values read back differ from the values meant (a spelling that parses wrong)."""
    meant = {(p.code, s.sid): (p, s) for p in PARTNERS for s in p.services}
    problems = []
    for pf in report.partners:
        partner = next(p for p in PARTNERS if p.code == pf.code)
        if (pf.organisation, pf.region, pf.cluster_initiatives) != (
            partner.organisation,
            partner.region,
            partner.cluster_initiatives,
        ):
            problems.append(f"{pf.code}: partner details differ from the script's (config?)")
        if partner.needs is not None and pf.needs != partner.needs:
            problems.append(f"{pf.code}: needs differ")
        for got in pf.services:
            _, s = meant.pop((pf.code, got.service_id), (None, None))
            if s is None:
                problems.append(f"{pf.code}/{got.service_id}: not in the script")
                continue
            start = dt.date(s.start, 1, 1) if isinstance(s.start, int) else s.start
            expected = (
                s.title,
                s.description,
                s.category,
                s.provider,
                s.status,
                start,
                s.budget,
                s.fte,
                s.cis,
                s.smes,
                s.evidence,
                s.scores,
            )
            actual = (
                got.title,
                got.description,
                got.category,
                got.provider,
                got.status,
                got.start_date,
                got.annual_budget_eur,
                got.staff_fte,
                got.cis_served,
                got.smes_reached,
                got.evidence,
                tuple(got.scores[c] for c in SCORE_IDS),
            )
            for name, a, b in zip(
                (
                    "title",
                    "description",
                    "category",
                    "provider",
                    "status",
                    "start",
                    "budget",
                    "fte",
                    "cis",
                    "smes",
                    "evidence",
                    "scores",
                ),
                expected,
                actual,
                strict=True,
            ):
                if a != b:
                    problems.append(f"{pf.code}/{got.service_id} {name}: meant {a!r}, read {b!r}")
    problems += [f"{code}/{sid}: not read back" for code, sid in meant]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write into")
    parser.add_argument(
        "--config",
        type=Path,
        default=checker.DEFAULT_CONFIG,
        help="project config (MT's partner details, weights, good-practice rules)",
    )
    args = parser.parse_args(argv)
    paths = write_all(args.out)
    from sample_field_tests import write_field_tests  # a sibling script: the reports follow p4c's plan

    paths += write_field_tests(args.out, args.config)

    from sample_plan import write_plan_workbooks  # a sibling script: plans follow p4c's field-test plan

    paths += write_plan_workbooks(args.out, args.config)
    print(f"wrote {len(paths)} files to {args.out}")
    report = checker.check_dir(args.out, args.config)
    print(report.summary())
    problems = report.errors + round_trip_problems(report) + report.target_problems()
    for problem in problems:
        print(f"PROBLEM {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
