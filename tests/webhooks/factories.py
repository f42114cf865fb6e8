"""factory_boy factories for webhook rows built directly (bypassing the URL checks)."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories import MerchantFactory
from webhooks.models import WebhookEndpoint
from webhooks.signing import generate_secret


class WebhookEndpointFactory(DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    merchant = factory.SubFactory(MerchantFactory)
    mode = "test"
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/selgeo")
    description = ""
    event_types = factory.LazyFunction(list)
    secret = factory.LazyFunction(generate_secret)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
