"""Big executemany statements straight through the driver (Core's `exec_driver_sql`).

SQLAlchemy prepares every parameter set of an executemany on its own (bind processors, JSON
encoding, datetime formatting): for 100,000 rows that costs more than the database work. Here the
values are prepared once per batch where they repeat (the time of the request) and with orjson
where they do not, exactly as the column types would store them, and the driver's executemany
runs the statement. Statements are written with `?` placeholders and `{json}` where a JSON value
goes; PostgreSQL gets `%s` and `%s::jsonb`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection

from daifa.context import Ctx
from daifa.db.base import UtcDateTime


class Driver:
    def __init__(self, ctx: Ctx) -> None:
        self.connection: Connection = ctx.session.connection()
        self.dialect = self.connection.dialect
        self.sqlite = self.dialect.name == "sqlite"
        self._time = UtcDateTime().dialect_impl(self.dialect).bind_processor(self.dialect)
        self._times: dict[datetime, Any] = {}

    def sql(self, text: str) -> str:
        if self.sqlite:
            return text.replace("{json}", "?")
        return text.replace("%", "%%").replace("?", "%s").replace("{json}", "%s::jsonb")

    def many(self, text: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run the statement once per row; the total rowcount."""
        if not rows:
            return 0
        result = self.connection.exec_driver_sql(self.sql(text), list(rows))
        return int(result.rowcount)

    def rows(self, text: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of a query, as the driver returns them (no result processing)."""
        return list(self.connection.exec_driver_sql(self.sql(text), tuple(params)).fetchall())

    def is_in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column IN (...)` for a chunk of values: `= ANY(array)` on PostgreSQL."""
        if self.sqlite:
            return f"{column} IN ({', '.join('?' * len(values))})", list(values)
        return f"{column} = ANY(?)", [list(values)]

    def new_ids(self, table: str, count: int) -> list[int]:
        """Row ids for `count` rows about to be inserted with explicit ids. SQLite: after the
        largest (this transaction holds the write lock since BEGIN IMMEDIATE); PostgreSQL:
        from the column's sequence."""
        if count <= 0:
            return []
        if self.sqlite:
            top = self.rows(f"SELECT COALESCE(MAX(id), 0) FROM {table}")[0][0]
            return list(range(top + 1, top + 1 + count))
        return [row[0] for row in self.rows(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
            "FROM generate_series(1, ?)", [count])]

    def read_time(self, value: Any) -> datetime:
        """A timestamp read by `rows` as a UTC datetime."""
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        assert isinstance(value, datetime)
        return value

    def time(self, value: datetime) -> Any:
        """A timestamp as the UtcDateTime column stores it on this database (a batch mostly
        repeats one: the time of the request)."""
        stored = self._times.get(value)
        if stored is None:
            stored = self._times[value] = self._time(value) if self._time else value
        return stored

    def flag(self, value: bool) -> Any:
        return int(value) if self.sqlite else value

    @staticmethod
    def json(value: Any) -> str:
        return orjson.dumps(value, default=_default).decode()


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
