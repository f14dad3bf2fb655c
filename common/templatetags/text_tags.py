"""Punctuation that differs by language: a label's colon is "：" in Chinese text and ": " in English."""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    """`{% translate "Evidence" %}{% colon %}{{ value }}`: the colon after a label, in the page's language."""
    return pgettext("label separator", ": ")
