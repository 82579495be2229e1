"""The page language: zh-Hans unless the user chose English with the
language switch. A browser's Accept-Language is not followed: Tandem's users
are Chinese companies whose browsers are often set to English, and the
product's language is a choice, not a guess.

The choice of a logged-in user is theirs on every browser: it is stored
with the user (`Preference`), put in the session at login and by the switch,
and read from there (no query per request). Before login, the language
cookie says what the switch chose on this browser."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

LANGUAGE_SESSION_KEY = "tandem_language"


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        session = getattr(request, "session", None)
        chosen = session.get(LANGUAGE_SESSION_KEY) if session is not None else None
        if chosen not in self.supported:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
