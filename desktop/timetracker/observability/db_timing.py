"""Times every SQL statement of an engine into the query-duration histogram.

Attached from the composition root with SQLAlchemy engine events, so ``core`` does not know it
is measured. Only the statement kind (select/insert/…) becomes a label — never SQL text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

from timetracker.observability.metrics import DB_OPERATIONS

Observe = Callable[[str, float], None]
_START_KEY = "timetracker_query_started"


def statement_operation(statement: str) -> str:
    """The bounded ``operation`` label for ``statement``."""
    word = statement.lstrip(" \t\r\n(").split(None, 1)[0].lower() if statement.strip() else ""
    if word == "with":  # CTE: classify by the main verb
        lowered = statement.lower()
        for verb in ("insert", "update", "delete"):
            if f"\n{verb} " in lowered or f") {verb} " in lowered:
                return verb
        return "select"
    return word if word in DB_OPERATIONS else "other"


class EngineTimer:
    """Keeps the listeners so they can be removed again."""

    def __init__(self, engine: Engine, observe: Observe) -> None:
        self.engine = engine
        self.observe = observe
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "handle_error", self._error)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any,
                context: Any, executemany: bool) -> None:
        conn.info.setdefault(_START_KEY, []).append(time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any,
               context: Any, executemany: bool) -> None:
        started = conn.info.get(_START_KEY)
        if started:
            self.observe(statement_operation(statement), time.perf_counter() - started.pop())

    def _error(self, context: Any) -> None:
        conn = context.connection
        started = conn.info.get(_START_KEY) if conn is not None else None
        if started:
            started.pop()

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
        event.remove(self.engine, "handle_error", self._error)


def instrument_engine(engine: Engine, observe: Observe) -> EngineTimer:
    return EngineTimer(engine, observe)
