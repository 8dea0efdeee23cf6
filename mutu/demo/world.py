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
    return world


def _score(rng: random.Random, mean: float) -> int:
    score = max(35, min(100, round(rng.gauss(mean, 9))))
    return score + 1 if score in {70, 85} else score  # clear of the rule thresholds


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
            served_by = desk[0 if i % 3 != 2 else -1] if channel == "counter" and desk else None  # noqa: PLR2004
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
        world.forums.append(
            {
                "forum_id": world.prefix(f"forum-{unit_id}"),
                "unit_id": unit_id,
                "held_at": roster.moment(rng).isoformat(),
                "topic": f"Forum konsultasi publik {roster.UNITS[unit_id]}",
                "attendees": rng.randint(12, 45),
                "items": items,
            }
        )
