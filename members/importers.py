"""Roster imports: members (import_members) and accounts with their roles (import_users).

Blank cells mean "not given": a new member gets the default (birth date and gender from the ID number), an
existing member keeps the stored value. The ID number identifies a member, so importing the same file twice
changes nothing the second time and writes no history rows; a changed row updates the member (recorded in
the history with the importing user) and a changed organization is a transfer (Transfer row).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Organization, PartyGroup, RoleAssignment
from branches.selectors import Scope
from branches.services import party_group_get_or_create, role_assign
from common.spreadsheets.importing import (
    CellError,
    Column,
    Importer,
    ParsedRow,
    RowError,
    RowsInvalid,
    choice_parser,
    parse_bool,
    parse_date,
    parse_text,
)
from common.spreadsheets.registry import register
from notifications.services import invitation_send
from users.selectors import emails_confirmed
from users.services import user_create

from . import idnumbers, services
from .ages import add_years
from .models import Member
from .selectors import ID_NUMBER_UNAVAILABLE, on_roll_q

Role = RoleAssignment.Role
GENDER_LABELS = {Member.Gender.MALE: "男", Member.Gender.FEMALE: "女"}
# 离开原因 as the roster writes it (the codes are accepted too).
DEPARTURE_LABELS = {
    Member.Departure.TRANSFERRED_OUT: "转出",
    Member.Departure.LEFT: "退党",
    Member.Departure.LAPSED: "自行脱党",
    Member.Departure.REMOVED: "除名",
    Member.Departure.EXPELLED: "开除党籍",
    Member.Departure.PROBATION_CANCELLED: "取消预备党员资格",
}
# 学历 and 职业 as the roster (and the annual statistics) write them; the export writes these words, the import
# also takes the codes and the words the statistics put under 高中 (中专、中技).
EDUCATION_LABELS = {
    Member.Education.POSTGRADUATE: "研究生",
    Member.Education.UNDERGRADUATE: "大学本科",
    Member.Education.COLLEGE: "大学专科",
    Member.Education.SECONDARY: "高中",
    Member.Education.JUNIOR_OR_BELOW: "初中及以下",
}
EDUCATION_ALIASES = {"中专": Member.Education.SECONDARY, "中技": Member.Education.SECONDARY}
OCCUPATION_LABELS = {
    Member.Occupation.WORKER: "工人",
    Member.Occupation.FARMER: "农牧渔民",
    Member.Occupation.PROFESSIONAL: "专业技术人员",
    Member.Occupation.MANAGER: "管理人员",
    Member.Occupation.CIVIL_SERVANT: "党政机关工作人员",
    Member.Occupation.STUDENT: "学生",
    Member.Occupation.RETIRED: "离退休人员",
    Member.Occupation.OTHER: "其他",
}
_CHUNK = 500


def _text(max_length: int):
    def parse(value):
        return parse_text(value, max_length=max_length)

    return parse


def parse_id_number(value) -> str:
    text = parse_text(value)
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", text):
        raise CellError(_("the ID number was stored as a number and lost digits: format the column as text"))
    return idnumbers.normalize(text)


def parse_phone(value) -> str:
    text = parse_text(value)
    if not re.fullmatch(r"[0-9+\-() ]{5,20}", text):
        raise CellError(_("“%(value)s” is not a phone number") % {"value": value})
    return text


def _in_chunks(values: list, size: int = _CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


@register
class MemberImporter(Importer):
    kind = "members"
    label = gettext_lazy("Members (roster)")
    description = gettext_lazy(
        "One row per member, identified by the ID number: new numbers are added, known ones updated; a "
        "different organization code is a transfer. Blank cells leave the stored value as it is."
    )
    columns = (
        Column("name", "姓名", required=True, parse=_text(50)),
        Column(
            "gender",
            "性别",
            parse=choice_parser({"男": "male", "女": "female", "male": "male", "female": "female"}),
        ),
        Column("ethnicity", "民族", parse=_text(20)),
        Column("birth_date", "出生日期", parse=parse_date),
        Column("id_number", "公民身份号码", required=True, parse=parse_id_number),
        Column("org_code", "所在党组织编码", required=True, parse=_text(50)),
        Column("party_group", "党小组", parse=_text(100)),
        Column("admitted_on", "入党日期", required=True, parse=parse_date),
        Column("full_member_on", "转正日期", parse=parse_date),
        Column("phone", "手机号码", parse=parse_phone),
        Column("veteran_cadre", "老干部", parse=parse_bool),
        Column("hardship", "困难党员", parse=parse_bool),
        Column("died_on", "去世日期", parse=parse_date),
        Column("departed_on", "离开日期", parse=parse_date),
        Column(
            "departure_reason",
            "离开原因",
            parse=choice_parser(
                {
                    **{label: code.value for code, label in DEPARTURE_LABELS.items()},
                    **{c: c for c in Member.Departure.values},
                }
            ),
        ),
        # New columns go at the end: files written for the columns above keep importing unchanged.
        Column(
            "education_level",
            "学历",
            parse=choice_parser(
                {
                    **{label: code.value for code, label in EDUCATION_LABELS.items()},
                    **{alias: code.value for alias, code in EDUCATION_ALIASES.items()},
                    **{c: c for c in Member.Education.values},
                }
            ),
        ),
        Column(
            "occupation",
            "职业",
            parse=choice_parser(
                {
                    **{label: code.value for code, label in OCCUPATION_LABELS.items()},
                    **{c: c for c in Member.Occupation.values},
                }
            ),
        ),
    )
    PLAIN_FIELDS = (
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "id_number",
        "admitted_on",
        "full_member_on",
        "phone",
        "veteran_cadre",
        "hardship",
        "died_on",
        "departed_on",
        "departure_reason",
        "education_level",
        "occupation",
    )

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return scope.is_superuser or bool(scope.write_paths)

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        errors: list[RowError] = []
        codes = {r["org_code"] for r in rows if r["org_code"]}
        self.orgs = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        numbers = [r["id_number"] for r in rows if r["id_number"]]
        self.existing: dict[str, Member] = {}
        for chunk in _in_chunks(numbers):
            for m in Member.objects.filter(id_number__in=chunk).select_related("organization"):
                self.existing[m.id_number] = m
        self.groups: dict[tuple[int, str], PartyGroup] = {
            (g.organization_id, g.name): g for g in PartyGroup.objects.filter(organization__code__in=codes)
        }
        first_row: dict[str, int] = {}
        for row in rows:
            errors.extend(RowError(row.number, m) for m in self._check_row(row, first_row))
        return errors

    def _check_row(self, row: ParsedRow, first_row: dict[str, int]) -> list[str]:
        messages: list[str] = []
        number = row["id_number"]
        existing = self.existing.get(number) if number else None
        if not number:
            return [_("公民身份号码 (id_number) is required.")]
        if number in first_row:
            return [
                _("The ID number %(number)s appears again (first in row %(row)d).")
                % {"number": idnumbers.mask(number), "row": first_row[number]}
            ]
        first_row[number] = row.number
        try:
            idnumbers.validate_id_number(number, birth_date=row["birth_date"], gender=row["gender"])
        except ValidationError as e:
            messages.extend(e.messages)
        if not row["name"] and existing is None:
            messages.append(_("姓名 (name) is required."))
        org = None
        code = row["org_code"]
        if not code:
            messages.append(_("所在党组织编码 (org_code) is required."))
        else:
            org = self.orgs.get(code)
            if org is None or not self.scope.can_write(org):
                messages.append(
                    _("No organization with code “%(code)s” among those you manage.") % {"code": code}
                )
                org = None
            elif not org.is_basic:
                messages.append(
                    _(
                        "“%(code)s” is not a basic organization: members belong to a branch, general branch or party committee."
                    )
                    % {"code": code}
                )
        if existing is not None:
            if not self.scope.can_write(existing.organization):
                messages.append(str(ID_NUMBER_UNAVAILABLE))
            elif (
                org is not None
                and existing.organization_id != org.pk
                and (row["died_on"] or existing.died_on)
            ):
                messages.append(_("A deceased member cannot be transferred."))
            elif (
                org is not None
                and existing.organization_id != org.pk
                and (row["departed_on"] or existing.departed_on)
            ):
                messages.append(_("A departed member cannot be transferred."))

        # The dates as they will be after the import (blank = the stored value).
        def final(key: str) -> Any:
            value = row[key]
            return value if value is not None or existing is None else getattr(existing, key)

        born = final("birth_date")
        if born is None and not messages:
            try:
                born = idnumbers.birth_date_of(number)
            except ValueError:
                born = None
        admitted, full, died = final("admitted_on"), final("full_member_on"), final("died_on")
        if admitted is None:
            messages.append(_("入党日期 (admitted_on) is required for a new member."))
        elif born and admitted <= born:
            messages.append(_("The admission date must be after the birth date."))
        if full and admitted and full < admitted:
            messages.append(_("The full-membership date cannot be before the admission date."))
        elif full and admitted and (row["full_member_on"] or row["admitted_on"]):
            # 转正 at the earliest when the probation year (or its extension) ends.
            extended = existing.probation_ends_on if existing is not None else None
            due = extended or add_years(admitted, 1)
            if full < due:
                messages.append(
                    _(
                        "The full-membership date cannot be earlier than the end of the probation year (%(date)s)."
                    )
                    % {"date": due.isoformat()}
                )
        if died and born and died < born:
            messages.append(_("The date of death cannot be before the birth date."))
        departed, reason = final("departed_on"), final("departure_reason")
        if bool(departed) != bool(reason):
            messages.append(_("离开日期 (departed_on) and 离开原因 (departure_reason) go together."))
        if departed and admitted and departed < admitted:
            messages.append(_("The departure date cannot be before the admission date."))
        if departed and died and (row["departed_on"] or row["died_on"]):
            messages.append(_("A deceased member cannot depart."))
        if reason == Member.Departure.PROBATION_CANCELLED and departed and full and full <= departed:
            messages.append(
                _("Only a probationary member's probationary membership can be cancelled (取消预备党员资格).")
            )
        today = timezone.localdate()
        for key in ("admitted_on", "full_member_on", "died_on", "departed_on"):
            if row[key] and row[key] > today:
                messages.append(_("%(column)s is in the future.") % {"column": self._header(key)})
        return messages

    def _header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    def apply(self, rows: list[ParsedRow], *, user, scope) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "transferred": 0, "unchanged": 0}
        today = timezone.localdate()
        new_members: list[Member] = []
        for row in rows:
            org = self.orgs[row["org_code"]]
            fields = {k: row[k] for k in self.PLAIN_FIELDS if row[k] is not None}
            if row["party_group"]:
                group = self.groups.get((org.pk, row["party_group"]))
                if group is None:
                    group = party_group_get_or_create(organization=org, name=row["party_group"])
                    self.groups[(org.pk, group.name)] = group
                fields["party_group"] = group
            member = self.existing.get(row["id_number"])
            try:
                if member is None:
                    new_members.append(services.member_prepare(member=Member(organization=org, **fields)))
                    continue
                moved = False
                if member.organization_id != org.pk:
                    services.member_transfer(
                        member=member, to_organization=org, on=today, reason=_("spreadsheet import"), by=user
                    )
                    moved = True
                changed = services.member_update(member=member, by=user, **fields)
            except ValidationError as e:
                raise RowsInvalid([RowError(row.number, m) for m in e.messages]) from None
            if moved:
                counts["transferred"] += 1
            elif changed:
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        counts["created"] = services.members_bulk_create(members=new_members, by=user)
        return counts


ROLE_CHOICES = {
    **{r.value: r.value for r in Role},
    "县委组织部": Role.COUNTY_ADMIN,
    "乡镇党委书记": Role.TOWNSHIP_SECRETARY,
    "乡镇党委工作人员": Role.TOWNSHIP_STAFF,
    "支部书记": Role.BRANCH_SECRETARY,
    "党建辅导员": Role.OFFICER,
    "党建服务员": Role.OFFICER,
    "党建联络员": Role.OFFICER,
    "党员": Role.MEMBER,
}

# Which organizations a role is given at.
ROLE_KINDS = {
    Role.COUNTY_ADMIN: {Organization.Kind.COUNTY},
    Role.TOWNSHIP_SECRETARY: {Organization.Kind.TOWNSHIP},
    Role.TOWNSHIP_STAFF: {Organization.Kind.TOWNSHIP},
    Role.BRANCH_SECRETARY: set(Organization.BASIC_KINDS),
    Role.MEMBER: set(Organization.BASIC_KINDS),
    Role.OFFICER: set(Organization.Kind.values),
}


@register
class UserImporter(Importer):
    """Accounts and their roles. The e-mail identifies the account: a new address gets an account with the
    password given, or else an invitation to set one, sent when the import has committed. A known address is
    never given a role silently (issue 13, High 1): every such row is reported, and the role is added only
    when the account's holder has confirmed the address (users.selectors.emails_confirmed: the invitation or
    a reset link followed, or an e-mail change confirmed); otherwise an administrator checks and adds it.
    Its name and password are left alone. A `member` role links the account to the member of that
    organization with the same name, when there is exactly one."""

    kind = "users"
    label = gettext_lazy("Accounts and roles")
    description = gettext_lazy(
        "One row per account and role. Roles: 县委组织部, 乡镇党委书记, 乡镇党委工作人员, 支部书记, "
        "党建辅导员 / 党建服务员 / 党建联络员, 党员 (the English codes are accepted as well). Without a password "
        "the person is e-mailed an invitation."
    )
    columns = (
        Column("email", "邮箱", required=True, parse=_text(254)),
        Column("name", "姓名", parse=_text(100)),
        Column("role", "角色", required=True, parse=choice_parser(ROLE_CHOICES)),
        Column("org_code", "组织编码", required=True, parse=_text(50)),
        Column("password", "密码", parse=parse_text),
    )

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        User = get_user_model()
        errors: list[RowError] = []
        for row in rows:
            if row["email"]:
                row.values["email"] = row["email"].strip().lower()
        emails = {r["email"] for r in rows if r["email"]}
        self.users = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
        self.orgs = {o.code: o for o in Organization.objects.filter(code__in={r["org_code"] for r in rows})}
        self.assignments = {
            (email.lower(), org_id, role)
            for email, org_id, role in RoleAssignment.objects.filter(user__email__in=emails).values_list(
                "user__email", "organization_id", "role"
            )
        }
        seen: dict[tuple, int] = {}
        for row in rows:
            messages: list[str] = []
            email = row["email"]
            if not email:
                messages.append(_("邮箱 (email) is required."))
            else:
                try:
                    validate_email(email)
                except ValidationError:
                    messages.append(_("“%(email)s” is not a valid e-mail address.") % {"email": email})
            if not row["role"]:
                messages.append(_("角色 (role) is required."))
            org = self.orgs.get(row["org_code"] or "")
            if not row["org_code"]:
                messages.append(_("组织编码 (org_code) is required."))
            elif org is None or not self.scope.can_write(org):
                messages.append(
                    _("No organization with code “%(code)s” among those you manage.")
                    % {"code": row["org_code"]}
                )
            elif row["role"] and org.kind not in ROLE_KINDS[row["role"]]:
                messages.append(
                    _("The role %(role)s is not given at a %(kind)s.")
                    % {"role": Role(row["role"]).label, "kind": org.get_kind_display()}
                )
            key = (email, row["role"], row["org_code"])
            if email and key in seen:
                messages.append(
                    _("This account and role appear again (first in row %(row)d).") % {"row": seen[key]}
                )
            seen.setdefault(key, row.number)
            if row["password"] and email and email not in self.users:
                try:
                    validate_password(row["password"], user=User(email=email, name=row["name"] or ""))
                except ValidationError as e:
                    messages.extend(_("密码 (password): %(error)s") % {"error": m} for m in e.messages)
            errors.extend(RowError(row.number, m) for m in messages)
        return errors

    def apply(self, rows: list[ParsedRow], *, user, scope) -> dict[str, int]:
        counts = {"created": 0, "roles": 0, "linked": 0, "invited": 0, "unchanged": 0, "withheld": 0}
        to_invite = []
        member_rows: list[tuple[ParsedRow, Any, Organization]] = []
        confirmed = emails_confirmed(emails=self.users)
        for row in rows:
            account = self.users.get(row["email"])
            existing = account is not None
            created = False
            if account is None:
                try:
                    account = user_create(
                        email=row["email"], name=row["name"] or "", password=row["password"]
                    )
                except ValidationError as e:
                    raise RowsInvalid([RowError(row.number, m) for m in e.messages]) from None
                self.users[row["email"]] = account
                counts["created"] += 1
                created = True
                if not row["password"]:
                    to_invite.append(account)
            org = self.orgs[row["org_code"]]
            role_label = Role(row["role"]).label
            if (row["email"], org.pk, row["role"]) in self.assignments:
                if not created:
                    counts["unchanged"] += 1
            elif existing and row["email"] not in confirmed:
                self.messages.append(
                    _(
                        "Row %(row)d: %(email)s is an existing account whose address was never confirmed by its holder: the role %(role)s was not given. An administrator checks who holds the account and adds the role."
                    )
                    % {"row": row.number, "email": account.email, "role": role_label}
                )
                counts["withheld"] += 1
                continue
            else:
                if existing:
                    self.messages.append(
                        _("Row %(row)d: %(email)s is an existing account: the role %(role)s was added.")
                        % {"row": row.number, "email": account.email, "role": role_label}
                    )
                role_assign(user=account, organization=org, role=row["role"])
                self.assignments.add((row["email"], org.pk, row["role"]))
                counts["roles"] += 1
            if row["role"] == Role.MEMBER:
                member_rows.append((row, account, org))
        counts["linked"] = self._link_members(member_rows, by=user)
        for account in to_invite:
            transaction.on_commit(lambda account=account: invitation_send(user=account))
        counts["invited"] = len(to_invite)
        return counts

    def _link_members(self, member_rows, *, by) -> int:
        """Link `member` accounts to the member of that organization with their name (one query)."""
        if not member_rows:
            return 0
        names = {(acc.name or row["name"] or "") for row, acc, _org in member_rows}
        candidates: dict[tuple[int, str], list[Member]] = defaultdict(list)
        for m in Member.objects.filter(
            on_roll_q(), organization__in={org for _r, _a, org in member_rows}, name__in=names
        ):
            candidates[(m.organization_id, m.name)].append(m)
        already = set(
            Member.objects.filter(user__in=[a for _r, a, _o in member_rows]).values_list("user_id", flat=True)
        )
        linked = 0
        for row, account, org in member_rows:
            if account.pk in already:
                continue
            name = account.name or row["name"] or ""
            found = candidates.get((org.pk, name), [])
            if len(found) == 1 and found[0].user_id is None:
                services.member_link_user(member=found[0], user=account, by=by)
                already.add(account.pk)
                linked += 1
            elif len(found) == 1:
                self.messages.append(
                    _("Row %(row)d: %(email)s not linked: the member %(name)s is linked to another account.")
                    % {"row": row.number, "email": account.email, "name": name}
                )
            elif not found:
                self.messages.append(
                    _("Row %(row)d: %(email)s not linked: no member named %(name)s in %(org)s.")
                    % {"row": row.number, "email": account.email, "name": name, "org": org.name}
                )
            else:
                self.messages.append(
                    _(
                        "Row %(row)d: %(email)s not linked: %(count)d members named %(name)s in %(org)s; link the account in the administration."
                    )
                    % {
                        "row": row.number,
                        "email": account.email,
                        "count": len(found),
                        "name": name,
                        "org": org.name,
                    }
                )
        return linked
