"""Each user's chosen language, kept for every browser they log in from."""

from __future__ import annotations

from .models import Preference


def language_remember(*, user_id: int, language: str) -> None:
    Preference.objects.update_or_create(user_id=user_id, defaults={"language": language})


def language_of(user_id: int) -> str:
    return Preference.objects.filter(user_id=user_id).values_list("language", flat=True).first() or ""
