"""The pages, one urls module per area; a new area (the service desk, say)
adds its own module and one line here."""

from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.language, name="language"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
]
