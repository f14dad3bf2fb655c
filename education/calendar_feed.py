"""The iCal feed of one branch: planned and held meetings from a year back to the plans ahead."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from branches.models import Organization

from .models import Meeting


def render_feed(*, organization: Organization, as_of: dt.date) -> bytes:
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//County party-building//education//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{organization.name} 三会一课")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    meetings = (
        Meeting.objects.filter(
            organization=organization,
            status__in=[Meeting.Status.PLANNED, Meeting.Status.HELD],
            date__gte=as_of - dt.timedelta(days=366),
        )
        .select_related("party_group")
        .prefetch_related("kinds")
        .order_by("date", "start_time", "pk")
    )
    host = settings.SITE_URL.split("//")[-1].split("/")[0]
    for m in meetings:
        event = Event()
        event.add("uid", f"meeting-{m.pk}@{host}")
        kinds = "、".join(k.name_zh for k in m.kinds.all())
        title = kinds + (f"（{m.party_group.name}）" if m.party_group_id else "")
        event.add("summary", f"{title}：{m.topic}" if m.topic else title)
        if m.start_time:
            start = dt.datetime.combine(m.date, m.start_time, tzinfo=tz)
            end = (
                dt.datetime.combine(m.date, m.end_time, tzinfo=tz)
                if m.end_time
                else start + dt.timedelta(hours=2)
            )
            event.add("dtstart", start)
            event.add("dtend", end)
        else:
            event.add("dtstart", m.date)
            event.add("dtend", m.date + dt.timedelta(days=1))
        if m.place:
            event.add("location", m.place)
        event.add("status", "CONFIRMED" if m.status == Meeting.Status.HELD else "TENTATIVE")
        event.add("url", settings.SITE_URL + reverse("education:meeting_detail", args=[m.pk]))
        event.add("dtstamp", m.updated_at)
        cal.add_component(event)
    return cal.to_ical()
