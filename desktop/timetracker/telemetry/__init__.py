"""Telemetry: registry, consent, identity, outbox, uploader, flags. No Qt."""
