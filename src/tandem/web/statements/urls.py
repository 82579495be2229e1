from django.urls import path

from . import views

app_name = "statements"
urlpatterns = [
    path("<str:staff_id>/<str:period>/", views.statement_detail, name="detail"),
]
