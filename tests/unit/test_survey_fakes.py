"""The in-memory survey adapters keep the same contract as the Mongo ones (so handler tests can trust them)."""

import pytest

from tests.contracts.survey import (
    FeedbackLogContract,
    FeedbackTalliesContract,
    ForumsContract,
    ResponsesContract,
    ResponseTalliesContract,
    TicketsContract,
)
from tests.fakes import (
    InMemoryFeedbackLog,
    InMemoryFeedbackTallies,
    InMemoryForums,
    InMemoryResponses,
    InMemoryResponseTallies,
    InMemoryTickets,
)


class TestInMemoryResponses(ResponsesContract):
    @pytest.fixture
    def responses(self) -> InMemoryResponses:
        return InMemoryResponses()


class TestInMemoryFeedbackLog(FeedbackLogContract):
    @pytest.fixture
    def feedback(self) -> InMemoryFeedbackLog:
        return InMemoryFeedbackLog()


class TestInMemoryForums(ForumsContract):
    @pytest.fixture
    def forums(self) -> InMemoryForums:
        return InMemoryForums()


class TestInMemoryResponseTallies(ResponseTalliesContract):
    @pytest.fixture
    def tallies(self) -> InMemoryResponseTallies:
        return InMemoryResponseTallies()


class TestInMemoryFeedbackTallies(FeedbackTalliesContract):
    @pytest.fixture
    def totals(self) -> InMemoryFeedbackTallies:
        return InMemoryFeedbackTallies()


class TestInMemoryTickets(TicketsContract):
    @pytest.fixture
    def tickets(self) -> InMemoryTickets:
        return InMemoryTickets()
