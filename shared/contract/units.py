"""The programme's units (UNITS_FILE): the only unit ids any intake accepts; `GET /units` lists them."""

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.contract.fields import Text, UnitId
from shared.errors import InvalidError

DEFAULT_FILE = Path(__file__).with_name("default_units.toml")


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    unit_id: UnitId
    name: Text
    parent: UnitId | None = None


class UnitsFileError(ValueError):
    """The units file cannot be used; the message names the problem."""


class Units:
    """The configured units, checked whole when loaded: unique ids, known parents, no cycles."""

    def __init__(self, units: list[Unit]) -> None:
        self._by_id = {unit.unit_id: unit for unit in units}
        problems = _problems(units, self._by_id)
        if problems:
            raise UnitsFileError("; ".join(problems))

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._by_id.values())

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._by_id

    def require(self, unit_id: str, where: tuple[str | int, ...] = ("body", "unit_id")) -> None:
        """422 (InvalidError with a field-level reason) unless `unit_id` is a configured unit."""
        if unit_id not in self._by_id:
            reason = {"loc": list(where), "msg": "unknown unit: see GET /units", "type": "unknown_unit"}
            raise InvalidError("unknown unit", reasons=[reason])

    def name_of(self, unit_id: str) -> str:
        return self._by_id[unit_id].name


def _problems(units: list[Unit], by_id: dict[str, Unit]) -> list[str]:
    problems = []
    if not units:
        problems.append("no units are configured")
    ids = [unit.unit_id for unit in units]
    problems += [f"unit {unit_id} is listed twice" for unit_id in sorted(set(ids)) if ids.count(unit_id) > 1]
    problems += [
        f"unit {u.unit_id} names an unknown parent {u.parent}"
        for u in units
        if u.parent is not None and u.parent not in by_id
    ]
    for unit in units:
        chain, current = {unit.unit_id}, unit.parent
        while current is not None and current in by_id:
            if current in chain:
                problems.append(f"unit {unit.unit_id} is its own ancestor")
                break
            chain.add(current)
            current = by_id[current].parent
    return problems


def entries_of[M: BaseModel](source: Path, key: str, model: type[M], error: type[ValueError]) -> list[M]:
    """The `[[key]]` tables of a TOML file as `model`s; `error` names the file, the entry and the field."""
    try:
        raw: dict[str, Any] = tomllib.loads(source.read_text())
    except OSError as problem:
        raise error(f"{source}: {problem.strerror}") from None
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{source}: not TOML: {problem}") from None
    entries = raw.get(key, [])
    found = []
    for index, entry in enumerate(entries if isinstance(entries, list) else [entries]):
        try:
            found.append(model.model_validate(entry))
        except ValidationError as problem:
            first = problem.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise error(f"{source}: {key}[{index}].{where}: {first['msg']}") from None
    return found


def load(path: Path | None = None) -> Units:
    """The units of `path` (the default kecamatan when None); UnitsFileError names what is wrong."""
    return Units(entries_of(path or DEFAULT_FILE, "units", Unit, UnitsFileError))
