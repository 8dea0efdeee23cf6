"""The in-memory evaluation adapters keep the same contract as the Mongo ones."""

import pytest

from tests.contracts.evaluation import (
    ForumQuartersContract,
    PeopleContract,
    QuarterClosesContract,
    TalliesContract,
    UnitQuartersContract,
)
from tests.fakes import (
    InMemoryForumQuarters,
    InMemoryPeople,
    InMemoryQuarterCloses,
    InMemoryTallies,
    InMemoryUnitQuarters,
)


class TestInMemoryPeople(PeopleContract):
    @pytest.fixture
    def people(self) -> InMemoryPeople:
        return InMemoryPeople()


class TestInMemoryUnitQuarters(UnitQuartersContract):
    @pytest.fixture
    def quarters(self) -> InMemoryUnitQuarters:
        return InMemoryUnitQuarters()


class TestInMemoryTallies(TalliesContract):
    @pytest.fixture
    def tallies(self) -> InMemoryTallies:
        return InMemoryTallies()


class TestInMemoryQuarterCloses(QuarterClosesContract):
    @pytest.fixture
    def closes(self) -> InMemoryQuarterCloses:
        return InMemoryQuarterCloses()


class TestInMemoryForumQuarters(ForumQuartersContract):
    @pytest.fixture
    def forums(self) -> InMemoryForumQuarters:
        return InMemoryForumQuarters()
