"""The in-memory rewards adapters keep the same contract as the Mongo ones (so handler tests can trust them)."""

import pytest

from tests.contracts.rewards import AccountsContract, BoardsContract, LedgerPagesContract
from tests.fakes import InMemoryAccounts, InMemoryBoards, InMemoryLedgerPages


class TestInMemoryAccounts(AccountsContract):
    @pytest.fixture
    def accounts(self) -> InMemoryAccounts:
        return InMemoryAccounts()


class TestInMemoryLedgerPages(LedgerPagesContract):
    @pytest.fixture
    def pages(self) -> InMemoryLedgerPages:
        return InMemoryLedgerPages()


class TestInMemoryBoards(BoardsContract):
    @pytest.fixture
    def boards(self) -> InMemoryBoards:
        return InMemoryBoards()
