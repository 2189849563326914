"""The HTTP API: FastAPI routes in front of the ``PartnerLab`` application."""

API_PREFIX = "/api/v1"
