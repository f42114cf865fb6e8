"""Products: the list, the create and edit forms, and the commission rule of each."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from dashboard.access import MerchantRequest, merchant_view
from dashboard.paging import paginate
from dashboard.product_forms import FORM_FIELD, ProductForm
from products import selectors, services
from products.models import Product
from selgeo.api.errors import ValidationFailed


def _scoped(request: MerchantRequest, product_id: uuid.UUID) -> Product:
    """The merchant's product in the current mode; any other id is a 404."""
    return get_object_or_404(
        selectors.products_for(merchant=request.merchant, mode=request.mode), pk=product_id
    )


def _place(form: forms.Form, exc: ValidationFailed) -> None:
    for detail in exc.details or [{"field": "", "message": exc.message}]:
        name = detail.get("field") or ""
        field = FORM_FIELD.get(name, name)
        form.add_error(
            field if field in form.fields else None, detail.get("message") or exc.message
        )


@merchant_view()
def product_list(request: MerchantRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if values is not None:
            try:
                product = services.product_create(
                    merchant=request.merchant, mode=request.mode, values=values
                )
            except ValidationFailed as exc:
                _place(form, exc)
            else:
                messages.success(request, f"{product.title} ({product.code}) added.")
                return redirect("dashboard:products")
    products = selectors.products_for(merchant=request.merchant, mode=request.mode)
    return render(
        request,
        "dashboard/products.html",
        {
            "section": "products",
            "form": form,
            **paginate(request, products.order_by("-created_at")),
        },
    )


@merchant_view()
def product_edit(request: MerchantRequest, product_id: uuid.UUID) -> HttpResponse:
    product = _scoped(request, product_id)
    form = ProductForm(request.POST or None, initial=ProductForm.initial_of(product))
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if values is not None:
            if not values["code"]:
                values["code"] = product.code
            try:
                services.product_update(product=product, changes=values)
            except ValidationFailed as exc:
                _place(form, exc)
            else:
                messages.success(request, f"{values['title']} saved.")
                return redirect("dashboard:products")
    return render(
        request,
        "dashboard/product_form.html",
        {"section": "products", "form": form, "product": product},
    )
