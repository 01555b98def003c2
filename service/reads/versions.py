"""What the answer cache checks before it serves an answer: the current versions of read-model rows.

An answer records the rows it was built from as "<kind>:<key>" with each one's position. Each projection declares
its kinds (`versioned`: kind → table and key column, for tables with a `position` column), so a new read model
joins the cache's invalidation by declaring them, with no change here. A kind keyed by a column that is not unique
(measures by team, say) versions a whole group: its largest position. A kind with no column versions the whole
table (for lists of everything)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import asyncpg

from projections.base import VersionedRows


class VersionProbe:
    """Reads the versions of any set of "<kind>:<key>" names in one statement."""

    def __init__(self, kinds: Mapping[str, VersionedRows]) -> None:
        for kind, rows in kinds.items():
            if not kind.isidentifier() or not rows.table.isidentifier() or not (rows.column or "x").isidentifier():
                raise ValueError(f"versioned rows {kind}: {rows} are not plain identifiers")
        self.kinds = dict(kinds)
        self._statements: dict[tuple[str, ...], str] = {}

    @classmethod
    def of(cls, declarations: Iterable[Mapping[str, VersionedRows]]) -> VersionProbe:
        kinds: dict[str, VersionedRows] = {}
        for declared in declarations:
            for kind, rows in declared.items():
                if kinds.get(kind, rows) != rows:
                    raise ValueError(f"two read models declare the versioned kind {kind!r}")
                kinds[kind] = rows
        return cls(kinds)

    def _statement(self, kinds: tuple[str, ...]) -> str:
        statement = self._statements.get(kinds)
        if statement is None:
            parts = []
            arg = 0
            for kind in kinds:
                rows = self.kinds[kind]
                if rows.column is None:
                    parts.append(f"SELECT '{kind}:', max(position) FROM {rows.table}")
                else:
                    arg += 1
                    parts.append(f"SELECT '{kind}:' || {rows.column}, max(position) FROM {rows.table} "
                                 f"WHERE {rows.column} = ANY(${arg}::text[]) GROUP BY {rows.column}")
            statement = self._statements[kinds] = " UNION ALL ".join(parts)
        return statement

    async def versions(self, pool: asyncpg.Pool, names: Iterable[str]) -> dict[str, int | None]:
        """The current position of each named row ("<kind>:<key>"); rows that don't exist are left out."""
        by_kind: dict[str, list[str]] = {}
        for name in names:
            kind, _, key = name.partition(":")
            if kind not in self.kinds:
                raise KeyError(f"no read model declares versioned rows of kind {kind!r}")
            by_kind.setdefault(kind, []).append(key)
        if not by_kind:
            return {}
        kinds = tuple(sorted(by_kind))
        async with pool.acquire() as conn:
            rows = await conn.fetch(self._statement(kinds),
                                    *(by_kind[k] for k in kinds if self.kinds[k].column is not None))
        return {r[0]: r[1] for r in rows}
