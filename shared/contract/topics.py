"""The forum topics (TOPICS_FILE): code, name and the competency whose training answers complaints on it."""

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from shared.contract.fields import Code, Competency, Text
from shared.contract.units import entries_of
from shared.errors import InvalidError

DEFAULT_FILE = Path(__file__).with_name("default_topics.toml")


class Topic(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Code
    name: Text
    competency: Competency


class TopicsFileError(ValueError):
    """The topics file cannot be used; the message names the problem."""


class Topics:
    """The configured topics, checked whole when loaded: at least one, unique codes."""

    def __init__(self, topics: list[Topic]) -> None:
        self._by_code = {topic.code: topic for topic in topics}
        codes = [topic.code for topic in topics]
        problems = [f"topic {code} is listed twice" for code in sorted(set(codes)) if codes.count(code) > 1]
        if not topics:
            problems.append("no topics are configured")
        if problems:
            raise TopicsFileError("; ".join(problems))

    def __iter__(self) -> Iterator[Topic]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str | None) -> Topic | None:
        return None if code is None else self._by_code.get(code)

    def require(self, code: str | None, where: tuple[str | int, ...] = ("body", "topic_code")) -> None:
        """422 (InvalidError with a field-level reason) unless `code` is None or a configured topic."""
        if code is not None and code not in self._by_code:
            known = ", ".join(self._by_code)
            reason = {"loc": list(where), "msg": f"unknown topic: one of {known}", "type": "unknown_topic"}
            raise InvalidError("unknown topic", reasons=[reason])

    def unknown_competencies(self, known: tuple[str, ...]) -> list[str]:
        """Topics whose competency is not among `known` (a service checks this at start-up)."""
        return [f"{t.code} -> {t.competency}" for t in self if t.competency not in known]


def load(path: Path | None = None) -> Topics:
    """The topics of `path` (the default list when None); TopicsFileError names what is wrong."""
    return Topics(entries_of(path or DEFAULT_FILE, "topics", Topic, TopicsFileError))
