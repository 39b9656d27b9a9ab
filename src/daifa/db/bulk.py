"""Big executemany statements straight through the driver (Core's `exec_driver_sql`).

SQLAlchemy prepares every parameter set of an executemany on its own (bind processors, JSON
encoding, datetime formatting): for 100,000 rows that costs more than the database work. Here the
values are prepared once per batch where they repeat (the time of the request) and with orjson
where they do not, exactly as the column types would store them, and the driver's executemany
runs the statement. Statements are written with `?` placeholders and `{json}` where a JSON value
goes; PostgreSQL gets `%s` and `%s::jsonb`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection

from daifa.context import Ctx
from daifa.db.base import UtcDateTime

_INSERT_HEAD = re.compile(r"INSERT INTO (?P<table>\w+) \((?P<columns>[\w, ]+)\) VALUES", re.I)


def _pg_update(text: str, columns: Sequence[Sequence[Any]]) -> str:
    """An UPDATE written for one row (`?` placeholders) for all rows at once: each `?` becomes
    a column of `unnest(<one typed array per placeholder>)`, joined to the table."""
    names = iter(range(1, len(columns) + 1))
    update = re.sub(r"\?", lambda _: f"v.p{next(names)}", text.replace("%", "%%"))
    head, where = update.split(" WHERE ", 1)
    arrays = ", ".join(f"%s::{_pg_type(column)}[]" for column in columns)
    names_ = ", ".join(f"p{n}" for n in range(1, len(columns) + 1))
    return f"{head} FROM unnest({arrays}) AS v({names_}) WHERE {where}"


def _pg_type(column: Sequence[Any]) -> str:
    value = next((value for value in column if value is not None), None)
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, datetime):
        return "timestamptz"
    return "text"


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
        """Run the statement once per row; the total rowcount.

        SQLite: the driver's executemany (no round trips to pay). PostgreSQL, where each round
        trip costs more than the row: INSERTs go through COPY; an `UPDATE t SET ... WHERE ...`
        runs once for all rows, joined to `unnest(array, array, ...) AS v(p1, p2, ...)` with
        one array per `?` (each `?` turned into its column of v).
        """
        if not rows:
            return 0
        if self.sqlite:
            return int(self.connection.exec_driver_sql(self.sql(text), list(rows)).rowcount)
        if text.lstrip().upper().startswith("INSERT"):
            return self._copy(text, rows)
        columns = [list(column) for column in zip(*rows, strict=True)]
        statement = _pg_update(text, columns)
        return int(self.connection.exec_driver_sql(statement, tuple(columns)).rowcount)

    def _copy(self, text: str, rows: Sequence[Sequence[Any]]) -> int:
        """PostgreSQL: `INSERT INTO t (columns) VALUES (...)` rows through COPY, in this
        transaction (several times faster than any INSERT for thousands of rows)."""
        head = _INSERT_HEAD.match(text.strip())
        assert head is not None, f"not an INSERT INTO t (columns) VALUES statement: {text}"
        raw: Any = self.connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {head['table']} ({head['columns']}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)

    def rows(self, text: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of a query, as the driver returns them (no result processing).

        PostgreSQL plans each one for its own values (no server-side prepared statement): after
        a few runs a prepared statement switches to a generic plan, and for `= ANY(array)` on
        a table whose statistics predate a big insert that plan is a full scan per chunk.
        """
        if self.sqlite:
            return list(self.connection.exec_driver_sql(self.sql(text),
                                                        tuple(params)).fetchall())
        raw: Any = self.connection.connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute(self.sql(text), tuple(params), prepare=False)
            return list(cursor.fetchall())

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
