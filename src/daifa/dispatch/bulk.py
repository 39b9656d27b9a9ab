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

PG_CHUNK_ROWS = 1000
PG_MAX_PARAMS = 60_000  # psycopg sends at most 65,535 parameters per statement
_PLACEHOLDER = re.compile(r"\?|\{json\}")
_INSERT_HEAD = re.compile(r"INSERT INTO (?P<table>\w+) \((?P<columns>[\w, ]+)\) VALUES", re.I)


def _pg_batch(text: str, count: int) -> str:
    """An UPDATE (one row's statement, `?` placeholders) for `count` rows at once."""
    text = text.replace("%", "%%")
    names = iter(range(1, 1000))
    update = _PLACEHOLDER.sub(lambda _: f"v.p{next(names)}", text)
    width = text.count("?") + text.count("{json}")
    head, where = update.split(" WHERE ", 1)
    row = "(" + ", ".join(["%s"] * width) + ")"
    columns = ", ".join(f"p{n}" for n in range(1, width + 1))
    return (f"{head} FROM (VALUES {', '.join([row] * count)}) AS v({columns}) "
            f"WHERE {where}")


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
        trip costs more than the row: INSERTs go through COPY; `UPDATE t SET ... WHERE ...`
        runs once per chunk joined to a VALUES list (`FROM (VALUES ...) AS v(p1, p2, ...)`),
        each `?` turned into its column of v.
        """
        if not rows:
            return 0
        if self.sqlite:
            return int(self.connection.exec_driver_sql(self.sql(text), list(rows)).rowcount)
        if text.lstrip().upper().startswith("INSERT"):
            return self._copy(text, rows)
        width = text.count("?") + text.count("{json}")
        size = max(1, min(PG_CHUNK_ROWS, PG_MAX_PARAMS // max(width, 1)))
        total = 0
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            statement = _pg_batch(text, len(chunk))
            params = [value for row in chunk for value in row]
            total += int(self.connection.exec_driver_sql(statement, tuple(params)).rowcount)
        return total

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
