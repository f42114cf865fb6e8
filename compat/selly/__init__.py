"""The commerce platform's dialect: its products and orders API, and its order webhooks."""
