"""Flag-driven UI: the variant hosts (``timer-ui``, ``reports-v2``), the ``reports-config``
remote config and the kill switches' live effect on actions.

Nothing here decides a flag's value — :mod:`timetracker.telemetry.flags` does. These widgets
only follow it: :class:`~timetracker.ui.variants.flag_bridge.FlagBridge` brings the flag
client's change notifications (made on a background thread) to the UI thread, a
:class:`~timetracker.ui.variants.variant_host.VariantHost` swaps its child when a variant flag
changes and reports the exposure when a variant is really on screen, and
:class:`~timetracker.ui.variants.kill_switches.KillSwitchBinding` enables or disables an action
with the flag's short reason.
"""
