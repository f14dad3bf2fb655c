"""Statements compiled once per process (issue 14).

A page that shows one object reads its rows from several tables with small querysets whose shape never changes,
only the id: the member page's transfers, offices, history, dues, attendance, review results. Building and compiling
such a queryset (filters, select_related, the model's ordering) cost the ORM more than PostgreSQL took to plan and
run it. `by_id` compiles it once per process and database connection, with a placeholder id, and then runs the
same SQL for any id, turning the rows into what the queryset would have given (model instances with their
select_related objects, or values_list() tuples) by the ORM's own compiler and converters.

What the SQL depends on besides the id must be in the key (nothing, for a queryset that only filters by the id).
A new release starts new processes, so a statement never outlives the code or the schema it was compiled for.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql.compiler import SQLCompiler

T = TypeVar("T")

PLACEHOLDER = 987654321987654  # stands for the id while the statement is compiled (no row has it)
_MAX = 512  # statements kept per process; past that, compiled afresh


@dataclass(frozen=True)
class _Statement:
    connection: BaseDatabaseWrapper
    compiler: SQLCompiler
    sql: str | None  # None: a queryset by_id leaves to the ORM
    params: tuple[Any, ...] = ()
    at: int = -1  # where the id goes among the parameters
    values: bool = False  # values_list() tuples, else model instances


_built: dict[tuple[Hashable, str], _Statement] = {}


def by_id(model: type[Model], key: Hashable, build: Callable[[int], QuerySet[Any]], pk: int) -> list[Any]:
    """list(build(pk)), its statement compiled once per process under `key`. `build(id)` must give the same SQL
    for every id but the id itself, a parameter that appears once (else, or for a queryset this does not know how
    to read — prefetching, named or flat values —, or an id that is not an int, it is evaluated by the ORM)."""
    if type(pk) is not int:  # the ORM's own checks and conversions for anything else (a string from a form)
        return list(build(pk))
    alias = router.db_for_read(model)  # the replica inside reads_from_replica, as the ORM would read
    connection = connections[alias]
    statement = _built.get((key, alias))
    if statement is None or statement.connection is not connection:
        if len(_built) >= _MAX:
            _built.clear()
        statement = _built[(key, alias)] = _compile(build(PLACEHOLDER), connection)
    if statement.sql is None:  # remembered: not tried again for this key
        return list(build(pk))
    params = list(statement.params)
    params[statement.at] = pk
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows: list[Any] = cursor.fetchall()
    compiler = statement.compiler
    if compiler.has_extra_select:  # columns added for the ordering only, as execute_sql drops them
        rows = [row[: compiler.col_count] for row in rows]
    if statement.values:
        return list(compiler.results_iter([rows], tuple_expected=True))
    return list(_instances(compiler, rows, alias))


def _compile(queryset: QuerySet[Any], connection: BaseDatabaseWrapper) -> _Statement:
    iterable = queryset._iterable_class
    compiler = queryset.query.get_compiler(connection=connection)
    if (
        iterable not in (ModelIterable, ValuesListIterable)
        or queryset._prefetch_related_lookups  # type: ignore[attr-defined]  # private, not in django-stubs
        or queryset._known_related_objects  # type: ignore[attr-defined]
    ):
        return _Statement(connection, compiler, None)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # nothing to run (a filter on an empty list): the ORM answers without a query
        return _Statement(connection, compiler, None)
    places = [i for i, p in enumerate(params) if type(p) is int and p == PLACEHOLDER]
    if len(places) != 1:
        return _Statement(connection, compiler, None)
    return _Statement(connection, compiler, sql, tuple(params), places[0], iterable is ValuesListIterable)


def _instances(compiler: SQLCompiler, rows: list[Any], alias: str):
    """ModelIterable's loop (without known related objects, which by_id refuses) over rows already fetched."""
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    assert klass_info is not None
    model_cls = klass_info["model"]
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    # django-stubs describe a later Django's signature (with fetch_mode); ours is Django 5.2's
    related_populators = get_related_populators(klass_info, select, alias)  # type: ignore[call-arg]
    for row in compiler.results_iter([rows]):
        obj = model_cls.from_db(alias, init_list, row[start:end])
        for populator in related_populators:
            populator.populate(row, obj)
        if annotation_col_map:
            for name, position in annotation_col_map.items():
                setattr(obj, name, row[position])
        yield obj
