from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("tandem.web.customers.urls")),
    path("orders/", include("tandem.web.orders.urls")),
    path("import/", include("tandem.web.imports.urls")),
    path("jobs/", include("tandem.web.background.urls")),
    path("statements/", include("tandem.web.statements.urls")),
    path("", include("tandem.web.urls")),
]
