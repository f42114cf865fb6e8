"""Payment forwarding: a Bitcoin payment split between merchant and partner as it confirms.

`node` talks to the Bitcoin Core JSON-RPC wallet; `services` create forwards, watch the
wallet, announce confirmations and send the forwards exactly once; `selectors` read
them; `api` is the `/api/v1/payment-forwards` surface.
"""
