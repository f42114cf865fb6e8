"""What the partners viewsets share: scoping, lookup and the referral code actions."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partners import services
from partners.serializers import ReferralCodeOut
from selgeo.api.errors import NotFound
from selgeo.api.views import GenericViewSet

UUID_PATTERN = "[0-9a-fA-F-]{36}"


def parse_uuid(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


class ScopedViewSet(GenericViewSet):
    """A viewset whose objects come from a scoped selector; anything else is a 404.

    Subclasses set `model` and implement `scoped()`, the selector call for this request.
    """

    lookup_value_regex = UUID_PATTERN
    not_found_message = "Resource does not exist"
    model: type[Model]

    def scoped(self) -> QuerySet[Any]:
        return self.model._default_manager.none()

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            # The OpenAPI generator inspects views without a real request.
            return self.model._default_manager.none()
        return self.scoped()

    def get_scoped_object(self) -> Any:
        pk = parse_uuid(self.kwargs.get("pk"))
        found: Model | None = None
        if pk is not None:
            found = self.get_queryset().filter(pk=pk).first()
        if found is None:
            raise NotFound(self.not_found_message)
        return found

    def paginated(self, queryset: QuerySet[Any], serializer: Any, **kwargs: Any) -> Any:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer(page, many=True, **kwargs).data)


class ReferralCodeDetailMixin(ScopedViewSet):
    """Read and disable one referral code: the same for a merchant and for its partner."""

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ReferralCodeOut(self.get_scoped_object()).data)

    @extend_schema(request=None, responses={200: ReferralCodeOut})
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, pk: str | None = None) -> Response:
        code = services.referral_code_disable(referral_code=self.get_scoped_object())
        return Response(ReferralCodeOut(code).data)
