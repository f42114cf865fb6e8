"""Routes of the commerce dialect, mounted at /compat/selly/ by selgeo/urls.py."""

from django.urls import path, re_path

from compat.selly import views

urlpatterns = [
    path("products", views.product_list, name="selly-products"),
    path("products/<str:product_id>", views.product_detail, name="selly-product"),
    path("orders", views.order_list, name="selly-orders"),
    path("orders/<str:order_id>", views.order_detail, name="selly-order"),
    path("webhooks/<str:token>", views.order_webhook, name="selly-webhook"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
