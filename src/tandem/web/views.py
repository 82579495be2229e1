import datetime as dt

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone

from tandem.commissions.permissions import can_view_commission_of
from tandem.commissions.selectors import recent_commission
from tandem.customers.permissions import assignments_covering, visible_customers
from tandem.staff.accounts import staff_for_user

HOME_LIST_SIZE = 20


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    """Who you are, and the customers you may see (the first page of them
    with their current owners)."""
    today = timezone.localdate()
    staff = staff_for_user(request.user)
    customers = visible_customers(request.user, today=today)
    owners = assignments_covering(today).select_related("staff").order_by("role", "valid_from")
    page = list(
        customers.select_related(None)
        .order_by("customer_id")
        .prefetch_related(Prefetch("assignments", queryset=owners, to_attr="current_rows"))[
            :HOME_LIST_SIZE
        ]
    )
    rows = [
        {
            "customer": customer,
            "sales": [a.staff for a in customer.current_rows if a.role == "sales"],
            "service": [a.staff for a in customer.current_rows if a.role == "service"],
        }
        for customer in page
    ]
    commission = None
    if staff is not None and staff.role in ("sales", "service") and can_view_commission_of(request.user, staff.pk):
        this_month = today.strftime("%Y-%m")
        last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        commission = recent_commission(staff_id=staff.pk, periods=[this_month, last_month])
    return render(
        request,
        "web/home.html",
        {
            "staff": staff,
            "commission": commission,
            "customer_count": customers.count(),
            "rows": rows,
            "today": today,
        },
    )
