"""Exchange rate routes."""

from django.urls import path

from fx import api

api_urlpatterns = [
    path("exchange/rates", api.ExchangeRatesView.as_view(), name="exchange-rates"),
]
