"""Domain and storage. No Qt, no network, no telemetry imports."""
