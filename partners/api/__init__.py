"""The partners API: merchant-side viewsets (`merchant`) and the partner side (`partner`)."""
