"""The app's record tables (projects, report breakdown, import preview, backups): one look."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

#: How a number is aligned in its cell (and its column's title).
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
TEXT_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def record_table(accessible_name: str, columns: Sequence[str], *,
                 stretch: Collection[int] = (0,), numbers: Collection[int] = (),
                 editable: bool = False) -> QTableWidget:
    """A table of records: one row selected at a time, whole rows, no grid and no row numbers.
    The ``stretch`` columns share the spare width, the others fit their contents; titles are
    aligned like the values under them (the ``numbers`` columns right, the others left).
    ``editable``: a double click or F2 edits a cell (otherwise nothing is edited in place)."""
    table = QTableWidget(0, len(columns))
    table.setAccessibleName(accessible_name)
    table.setHorizontalHeaderLabels(list(columns))
    for column in range(len(columns)):
        title = table.horizontalHeaderItem(column)
        if title is not None:
            title.setTextAlignment(NUMBER_ALIGNMENT if column in numbers else TEXT_ALIGNMENT)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                          | QAbstractItemView.EditTrigger.EditKeyPressed if editable
                          else QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    for column in range(len(columns)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column in stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)
    return table
