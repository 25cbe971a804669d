"""Settings → Privacy & Telemetry: the whole truth about telemetry, live.

* **Your choice** — the level (Off/Basic/Full), changed the moment a button is clicked (Off
  deletes the queue and the install id — the engine does it); events declared since the
  accepted schema, with a button to review and allow them; the install id with Reset; where
  data goes and whether a project key is configured.
* **What can be sent** — every event declared in resources/telemetry/events.yaml: name, level,
  whether the current level sends it (and why not), how many were sent and when last, its
  properties with their allowed values, and why it is collected.
* **Waiting** — the outbox, each event's exact JSON; "Send now" (on a worker thread) and
  "Delete queued events".
* **Sent log** — the last batches (time, count, HTTP status, outcome) with each batch's exact
  JSON; "Export log…" writes them to a JSON file.
* **Feature flags** — every declared flag and kill switch with its value and where it comes
  from (remote, cached, stale, default, override) and why; developer overrides set/cleared.

The pane polls the cheap local reads every :data:`POLL_MS` while it is visible and after each
action; flag changes pushed from the flag thread arrive through a queued signal.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from timetracker import build_info
from timetracker.core.atomic import atomic_write_bytes
from timetracker.core.errors import TimeTrackerError
from timetracker.telemetry.registry import level_rank
from timetracker.ui.background import Job, run_in_background
from timetracker.ui.consent_dialog import (
    LEVEL_NAMES,
    STYLE,
    PreviewDialog,
    apply_level,
    describe_events_html,
    destination_text,
    docs_url,
    json_view,
    pending_changes,
    pretty_json_text,
    review_changes,
    wrapped,
)
from timetracker.ui.tables import record_table

if TYPE_CHECKING:
    from timetracker.app import App
    from timetracker.telemetry.flags import Evaluation
    from timetracker.telemetry.service import BatchInfo, EventInfo, QueuedItem, TelemetryStatus

#: How often the visible pane re-reads the local state (milliseconds).
POLL_MS = 2000
#: How many waiting events the queue view lists (the count above it is always exact).
QUEUE_LIMIT = 500
#: How long "Send now" may take before the pane reports it did not finish.
FLUSH_TIMEOUT_S = 10.0

LEVEL_CHOICES = (
    ("off", "Off — nothing is recorded or sent; no install id exists."),
    ("basic", "Basic — installed/updated, a daily “still in use” ping, consent changes and "
              "the kind of errors."),
    ("full", "Full — Basic plus which features you use, as categories and rough buckets."),
)
FLAG_SOURCES = {
    "remote": "remote (fetched now)",
    "cached": "cached (earlier answer)",
    "stale": "stale (old answer)",
    "default": "built-in default",
    "override": "override",
}


def when(moment: float | None) -> str:
    if not moment:
        return "—"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(moment))


def action_button(text: str, slot: Callable[[], object]) -> QPushButton:
    """A button that never becomes the dialog's default; a click calls ``slot()``."""
    button = QPushButton(text)
    button.setAutoDefault(False)
    button.clicked.connect(lambda: slot())
    return button


def tab_page() -> tuple[QWidget, QVBoxLayout]:
    """An empty page for the pane's tabs and its layout (the tabs' common margins)."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(8, 10, 8, 8)
    return page, layout


def split_pair(first: QWidget, second: QWidget, sizes: Sequence[int],
               orientation: Qt.Orientation = Qt.Orientation.Horizontal) -> QSplitter:
    """``first`` and ``second`` side by side (or stacked), sized ``sizes``."""
    split = QSplitter(orientation)
    split.addWidget(first)
    split.addWidget(second)
    split.setSizes(list(sizes))
    return split


class _FlagBridge(QObject):
    """Carries flag changes from the flag thread to the UI thread (a queued signal)."""

    changed = Signal()


class PrivacyPane(QWidget):
    """See the module docstring."""

    #: After every refresh (tests and the settings dialog may wait for it).
    refreshed = Signal()
    #: The level the user chose here ("off", "basic", "full").
    levelChanged = Signal(str)
    #: "Send now" ended: True when everything waiting was sent in time.
    flushDone = Signal(bool)
    #: The sent log was exported to this path.
    logExported = Signal(str)

    def __init__(self, app: App, parent: QWidget | None = None,
                 poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self._app = app
        self._telemetry = app.telemetry
        self._flush_job: Job | None = None
        self._queue: list[QueuedItem] = []
        self._batches: list[BatchInfo] = []
        self._shown: dict[str, tuple[object, ...]] = {}
        self._events: dict[str, EventInfo] = {}
        self.preview: PreviewDialog | None = None
        self.setObjectName("privacyPane")
        self.setStyleSheet(STYLE)
        self.setMinimumSize(760, 560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self._choice_box())
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Telemetry details")
        self.tabs.addTab(self._events_page(), "What can be sent")
        self.tabs.addTab(self._queue_page(), "Waiting")
        self.tabs.addTab(self._sent_page(), "Sent log")
        self.tabs.addTab(self._flags_page(), "Feature flags")
        layout.addWidget(self.tabs, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.refresh)
        self._bridge = _FlagBridge()
        self._bridge.changed.connect(self._flags_changed)
        bridge = self._bridge
        unsubscribe = app.flags.subscribe(lambda _changes: bridge.changed.emit())
        self.destroyed.connect(lambda *_args: unsubscribe())
        self.refresh()

    # -- building ---------------------------------------------------------------------------
    def _choice_box(self) -> QFrame:
        box = QFrame()
        box.setObjectName("noteBox")
        outer = QVBoxLayout(box)
        outer.setContentsMargins(14, 12, 14, 12)
        outer.setSpacing(6)
        title = QLabel("Share anonymous usage data")
        title.setObjectName("sectionTitle")
        outer.addWidget(title)
        self.level_group = QButtonGroup(self)
        self.level_buttons: dict[str, QRadioButton] = {}
        for level, text in LEVEL_CHOICES:
            button = QRadioButton(text)
            button.setAccessibleName(f"Telemetry level {LEVEL_NAMES[level]}")
            self.level_group.addButton(button)
            self.level_buttons[level] = button
            button.clicked.connect(lambda _checked=False, chosen=level: self.set_level(chosen))
            outer.addWidget(button)
        links = QHBoxLayout()
        self.preview_button = action_button("Show me exactly what is sent…", self.show_preview)
        self.preview_button.setObjectName("linkButton")
        links.addWidget(self.preview_button)
        links.addSpacing(16)
        self.docs_link = wrapped(
            f"<a href='{docs_url()}'>How telemetry works</a> &nbsp;·&nbsp; "
            f"<a href='{docs_url('privacy.md')}'>What is never collected</a>", rich=True)
        self.docs_link.setWordWrap(False)
        links.addWidget(self.docs_link)
        links.addStretch(1)
        outer.addLayout(links)
        self.forced_note = wrapped("", "muted")
        outer.addWidget(self.forced_note)
        pending = QHBoxLayout()
        self.pending_note = wrapped("")
        pending.addWidget(self.pending_note, 1)
        self.review_button = action_button("Review new events…", self.review_new_events)
        pending.addWidget(self.review_button)
        outer.addLayout(pending)

        facts = QFormLayout()
        facts.setHorizontalSpacing(14)
        facts.setVerticalSpacing(6)
        id_row = QHBoxLayout()
        self.install_id = QLabel("")
        self.install_id.setAccessibleName("Install id")
        self.install_id.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        id_row.addWidget(self.install_id, 1)
        self.reset_button = action_button("Reset id", self.reset_id)
        self.reset_button.setToolTip("Replace the random install id with a new one; the old one "
                                     "is forgotten on this computer.")
        id_row.addWidget(self.reset_button)
        facts.addRow("Install id", id_row)
        self.destination = wrapped("")
        self.destination.setAccessibleName("Where data goes")
        facts.addRow("Sent to", self.destination)
        self.key_state = wrapped("")
        self.key_state.setAccessibleName("Project key")
        facts.addRow("Project key", self.key_state)
        outer.addLayout(facts)
        self.message = wrapped("")
        self.message.setAccessibleName("Last action")
        self.message.setVisible(False)
        outer.addWidget(self.message)
        return box

    @staticmethod
    def _table(name: str, headers: Sequence[str]) -> QTableWidget:
        # the last column takes the spare width and wraps (property lists, reasons)
        table = record_table(name, headers, stretch={len(headers) - 1})
        table.setWordWrap(True)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return table

    def _events_page(self) -> QWidget:
        page, layout = tab_page()
        self.events_note = wrapped("", "muted")
        layout.addWidget(self.events_note)
        # why each event is collected and the values its properties take: in the details below
        # the table (one line per event here, the property list cut short to fit the width)
        self.events_table = record_table(
            "Declared events", ["Event", "Level", "At your level", "Sent", "Last sent",
                                "Properties"], stretch={5})
        self.events_table.itemSelectionChanged.connect(self._show_event_details)
        self.event_details = QTextBrowser()
        self.event_details.setObjectName("eventList")
        self.event_details.setAccessibleName("Event details")
        layout.addWidget(split_pair(self.events_table, self.event_details, [260, 140],
                                    Qt.Orientation.Vertical), 1)
        return page

    def _queue_page(self) -> QWidget:
        page, layout = tab_page()
        row = QHBoxLayout()
        self.queue_summary = wrapped("")
        self.queue_summary.setAccessibleName("Queue summary")
        row.addWidget(self.queue_summary, 1)
        self.send_button = action_button("Send now", self.send_now)
        row.addWidget(self.send_button)
        self.delete_button = action_button("Delete queued events", self.delete_queued)
        row.addWidget(self.delete_button)
        layout.addLayout(row)
        self.queue_table = self._table("Waiting events", ["Recorded", "Event", "Level"])
        self.queue_table.itemSelectionChanged.connect(self._show_queued_json)
        self.queue_json = json_view("Waiting event JSON")
        layout.addWidget(split_pair(self.queue_table, self.queue_json, [330, 470]), 1)
        return page

    def _sent_page(self) -> QWidget:
        page, layout = tab_page()
        row = QHBoxLayout()
        self.sent_summary = wrapped("")
        row.addWidget(self.sent_summary, 1)
        self.export_button = action_button("Export log…", self.ask_export)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.sent_table = self._table("Sent batches",
                                      ["Sent", "Events", "HTTP", "Outcome", "Took"])
        self.sent_table.itemSelectionChanged.connect(self._show_batch_json)
        self.sent_json = json_view("Sent batch JSON")
        layout.addWidget(split_pair(self.sent_table, self.sent_json, [360, 440]), 1)
        return page

    def _flags_page(self) -> QWidget:
        page, layout = tab_page()
        layout.addWidget(wrapped(
            "Flags are asked from the analytics host only at level Full; otherwise the built-in "
            "defaults apply. A kill switch stays on unless the host explicitly turns it off.",
            "muted"))
        self.flags_table = self._table("Feature flags",
                                       ["Flag", "Kind", "Value", "Source", "Why"])
        layout.addWidget(self.flags_table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Developer override:"))
        self.override_flag = QComboBox()
        self.override_flag.setAccessibleName("Flag to override")
        for key, spec in self._app.flags.registry.flags.items():
            self.override_flag.addItem(key, key)
            self.override_flag.setItemData(self.override_flag.count() - 1,
                                           f"{spec.kind}: {spec.allowed}",
                                           Qt.ItemDataRole.ToolTipRole)
        self.override_flag.currentIndexChanged.connect(self._override_hint)
        row.addWidget(self.override_flag)
        self.override_value = QLineEdit()
        self.override_value.setAccessibleName("Override value")
        row.addWidget(self.override_value, 1)
        self.set_override_button = action_button("Set override", self.set_override)
        row.addWidget(self.set_override_button)
        self.clear_override_button = action_button("Clear override", self.clear_override)
        row.addWidget(self.clear_override_button)
        layout.addLayout(row)
        self.override_message = wrapped("")
        self.override_message.setAccessibleName("Override result")
        layout.addWidget(self.override_message)
        self._override_hint()
        return page

    # -- live refresh ---------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            # rich text keeps the link colour it was laid out with: lay it out again
            text = self.docs_link.text()
            self.docs_link.setText("")
            self.docs_link.setText(text)
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_window()
        self.refresh()
        self.timer.start()

    def _fit_window(self) -> None:
        """Grow the window holding the pane (e.g. the settings dialog) to fit it."""
        window = self.window()
        if window is self:
            return
        layout = window.layout()
        if layout is not None:
            layout.activate()
        wanted = window.size().expandedTo(window.minimumSizeHint())
        screen = window.screen()
        if screen is not None:
            wanted = wanted.boundedTo(screen.availableGeometry().size())
        if wanted != window.size():
            window.resize(wanted)

    def hideEvent(self, event: QHideEvent) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        """Re-read everything (local files only; nothing here touches the network)."""
        telemetry = self._telemetry
        status = telemetry.status()
        self._show_choice(status)
        self._show_events(telemetry.events(), status)
        self._show_queue(telemetry.queued(QUEUE_LIMIT), status)
        self._show_sent(telemetry.sent_batches())
        self._show_flags(self._app.flags.all())
        self.refreshed.emit()

    def _changed(self, name: str, signature: tuple[object, ...]) -> bool:
        if self._shown.get(name) == signature:
            return False
        self._shown[name] = signature
        return True

    def _show_choice(self, status: TelemetryStatus) -> None:
        forced = status.level_source in ("DO_NOT_TRACK", "TIMETRACKER_TELEMETRY")
        for level, button in self.level_buttons.items():
            button.setEnabled(not forced)
            if level == status.level and not button.isChecked():
                button.setChecked(True)
        if forced:
            self.forced_note.setText(f"Set to {LEVEL_NAMES[status.level]} by the environment "
                                     f"variable {status.level_source}; change it there.")
        elif not status.decided:
            self.forced_note.setText("You have not chosen yet, so nothing is recorded.")
        else:
            self.forced_note.setText("")
        self.forced_note.setVisible(bool(self.forced_note.text()))
        pending = pending_changes(self._telemetry)
        if pending and not forced:
            names = ", ".join(pending.names())
            self.pending_note.setText(
                f"Since you agreed, {pending.count} new kind(s) of data were added to what "
                f"can be sent. They are not recorded until you allow them: {names}.")
        else:
            self.pending_note.setText("")
        self.pending_note.setVisible(bool(pending) and not forced)
        self.review_button.setVisible(bool(pending) and not forced)
        if status.install_id:
            self.install_id.setText(status.install_id)
        else:
            self.install_id.setText("none — a random id is created only when you share")
        self.reset_button.setEnabled(bool(status.install_id))
        endpoint = self._telemetry.endpoint()
        where = destination_text(self._telemetry, endpoint)
        self.destination.setText(where if status.level != "off" or status.debug
                                 else "Nothing is sent while telemetry is off. When on: "
                                 + where)
        if endpoint.api_key:
            origin = {"environment": "from TIMETRACKER_POSTHOG_API_KEY",
                      "keyring": "from the OS keyring", "build": "built into this release"}
            self.key_state.setText(
                f"configured ({origin.get(endpoint.source, endpoint.source)}) — a public, "
                "write-only project key")
        else:
            self.key_state.setText("none — this copy has no analytics project, so nothing "
                                   "can be sent")
        self.send_button.setEnabled(status.level != "off" and self._flush_job is None)
        self.delete_button.setEnabled(status.queued > 0)

    def _show_events(self, events: list[EventInfo], status: TelemetryStatus) -> None:
        rows = []
        for info in events:
            rows.append((info.name, info.level, self._event_state(info, status),
                         str(info.sent_count), when(info.last_sent),
                         ", ".join(p.name for p in info.properties) or "(none)"))
        sent_kinds = sum(1 for row in rows if row[2].startswith("sent"))
        families = "".join(
            f" At Full, events may also say which variant of a new feature this run showed "
            f"({family.pattern})." for family in self._telemetry.registry.families)
        self.events_note.setText(
            f"{len(rows)} kinds of event are declared; at your level "
            f"({LEVEL_NAMES[status.level]}) {sent_kinds} can be sent. Every event also "
            "carries: app version, environment, install method, OS family and release, a "
            "random id for this run, and the version of this list." + families)
        self._events = {info.name: info for info in events}
        if not self._changed("events", tuple(rows)):
            return
        muted = self.palette().placeholderText()
        keyed = tuple((row[0], *row) for row in rows)
        self._fill_keyed(self.events_table, keyed)
        for index, row in enumerate(rows):
            for column in range(len(row)):
                item = self.events_table.item(index, column)
                assert item is not None
                item.setToolTip(row[5] if column == 5 else self._events[row[0]].description)
                if not row[2].startswith("sent"):
                    item.setForeground(muted)
                elif column == 2:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
        if not self.events_table.selectedItems() and rows:
            self.events_table.selectRow(0)
        self._show_event_details()

    def _show_event_details(self) -> None:
        key = self._selected_key(self.events_table)
        spec = self._telemetry.registry.events.get(key or "")
        if spec is None:
            self.event_details.setHtml("<p>Select an event to see why it is collected and the "
                                       "values each property can take.</p>")
            return
        info = self._events.get(spec.name)
        sent = (f"<p>Sent {info.sent_count} time(s) from this computer; last "
                f"{when(info.last_sent)}.</p>" if info is not None else "")
        self.event_details.setHtml(describe_events_html([spec]) + sent)

    def _event_state(self, info: EventInfo, status: TelemetryStatus) -> str:
        if status.level == "off":
            return "not sent: telemetry is off"
        if level_rank(info.level) > level_rank(status.level):
            return f"not sent at {LEVEL_NAMES[status.level]}"
        if info.since > status.accepted_schema:
            return "not sent until you allow it (new)"
        spec = self._telemetry.registry.events.get(info.name)
        newer = spec.newer_properties(status.accepted_schema) if spec is not None else ()
        if newer:
            return f"sent without {', '.join(newer)} until you allow it"
        return "sent"

    def _show_queue(self, queued: list[QueuedItem], status: TelemetryStatus) -> None:
        self._queue = queued
        size = status.queued_bytes
        if status.level == "off":
            text = "Telemetry is off: nothing is recorded, the queue does not exist."
        elif status.queued == 0:
            text = "Nothing is waiting to be sent."
        else:
            shown = f" (the oldest {len(queued)} are listed)" if status.queued > len(queued) \
                else ""
            text = f"{status.queued} event(s) waiting, {size:,} bytes{shown}."
        if status.paused:
            text += " Sending is paused: the analytics host refused the project key."
        elif status.backoff_until:
            text += f" The host failed recently; next try after {when(status.backoff_until)}."
        elif status.level != "off" and not status.sending:
            text += f" Not sending now — {status.endpoint}."
        self.queue_summary.setText(text)
        self.tabs.setTabText(1, f"Waiting ({status.queued})")
        rows = tuple((item.uuid, when(item.created), item.event, item.level) for item in queued)
        if self._changed("queue", rows):
            self._fill_keyed(self.queue_table, rows)
            self._show_queued_json()

    def _show_sent(self, batches: list[BatchInfo]) -> None:
        self._batches = batches
        events = sum(b.count for b in batches if 200 <= b.status < 300)
        self.sent_summary.setText(
            f"The last {len(batches)} batch(es) sent, newest first ({events} events accepted)."
            if batches else "Nothing has been sent from this computer yet.")
        self.tabs.setTabText(2, f"Sent log ({len(batches)})")
        self.export_button.setEnabled(bool(batches))
        rows = tuple((f"{b.at:.6f}", when(b.at), str(b.count), str(b.status or "—"),
                      b.outcome, f"{b.seconds:.2f} s") for b in batches)
        if self._changed("sent", rows):
            self._fill_keyed(self.sent_table, rows)
            self._show_batch_json()

    def _show_flags(self, evaluations: list[Evaluation]) -> None:
        registry = self._app.flags.registry
        rows = []
        for evaluation in evaluations:
            spec = registry.spec(evaluation.key)
            value = evaluation.value
            shown = ("on" if value else "off") if isinstance(value, bool) else str(value)
            source = FLAG_SOURCES.get(evaluation.reason, evaluation.reason)
            if evaluation.reason == "override" and evaluation.note:
                source = f"override ({evaluation.note})"
            why = evaluation.note if evaluation.reason != "override" else ""
            rows.append((evaluation.key, evaluation.key, spec.kind, shown, source,
                         why or spec.description))
        if self._changed("flags", tuple(rows)):
            self._fill_keyed(self.flags_table, tuple(rows))

    def _fill_keyed(self, table: QTableWidget, rows: tuple[tuple[str, ...], ...]) -> None:
        """Fill ``table`` from (key, cells…) rows, keeping the selected row's key."""
        selected = self._selected_key(table)
        table.blockSignals(True)
        table.setRowCount(len(rows))
        chosen = -1
        for index, (key, *cells) in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, key)
                table.setItem(index, column, item)
            if key == selected:
                chosen = index
        table.clearSelection()
        if chosen >= 0:
            table.selectRow(chosen)
        table.blockSignals(False)

    @staticmethod
    def _selected_key(table: QTableWidget) -> str | None:
        items = table.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def _show_queued_json(self) -> None:
        key = self._selected_key(self.queue_table)
        item = next((q for q in self._queue if q.uuid == key), None)
        self.queue_json.setPlainText(pretty_json_text(item.json) if item else
                                     "Select an event to see the exact JSON that will be sent.")

    def _show_batch_json(self) -> None:
        key = self._selected_key(self.sent_table)
        batch = next((b for b in self._batches if f"{b.at:.6f}" == key), None)
        self.sent_json.setPlainText(pretty_json_text(batch.json) if batch else
                                    "Select a batch to see the exact JSON that was sent.")

    def _flags_changed(self) -> None:
        self._show_flags(self._app.flags.all())

    # -- actions ------------------------------------------------------------------------------
    def _note(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_level(self, level: str) -> None:
        """The user's choice, effective immediately."""
        before = self._telemetry.status()
        try:
            apply_level(self._app, level)
        except (TimeTrackerError, OSError, ValueError) as exc:
            self._note(f"⚠ Could not change the level: {exc}")
            self.refresh()
            return
        if level == "off":
            self._note(f"Telemetry is off. {before.queued} waiting event(s) and the install id "
                       "were deleted; nothing more is recorded or sent.")
        else:
            self._note(f"Level set to {LEVEL_NAMES[level]}; it applies from now on.")
            if self._sending_started():
                self._telemetry.start()
        self.levelChanged.emit(level)
        self.refresh()

    def _sending_started(self) -> bool:
        """The app's telemetry was started (launch starts the flag client with it): an
        opt-in here also starts the uploader, as a launch at this level would have."""
        return "flags" in self._app.__dict__ and self._app.flags.running

    def review_new_events(self) -> str:
        """The re-consent dialog for the pending additions; returns the user's choice."""
        choice = review_changes(self._app, parent=self)
        if choice == "allow":
            self._note("The additions are allowed from now on.")
        elif choice == "off":
            self._note("Telemetry is off. The queue and the install id were deleted.")
        self.refresh()
        return choice

    def reset_id(self) -> str:
        new_id = self._telemetry.reset_id()
        self._note("A new random install id replaced the old one, which is forgotten on this "
                   "computer. An install event for the new id is queued.")
        self.refresh()
        return new_id

    def send_now(self) -> Job | None:
        """Send what waits, on a worker thread (the UI never waits for the network)."""
        if self._flush_job is not None:
            return self._flush_job
        status = self._telemetry.status()
        if status.level == "off":
            return None
        if not status.sending:
            self._note("Nothing can be sent from here: " + status.endpoint)
            return None
        self.send_button.setEnabled(False)
        self._note("Sending…")
        job = run_in_background(self._telemetry.flush, FLUSH_TIMEOUT_S, owner=self)
        job.finished.connect(self._sent)
        job.failed.connect(lambda error: self._sent(None, error))
        self._flush_job = job
        return job

    def _sent(self, finished: object, error: object = None) -> None:
        self._flush_job = None
        status = self._telemetry.status()
        if error is not None:
            self._note(f"⚠ Sending failed ({type(error).__name__}); the events stay queued.")
        elif status.queued == 0:
            self._note("Sent. Nothing is waiting any more.")
        else:
            self._note(f"{status.queued} event(s) are still waiting (the host did not accept "
                       "them yet; see the sent log).")
        self.refresh()
        self.flushDone.emit(bool(finished) and error is None)

    def delete_queued(self) -> int:
        deleted = self._telemetry.delete_queued()
        self._note(f"Deleted {deleted} waiting event(s); they will never be sent.")
        self.refresh()
        return deleted

    def export_log(self, path: Path) -> Path:
        """Write the sent log (every batch's exact JSON) to ``path`` as one JSON file."""
        batches = []
        for batch in self._telemetry.sent_batches():
            try:
                body: Any = json.loads(batch.json)
            except ValueError:
                body = batch.json
            batches.append({"sent_at": time.strftime("%Y-%m-%dT%H:%M:%S%z",
                                                     time.localtime(batch.at)),
                            "events": batch.count, "http_status": batch.status,
                            "outcome": batch.outcome, "seconds": round(batch.seconds, 3),
                            "body": body})
        document = {"app": build_info.APP_NAME, "version": build_info.VERSION,
                    "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "batches": batches}
        atomic_write_bytes(path, (json.dumps(document, indent=2, ensure_ascii=False) + "\n")
                           .encode("utf-8"))
        self._note(f"Exported {len(batches)} batch(es) to {path}.")
        self.logExported.emit(str(path))
        return path

    def ask_export(self, done: Callable[[Path], None] | None = None) -> QFileDialog:
        """Ask where to export the sent log (a window-modal file dialog), then export."""
        dialog = QFileDialog(self, "Export the telemetry sent log",
                             str(Path.home() / "timetracker-telemetry-log.json"),
                             "JSON files (*.json)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)

        def chosen(name: str) -> None:
            try:
                path = self.export_log(Path(name))
            except OSError as exc:
                self._note(f"⚠ Could not export the log to {name}: {exc}")
                return
            if done is not None:
                done(path)

        dialog.fileSelected.connect(chosen)
        dialog.open()
        return dialog

    def show_preview(self, level: str | None = None) -> PreviewDialog:
        current = self._telemetry.level
        chosen = level or (current if current != "off" else "basic")
        if self.preview is None:
            self.preview = PreviewDialog(self._telemetry, chosen, self)
        return self.preview.present(chosen)

    def _override_hint(self) -> None:
        key = self.override_flag.currentData()
        if not key:
            return
        spec = self._app.flags.registry.spec(str(key))
        extra = " or a JSON payload" if spec.kind == "remote-config" else ""
        self.override_value.setPlaceholderText(f"{spec.allowed.replace('|', ', ')}{extra}")

    def set_override(self) -> bool:
        key = str(self.override_flag.currentData())
        try:
            evaluation = self._app.flags.set_override(key, self.override_value.text())
        except (TimeTrackerError, OSError) as exc:
            self.override_message.setText(f"⚠ {exc}")
            return False
        self.override_message.setText(f"{key} is overridden: {evaluation.value!s} on this "
                                      "computer until you clear it.")
        self._flags_changed()
        return True

    def clear_override(self) -> bool:
        key = str(self.override_flag.currentData())
        try:
            had = self._app.flags.clear_override(key)
        except (TimeTrackerError, OSError) as exc:
            self.override_message.setText(f"⚠ {exc}")
            return False
        self.override_message.setText(f"{key}: override cleared." if had else
                                      f"{key} had no developer override.")
        self._flags_changed()
        return had
