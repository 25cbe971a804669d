"""A tab of plain names (clients, tags): add one, rename in place, archive and restore."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

#: The role that holds an item's id.
ID_ROLE = Qt.ItemDataRole.UserRole


class NamedItem(NamedTuple):
    """One row: the item's id, name, whether it is archived, and what else to say about it
    ("3 projects", "used by 12 entries"), shown after the name."""

    id: int
    name: str
    archived: bool
    detail: str = ""


def editable_list(name: str) -> QListWidget:
    """A list whose items are renamed in place (double click or the edit key)."""
    items = QListWidget()
    items.setAccessibleName(name)
    items.setSpacing(3)
    items.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                          | QAbstractItemView.EditTrigger.EditKeyPressed)
    return items


def same_name(typed: str, stored: str) -> bool:
    """Whether ``typed`` is ``stored`` once its spaces are tidied (the core's rule)."""
    return " ".join(typed.split()) == stored


def name_edit(placeholder: str, submit: Callable[[], object] | None = None,
              accessible_name: str = "") -> QLineEdit:
    """A line edit for a new item's name (its accessible name defaults to the placeholder);
    Return calls ``submit()``."""
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(accessible_name or placeholder)
    if submit is not None:
        edit.returnPressed.connect(lambda: submit())
    return edit


class NameListPage(QWidget):
    """``noun`` ("client", "tag"): a field and *Add*, *Archive*/*Unarchive* for the selected
    item, and the list (archived items in italics and muted). The page only asks: its owner
    makes the change (and refills the page) on ``add_requested``, ``rename_requested`` and
    ``archive_requested``."""

    add_requested = Signal(str)
    #: (id, new name)
    rename_requested = Signal(int, str)
    #: (id, archived)
    archive_requested = Signal(int, bool)

    def __init__(self, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.noun = noun
        self._items: list[NamedItem] = []
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        top = QHBoxLayout()
        self.new_name = name_edit(f"New {noun} name", self.request_add)
        self.add_button = QPushButton(f"Add {noun}")
        self.add_button.clicked.connect(self.request_add)
        self.archive_button = QPushButton("Archive")
        self.archive_button.setEnabled(False)
        # as wide as its longer label: the name field does not move when it changes
        self.archive_button.setMinimumWidth(
            self.archive_button.fontMetrics().horizontalAdvance("Unarchive") + 40)
        self.archive_button.clicked.connect(self._request_archive)
        self.show_archived = QCheckBox("Show archived")
        self.show_archived.setChecked(True)
        self.show_archived.toggled.connect(self._show_or_hide_archived)
        top.addWidget(self.new_name, 1)
        top.addWidget(self.add_button)
        top.addStretch(0)
        top.addWidget(self.show_archived)
        top.addWidget(self.archive_button)
        layout.addLayout(top)
        self.list = editable_list(f"{noun.capitalize()}s")
        self.list.itemChanged.connect(self._item_changed)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.list, 1)

    def fill(self, items: Sequence[NamedItem], muted: QColor) -> None:
        """Show ``items``, keeping the selected one selected."""
        selected = self.selected()
        self._items = list(items)
        self._filling = True
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for entry in self._items:
                item = QListWidgetItem(entry.name)
                item.setData(ID_ROLE, entry.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(" · ".join(part for part in (
                    entry.detail, "archived" if entry.archived else "",
                    "double-click to rename") if part))
                if entry.archived:
                    item.setForeground(muted)
                    italic = QFont(self.list.font())
                    italic.setItalic(True)
                    item.setFont(italic)
                self.list.addItem(item)
                if selected is not None and entry.id == selected.id:
                    self.list.setCurrentItem(item)
        finally:
            self.list.blockSignals(False)
            self._filling = False
        self._show_or_hide_archived()

    def _show_or_hide_archived(self, *_shown: bool) -> None:
        hide = not self.show_archived.isChecked()
        for row, entry in enumerate(self._items):
            self.list.item(row).setHidden(hide and entry.archived)
        current = self.list.currentItem()
        if current is not None and current.isHidden():
            self.list.clearSelection()
        self._selection_changed()

    def selected(self) -> NamedItem | None:
        item = self.list.currentItem()
        if item is None or not item.isSelected():
            return None
        return next((e for e in self._items if e.id == item.data(ID_ROLE)), None)

    def request_add(self) -> None:
        self.add_requested.emit(self.new_name.text())

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.archive_button.setEnabled(chosen is not None)
        self.archive_button.setText(
            "Unarchive" if chosen is not None and chosen.archived else "Archive")

    def _request_archive(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.archive_requested.emit(chosen.id, not chosen.archived)

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        item_id = int(item.data(ID_ROLE))
        stored = next((e for e in self._items if e.id == item_id), None)
        name = item.text()
        if stored is not None and same_name(name, stored.name):
            return  # nothing to rename
        self.rename_requested.emit(item_id, name)
