"""Tracking URLs: `api_urlpatterns` are mounted under /v1/, `urlpatterns` at the root."""

from django.urls import path

from tracking.api import ClickCreateView, ClickDetailView
from tracking.links import follow_link
from tracking.snippet import selgeo_js

api_urlpatterns = [
    path("clicks", ClickCreateView.as_view(), name="clicks"),
    path("clicks/<uuid:click_id>", ClickDetailView.as_view(), name="click-detail"),
    path("selgeo.js", selgeo_js, name="selgeo-js"),
]

urlpatterns = [
    path("r/<str:code>", follow_link, name="tracking-link"),
    path("r/<str:merchant_slug>/<str:code>", follow_link, name="tracking-link-merchant"),
]
