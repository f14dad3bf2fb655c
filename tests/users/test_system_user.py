"""The system actor: what commands, command-line imports, demo seeding and jobs pass as `by`."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from branches.selectors import scope_for
from members.services import member_transfer
from users.services import system_user

pytestmark = pytest.mark.django_db


def test_system_user_is_one_account_that_cannot_sign_in():
    user = system_user()
    assert system_user() == user
    assert not user.is_active and not user.has_usable_password() and not user.is_staff
    assert user.is_system


def test_system_user_acts_for_the_whole_county(county, branch_b1):
    scope = scope_for(system_user())
    assert scope.is_county and scope.can_write(branch_b1)


def test_system_user_reads_as_system_in_the_readers_language():
    user = system_user()
    with translation.override("en"):
        assert str(user) == "system"
    with translation.override("zh-hans"):
        assert str(user) == "系统"


def test_transfer_needs_write_scope_on_the_source_whoever_calls(member_a1, branch_a2, charlie):
    """No `by=None` bypass: the service re-checks the cross-organization rule for every caller."""
    with pytest.raises(PermissionDenied):
        member_transfer(member=member_a1, to_organization=branch_a2, by=charlie)
    transfer = member_transfer(member=member_a1, to_organization=branch_a2, by=system_user())
    assert transfer.created_by.is_system
    assert member_a1.history.first().history_user.is_system
