"""A seeded quarter of Kecamatan Candisari as data: trainings, groups, responses, forums, appraisals."""

import random
from dataclasses import dataclass, field
from typing import Any, Literal

from mutu.demo import roster
from mutu.demo.roster import PERIOD, Person

Scale = Literal["small", "full"]
# per scale: people per unit, counter and online responses of a unit, online ones of the struggling unit
SIZES: dict[str, tuple[int, int, int, int]] = {"small": (3, 8, 5, 32), "full": (12, 40, 30, 60)}
SERVICES = ("KTP-el", "KK", "akta kelahiran", "surat pindah", "SKTM", "IMB")
RATINGS = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
RATING_WEIGHTS = (15, 62, 14, 7, 2)
# the struggling unit's online channel: procedure (u2) and time (u3) are hard to get through
PASS_MARK = 60
# (every other element stays at 3.0 or more, well clear of the 2.6 rule while responses arrive)
STRUGGLING_MEANS = {"u2": 1.7, "u3": 2.2}
STRUGGLING_BASE = 3.0
# Counter answers per unit made at the kiosk (a ticket when they name the officer, else anonymous);
# the unit's other counter answers reach the survey through the counter system's integration (a
# keyed SurveySubmitted, which may name the officer). The kiosk is one client, rate limited
# (RESPONSES_RATE_PER_SECOND, burst RESPONSES_BURST): eight units of six stay within its burst.
KIOSK_PER_UNIT = 6


Transport = Literal["xapi", "structured", "binary", "group"]
CLASSROOM: tuple[Transport, ...] = ("structured", "binary")


@dataclass(frozen=True)
class Completion:
    event_id: str
    data: dict[str, Any]
    transport: Transport


@dataclass(frozen=True)
class Group:
    group_id: str
    program_id: str
    unit_id: str
    members: tuple[str, ...]
    score: int
    passed: bool
    brief: str


Phase = Literal["served", "weak", "recovered"]


@dataclass(frozen=True)
class PastAnswer:
    """An answer of a closed quarter, sent late by the integrator with its time inside the quarter.

    `phase`: "served" names an officer (the effectiveness of a programme passed in 2026-Q2),
    "weak" is the weak unit's 2026-Q2, "recovered" its 2026-Q3.
    """

    phase: Phase
    time: str
    data: dict[str, Any]


@dataclass
class World:
    seed: int
    scale: str
    people: list[Person]
    struggling: str
    completions: list[Completion] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    forums: list[dict[str, Any]] = field(default_factory=list)
    appraisals: list[dict[str, Any]] = field(default_factory=list)
    leavers: list[Person] = field(default_factory=list)  # on the roster as inactive
    weak: str = ""  # the unit below the B band on WEAK_ELEMENT in 2026-Q2, recovered in 2026-Q3
    effect: list[str] = field(default_factory=list)  # passed EFFECT_PROGRAMME, answers both sides
    thin: list[str] = field(default_factory=list)  # passed THIN_PROGRAMME, too few answers
    past: list[PastAnswer] = field(default_factory=list)
    kiosk: set[str] = field(default_factory=set)  # response ids answered at the kiosk

    @property
    def roster(self) -> list[Person]:
        """Everyone the HR system puts on the training roster: the people and the leavers."""
        return [*self.people, *self.leavers]

    def prefix(self, kind: str) -> str:
        return f"demo-{self.seed}{self.scale[0]}-{kind}"


def build(seed: int = 2026, scale: Scale = "small") -> World:
    rng = random.Random(f"{seed}-{scale}")  # noqa: S311 - a reproducible simulation, not secrets
    per_unit, counter, online, struggling_online = SIZES[scale]
    people = roster.roster(rng, per_unit)
    world = World(seed, scale, people, rng.choice([u for u in roster.UNITS if u.startswith("kel-")]))
    _trainings(world, rng)
    _projects(world, rng)
    for unit_id in roster.UNITS:
        online_n = struggling_online if unit_id == world.struggling else online
        _responses(world, rng, unit_id, counter, online_n)
    _forums(world, rng)
    for person in people:
        rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
        # the annual rating: the one period kind that pays by default (a quarterly one pays nothing)
        data = {"nip": person.nip, "unit_id": person.unit_id, "period": roster.YEAR, "rating": rating}
        world.appraisals.append({"event_id": world.prefix(f"pa-{person.nip}"), "data": data})
    _past(world)
    return world


def _score(rng: random.Random, mean: float) -> int:
    score = max(35, min(100, round(rng.gauss(mean, 9))))
    return score + 1 if score in {70, 85} else score  # clear of the rule thresholds


# The closed quarters before the demo's: a unit weak on one element, then recovered; officers
# rated before and after a programme passed in 2026-Q2 (kept small: a few hundred answers at most).
WEAK_PERIOD, RECOVERED_PERIOD = "2026-Q2", "2026-Q3"
BEFORE_PERIOD, PASSED_PERIOD, AFTER_PERIOD = "2026-Q1", "2026-Q2", "2026-Q3"
WEAK_ELEMENT = "u7"  # Perilaku Pelaksana -> service_ethics
EFFECT_PROGRAMME, THIN_PROGRAMME = "demo-com-090", "demo-dig-090"
# per scale: the weak unit's answers per quarter, officers with an effect, answers each side;
# officers with too few answers, answers each side
PAST_SIZES: dict[str, tuple[int, int, int, int, int]] = {
    "small": (32, 2, 12, 2, 4),
    "full": (40, 3, 15, 2, 5),
}
OFFICER_ELEMENTS = ("u3", "u6", "u7", "u8")


def _past(world: World) -> None:
    """2026-Q1..Q3 (closed): the weak unit and its roster extras, the programme passes and answers."""
    rng = random.Random(f"{world.seed}-{world.scale}-past")  # noqa: S311 - a reproducible simulation
    weak_n, effect_n, served_n, thin_n, thin_answers = PAST_SIZES[world.scale]
    others = [u for u in roster.UNITS if u.startswith("kel-") and u != world.struggling]
    world.weak = rng.choice(others)
    taken = {p.nip for p in world.people}
    # a contract officer who joined and never trains, and one who left: both on the roster
    world.people.append(
        Person(roster.nip_for(rng, taken), world.weak, "administration", "PPPK", "Sri Wahyuni", trains=False)
    )
    world.leavers.append(
        Person(roster.nip_for(rng, taken), world.weak, "front_desk", "PNS", "Bambang Susilo", active=False)
    )
    quarters: tuple[tuple[Phase, str], ...] = (("weak", WEAK_PERIOD), ("recovered", RECOVERED_PERIOD))
    for i in range(weak_n):
        for phase, period in quarters:
            answers = _unit_answers(i, weak=phase == "weak")
            data = _past_response(world, rng, f"{phase}-{i}", world.weak, period, answers)
            world.past.append(PastAnswer(phase, roster.past_moment(rng, period).isoformat(), data))
    units = rng.sample([u for u in roster.UNITS if u != world.weak], effect_n + thin_n)
    for n, unit_id in enumerate(units):
        desk = [p for p in world.people if p.unit_id == unit_id and p.role == "front_desk" and p.trains]
        officer = desk[-1]
        effect = n < effect_n
        (world.effect if effect else world.thin).append(officer.nip)
        programme = roster.PROGRAMMES[EFFECT_PROGRAMME if effect else THIN_PROGRAMME]
        score = _score(rng, 82)
        data = {
            "nip": officer.nip,
            "program_id": programme.program_id,
            "competency": programme.competency,
            "method": programme.method,
            "jp": programme.jp,
            "score": score,
            "passed": True,
            "unit_id": unit_id,
            "completed_at": roster.past_moment(rng, PASSED_PERIOD).isoformat(),
        }
        world.completions.append(
            Completion(world.prefix(f"tc-{officer.nip}-{programme.program_id}"), data, "structured")
        )
        for side, period in (("before", BEFORE_PERIOD), ("after", AFTER_PERIOD)):
            for i in range(served_n if effect else thin_answers):
                answers = _officer_answers(i, after=side == "after")
                response = _past_response(world, rng, f"{side}-{officer.nip}-{i}", unit_id, period, answers)
                response["served_by_nip"] = officer.nip
                world.past.append(PastAnswer("served", roster.past_moment(rng, period).isoformat(), response))


def _unit_answers(i: int, *, weak: bool) -> dict[str, int]:
    """Every element 3 or 4; WEAK_ELEMENT mostly 2 when weak.

    Any 30 of the answers keep the verdict (the unit rule may judge before the last arrive): weak
    stays below 3.0644 (at most 2 in 5 are 3s), the rest and the recovered quarter above it.
    """
    answers = {f"u{e}": 3 + (i + e) % 2 for e in range(1, 10)}
    answers["u4"] = 4
    if weak:
        answers[WEAK_ELEMENT] = 3 if i % 5 in {0, 2} else 2
    else:
        answers[WEAK_ELEMENT] = 4 if i % 3 == 0 else 3
    return answers


def _officer_answers(i: int, *, after: bool) -> dict[str, int]:
    """Officer elements near 3.0 before the programme and near 3.75 after (the A band is 3.5324)."""
    answers = {f"u{e}": 3 + (i + e) % 2 for e in range(1, 10)}
    for k, element in enumerate(OFFICER_ELEMENTS):
        answers[element] = (4, 4, 3, 4)[(i + k) % 4] if after else (3, 3, 2, 3, 4, 3)[(i + k) % 6]
    return answers


def _past_response(  # noqa: PLR0917 - one answer's facts
    world: World, rng: random.Random, name: str, unit_id: str, period: str, answers: dict[str, int]
) -> dict[str, Any]:
    return {
        "response_id": world.prefix(f"r-{unit_id}-{name}"),
        "unit_id": unit_id,
        "service_type": rng.choice(SERVICES),
        "channel": "counter",
        "period": period,
        "answers": answers,
        "respondent": {
            "age_band": rng.choice(("<25", "25-34", "35-44", "45-54", "55+")),
            "sex": rng.choice("LP"),
        },
    }


def _trainings(world: World, rng: random.Random) -> None:
    stars = {next(p.nip for p in world.people if p.unit_id == unit_id) for unit_id in roster.UNITS}
    for person in world.people:
        star = person.nip in stars
        chosen = [roster.PROGRAMMES["demo-dig-101"]] if star else []
        for programme in rng.sample(roster.TAKEN, rng.choice((0, 1, 1, 2, 2, 3))):
            if all(p.competency != programme.competency for p in chosen):
                chosen.append(programme)
        for programme in chosen:
            score = _score(rng, 90 if star else 79)
            transport: Transport = "xapi" if programme.method == "e_learning" else rng.choice(CLASSROOM)
            data = {
                "nip": person.nip,
                "program_id": programme.program_id,
                "competency": programme.competency,
                "method": programme.method,
                "jp": programme.jp,
                "score": score,
                "passed": score >= PASS_MARK,
                "unit_id": person.unit_id,
                "completed_at": roster.moment(rng).isoformat(),
            }
            event_id = world.prefix(f"tc-{person.nip}-{programme.program_id}")
            world.completions.append(Completion(event_id, data, transport))


def _projects(world: World, rng: random.Random) -> None:
    """Small groups get a real project; its assessment completes the training for every member."""
    per_project = 1 if world.scale == "small" else 4
    for programme in roster.PROJECTS:
        for n in range(per_project):
            taken = {c.data["nip"] for c in world.completions if c.data["competency"] == programme.competency}
            free = [p for p in world.people if p.nip not in taken]
            members = rng.sample(free, min(len(free), rng.randint(3, 5)))
            score = _score(rng, 84)
            group = Group(
                world.prefix(f"grp-{programme.program_id}-{n}"),
                programme.program_id,
                members[0].unit_id,
                tuple(m.nip for m in members),
                score,
                score >= PASS_MARK,
                f"{programme.title}: prototipe untuk {roster.UNITS[members[0].unit_id]}",
            )
            world.groups.append(group)
            when = roster.moment(rng).isoformat()
            for member in members:
                data = {
                    "nip": member.nip,
                    "program_id": programme.program_id,
                    "competency": programme.competency,
                    "method": "project_based",
                    "jp": programme.jp,
                    "score": score,
                    "passed": group.passed,
                    "group_id": group.group_id,
                    "unit_id": member.unit_id,
                    "completed_at": when,
                }
                event_id = world.prefix(f"tc-{member.nip}-{programme.program_id}")
                world.completions.append(Completion(event_id, data, "group"))


def _answers(rng: random.Random, means: dict[str, float], base: float) -> dict[str, int]:
    answers = {}
    for i in range(1, 10):
        mean = means.get(f"u{i}", 3.75 if i == 4 else base)  # noqa: PLR2004 - u4 fees: mostly free
        answers[f"u{i}"] = max(1, min(4, round(rng.gauss(mean, 0.55))))
    return answers


def _responses(world: World, rng: random.Random, unit_id: str, counter: int, online: int) -> None:
    desk = [p.nip for p in world.people if p.unit_id == unit_id and p.role == "front_desk"]
    base = rng.uniform(3.05, 3.45)
    for channel, count in (("counter", counter), ("online", online)):
        for i in range(count):
            # at the counter an officer is named through a service ticket; one answer in four
            # comes from the anonymous kiosk and names nobody
            named = channel == "counter" and desk and i % 4 != 3  # noqa: PLR2004
            served_by = desk[0 if i % 3 != 2 else -1] if named else None  # noqa: PLR2004
            struggling = channel == "online" and unit_id == world.struggling
            means = STRUGGLING_MEANS if struggling else {}
            level = 3.8 if served_by == desk[0] else (STRUGGLING_BASE if struggling else base)
            response: dict[str, Any] = {
                "response_id": world.prefix(f"r-{unit_id}-{channel}-{i}"),
                "unit_id": unit_id,
                "service_type": rng.choice(SERVICES),
                "channel": channel,
                "period": PERIOD,
                "answers": _answers(rng, means, level),
                "respondent": {
                    "age_band": rng.choice(("<25", "25-34", "35-44", "45-54", "55+")),
                    "sex": rng.choice("LP"),
                    "education": rng.choice(("SMP", "SMA", "SMA", "D3", "S1", "S1", "S2")),
                },
            }
            if served_by:
                response["served_by_nip"] = served_by
            if channel == "counter" and i < KIOSK_PER_UNIT:
                world.kiosk.add(response["response_id"])
            world.responses.append(response)


TOPICS = {
    "complaint": ("antrean terlalu lama", "aplikasi layanan online sulit dipakai", "formulir membingungkan"),
    "suggestion": ("tambah jam layanan sore", "panduan video untuk layanan online", "papan informasi"),
    "appreciation": ("petugas ramah", "layanan KTP-el cepat", "ruang tunggu nyaman"),
}
# The configured topic (shared/contract/default_topics.toml) each item is filed under.
TOPIC_CODES = {
    "antrean terlalu lama": "antrean",
    "aplikasi layanan online sulit dipakai": "layanan_online",
    "formulir membingungkan": "persyaratan",
    "tambah jam layanan sore": "antrean",
    "panduan video untuk layanan online": "layanan_online",
    "papan informasi": "sarana",
    "petugas ramah": "sikap_petugas",
    "layanan KTP-el cepat": "antrean",
    "ruang tunggu nyaman": "sarana",
}


def _forums(world: World, rng: random.Random) -> None:
    for unit_id in roster.UNITS:
        items = []
        struggling = unit_id == world.struggling
        for j in range(rng.randint(2, 4) + (2 if struggling else 0)):
            category = "complaint" if struggling and j < 3 else rng.choice(tuple(TOPICS))  # noqa: PLR2004
            topic = TOPICS["complaint"][1] if struggling and j < 2 else rng.choice(TOPICS[category])  # noqa: PLR2004
            items.append(
                {
                    "feedback_id": world.prefix(f"fb-{unit_id}-{j}"),
                    "category": category,
                    "topic": topic,
                    "topic_code": TOPIC_CODES[topic],
                }
            )
        # the unit's head and its front desk attend for the civil servants (on their profiles)
        staff = [p.nip for p in world.people if p.unit_id == unit_id and p.role in {"head", "front_desk"}]
        world.forums.append(
            {
                "forum_id": world.prefix(f"forum-{unit_id}"),
                "unit_id": unit_id,
                "held_at": roster.moment(rng).isoformat(),
                "topic": f"Forum konsultasi publik {roster.UNITS[unit_id]}",
                "attendees": rng.randint(12, 45),
                "attended_by": staff,
                "items": items,
            }
        )
