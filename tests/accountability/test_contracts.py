from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accountability import services
from accountability.models import Contract, ContractLine
from tests.accountability.conftest import TODAY, YEAR, evaluated, full_scores
from tests.conftest import login

pytestmark = pytest.mark.django_db
Status = Contract.Status


def test_county_issues_to_all_townships_in_one_step(dora, county, township_a, township_b, library):
    created = services.contracts_issue_to_children(parent=county, year=YEAR, by=dora, on=TODAY)
    assert {c.organization for c in created} == {township_a, township_b}
    for c in Contract.objects.filter(year=YEAR):
        assert c.status == Status.ISSUED
        assert c.parent_signer == dora and c.parent_signed_on == TODAY
        assert sum(c.lines.values_list("weight", flat=True)) == Decimal("100")
    # a second run finds nobody left
    with pytest.raises(ValidationError):
        services.contracts_issue_to_children(parent=county, year=YEAR, by=dora, on=TODAY)


def test_issue_all_view(client, dora, county, township_a, township_b, library):
    login(client, dora)
    response = client.post(reverse("accountability:contracts_issue_all"), {"parent": county.pk, "year": YEAR})
    assert response.status_code == 302
    assert Contract.objects.filter(year=YEAR, parent=county, status=Status.ISSUED).count() == 2


def test_issue_all_refuses_library_not_adding_to_100(client, dora, county, township_a, library):
    ind = library[0].indicators.first()
    ind.weight = Decimal("10")
    ind.save()
    login(client, dora)
    response = client.post(reverse("accountability:contracts_issue_all"), {"parent": county.pk, "year": YEAR})
    assert response.status_code == 200
    assert "必须合计为100" in response.content.decode() or "must add up to 100" in response.content.decode()
    assert not Contract.objects.exists()


def test_weights_not_adding_to_100_save_nothing(bob, township_a, branch_a1, library):
    contract = services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    before = list(contract.lines.values_list("name", "weight"))
    with pytest.raises(ValidationError, match="100"):
        services.contract_lines_set(
            contract=contract,
            by=bob,
            lines=[
                {"name": "A", "check_standard": "x", "weight": "60"},
                {"name": "B", "check_standard": "y", "weight": "30"},
            ],
        )
    assert list(contract.lines.values_list("name", "weight")) == before


def test_contract_lines_form_shows_weight_error_and_keeps_input(client, bob, township_a, branch_a1, library):
    contract = services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    login(client, bob)
    data = {
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    data.update({"lines-0-name": "甲指标", "lines-0-check_standard": "标准", "lines-0-weight": "70"})
    data.update({"lines-1-name": "乙指标", "lines-1-check_standard": "标准", "lines-1-weight": "20"})
    response = client.post(reverse("accountability:contract_lines", args=[contract.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        error = gettext("The weights add up to %(total)s; they must add up to 100.") % {"total": "90"}
    assert error in body
    assert 'value="甲指标"' in body  # what was typed stays
    assert contract.lines.count() == 4


def test_contract_between_non_parent_and_child_is_refused(dora, county, branch_a1, library):
    with pytest.raises(ValidationError) as e:
        services.contract_create(parent=county, organization=branch_a1, year=YEAR, by=dora)
    assert "organization" in e.value.message_dict
    assert not Contract.objects.exists()


def test_contract_form_non_parent_child_message(client, dora, county, branch_a1, library):
    login(client, dora)
    response = client.post(
        reverse("accountability:contract_new"),
        {"parent": county.pk, "organization": branch_a1.pk, "year": YEAR},
    )
    assert response.status_code == 200
    assert not Contract.objects.exists()
    assert branch_a1.name in response.content.decode()


def test_second_contract_for_same_pair_and_year(client, bob, township_a, branch_a1, library):
    services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    with pytest.raises(ValidationError):
        services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    login(client, bob)
    response = client.post(
        reverse("accountability:contract_new"),
        {"parent": township_a.pk, "organization": branch_a1.pk, "year": YEAR},
    )
    assert response.status_code == 200
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        error = gettext("%(parent)s already has a %(year)s contract with %(child)s.") % {
            "parent": township_a,
            "year": YEAR,
            "child": branch_a1,
        }
    assert error in response.content.decode()
    assert Contract.objects.count() == 1


def test_database_refuses_duplicate_pair(township_a, branch_a1):
    Contract.objects.create(year=YEAR, parent=township_a, organization=branch_a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(year=YEAR, parent=township_a, organization=branch_a1)


def test_score_above_weight_is_refused(bob, alice, township_a, branch_a1, library):
    contract = services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    services.contract_issue(contract=contract, by=bob, on=TODAY)
    services.contract_sign(contract=contract, by=alice, on=TODAY)
    scores = full_scores(contract)
    line = contract.lines.first()
    scores[line.pk] = (line.weight + 1, "加分")
    with pytest.raises(ValidationError, match="分值"):
        services.contract_evaluate(contract=contract, by=bob, on=TODAY, scores=scores)
    contract.refresh_from_db()
    assert contract.status == Status.SIGNED and contract.score is None
    assert not ContractLine.objects.filter(score__isnull=False).exists()
    with pytest.raises(ValidationError):
        services.contract_self_evaluate(
            contract=contract, by=alice, on=TODAY, scores={line.pk: (line.weight + 1, "")}
        )


def test_database_refuses_score_above_weight(township_a, branch_a1):
    contract = Contract.objects.create(year=YEAR, parent=township_a, organization=branch_a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractLine.objects.create(contract=contract, name="x", check_standard="y", weight=10, score=11)


def test_evaluation_form_shows_score_above_weight(client, bob, alice, township_a, branch_a1, library):
    contract = services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    services.contract_issue(contract=contract, by=bob, on=TODAY)
    services.contract_sign(contract=contract, by=alice, on=TODAY)
    login(client, bob)
    data = {f"score_{line.pk}": str(line.weight) for line in contract.lines.all()}
    first = contract.lines.first()
    data[f"score_{first.pk}"] = "99"
    response = client.post(reverse("accountability:contract_evaluation", args=[contract.pk]), data)
    assert response.status_code == 200
    assert f'name="score_{first.pk}" value="99"' in response.content.decode()  # what was typed stays
    contract.refresh_from_db()
    assert contract.status == Status.SIGNED


def test_deduction_needs_a_reason(bob, alice, township_a, branch_a1, library):
    contract = services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    services.contract_issue(contract=contract, by=bob, on=TODAY)
    services.contract_sign(contract=contract, by=alice, on=TODAY)
    scores = full_scores(contract, minus=Decimal("5"), reason="")
    with pytest.raises(ValidationError, match="reason|原因"):
        services.contract_evaluate(contract=contract, by=bob, on=TODAY, scores=scores)


def test_veto_needs_a_reason(bob, alice, township_a, branch_a1, library):
    contract = services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    services.contract_issue(contract=contract, by=bob, on=TODAY)
    services.contract_sign(contract=contract, by=alice, on=TODAY)
    with pytest.raises(ValidationError):
        services.contract_evaluate(
            contract=contract, by=bob, on=TODAY, scores=full_scores(contract), vetoed=True
        )


def test_only_the_receiving_office_signs(bob, alice, township_a, branch_a1, library):
    contract = services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    services.contract_issue(contract=contract, by=bob, on=TODAY)
    with pytest.raises(PermissionDenied):
        services.contract_sign(
            contract=contract, by=bob, on=TODAY
        )  # the township cannot sign for the village
    with pytest.raises(PermissionDenied):
        services.contract_evaluate(contract=contract, by=alice, on=TODAY, scores={})


def test_full_flow_grades_and_veto(
    client, dora, bob, alice, erin, county, township_a, township_b, branch_a1, branch_a2, library
):
    # the county issues to all townships in one step; the township secretary signs
    login(client, dora)
    client.post(reverse("accountability:contracts_issue_all"), {"parent": county.pk, "year": YEAR})
    county_contract = Contract.objects.get(parent=county, organization=township_a)
    login(client, bob)
    assert client.post(reverse("accountability:contract_sign", args=[county_contract.pk])).status_code == 302
    county_contract.refresh_from_db()
    assert county_contract.status == Status.SIGNED and county_contract.signer == bob
    # the township issues to its villages in one step, they sign, self-evaluate, the township evaluates
    client.post(reverse("accountability:contracts_issue_all"), {"parent": township_a.pk, "year": YEAR})
    c1 = Contract.objects.get(parent=township_a, organization=branch_a1)
    c2 = Contract.objects.get(parent=township_a, organization=branch_a2)
    for user, contract in ((alice, c1), (erin, c2)):
        login(client, user)
        client.post(reverse("accountability:contract_sign", args=[contract.pk]))
        data = {}
        for line in contract.lines.all():
            data[f"score_{line.pk}"] = str(line.weight)
            data[f"evidence_{line.pk}"] = "会议记录"
        assert (
            client.post(
                reverse("accountability:contract_self_evaluation", args=[contract.pk]), data
            ).status_code
            == 302
        )
    login(client, bob)
    lines1 = list(c1.lines.order_by("position"))
    data = {f"score_{line.pk}": str(line.weight) for line in lines1}
    data[f"score_{lines1[0].pk}"] = "15"
    data[f"reason_{lines1[0].pk}"] = "党员大会仅召开2次"
    assert client.post(reverse("accountability:contract_evaluation", args=[c1.pk]), data).status_code == 302
    data = {f"score_{line.pk}": str(line.weight) for line in c2.lines.all()}
    data.update({"vetoed": "on", "veto_reason": "发生严重违纪问题"})
    assert client.post(reverse("accountability:contract_evaluation", args=[c2.pk]), data).status_code == 302
    c1.refresh_from_db()
    c2.refresh_from_db()
    assert (c1.status, c1.score, c1.grade.label, c1.self_score) == (
        Status.EVALUATED,
        Decimal("85"),
        "较好",
        Decimal("100"),
    )
    assert (c2.score, c2.vetoed, c2.grade.label) == (Decimal("100"), True, "差")
    response = client.get(reverse("accountability:rankings"), {"year": YEAR})
    rows = list(response.context["page"])
    assert [(c.organization, c.rank_in_parent) for c in rows] == [(branch_a1, 1), (branch_a2, 2)]
    assert [c.grade.label for c in rows] == ["较好", "差"]
    body = response.content.decode()
    assert "<td>较好</td>" in body and '<td>差 <span class="badge text-bg-danger"' in body  # vetoed


def test_grade_bands(bob, alice, erin, township_a, branch_a1, branch_a2, library):
    c = evaluated(township_a, branch_a1, by_parent=bob, by_child=alice, minus=Decimal("10"))
    assert c.grade.label == "好"  # exactly 90
    c = services.contract_evaluate(contract=c, by=bob, on=TODAY, scores=full_scores(c, minus=Decimal("10.5")))
    assert c.grade.label == "较好"
    c = services.contract_evaluate(contract=c, by=bob, on=TODAY, scores=full_scores(c, minus=Decimal("30")))
    assert (c.score, c.grade.label) == (Decimal("70"), "一般")
