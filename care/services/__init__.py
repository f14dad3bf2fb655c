"""Writes for care, one module per concept; views, admin, commands and jobs call these as `services.x`.

network      the service points (服务中心/站/点) and the benefit rules' versions
grants       grants (planned → approved → paid, or cancelled) and the townships' yearly budgets
visits       visits, pairings (结对帮扶) and who is responsible for visiting a member
life_events  illness (患病探望) and death (the condolence process)
scheduling   the visit scheduler: plan what the policies call for, remind, escalate
notices      what care tells people through the outbox (keys "<kind>:<visit>:<user>:<due date>")
"""

from .grants import (
    budget_set,
    grant_cancel,
    grant_create,
    grant_mark_paid,
    grants_approve,
    grants_create_for_eligible,
    township_for_path,
    township_index,
)
from .life_events import (
    CONDOLENCE_DAYS,
    CONDOLENCE_LOOKBACK_DAYS,
    DEFAULT_ILLNESS_DAYS,
    condolence_confirm,
    condolences_start_missing,
    member_died,
    member_fell_ill,
    member_left,
    member_record_death,
    member_record_illness,
)
from .network import rule_version_create, service_point_save
from .scheduling import visits_plan, visits_remind
from .visits import pairing_create, pairing_end, responsible_users, visit_cancel, visit_complete, visit_create

__all__ = [
    "CONDOLENCE_DAYS",
    "CONDOLENCE_LOOKBACK_DAYS",
    "DEFAULT_ILLNESS_DAYS",
    "budget_set",
    "condolence_confirm",
    "condolences_start_missing",
    "grant_cancel",
    "grant_create",
    "grant_mark_paid",
    "grants_approve",
    "grants_create_for_eligible",
    "member_died",
    "member_fell_ill",
    "member_left",
    "member_record_death",
    "member_record_illness",
    "pairing_create",
    "pairing_end",
    "responsible_users",
    "rule_version_create",
    "service_point_save",
    "township_for_path",
    "township_index",
    "visit_cancel",
    "visit_complete",
    "visit_create",
    "visits_plan",
    "visits_remind",
]
