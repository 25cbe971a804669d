"""Project/task and tag pickers: a button that opens a type-to-search popup.

The project picker lists "No project", every active project (with its client) and its open
tasks; typing filters the list, Enter picks the highlighted line, and a name that matches no
project offers "Create project “…”". The tag picker is a checklist with the same search and
"Create tag “…”".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from PySide6 import QtCore  # (the Qt namespace only inside functions: ui/qt_names.py)
from PySide6.QtCore import QEvent, QObject, QPoint, Signal
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import QFrame, QToolButton, QVBoxLayout, QWidget

from timetracker.core.entry_reads import PickerProject
from timetracker.ui import theme
from timetracker.ui.colours import outline_on_base
from timetracker.ui.fitted import FittedText
from timetracker.ui.icons import color_dot, glyph
from timetracker.ui.qt_names import set_enum

if TYPE_CHECKING:  # (the list widgets are made when a popup first opens: not at start-up)
    from PySide6.QtWidgets import QListWidgetItem

_ROLE = 0x0100  # Qt.ItemDataRole.UserRole (a plain int role: see ui/qt_names.py)


#: The picker popup's size (px): it gets shorter when a search leaves few items.
POPUP_WIDTH, POPUP_MAX_HEIGHT = 320, 340

class Choice(NamedTuple):
    """What the project picker returns: a project (or none), a task, and whether it is new."""

    project: str | None
    task: str | None = None
    create: bool = False


class _Popup(QFrame):
    """The search field + list shared by both pickers."""

    picked = Signal(object)  # the chosen item's data
    closed = Signal()

    def __init__(self, parent: QWidget, placeholder: str) -> None:
        from PySide6.QtWidgets import QListWidget

        Qt = QtCore.Qt
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("pickerPopup")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        from PySide6.QtWidgets import QLineEdit

        self.search = QLineEdit()
        self.search.setPlaceholderText(placeholder)
        self.search.setAccessibleName(placeholder)
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Choices")
        self.list.setUniformItemSizes(True)
        # the search field keeps the keyboard (↑/↓/Enter move and pick); a click in the list
        # must not take it, or typing after ticking a tag would go nowhere
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(self._activate)
        self.list.itemClicked.connect(self._activate)
        # long names are cut with "…" rather than scrolled sideways
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setMinimumHeight(1)  # (fit_to_items sets the popup's height)
        self.resize(POPUP_WIDTH, POPUP_MAX_HEIGHT)
        self._anchor: QWidget | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        Qt = QtCore.Qt
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self._move(1 if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None:
                    self._activate(item)
                return True
        return False

    def _move(self, step: int) -> None:
        Qt = QtCore.Qt
        row = self.list.currentRow()
        count = self.list.count()
        for _ in range(count):
            row = (row + step) % count if count else -1
            item = self.list.item(row)
            if item is not None and not item.isHidden() and item.flags() & \
                    Qt.ItemFlag.ItemIsSelectable:
                self.list.setCurrentRow(row)
                return

    def first_visible(self) -> None:
        Qt = QtCore.Qt
        for row in range(self.list.count()):
            item = self.list.item(row)
            if not item.isHidden() and item.flags() & Qt.ItemFlag.ItemIsSelectable:
                self.list.setCurrentRow(row)
                return

    def _activate(self, item: QListWidgetItem) -> None:
        self.picked.emit(item.data(_ROLE))

    def fit_to_items(self) -> None:
        """As tall as the items left by the search (up to POPUP_MAX_HEIGHT): no empty space
        under a short list."""
        self.ensurePolished()  # (rows measured in the style sheet's padding)
        self.list.ensurePolished()
        shown = [row for row in range(self.list.count()) if not self.list.item(row).isHidden()]
        row_height = max(self.list.sizeHintForRow(shown[0]) if shown else 0, 1)
        layout = self.layout()
        assert layout is not None
        margins = layout.contentsMargins()
        chrome = (margins.top() + margins.bottom() + layout.spacing()
                  + self.search.sizeHint().height() + 2 * self.list.frameWidth() + 4)
        height = chrome + row_height * max(len(shown), 2)
        self.resize(self.width(), min(POPUP_MAX_HEIGHT, height))
        if self._anchor is not None and self.isVisible():
            self._place(self._anchor)  # (above the anchor: its bottom stays put)

    def popup_at(self, anchor: QWidget) -> None:
        """Below ``anchor``, left-aligned with it — or right-aligned when it would stick out
        of the anchor's window; above it when there is no room below."""
        self._anchor = anchor
        self.fit_to_items()
        self._place(anchor)
        self.show()
        self.search.setFocus()

    def _place(self, anchor: QWidget) -> None:
        point = anchor.mapToGlobal(QPoint(0, anchor.height() + 4))
        screen = anchor.screen().availableGeometry()
        window = anchor.window()
        window_right = window.mapToGlobal(QPoint(window.width(), 0)).x()
        x = point.x()
        if x + self.width() > window_right:
            x = anchor.mapToGlobal(QPoint(anchor.width(), 0)).x() - self.width()
        x = min(x, screen.right() - self.width())
        y = point.y() if point.y() + self.height() < screen.bottom() else \
            anchor.mapToGlobal(QPoint(0, 0)).y() - self.height() - 4
        self.move(max(screen.left(), x), max(screen.top(), y))

    def hideEvent(self, event: object) -> None:
        self.closed.emit()


class ProjectPicker(FittedText, QToolButton):
    """Shows the chosen project (colour dot + name · task, cut with "…" to the width it gets);
    click or Enter opens the search. ``compact``: nothing but the icon while no project is
    chosen (the timer bar); ``quiet``: nothing at all then, except "+ Project" while
    :meth:`show_hint` says so (a row of the week shows it while the pointer is on the row)."""

    chosen = Signal(object)  # Choice

    def __init__(self, projects: Callable[[], Sequence[PickerProject]],
                 parent: QWidget | None = None, compact: bool = False,
                 quiet: bool = False) -> None:
        super().__init__(parent)
        self._projects = projects
        self._compact = compact
        self._quiet = quiet
        self._hint = False
        self.project: str | None = None
        self.task: str | None = None
        self.color: str | None = None
        self.setObjectName("pickerButton")
        self.setAccessibleName("Project")
        set_enum(self, "toolButtonStyle", "ToolButtonTextBesideIcon")
        self.clicked.connect(self.open_popup)
        self.popup: _Popup | None = None
        self._show_choice()

    def set_choice(self, project: str | None, task: str | None = None,
                   color: str | None = None) -> None:
        self.project, self.task, self.color = project, task, color
        self._show_choice()

    def show_hint(self, shown: bool) -> None:
        """A quiet picker without a project: show "+ Project" (or nothing)."""
        if shown != self._hint:
            self._hint = shown
            if not self.project:
                self._show_choice()

    def _show_choice(self) -> None:
        if self.project:
            text = self.project + (f" · {self.task}" if self.task else "")
            colour = self.color or "#888888"
            self.setIcon(color_dot(colour, outline=outline_on_base(colour)))
            self.set_fitted_text(text)
            self.setToolTip(f"Project: {text} (click to change)")
        elif self._quiet:
            self.setIcon(QIcon())
            self.set_fitted_text("+ Project" if self._hint else "")
            self.setToolTip("Choose a project (type to search or create one)")
        else:
            self.setIcon(glyph("no-project", theme.current().muted))
            self.set_fitted_text("" if self._compact else "Project")
            self.setToolTip("Choose a project (type to search or create one)")
        theme.set_style_property(self, "chosen", bool(self.project))

    def open_popup(self) -> _Popup:
        from PySide6.QtWidgets import QListWidgetItem

        popup = _Popup(self, "Find or create a project…")
        popup.setAccessibleName("Project picker")
        items: list[tuple[QListWidgetItem, str]] = []
        none_item = QListWidgetItem("No project")
        none_item.setData(_ROLE, Choice(None))
        popup.list.addItem(none_item)
        items.append((none_item, ""))
        for project in self._projects():
            label = project.name + (f"   ({project.client})" if project.client else "")
            item = QListWidgetItem(color_dot(project.color, outline=outline_on_base(project.color)),
                                   label)
            item.setData(_ROLE, Choice(project.name))
            popup.list.addItem(item)
            items.append((item, f"{project.name} {project.client or ''}".lower()))
            for task in project.tasks:
                sub = QListWidgetItem(f"      {task}")
                sub.setData(_ROLE, Choice(project.name, task))
                sub.setToolTip(f"{project.name} · {task}")
                popup.list.addItem(sub)
                items.append((sub, f"{project.name} {task} {project.client or ''}".lower()))
        names = {p_item.data(_ROLE).project.lower() for p_item, _ in items
                 if p_item.data(_ROLE).project and p_item.data(_ROLE).task is None}
        create = QListWidgetItem(glyph("plus", theme.current().accent), "")
        popup.list.addItem(create)

        def refilter(text: str) -> None:
            needle = text.strip().lower()
            words = needle.split()
            for item, haystack in items:
                item.setHidden(bool(words) and not all(w in haystack for w in words))
            wanted = " ".join(text.split())
            show_create = bool(wanted) and wanted.lower() not in names
            create.setHidden(not show_create)
            create.setText(f"Create project “{wanted}”")
            create.setData(_ROLE, Choice(wanted, None, create=True))
            popup.first_visible()
            popup.fit_to_items()

        popup.search.textChanged.connect(refilter)
        popup.picked.connect(self._picked)
        refilter("")
        for row in range(popup.list.count()):  # highlight the current choice
            data = popup.list.item(row).data(_ROLE)
            if data is not None and data.project == self.project and data.task == self.task:
                popup.list.setCurrentRow(row)
                break
        self.popup = popup
        popup.popup_at(self)
        return popup

    def _picked(self, choice: object) -> None:
        assert isinstance(choice, Choice)
        if self.popup is not None:
            self.popup.close()
        color = None
        for project in self._projects() if choice.project and not choice.create else ():
            if project.name == choice.project:
                color = project.color
        self.set_choice(choice.project, choice.task, color)
        self.chosen.emit(choice)


class TagPicker(QToolButton):
    """Shows the chosen tags; the popup is a searchable checklist that can create tags."""

    changed = Signal(list)

    def __init__(self, tags: Callable[[], Sequence[str]], parent: QWidget | None = None,
                 compact: bool = False) -> None:
        super().__init__(parent)
        self._tags = tags
        self._compact = compact
        self.selected: list[str] = []
        self.setObjectName("tagButton")
        self.setAccessibleName("Tags")
        set_enum(self, "toolButtonStyle", "ToolButtonTextBesideIcon")
        self.clicked.connect(self.open_popup)
        self.popup: _Popup | None = None
        self._before: list[str] = []
        self._show()

    def set_tags(self, tags: Sequence[str]) -> None:
        self.selected = list(tags)
        self._show()

    def _show(self) -> None:
        self.setIcon(glyph("tag", theme.current().accent if self.selected
                           else theme.current().muted))
        text = ", ".join(self.selected)
        shown = text if len(text) <= 28 else text[:26] + "…"
        self.setText(shown or ("" if self._compact else "Add tags"))
        self.setToolTip(f"Tags: {text}" if text else "Add tags")
        theme.set_style_property(self, "chosen", bool(self.selected))

    def open_popup(self) -> _Popup:
        from PySide6.QtWidgets import QListWidgetItem

        Qt = QtCore.Qt
        popup = _Popup(self, "Find or create tags…")
        popup.setAccessibleName("Tag picker")
        self._before = list(self.selected)
        known = list(self._tags())
        for name in self.selected:
            if name.lower() not in {k.lower() for k in known}:
                known.append(name)
        chosen = {t.lower() for t in self.selected}
        for name in known:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name.lower() in chosen
                               else Qt.CheckState.Unchecked)
            item.setData(_ROLE, name)
            popup.list.addItem(item)
        create = QListWidgetItem(glyph("plus", theme.current().accent, 16), "")
        popup.list.addItem(create)

        def refilter(text: str) -> None:
            wanted = " ".join(text.split())
            names = set()
            for row in range(popup.list.count() - 1):
                item = popup.list.item(row)
                name = str(item.data(_ROLE))
                names.add(name.lower())
                item.setHidden(bool(wanted) and wanted.lower() not in name.lower())
            create.setHidden(not wanted or wanted.lower() in names)
            create.setText(f"Create tag “{wanted}”")
            create.setData(_ROLE, ("create", wanted))
            popup.first_visible()
            popup.fit_to_items()

        def picked(data: object) -> None:
            Qt = QtCore.Qt
            if isinstance(data, tuple):  # create
                name = data[1]
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
                item.setData(_ROLE, name)
                popup.list.insertItem(popup.list.count() - 1, item)
                popup.search.clear()
            else:
                for row in range(popup.list.count() - 1):
                    item = popup.list.item(row)
                    if item.data(_ROLE) == data:
                        item.setCheckState(Qt.CheckState.Unchecked if item.checkState()
                                           == Qt.CheckState.Checked else Qt.CheckState.Checked)
            self._collect(popup)

        popup.search.textChanged.connect(refilter)
        popup.picked.connect(picked)
        popup.list.itemChanged.connect(lambda _item: self._collect(popup))
        popup.closed.connect(self._finish)
        refilter("")
        self.popup = popup
        popup.popup_at(self)
        return popup

    def _collect(self, popup: _Popup) -> None:
        Qt = QtCore.Qt
        self.selected = [str(popup.list.item(row).data(_ROLE))
                         for row in range(popup.list.count() - 1)
                         if popup.list.item(row).checkState() == Qt.CheckState.Checked]
        self._show()

    def _finish(self) -> None:
        if self.selected != self._before:
            self._before = list(self.selected)
            self.changed.emit(list(self.selected))
