import datetime as dt
import random

from care import demo
from care.models import Grant, ServicePoint, TownshipBudget, Visit
from tests.care.factories import make_member

D = dt.date


def test_demo_seed_builds_a_consistent_care_picture(
    county, township_a, township_b, branch_a1, branch_b1, bob, alice
):
    for i in range(40):
        make_member(
            branch_a1 if i % 2 else branch_b1,
            born=D(1935 + i, 3, 1),
            admitted=D(1960 + i // 2, 1, 1) if i < 30 else D(2000, 1, 1),
            hardship=i % 3 == 0,
        )
    make_member(branch_a1, born=D(1930, 1, 1), admitted=D(1950, 1, 1), died_on=D(2026, 5, 1))
    demo.seed(rng=random.Random(1), as_of=D(2026, 6, 15), scale="demo")
    assert ServicePoint.objects.filter(level="center").count() == 1
    assert ServicePoint.objects.filter(level="station").count() == 2
    assert set(Grant.objects.values_list("status", flat=True)) == {"planned", "approved", "paid"}
    assert TownshipBudget.objects.count() == 2
    assert Visit.objects.filter(status="done").exists() and Visit.objects.filter(kind="condolence").exists()
    # committed never exceeds the budget it was given
    from care.selectors import budget_line

    for b in TownshipBudget.objects.all():
        assert budget_line(township=b.township, year=2026).left >= 0
    # seeding again never doubles a grant: the database keeps one live grant per member, benefit and period
    demo._grants_and_budgets(random.Random(2), D(2026, 6, 15))
    keys = list(Grant.objects.exclude(status="cancelled").values_list("rule", "member", "period_key"))
    assert len(keys) == len(set(keys))
