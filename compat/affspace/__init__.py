"""The AffSpace vendor API dialect: `/pb` and everything under `/compat/affspace/`.

Thin adapters: each view parses the vendor document's shapes, calls Selgeo's own
services and selectors (conversions, partners, tracking) and answers in the vendor's
envelope. A conversion reported here is the same row, attribution, commission and
webhooks as one reported through `POST /api/v1/conversions`.
"""
