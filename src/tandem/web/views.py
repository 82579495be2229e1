"""The shell's pages: login and logout, the home page of each role, the
language switch, global search and notifications."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tandem.commissions.permissions import visible_staff_ids
from tandem.customers.permissions import visible_customers
from tandem.customers.selectors import customers_search
from tandem.sales.permissions import visible_orders
from tandem.sales.selectors import orders_search
from tandem.staff.accounts import staff_for_user
from tandem.staff.selectors import staff_matching

from . import access
from . import home as homes
from .middleware import LANGUAGE_SESSION_KEY
from .notifications import notifications_mark_read, notifications_of
from .preferences import language_of, language_remember

SEARCH_LIMIT = 8
NOTIFICATIONS_SHOWN = 50


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The language the user chose before, on any browser.
        chosen = language_of(self.request.user.pk or 0)
        if chosen:
            self.request.session[LANGUAGE_SESSION_KEY] = chosen
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen, samesite="Lax")
        return response


class LogoutView(auth_views.LogoutView):
    pass


@require_POST
def language(request):
    """The language switch: remembered for the user (when logged in), the
    session and the browser."""
    code = request.POST.get("language", "")
    supported = {c for c, _ in settings.LANGUAGES}
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    response = HttpResponseRedirect(nxt)
    if code in supported:
        if request.user.is_authenticated:
            language_remember(user_id=request.user.pk, language=code)
            request.session[LANGUAGE_SESSION_KEY] = code
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax")
    return response


@login_required
def home(request):
    today = timezone.localdate()
    staff = staff_for_user(request.user)
    kind = access.home_kind(request.user, staff)
    context = {"staff": staff, "kind": kind, "today": today}
    builder: Callable[..., dict] | None = homes.BUILDERS.get(kind)
    if builder is not None:
        context.update(builder(request.user, staff, today))
    return render(request, "web/home.html", context)


@login_required
def search(request):
    """Customers, orders and people matching the query, among what the user
    may see. Served whole, or as the results alone for htmx."""
    q = request.GET.get("q", "").strip()[:64]
    today = timezone.localdate()
    results: dict[str, list] = {"customers": [], "orders": [], "people": []}
    if q:
        customers = visible_customers(request.user, today=today)
        results["customers"] = customers_search(customers, q, limit=SEARCH_LIMIT)
        results["orders"] = orders_search(visible_orders(request.user, today=today), q, limit=SEARCH_LIMIT)
        results["people"] = staff_matching(q, staff_ids=visible_staff_ids(request.user), limit=SEARCH_LIMIT)
    template = "web/search_results.html" if request.headers.get("HX-Request") else "web/search.html"
    return render(request, template, {"q": q, **results})


@login_required
def notifications(request):
    if request.method == "POST":
        notifications_mark_read(user_id=request.user.pk)
        return HttpResponseRedirect(request.path)
    rows = list(notifications_of(request.user.pk)[:NOTIFICATIONS_SHOWN])
    return render(request, "web/notifications.html", {"notifications": rows})
