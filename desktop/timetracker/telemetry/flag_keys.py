"""GENERATED from resources/telemetry/flags.yaml by
``python -m timetracker.telemetry.flags_registry --write`` — do not edit by hand."""

from __future__ import annotations


class FeatureFlags:
    """Every declared flag key."""

    TIMER_UI = "timer-ui"
    REPORTS_V2 = "reports-v2"
    EXPORT_ENABLED = "export-enabled"
    IMPORT_ENABLED = "import-enabled"
    TELEMETRY_SENDING_ENABLED = "telemetry-sending-enabled"
    UI_VARIANTS_ENABLED = "ui-variants-enabled"
    REPORTS_CONFIG = "reports-config"


class TimerUiVariant:
    """The variants of ``timer-ui``."""

    CLASSIC = "classic"
    COMPACT = "compact"


class ReportsV2Variant:
    """The variants of ``reports-v2``."""

    CONTROL = "control"
    V2 = "v2"


ALL_FLAGS: frozenset[str] = frozenset({
    "timer-ui",
    "reports-v2",
    "export-enabled",
    "import-enabled",
    "telemetry-sending-enabled",
    "ui-variants-enabled",
    "reports-config",
})
KILL_SWITCHES: frozenset[str] = frozenset({
    "export-enabled",
    "import-enabled",
    "telemetry-sending-enabled",
    "ui-variants-enabled",
})
