"""The SQL unit of work: one Session, one transaction, four repositories over it."""

from __future__ import annotations

import logging
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from adapters.store.contacts import SqlContacts
from adapters.store.engine import TokenProvider, create_store_engine
from adapters.store.ledger import SqlLedger
from adapters.store.parties import SqlParties
from adapters.store.privacy import SqlPrivacy
from errors import TransientError

log = logging.getLogger(__name__)


class SqlUnitOfWork:
    """`with uow: …; uow.commit()`. Reusable: each `with` opens a fresh session."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self.session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._sessions()
        self.contacts = SqlContacts(self.session)
        self.parties = SqlParties(self.session)
        self.ledger = SqlLedger(self.session)
        self.privacy = SqlPrivacy(self.session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session, self.session = self.session, None
        assert session is not None
        try:
            session.rollback()  # no-op after commit; undoes everything otherwise
        except DBAPIError:
            if exc is None:
                raise
        finally:
            session.close()
        if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
            raise TransientError(f"CRM store unavailable: {type(exc.orig).__name__}") from exc

    def commit(self) -> None:
        assert self.session is not None, "commit outside `with uow:`"
        self.session.commit()

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()


class SqlStore:
    """The store's composition: an engine and a unit-of-work factory (bootstrap builds one)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(
        cls, url: str, token_provider: TokenProvider | None = None, *,
        pool_size: int | None = None, max_overflow: int | None = None,
    ) -> SqlStore:
        return cls(create_store_engine(
            url, token_provider=token_provider, pool_size=pool_size, max_overflow=max_overflow
        ))

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)

    def dispose(self) -> None:
        self.engine.dispose()
