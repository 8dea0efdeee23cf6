"""The demo's Kecamatan Candisari: units, a seeded roster of civil servants and the catalogue."""

import datetime as dt
import random
from dataclasses import dataclass

from shared.contract.calendar import Calendar

UNITS: dict[str, str] = {
    "kec-candisari": "Kantor Kecamatan Candisari",
    "kel-candi": "Kelurahan Candi",
    "kel-jatingaleh": "Kelurahan Jatingaleh",
    "kel-jomblang": "Kelurahan Jomblang",
    "kel-kaliwiru": "Kelurahan Kaliwiru",
    "kel-karanganyar-gunung": "Kelurahan Karanganyar Gunung",
    "kel-tegalsari": "Kelurahan Tegalsari",
    "kel-wonotingal": "Kelurahan Wonotingal",
}
PERIOD = "2026-Q4"
YEAR = "2026"
QUARTER_START = dt.datetime(2026, 10, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=7)))
ROLES = ("front_desk", "front_desk", "administration", "head")


@dataclass(frozen=True)
class Person:
    """A civil servant on the roster; `trains` False: never trains, `active` False: has left the unit."""

    nip: str
    unit_id: str
    role: str
    employee_type: str = "PNS"
    name: str | None = None
    active: bool = True
    trains: bool = True


@dataclass(frozen=True)
class Programme:
    program_id: str
    title: str
    competency: str
    method: str
    jp: int
    capacity: int = 40
    upcoming: bool = False  # scheduled after the quarter: a seat for retraining
    held_in: str | None = None  # a past quarter it ran in (else the demo's quarter)


CATALOGUE: tuple[Programme, ...] = (
    Programme("demo-dig-101", "Pelayanan kependudukan digital", "digital_service", "classroom", 8),
    Programme("demo-dig-102", "Aplikasi layanan daring untuk warga", "digital_service", "e_learning", 6),
    Programme(
        "demo-osg-101", "Mendampingi warga di layanan online", "online_service_guidance", "classroom", 6
    ),
    Programme("demo-eth-101", "Etika dan perilaku pelayanan publik", "service_ethics", "e_learning", 4),
    Programme("demo-com-101", "Komunikasi publik yang jelas", "public_communication", "classroom", 6),
    Programme("demo-dat-101", "Pengelolaan data kependudukan", "data_management", "e_learning", 5),
    Programme("demo-prj-101", "Proyek: sistem data kependudukan", "data_management", "project_based", 16),
    Programme("demo-prj-102", "Proyek: layanan antrean daring", "change_management", "project_based", 12),
    Programme(
        "demo-dig-201",
        "Layanan digital lanjutan (2027)",
        "digital_service",
        "classroom",
        8,
        60,
        upcoming=True,
    ),
    Programme(
        "demo-osg-201",
        "Pendampingan layanan online (2027)",
        "online_service_guidance",
        "classroom",
        6,
        60,
        upcoming=True,
    ),
    Programme(
        "demo-chg-201", "Manajemen perubahan (2027)", "change_management", "classroom", 6, 60, upcoming=True
    ),
    Programme("demo-eth-201", "Etika pelayanan (2027)", "service_ethics", "e_learning", 4, 60, upcoming=True),
    # run in 2026-Q2 for a few front-desk officers: the effectiveness of a programme, measured
    # on the citizens' answers naming them before (2026-Q1) and after (2026-Q3)
    Programme(
        "demo-com-090", "Pelayanan prima di loket", "public_communication", "classroom", 12, held_in="2026-Q2"
    ),
    Programme(
        "demo-dig-090", "Antrean digital di kelurahan", "digital_service", "classroom", 10, held_in="2026-Q2"
    ),
)
PROGRAMMES = {p.program_id: p for p in CATALOGUE}
TAKEN = tuple(p for p in CATALOGUE if not p.upcoming and p.method != "project_based" and p.held_in is None)
PROJECTS = tuple(p for p in CATALOGUE if p.method == "project_based")


def nip_for(rng: random.Random, taken: set[str]) -> str:
    """A valid PNS NIP (REFERENCE section 5): birth date, appointment month, sex, sequence."""
    while True:
        birth = dt.date(rng.randint(1968, 1998), rng.randint(1, 12), rng.randint(1, 28))
        appointed = f"{birth.year + rng.randint(22, 27)}{rng.randint(1, 12):02d}"
        nip = f"{birth:%Y%m%d}{appointed}{rng.choice('12')}{rng.randint(1, 3):03d}"
        if nip not in taken:
            taken.add(nip)
            return nip


def roster(rng: random.Random, per_unit: int) -> list[Person]:
    """`per_unit` civil servants in each unit; the first two of each serve at the front desk."""
    taken: set[str] = set()
    return [
        Person(nip_for(rng, taken), unit_id, ROLES[min(i, len(ROLES) - 1)])
        for unit_id in UNITS
        for i in range(per_unit)
    ]


def moment(rng: random.Random, *, days: int = 55) -> dt.datetime:
    """A working-hours time in the quarter's first `days` days, never in the future."""
    when = QUARTER_START + dt.timedelta(days=rng.randint(0, days), hours=rng.randint(0, 7))
    return min(when, dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))


def past_moment(rng: random.Random, period: str) -> dt.datetime:
    """A working-hours time inside the past quarter `period` (its first 80 days)."""
    start = Calendar().quarter_start(period)
    return start + dt.timedelta(days=rng.randint(0, 80), hours=rng.randint(8, 15))
