from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("<str:customer_id>/", views.customer_detail, name="detail"),
    path("<str:customer_id>/orders/<str:order_id>/explain/", views.order_explain, name="explain"),
]
