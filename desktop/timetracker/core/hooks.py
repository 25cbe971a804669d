"""The small hook through which the domain reports what happened.

Core never imports telemetry. Services call ``sink(event_name, properties)``; the composition
root wires a sink that forwards to telemetry (which validates against the registry). Properties
are enums, booleans and raw counts/durations (telemetry turns those into the buckets declared in
the registry) — never names, descriptions or other free text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

EventSink = Callable[[str, Mapping[str, object]], None]


def null_sink(event: str, properties: Mapping[str, object]) -> None:
    """The sink used when nothing is listening."""

