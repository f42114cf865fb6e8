"""The partner portal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.access import partner_view


@partner_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"section": "home"})


@partner_view
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/profile.html", {"section": "profile"})
