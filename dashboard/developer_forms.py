"""Forms of the Developers pages: webhook endpoints, events, replays and test sessions.

The forms check shape only (lengths, known choices); what a URL may be, how many
endpoints a mode may have and which program can host a test session are decided by the
webhooks and conversions services, whose errors the views put next to the fields.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from webhooks import catalogue
from webhooks.ssrf import MAX_URL_LENGTH

# A merchant subscribes to the catalogue's types; the test ping is sent on request only.
SUBSCRIBABLE_TYPES = [
    (name, name) for name in catalogue.EVENT_TYPES if name not in catalogue.INTERNAL_TYPES
]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=MAX_URL_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/webhooks/selgeo"}),
        help_text="Live endpoints need HTTPS. Private and internal addresses are refused.",
    )
    description = forms.CharField(label="Description", max_length=500, required=False)
    event_types = forms.MultipleChoiceField(
        label="Event types",
        choices=SUBSCRIBABLE_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none to receive every type except the high-volume click.created.",
    )

    def clean_url(self) -> str:
        return str(self.cleaned_data["url"]).strip()


class EndpointEditForm(EndpointForm):
    enabled = forms.BooleanField(
        label="Enabled",
        required=False,
        help_text="A disabled endpoint receives nothing; its pending attempts are cancelled.",
    )


class RotateSecretForm(forms.Form):
    previous_valid_hours = forms.IntegerField(
        label="Keep the old secret signing for (hours)",
        min_value=0,
        max_value=168,
        initial=24,
        help_text="Until then every event carries both signatures, so receivers can switch.",
    )


class ReplayFailedForm(forms.Form):
    since = forms.DateTimeField(
        label="Replay every failed event since (UTC)",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["since"].initial = (timezone.now() - timedelta(days=1)).replace(
            second=0, microsecond=0
        )


class EventFilterForm(forms.Form):
    type = forms.ChoiceField(
        label="Event type",
        required=False,
        choices=[("", "All types"), *[(name, name) for name in catalogue.EVENT_TYPES]],
    )


class ReplayForm(forms.Form):
    """Replay to one endpoint (its id), or to every subscribed endpoint when left out."""

    endpoint_id = forms.UUIDField(required=False, widget=forms.HiddenInput)


class TestSessionForm(forms.Form):
    __test__ = False  # pytest would otherwise collect this form as a test class.

    program = forms.ChoiceField(label="Program")

    def __init__(self, *args: Any, programs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(p.code, f"{p.name} ({p.code})") for p in programs]
