"""The visit logs and follow-ups moved from branches to officers (officers 0001, branches 0004): the rows that
existed under branches are there afterwards, in the renamed tables, and the way back works too."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("branches", "0003_visitlog_followup_and_more"), ("officers", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_rows_survive_the_move_to_officers_and_back():
    old = _migrate(BEFORE)
    User = old.get_model("users", "User")
    Organization = old.get_model("branches", "Organization")
    user = User.objects.create(email="olga@example.com")
    county = Organization.objects.create(code="C", name="县委", kind="county", path="0000001.")
    branch = Organization.objects.create(
        code="B",
        name="村支部",
        kind="branch",
        sector="rural",
        parent=county,
        path="0000001.0000002.",
        depth=1,
    )
    assignment = old.get_model("branches", "OfficerAssignment").objects.create(
        officer=user, organization=branch, kind="liaison", starts_on=dt.date(2026, 1, 1)
    )
    visit = old.get_model("branches", "VisitLog").objects.create(
        assignment=assignment,
        organization=branch,
        officer=user,
        visited_on=dt.date(2026, 2, 1),
        purpose="走访",
    )
    old.get_model("branches", "FollowUp").objects.create(
        visit=visit, organization=branch, description="补齐记录", due_on=dt.date(2026, 3, 1)
    )

    new = _migrate(_latest())
    assert new.get_model("officers", "VisitLog")._meta.db_table == "officers_visitlog"
    follow_up = new.get_model("officers", "FollowUp").objects.select_related("visit").get()
    assert (follow_up.description, follow_up.visit.purpose, follow_up.visit.pk) == (
        "补齐记录",
        "走访",
        visit.pk,
    )
    assert new.get_model("branches", "Organization").objects.get(code="B").officer_visits.count() == 1

    back = _migrate(BEFORE)
    assert back.get_model("branches", "FollowUp").objects.get().visit_id == visit.pk
    _migrate(_latest())
