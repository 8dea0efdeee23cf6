"""The in-memory training adapters keep the same contract as the Mongo ones (so handler tests can trust them)."""

import pytest

from tests.contracts.training import (
    GroupsContract,
    MonthsContract,
    ProgrammesContract,
    RecordsContract,
    TraineesContract,
    UnitsContract,
)
from tests.fakes import (
    InMemoryGroups,
    InMemoryMonths,
    InMemoryProgrammes,
    InMemoryRecords,
    InMemoryTrainees,
    InMemoryUnits,
)


class TestInMemoryProgrammes(ProgrammesContract):
    @pytest.fixture
    def programmes(self) -> InMemoryProgrammes:
        return InMemoryProgrammes()


class TestInMemoryTrainees(TraineesContract):
    @pytest.fixture
    def trainees(self) -> InMemoryTrainees:
        return InMemoryTrainees()


class TestInMemoryUnits(UnitsContract):
    @pytest.fixture
    def units(self) -> InMemoryUnits:
        return InMemoryUnits()


class TestInMemoryRecords(RecordsContract):
    @pytest.fixture
    def records(self) -> InMemoryRecords:
        return InMemoryRecords()


class TestInMemoryMonths(MonthsContract):
    @pytest.fixture
    def months(self) -> InMemoryMonths:
        return InMemoryMonths()


class TestInMemoryGroups(GroupsContract):
    @pytest.fixture
    def groups(self) -> InMemoryGroups:
        return InMemoryGroups()
