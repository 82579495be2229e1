from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key) if mapping else None


@register.filter
def money(value):
    """An amount in yuan with thousands separators: 1,234,567.80 (exact:
    Decimal formats itself, no float on the way)."""
    if value is None or value == "":
        return ""
    return format(Decimal(value), ",.2f")


@register.filter
def cents_money(cents):
    """Integer cents as yuan with thousands separators."""
    return money(Decimal(int(cents)) / 100)
