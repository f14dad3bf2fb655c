"""Care's part of a departure (members.services.member_depart finds this module through
common.discovery.app_modules("departures")): what was planned for the member ends, as after a death."""

from __future__ import annotations

import datetime as dt

from members.models import Member
from users.models import User

from .services import member_left


def member_departed(*, member: Member, on: dt.date, by: User) -> None:
    member_left(member=member, on=on, by=by)
