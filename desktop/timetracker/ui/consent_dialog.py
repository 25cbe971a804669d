"""The first-run consent dialog, the re-consent dialog and the "exactly what is sent" preview.

The launcher calls :func:`maybe_ask_consent` once the main window exists and before telemetry
starts. It shows, at most once:

* the **first-run dialog** when the user never chose: three equal buttons — "No thanks",
  "Share basic", "Share full" — none of them default, nothing pre-selected. Esc, the window's
  close button or any other way of closing it counts as **"No thanks"** (the privacy-safe
  reading of "did not say yes"); the footer says so. The user can opt in later in
  Settings → Privacy & Telemetry and is never asked again.
* the **re-consent dialog** when the user shares and the registry's schema version grew since
  the version they accepted: it lists the new events (with why and every property's allowed
  values) that would be sent at their level. Until they allow them, those events are not
  recorded (the pipeline's ``since`` gate); closing it keeps the current choice. Users who
  said no are never asked (``Telemetry.needs_prompt`` is False for them).
* nothing otherwise (already decided, or a level forced by ``DO_NOT_TRACK`` /
  ``TIMETRACKER_TELEMETRY``).

The preview shows ``Telemetry.preview(level)`` — the messages the real pipeline builds, with
the same common and person properties — as JSON.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from timetracker.core.resources import resources_dir
from timetracker.telemetry.registry import EventSpec, PropertyFamily, level_rank

if TYPE_CHECKING:
    from timetracker.app import App
    from timetracker.telemetry.endpoint import Endpoint
    from timetracker.telemetry.service import Telemetry

PROJECT_DOCS = "https://github.com/timetracker-desktop/timetracker/blob/main/docs/telemetry/"
LEVEL_NAMES = {"off": "Off", "basic": "Basic", "full": "Full"}

NEVER_COLLECTED = (
    "What you type — descriptions, project, client, task and tag names —, amounts or rates, "
    "file names or paths, your computer's name, your user name or e-mail. Every value sent is "
    "a category, a yes/no or a rough bucket declared in advance: a timer's length is sent as "
    "“1800-3599 seconds”, never exactly. The analytics server sees your IP address when data "
    "arrives, like any server; TimeTracker asks it not to derive a location from it.")

LEVEL_SUMMARIES = {
    "off": "Nothing is recorded or sent, and no id is created. TimeTracker works exactly "
           "the same.",
    "basic": "Installed or updated, still in use (once a day), consent changed, and the "
             "kind of an error (never its message) — with the app version, OS family and "
             "release, time zone, language and a random install id.",
    "full": "Basic, plus which features you use — “a timer was started from the tray”, "
            "“a report grouped by week”, “an import of 100–999 rows” — as categories and "
            "rough buckets, never what you typed.",
}

#: Shared look of the telemetry dialogs and pane. Colours come from the palette, so the
#: widgets follow the light/dark theme (ui/theme.py sets the palette).
STYLE = """
QLabel#consentTitle { font-size: 15pt; font-weight: 700; }
QLabel#sectionTitle { font-size: 11pt; font-weight: 700; }
QFrame#levelCard, QFrame#noteBox {
    background: palette(base); border: 1px solid palette(mid); border-radius: 10px;
}
QFrame#levelCard QLabel, QFrame#noteBox QLabel { background: transparent; }
QLabel#cardTitle { font-size: 12pt; font-weight: 700; }
QPushButton#choiceButton {
    padding: 9px 14px; font-weight: 600; border-radius: 7px; border: 1px solid palette(mid);
    background: palette(button); color: palette(button-text);
}
QPushButton#choiceButton:hover { border: 1px solid palette(highlight); }
QPushButton#choiceButton:focus { border: 2px solid palette(highlight); }
QPushButton#segment { padding: 5px 16px; border-radius: 6px; }
QPushButton#segment:checked {
    background: palette(highlight); color: palette(highlighted-text);
    border: 1px solid palette(highlight);
}
QPushButton#linkButton {
    border: none; background: transparent; color: palette(link); padding: 2px 0;
    text-decoration: underline; text-align: left;
}
QRadioButton::indicator {
    width: 12px; height: 12px; border-radius: 8px; border: 2px solid palette(dark);
    background: palette(base);
}
QRadioButton::indicator:hover { border: 2px solid palette(highlight); }
QRadioButton::indicator:checked { border: 5px solid palette(highlight); width: 6px; height: 6px; }
QRadioButton::indicator:disabled { border: 2px solid palette(mid); background: palette(window); }
QRadioButton::indicator:checked:disabled { border: 5px solid palette(mid); }
QPlainTextEdit#jsonView, QTextBrowser#eventList {
    background: palette(base); border: 1px solid palette(mid); border-radius: 6px;
}
"""


# -- texts shared with the privacy pane ----------------------------------------------------------

def docs_url(page: str = "overview.md") -> str:
    """The telemetry docs: the local file in a source checkout, else the project's page."""
    local = resources_dir().parent / "docs" / "telemetry" / page
    if local.is_file():
        return local.resolve().as_uri()
    return PROJECT_DOCS + page


def destination_text(telemetry: Telemetry, endpoint: Endpoint | None = None) -> str:
    """Where events go, in plain words (host, or "stays on this computer")."""
    if telemetry.debug:
        return ("Nowhere: debug mode (TIMETRACKER_TELEMETRY_DEBUG) prints events to the "
                "terminal and sends nothing.")
    endpoint = endpoint or telemetry.endpoint()
    if endpoint.usable:
        return (f"To {endpoint.host}, a PostHog analytics server run for TimeTracker's "
                "developers, in small batches.")
    if endpoint.problem:
        return (f"Nowhere for now: {endpoint.problem}. Events would wait in a queue on this "
                "computer.")
    return ("Nowhere: this build has no analytics host configured, so events stay on this "
            "computer in a queue you can inspect (development builds never send).")


def level_counts(telemetry: Telemetry) -> dict[str, int]:
    """How many kinds of event each level adds."""
    counts = {"basic": 0, "full": 0}
    for spec in telemetry.registry.events.values():
        counts[spec.level] = counts.get(spec.level, 0) + 1
    return counts


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def pretty_json_text(text: str) -> str:
    """Stored JSON text indented for reading (the same data; shown as is if not JSON)."""
    try:
        return pretty_json(json.loads(text))
    except ValueError:
        return text


def json_view(name: str) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setObjectName("jsonView")
    view.setAccessibleName(name)
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return view


def wrapped(text: str, name: str = "", rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    if rich:
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setOpenExternalLinks(True)
    else:
        label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction
                                  if rich else Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def fit_height(dialog: QDialog, width: int) -> None:
    """Size ``dialog`` so that its word-wrapped texts are never cut off at ``width``."""
    height = dialog.heightForWidth(width)
    if height > 0:
        dialog.setMinimumSize(width, height)
        dialog.resize(width, height)


def sample_properties(spec: EventSpec, telemetry: Telemetry) -> dict[str, object]:
    """Example values for every declared property (the first allowed value of each), so the
    real pipeline can build an example message of a new event."""
    values: dict[str, object] = {}
    for name, ptype in spec.properties.items():
        if ptype.kind == "enum":
            values[name] = ptype.values[0]
        elif ptype.kind == "boolean":
            values[name] = False
        elif ptype.kind == "bucket":
            values[name] = ptype.edges[0]
        elif ptype.kind == "version":
            values[name] = telemetry.facts.app_version
        else:
            values[name] = telemetry.facts.platform
    return values


def describe_events_html(specs: Sequence[EventSpec]) -> str:
    """The events as an HTML list: name, level, why, and every property's allowed values."""
    parts = []
    for spec in specs:
        props = "".join(
            f"<li><code>{html.escape(name)}</code> — {html.escape(ptype.describe())}</li>"
            for name, ptype in spec.properties.items()) or "<li>no properties</li>"
        parts.append(
            f"<p style='margin-bottom:2px'><b><code>{html.escape(spec.name)}</code></b> "
            f"&nbsp;·&nbsp; {LEVEL_NAMES[spec.level]} level &nbsp;·&nbsp; since schema "
            f"{spec.since}<br>{html.escape(spec.description)}</p>"
            f"<ul style='margin-top:0'>{props}</ul>")
    return "".join(parts).replace("`", "")


@dataclass(frozen=True)
class PendingChanges:
    """What the registry added since the schema the user accepted, at the user's level:
    new events, new properties of events they already share, new property families."""

    accepted: int
    current: int
    events: tuple[EventSpec, ...] = ()
    #: (event, property name, the schema version that added it)
    properties: tuple[tuple[EventSpec, str, int], ...] = ()
    families: tuple[PropertyFamily, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.events or self.properties or self.families)

    @property
    def count(self) -> int:
        return len(self.events) + len(self.properties) + len(self.families)

    def names(self) -> list[str]:
        return ([spec.name for spec in self.events]
                + [f"{spec.name}.{name}" for spec, name, _since in self.properties]
                + [family.pattern for family in self.families])

    def html(self) -> str:
        parts = []
        if self.events:
            parts.append("<h4>New events</h4>" + describe_events_html(self.events))
        if self.properties:
            items = []
            for spec, name, since in self.properties:
                ptype = spec.properties[name]
                why = f"<br>{html.escape(ptype.description)}" if ptype.description else ""
                items.append(f"<li><code>{html.escape(name)}</code> on <b><code>"
                             f"{html.escape(spec.name)}</code></b> (since schema {since}) — "
                             f"{html.escape(ptype.describe())}{why}</li>")
            parts.append("<h4>New properties on events you already share</h4><ul>"
                         + "".join(items) + "</ul>")
        if self.families:
            items = []
            for family in self.families:
                members = ", ".join(f"<code>{html.escape(m)}</code>" for m in family.members)
                items.append(f"<li><code>{html.escape(family.pattern)}</code> (since schema "
                             f"{family.since}) — {html.escape(family.description)}"
                             f"<br>Possible names: {members or 'none declared yet'}</li>")
            parts.append("<h4>New properties added to every event</h4><ul>"
                         + "".join(items) + "</ul>")
        return "".join(parts).replace("`", "")


def pending_changes(telemetry: Telemetry) -> PendingChanges:
    """Additions since the accepted schema that the current level would send (not before
    the user allows them). Flag properties exist only at ``full`` (flags are fetched only
    then), so property families are listed for ``full`` only."""
    status = telemetry.status()
    changes = PendingChanges(status.accepted_schema, status.schema_version)
    if status.level == "off" or status.accepted_schema >= status.schema_version:
        return changes
    accepted, rank = status.accepted_schema, level_rank(status.level)
    registry = telemetry.registry
    events = tuple(spec for spec in registry.events_since(accepted)
                   if level_rank(spec.level) <= rank)
    properties = tuple((spec, name, since) for spec in registry.events.values()
                       if spec.since <= accepted and level_rank(spec.level) <= rank
                       for name, since in spec.property_since.items() if since > accepted)
    families = tuple(family for family in registry.families
                     if family.since > accepted and status.level == "full")
    return PendingChanges(accepted, status.schema_version, events, properties, families)


# -- the preview --------------------------------------------------------------------------------

class PreviewDialog(QDialog):
    """The exact messages an opt-in would send now, for Basic or Full (real pipeline)."""

    def __init__(self, telemetry: Telemetry, level: str = "basic",
                 parent: QWidget | None = None,
                 examples: Mapping[str, Sequence[dict[str, Any]]] | None = None) -> None:
        super().__init__(parent)
        self._telemetry = telemetry
        self._examples = examples
        self.setObjectName("previewDialog")
        self.setWindowTitle("Exactly what is sent")
        self.setStyleSheet(STYLE)
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(wrapped("Exactly what would be sent", "consentTitle"))
        self.intro = wrapped("")
        layout.addWidget(self.intro)
        switch = QHBoxLayout()
        self.level_group = QButtonGroup(self)
        self.level_buttons: dict[str, QPushButton] = {}
        names = list(examples) if examples is not None else ["basic", "full"]
        if examples is None:
            switch.addWidget(QLabel("Level:"))
        for name in names:
            button = QPushButton(LEVEL_NAMES.get(name, name) if examples is None else name)
            button.setObjectName("segment")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setAccessibleName(f"Preview {name}")
            self.level_group.addButton(button)
            self.level_buttons[name] = button
            switch.addWidget(button)
            button.toggled.connect(lambda on, chosen=name: self._toggled(on, chosen))
        switch.addStretch(1)
        if len(names) > 1:
            layout.addLayout(switch)
        self.summary = wrapped("", "muted")
        layout.addWidget(self.summary)
        self.json = json_view("Preview JSON")
        layout.addWidget(self.json, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.level = ""
        self.messages: list[dict[str, Any]] = []
        first = level if level in self.level_buttons else names[0]
        self.level_buttons[first].setChecked(True)
        self.show_level(first)

    def present(self, level: str | None = None) -> PreviewDialog:
        """Show (and raise) the dialog, switched to ``level`` when one is given."""
        if level is not None:
            self.level_buttons[level].setChecked(True)
        self.show()
        self.raise_()
        return self

    def _toggled(self, on: bool, level: str) -> None:
        if on:
            self.show_level(level)

    def show_level(self, level: str) -> None:
        if level == self.level:
            return
        self.level = level
        if self._examples is not None:
            self.messages = list(self._examples[level])
            self.intro.setText(
                "An example of this new event, built by the same code that records real "
                "events (each property shows its first allowed value).")
            self.summary.setText(f"{len(self.messages)} message(s).")
        else:
            self.messages = self._telemetry.preview(level)
            names = [str(m.get("event")) for m in self.messages]
            self.intro.setText(
                f"If you choose {LEVEL_NAMES[level]}, these {len(self.messages)} messages "
                "would be sent now, built by the same code that records real events. Later "
                "events have the same envelope; every event and its allowed values are listed "
                "in Settings → Privacy & Telemetry.")
            self.summary.setText("Messages: " + ", ".join(names) + ". The install id shown "
                                 "is a placeholder until you opt in; uuid and timestamp "
                                 "differ for each message.")
        self.json.setPlainText(pretty_json(self.messages))


# -- the first-run dialog -----------------------------------------------------------------------

class ConsentDialog(QDialog):
    """See the module docstring. ``choice`` is "off", "basic" or "full" once it closed."""

    def __init__(self, telemetry: Telemetry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._telemetry = telemetry
        #: The level chosen; "off" also when the window was closed without a choice.
        self.choice: str | None = None
        self.closed_without_choice = False
        self.preview: PreviewDialog | None = None
        self.setObjectName("consentDialog")
        self.setWindowTitle("TimeTracker — usage data")
        self.setModal(True)
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(760)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(wrapped("Share anonymous usage data?", "consentTitle"))
        layout.addWidget(wrapped(
            "TimeTracker can send a few anonymous facts to its developers, so they can see "
            "which features are used and whether a release broke something. Nothing is sent "
            "unless you choose to share. You can change your mind at any time in "
            "Settings → Privacy & Telemetry."))

        counts = level_counts(telemetry)
        cards = QHBoxLayout()
        cards.setSpacing(12)
        basic, usage = counts["basic"], counts["full"]
        self.no_button = self._card(cards, "off", "No thanks", "No thanks", "0 events")
        self.basic_button = self._card(cards, "basic", "Basic", "Share basic",
                                       f"{basic} kinds of event")
        self.full_button = self._card(cards, "full", "Full", "Share full",
                                      f"{basic + usage} kinds of event ({basic} basic + "
                                      f"{usage} usage)")
        layout.addLayout(cards)

        layout.addWidget(self._note("What is never collected", NEVER_COLLECTED))
        self.destination = wrapped(destination_text(telemetry))
        self.destination.setAccessibleName("Where data goes")
        layout.addWidget(self._note("Where it goes", self.destination))

        links = QHBoxLayout()
        self.preview_button = QPushButton("Show me exactly what is sent…")
        self.preview_button.setObjectName("linkButton")
        self.preview_button.setAutoDefault(False)
        self.preview_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.preview_button.clicked.connect(lambda: self.show_preview())
        links.addWidget(self.preview_button)
        links.addSpacing(18)
        self.docs_link = wrapped(
            f"<a href='{docs_url()}'>How telemetry works</a> &nbsp;·&nbsp; "
            f"<a href='{docs_url('events.md')}'>Every event</a> &nbsp;·&nbsp; "
            f"<a href='{docs_url('privacy.md')}'>Privacy</a>", rich=True)
        self.docs_link.setWordWrap(False)
        links.addWidget(self.docs_link)
        links.addStretch(1)
        layout.addLayout(links)
        layout.addWidget(wrapped(
            "Closing this window counts as “No thanks”. Telemetry can also be turned off "
            "with DO_NOT_TRACK=1.", "muted"))
        self.no_button.setFocus()
        fit_height(self, 760)

    def _card(self, row: QHBoxLayout, level: str, title: str, button_text: str,
              count: str) -> QPushButton:
        card = QFrame()
        card.setObjectName("levelCard")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(14, 12, 14, 12)
        inner.setSpacing(6)
        inner.addWidget(wrapped(title, "cardTitle"))
        body = wrapped(LEVEL_SUMMARIES[level])
        body.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        inner.addWidget(body, 1)
        inner.addWidget(wrapped(count or " ", "muted"))
        button = QPushButton(button_text)
        button.setObjectName("choiceButton")
        button.setAccessibleName(button_text)
        button.setAutoDefault(False)
        button.setDefault(False)
        button.clicked.connect(lambda: self.choose(level))
        inner.addWidget(button)
        row.addWidget(card, 1)
        return button

    @staticmethod
    def _note(title: str, body: str | QLabel) -> QFrame:
        box = QFrame()
        box.setObjectName("noteBox")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(14, 10, 14, 10)
        inner.setSpacing(4)
        inner.addWidget(wrapped(title, "sectionTitle"))
        inner.addWidget(body if isinstance(body, QLabel) else wrapped(body))
        return box

    def show_preview(self, level: str = "basic") -> PreviewDialog:
        """Open the preview (non-blocking) for ``level``."""
        if self.preview is None:
            self.preview = PreviewDialog(self._telemetry, level, self)
        return self.preview.present(level)

    def choose(self, level: str) -> None:
        self.choice = level
        self.accept()

    def reject(self) -> None:
        """Esc or the close button: "No thanks" (nothing is sent)."""
        if self.choice is None:
            self.choice = "off"
            self.closed_without_choice = True
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.choice is None:
            self.choice = "off"
            self.closed_without_choice = True
        super().closeEvent(event)


# -- the re-consent dialog ----------------------------------------------------------------------

class ReconsentDialog(QDialog):
    """Additions since the accepted schema. ``choice``: "allow", "keep" or "off"."""

    def __init__(self, telemetry: Telemetry, changes: PendingChanges,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._telemetry = telemetry
        self.changes = changes
        self.choice: str | None = None
        self.preview: PreviewDialog | None = None
        status = telemetry.status()
        self.setObjectName("reconsentDialog")
        self.setWindowTitle("TimeTracker — new usage data")
        self.setModal(True)
        self.setStyleSheet(STYLE)
        self.resize(760, 600)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(12)
        count = changes.count
        layout.addWidget(wrapped(
            f"This version can send {count} new {'thing' if count == 1 else 'things'} — "
            "only if you allow it", "consentTitle"))
        layout.addWidget(wrapped(
            f"You chose to share {LEVEL_NAMES[status.level]} usage data when the list of "
            f"events was at version {changes.accepted}; it is now at version "
            f"{changes.current}. What is new is listed below. None of it is recorded until "
            "you allow it; everything you agreed to before is sent as before."))
        self.event_list = QTextBrowser()
        self.event_list.setObjectName("eventList")
        self.event_list.setAccessibleName("What is new")
        self.event_list.setOpenLinks(False)
        self.event_list.setHtml(changes.html())
        layout.addWidget(self.event_list, 1)
        self.preview_button = QPushButton("Show me exactly what it looks like…")
        self.preview_button.setObjectName("linkButton")
        self.preview_button.setAutoDefault(False)
        self.preview_button.setEnabled(bool(changes.events or changes.properties))
        self.preview_button.clicked.connect(lambda: self.show_preview())
        layout.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(wrapped(
            "Closing this window keeps your current choice: the additions stay off. You "
            "can allow them later in Settings → Privacy & Telemetry.", "muted"))
        row = QHBoxLayout()
        row.setSpacing(12)
        self.off_button = self._button(row, "Stop sharing", "off")
        self.keep_button = self._button(row, "Keep my current choice", "keep")
        self.allow_button = self._button(row, "Allow the additions", "allow")
        layout.addLayout(row)
        self.keep_button.setFocus()

    @property
    def new_events(self) -> list[EventSpec]:
        return list(self.changes.events)

    def _button(self, row: QHBoxLayout, text: str, choice: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("choiceButton")
        button.setAccessibleName(text)
        button.setAutoDefault(False)
        button.clicked.connect(lambda: self.choose(choice))
        row.addWidget(button, 1)
        return button

    def examples(self) -> dict[str, list[dict[str, Any]]]:
        """An example message of each new event and of each event that gained properties,
        built by the real pipeline (with every property declared now)."""
        specs = list(self.changes.events)
        specs += [spec for spec, _name, _since in self.changes.properties if spec not in specs]
        return {spec.name: [self._telemetry.preview_event(
            spec.name, sample_properties(spec, self._telemetry))] for spec in specs}

    def show_preview(self) -> PreviewDialog:
        if self.preview is None:
            self.preview = PreviewDialog(self._telemetry, parent=self,
                                         examples=self.examples())
        return self.preview.present()

    def choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def reject(self) -> None:
        if self.choice is None:
            self.choice = "keep"
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.choice is None:
            self.choice = "keep"
        super().closeEvent(event)


# -- deciding and applying ----------------------------------------------------------------------

def apply_level(app: App, level: str) -> None:
    """Store ``level`` (effective at once) and let the flag client re-check."""
    app.telemetry.set_level(level)
    if "flags" in app.__dict__:
        app.flags.poke()


def maybe_ask_consent(app: App, parent: QWidget | None = None) -> None:
    """Show the first-run or the re-consent dialog when needed, and apply the answer."""
    telemetry = app.telemetry
    if not telemetry.needs_prompt():
        return
    if not telemetry.status().decided:
        dialog = ConsentDialog(telemetry, parent)
        dialog.exec()
        choice = dialog.choice or "off"
        dialog.deleteLater()  # with its preview, by Qt rather than the garbage collector
        apply_level(app, choice)
        return
    changes = pending_changes(telemetry)
    if not changes:
        # Nothing new would be sent at this level: no question to ask, nothing accepted.
        telemetry.mark_prompt_seen()
        return
    review_changes(app, changes, parent)


def review_changes(app: App, changes: PendingChanges | None = None,
                   parent: QWidget | None = None) -> str:
    """The re-consent dialog (at start, or from settings); applies and returns the choice:
    "allow", "keep" (nothing changes; the user is not asked again) or "off"."""
    telemetry = app.telemetry
    changes = changes if changes is not None else pending_changes(telemetry)
    if not changes:
        return "keep"
    dialog = ReconsentDialog(telemetry, changes, parent)
    dialog.exec()
    choice = dialog.choice or "keep"
    dialog.deleteLater()
    if choice == "allow":
        apply_level(app, telemetry.level)  # accepts the current schema at the same level
    elif choice == "off":
        apply_level(app, "off")
    else:
        telemetry.mark_prompt_seen()
    return choice


__all__ = ["ConsentDialog", "PendingChanges", "PreviewDialog", "ReconsentDialog", "docs_url",
           "maybe_ask_consent", "pending_changes", "review_changes"]
