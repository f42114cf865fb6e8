"""Writes for webhooks. `emit()` is the seam every other app reports events through."""

from webhooks.services.batch import deliveries_claim, deliveries_record
from webhooks.services.delivery import (
    AttemptOutcome,
    SweepResult,
    deliveries_sweep,
    delivery_attempt,
    delivery_mark_queued,
    endpoint_disable,
)
from webhooks.services.endpoints import (
    MAX_ENDPOINTS_PER_MODE,
    check_url,
    endpoint_create,
    endpoint_create_for_payment_forward,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
)
from webhooks.services.events import (
    emit,
    emit_to_endpoint,
    endpoint_replay_failed,
    endpoint_send_test,
    event_build,
    event_fan_out,
    event_replay,
    events_fan_out,
    events_recorded,
    events_redact,
)
from webhooks.services.pump import PumpResult, deliveries_pump, retry_wait
from webhooks.services.retention import PruneResult, webhook_history_prune

__all__ = [
    "MAX_ENDPOINTS_PER_MODE",
    "AttemptOutcome",
    "PruneResult",
    "PumpResult",
    "SweepResult",
    "check_url",
    "deliveries_claim",
    "deliveries_pump",
    "deliveries_record",
    "deliveries_sweep",
    "delivery_attempt",
    "delivery_mark_queued",
    "emit",
    "emit_to_endpoint",
    "endpoint_create",
    "endpoint_create_for_payment_forward",
    "endpoint_delete",
    "endpoint_disable",
    "endpoint_replay_failed",
    "endpoint_rotate_secret",
    "endpoint_send_test",
    "endpoint_update",
    "event_build",
    "event_fan_out",
    "event_replay",
    "events_fan_out",
    "events_recorded",
    "events_redact",
    "retry_wait",
    "webhook_history_prune",
]
