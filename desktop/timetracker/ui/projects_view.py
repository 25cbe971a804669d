"""Projects, clients, tasks and tags: list, create, rename inline, edit details, archive.

Left: the projects table (colour, name, client, billable, rate). Double-click a name to rename
it in place; the row below the table creates one. Right: the selected project's details
(client, colour, billable, rate, currency, archive) and its tasks (tick = done, double-click to
rename, a field to add). The Clients and Tags tabs list those (ui/name_list.NameListPage):
add, rename in place, archive and restore. Every change goes through
``app.catalog``; a rejected value shows the core's message and the table goes back to what is
stored. Each tab has its own status line; archiving also shows a toast with Undo.

Filling the widgets from the catalog never writes back: their signals are blocked while they
are filled and an edit that changes nothing is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QRectF, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from timetracker.core.catalog import PALETTE, PALETTE_NAMES, ClientView, ProjectView, TaskView
from timetracker.core.naming import format_cents
from timetracker.ui.actions import dispatcher_for
from timetracker.ui.charts import mute_text, muted_color
from timetracker.ui.colours import outline_on_base
from timetracker.ui.name_list import (
    ID_ROLE,
    NamedItem,
    NameListPage,
    editable_list,
    name_edit,
    same_name,
)
from timetracker.ui.quantities import money
from timetracker.ui.tables import NUMBER_ALIGNMENT, record_table
from timetracker.ui.toast import Toast

if TYPE_CHECKING:
    from timetracker.app import App

#: The first item of both client pickers (a project without a client).
NO_CLIENT = "No client"




def client_picker(accessible_name: str) -> QComboBox:
    """An editable client picker wide enough for its items (the first is ``NO_CLIENT``)."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setAccessibleName(accessible_name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(14)
    return combo


def swatch_icon(color: str, size: int = 14) -> QIcon:
    """A rounded square of a project's colour (ringed when it would vanish on the theme)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    outline = outline_on_base(color)
    painter.setPen(QPen(QColor(outline), 1) if outline is not None else QPen(Qt.PenStyle.NoPen))
    painter.setBrush(QColor(color))
    painter.drawRoundedRect(QRectF(1.5, 1.5, size - 3, size - 3) if outline is not None
                            else QRectF(1, 1, size - 2, size - 2), 3, 3)
    painter.end()
    return QIcon(pix)






class ProjectsView(QWidget):
    """See the module docstring."""

    #: Something in the catalog changed (other views refresh their pickers).
    catalogChanged = Signal()

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._projects: list[ProjectView] = []
        self._clients: list[ClientView] = []
        self._tasks: dict[int, TaskView] = {}
        self._loading = False
        #: The status line's text and error flag, one per tab.
        self._messages: dict[int, tuple[str, bool]] = {}
        self.setObjectName("projectsView")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(8)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._projects_page(), "Projects")
        self.tabs.addTab(self._clients_page(), "Clients")
        self.tabs.addTab(self._tags_page(), "Tags")
        outer.addWidget(self.tabs, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        outer.addWidget(self.message)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.toast = Toast(self)
        self.refresh()

    @contextmanager
    def _filling(self, *widgets: QWidget) -> Iterator[None]:
        """Widgets being filled from the catalog: their signals are blocked and ``_loading``
        is set, then both are put back as they were (so a nested fill cannot end the outer)."""
        previous = self._loading
        self._loading = True
        blockers = [QSignalBlocker(widget) for widget in widgets]
        try:
            yield
        finally:
            for blocker in blockers:
                blocker.unblock()
            self._loading = previous

    # -- messages and the one way data changes ----------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        """Show ``text`` in the status line of the current tab."""
        self._messages[self.tabs.currentIndex()] = (text, error)
        self._render_message(text, error)

    def _tab_changed(self, index: int) -> None:
        self._render_message(*self._messages.get(index, ("", False)))

    def _render_message(self, text: str, error: bool) -> None:
        mute_text(self.message, self.palette(), muted=not error)
        self.message.setText(("⚠ " if error else "") + text)

    def _change(self, action: Callable[[], Any], done: str = "",
                name: str = "catalog.update") -> Any | None:
        """Run one catalog change; show the core's message on a refusal; refresh on success.

        The change goes through the window's ActionDispatcher (source "dialog"), so it is
        stamped, reported and the other views refresh; standalone, through the view's own.
        """
        dispatcher = dispatcher_for(self, self._app)
        result = dispatcher.run(name, "dialog", action)
        error = dispatcher.last_error if result is None else None
        if error is not None:
            self.show_message(error, error=True)
            self.refresh()
            return None
        self.show_message(done)
        self.refresh()
        self.catalogChanged.emit()
        return result

    # -- projects page -----------------------------------------------------------------------
    def _projects_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 10, 0, 0)
        top = QHBoxLayout()
        self.new_project = name_edit("New project name", self.create_project)
        self.new_project_client = client_picker("Client of the new project")
        self.new_project_client.setToolTip("The new project's client: pick one or type a name")
        self.add_project_button = QPushButton("Add project")
        self.add_project_button.clicked.connect(self.create_project)
        self.show_archived = QCheckBox("Show archived")
        self.show_archived.toggled.connect(lambda _c: self.refresh())
        top.addWidget(self.new_project, 2)
        top.addWidget(self.new_project_client, 1)
        top.addWidget(self.add_project_button)
        top.addStretch(0)
        top.addWidget(self.show_archived)
        layout.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        # project and client names share the spare width (a long client name no longer
        # squeezes the project names to a few letters)
        self.project_table = record_table("Projects", ["Project", "Client", "Billable", "Rate"],
                                          stretch={0, 1}, numbers={3}, editable=True)
        self.project_table.itemChanged.connect(self._project_item_changed)
        self.project_table.itemSelectionChanged.connect(self._show_selected)
        split.addWidget(self.project_table)
        split.addWidget(self._details_panel())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        return page

    def _details_panel(self) -> QWidget:
        panel = QWidget()
        panel.setMinimumWidth(300)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(12, 0, 0, 0)
        self.details_title = QLabel("Select a project")
        font = QFont(self.details_title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.details_title.setFont(font)
        layout.addWidget(self.details_title)
        form = QFormLayout()
        form.setVerticalSpacing(8)
        self.client_combo = client_picker("Client")
        combo_edit = self.client_combo.lineEdit()
        assert combo_edit is not None  # editable combo
        combo_edit.editingFinished.connect(self._client_chosen)
        self.client_combo.activated.connect(lambda _i: self._client_chosen())
        self.color_button = QPushButton()
        self.color_button.setAccessibleName("Project colour")
        self.color_button.clicked.connect(self._pick_color)
        self.billable_box = QCheckBox("Billable by default")
        self.billable_box.toggled.connect(self._billable_toggled)
        self.rate_edit = QLineEdit()
        self.rate_edit.setAccessibleName("Hourly rate")
        self.rate_edit.setPlaceholderText("0.00")
        self.rate_edit.setMaximumWidth(110)
        self.rate_edit.editingFinished.connect(self._rate_edited)
        self.currency_edit = QLineEdit()
        self.currency_edit.setAccessibleName("Currency")
        self.currency_edit.setMaxLength(3)
        self.currency_edit.setMaximumWidth(60)
        self.currency_edit.editingFinished.connect(self._currency_edited)
        rate_row = QHBoxLayout()
        rate_row.setSpacing(8)
        rate_row.addWidget(self.rate_edit)
        rate_row.addWidget(self.currency_edit)
        rate_row.addWidget(QLabel("per hour"))
        rate_row.addStretch(1)
        self.archive_button = QPushButton("Archive")
        self.archive_button.clicked.connect(self._toggle_archive)
        for button in (self.color_button, self.archive_button):
            button.setMaximumWidth(160)
        form.addRow("Client", self.client_combo)
        form.addRow("Colour", self.color_button)
        form.addRow("", self.billable_box)
        form.addRow("Rate", rate_row)
        form.addRow("", self.archive_button)
        layout.addLayout(form)
        tasks_title = QLabel("Tasks")
        tasks_title.setFont(QFont(font.family(), -1, QFont.Weight.Bold))
        self.tasks_caption = QLabel("☑ = done · double-click to rename")
        self.tasks_caption.setObjectName("muted")
        self.tasks_caption.setAccessibleName("Ticked tasks are done")
        tasks_head = QHBoxLayout()
        tasks_head.addWidget(tasks_title)
        tasks_head.addStretch(1)
        tasks_head.addWidget(self.tasks_caption)
        layout.addSpacing(6)
        layout.addLayout(tasks_head)
        self.task_list = editable_list("Tasks")
        self.task_list.itemChanged.connect(self._task_item_changed)
        layout.addWidget(self.task_list, 1)
        add_row = QHBoxLayout()
        self.new_task = name_edit("New task", self.create_task, "New task name")
        self.add_task_button = QPushButton("Add task")
        self.add_task_button.clicked.connect(self.create_task)
        add_row.addWidget(self.new_task, 1)
        add_row.addWidget(self.add_task_button)
        layout.addLayout(add_row)
        self._details_widgets = [self.client_combo, self.color_button, self.billable_box,
                                 self.rate_edit, self.currency_edit, self.archive_button,
                                 self.task_list, self.new_task, self.add_task_button]
        return panel

    # -- clients page ------------------------------------------------------------------------
    def _clients_page(self) -> QWidget:
        page = NameListPage("client")
        page.add_requested.connect(lambda _name: self.create_client())
        page.rename_requested.connect(self._rename_client)
        page.archive_requested.connect(self._archive_client)
        self.clients_page = page
        self.new_client, self.client_list = page.new_name, page.list
        self.client_archive_button = page.archive_button
        return page

    def _tags_page(self) -> QWidget:
        page = NameListPage("tag")
        page.add_requested.connect(self.create_tag)
        page.rename_requested.connect(
            lambda tag_id, name: self._change(
                lambda: self._app.catalog.rename_tag(tag_id, name), "Tag renamed."))
        page.archive_requested.connect(
            lambda tag_id, archived: self._change(
                lambda: self._app.catalog.archive_tag(tag_id, archived),
                "Tag archived: the pickers no longer offer it." if archived else
                "Tag restored."))
        self.tags_page = page
        return page

    # -- loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload everything from the catalog, keeping the selection."""
        selected = self.selected_project()
        archived = self.show_archived.isChecked()
        self._projects = self._app.catalog.projects(include_archived=archived)
        self._clients = self._app.catalog.clients(include_archived=True)
        with self._filling(self.project_table, self.new_project_client, self.client_combo):
            self._fill_projects()
            self._fill_names()
            names = [c.name for c in self._clients if not c.archived]
            for combo in (self.new_project_client, self.client_combo):
                text = combo.currentText()
                combo.clear()
                combo.addItems([NO_CLIENT, *names])
                combo.setCurrentText(text or NO_CLIENT)
            self.project_table.clearSelection()
            if selected is not None:
                self.select_project(selected.id, quiet=True)
        self._show_selected()

    def _fill_projects(self) -> None:
        table = self.project_table
        table.setRowCount(len(self._projects))
        right = NUMBER_ALIGNMENT
        muted = muted_color(self.palette())
        for r, project in enumerate(self._projects):
            name = QTableWidgetItem(swatch_icon(project.color), project.name)
            name.setData(ID_ROLE, project.id)
            name.setToolTip("Double-click to rename")
            client = QTableWidgetItem(project.client or "—")
            billable = QTableWidgetItem("Yes" if project.billable else "No")
            rate = QTableWidgetItem(money(project.rate_cents, project.currency)
                                    if project.rate_cents else "—")
            rate.setTextAlignment(right)
            for item in (client, billable, rate):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if project.archived:
                for item in (name, client, billable, rate):
                    item.setForeground(muted)
                italic = QFont(self.project_table.font())
                italic.setItalic(True)
                name.setFont(italic)
                name.setToolTip("Archived — double-click to rename")
                client.setText(f"{project.client} · archived" if project.client else "archived")
            for c, item in enumerate((name, client, billable, rate)):
                table.setItem(r, c, item)

    def _fill_names(self) -> None:
        """The Clients and Tags tabs (archived ones too, in italics)."""
        muted = muted_color(self.palette())

        def counted(count: int, what: str) -> str:
            return f"{count} {what}{'s' if count != 1 else ''}"

        self.clients_page.fill([NamedItem(client.id, client.name, client.archived, counted(
            sum(1 for p in self._projects if p.client_id == client.id), "project"))
            for client in self._clients], muted)
        self.tags_page.fill([NamedItem(tag.id, tag.name, tag.archived)
                             for tag in self._app.catalog.tags(include_archived=True)], muted)

    def projects(self) -> list[ProjectView]:
        return list(self._projects)

    def project_row(self, name: str) -> int:
        for r, project in enumerate(self._projects):
            if project.name == name:
                return r
        raise ValueError(f"no project {name!r} shown")

    def select_project(self, project_id: int, quiet: bool = False) -> None:
        for r, project in enumerate(self._projects):
            if project.id == project_id:
                self.project_table.selectRow(r)
                return
        if not quiet:
            raise ValueError(f"project {project_id} is not shown")

    def selected_project(self) -> ProjectView | None:
        if not hasattr(self, "project_table"):
            return None
        rows = self.project_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._projects):
            return None
        return self._projects[rows[0].row()]

    # -- project details ---------------------------------------------------------------------
    def _show_selected(self) -> None:
        project = self.selected_project()
        for widget in self._details_widgets:
            widget.setEnabled(project is not None)
        with self._filling(self.task_list):
            self._tasks = {}
            if project is None:
                self.details_title.setText("Select a project")
                self.task_list.clear()
                return
            self.details_title.setText(project.name)
            self.client_combo.setCurrentText(project.client or NO_CLIENT)
            self.color_button.setIcon(swatch_icon(project.color, 16))
            self.color_button.setText(project.color)
            self.billable_box.setChecked(project.billable)
            self.rate_edit.setText(format_cents(project.rate_cents))
            self.currency_edit.setText(project.currency)
            self.archive_button.setText("Unarchive" if project.archived else "Archive")
            self.task_list.clear()
            for task in self._app.catalog.tasks(project.id):
                self._tasks[task.id] = task
                item = QListWidgetItem(task.name)
                item.setData(ID_ROLE, task.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable
                              | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if task.done
                                   else Qt.CheckState.Unchecked)
                item.setToolTip("Done — the picker no longer offers it; untick to reopen"
                                if task.done else "Tick when done; double-click to rename")
                if task.done:  # done: struck through and muted
                    struck = QFont(self.task_list.font())
                    struck.setStrikeOut(True)
                    item.setFont(struck)
                    item.setForeground(muted_color(self.palette()))
                self.task_list.addItem(item)

    def create_project(self) -> ProjectView | None:
        name = self.new_project.text()
        typed = self.new_project_client.currentText().strip()
        client = None if typed in ("", NO_CLIENT) else typed
        result = self._change(lambda: self._app.catalog.add_project(name, client=client),
                              f"Project '{' '.join(name.split())}' created.")
        if result is not None:
            self.new_project.clear()
            self.new_project_client.setCurrentText(NO_CLIENT)
            self.select_project(result.id)
        return result

    def _project_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading or item.column() != 0:
            return
        project_id = int(item.data(ID_ROLE))
        new_name = item.text()
        stored = next((p for p in self._projects if p.id == project_id), None)
        if stored is not None and same_name(new_name, stored.name):
            return  # nothing to rename
        self._change(lambda: self._app.catalog.update_project(project_id, name=new_name),
                     "Project renamed.")

    def _update_selected(self, message: str, **changes: Any) -> None:
        project = self.selected_project()
        if project is None or self._loading:
            return
        self._change(lambda: self._app.catalog.update_project(project.id, **changes), message)

    def _client_chosen(self) -> None:
        project = self.selected_project()
        if project is None or self._loading:
            return
        text = self.client_combo.currentText().strip()
        if text in ("", NO_CLIENT):
            if project.client is not None:
                self._update_selected("Client removed.", clear_client=True)
        elif text != project.client:
            self._update_selected("Client changed.", client=text)

    def color_menu(self) -> QMenu:
        """The colour button's menu: the palette's swatches (the current one ticked), then
        "Custom colour…" for any other."""
        project = self.selected_project()
        current = project.color.upper() if project is not None else ""
        menu = QMenu(self)
        menu.setAccessibleName("Project colours")
        grid = QWidget()
        layout = QGridLayout(grid)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(4)
        self.swatches: dict[str, QToolButton] = {}
        for index, color in enumerate(PALETTE):
            swatch = QToolButton()
            swatch.setObjectName("colorSwatch")
            swatch.setIcon(swatch_icon(color, 20))
            swatch.setIconSize(QSize(20, 20))
            swatch.setCheckable(True)
            swatch.setChecked(color.upper() == current)
            swatch.setAccessibleName(f"Colour {PALETTE_NAMES[color]}")
            swatch.setToolTip(PALETTE_NAMES[color] + (" (now)" if color.upper() == current
                                                      else ""))
            swatch.clicked.connect(lambda _=False, c=color: self._swatch_chosen(menu, c))
            layout.addWidget(swatch, index // 6, index % 6)
            self.swatches[color] = swatch
        picks = QWidgetAction(menu)
        picks.setDefaultWidget(grid)
        menu.addAction(picks)
        menu.addSeparator()
        menu.addAction("Custom colour…", self._custom_color)
        return menu

    def _swatch_chosen(self, menu: QMenu, color: str) -> None:
        menu.close()
        self.set_color(color)

    def _pick_color(self) -> None:
        if self.selected_project() is None:
            return
        self.color_menu().popup(self.color_button.mapToGlobal(
            self.color_button.rect().bottomLeft()))

    def _custom_color(self) -> None:
        project = self.selected_project()
        if project is None:
            return
        chosen = QColorDialog.getColor(QColor(project.color), self, "Project colour")
        if chosen.isValid():
            self.set_color(chosen.name())

    def set_color(self, color: str) -> None:
        self._update_selected("Colour changed.", color=color)

    def _billable_toggled(self, checked: bool) -> None:
        project = self.selected_project()
        if project is not None and checked != project.billable:
            self._update_selected("Billable default changed.", billable=checked)

    def _rate_edited(self) -> None:
        project = self.selected_project()
        if project is None or self._loading:
            return
        text = self.rate_edit.text().strip() or "0"
        if text != format_cents(project.rate_cents):
            self._update_selected("Rate changed.", rate=text)

    def _currency_edited(self) -> None:
        project = self.selected_project()
        if project is None or self._loading:
            return
        text = self.currency_edit.text().strip()
        if text.upper() != project.currency:
            self._update_selected("Currency changed.", currency=text)

    def _toggle_archive(self) -> None:
        project = self.selected_project()
        if project is None:
            return
        self._set_archived(project, not project.archived, self.project_table.currentRow())

    def _set_archived(self, project: ProjectView, archived: bool, row: int) -> None:
        """Archive or restore ``project``; when it leaves the table, select the project now in
        its ``row`` (or the last). The status line and a toast with Undo say what happened."""
        hidden = archived and not self.show_archived.isChecked()
        message = f"{'Archived' if archived else 'Restored'} '{project.name}'." \
            + (" Tick Show archived to see it." if hidden else "")
        if self._change(lambda: self._app.catalog.archive_project(project.id, archived),
                        message) is None:
            return
        if not hidden:
            self.select_project(project.id, quiet=True)
        elif self._projects:
            self.project_table.selectRow(min(max(row, 0), len(self._projects) - 1))
        self.toast.show_message(message, "Undo",
                                lambda: self._set_archived(project, not archived, row))

    # -- tasks -------------------------------------------------------------------------------
    def create_task(self) -> None:
        project = self.selected_project()
        if project is None:
            return
        name = self.new_task.text()
        if self._change(lambda: self._app.catalog.add_task(project.id, name), "Task added."):
            self.new_task.clear()

    def _task_item_changed(self, item: QListWidgetItem) -> None:
        if self._loading:
            return
        task_id = int(item.data(ID_ROLE))
        done = item.checkState() == Qt.CheckState.Checked
        name = item.text()
        stored = self._tasks.get(task_id)
        if stored is not None and stored.done == done and same_name(name, stored.name):
            return  # nothing changed
        self._change(lambda: self._app.catalog.update_task(task_id, name=name, done=done))

    # -- clients -----------------------------------------------------------------------------
    def create_client(self) -> ClientView | None:
        name = self.new_client.text()
        result = self._change(lambda: self._app.catalog.add_client(name),
                              f"Client '{' '.join(name.split())}' created.")
        if result is not None:
            self.new_client.clear()
        return result

    def _rename_client(self, client_id: int, name: str) -> None:
        self._change(lambda: self._app.catalog.rename_client(client_id, name), "Client renamed.")

    def _archive_client(self, client_id: int, archived: bool) -> None:
        client = next((c for c in self._clients if c.id == client_id), None)
        if client is None:
            return
        self._change(lambda: self._app.catalog.archive_client(client_id, archived),
                     f"'{client.name}' {'archived' if archived else 'restored'}.")

    # -- tags --------------------------------------------------------------------------------
    def create_tag(self, name: str) -> None:
        if self._change(lambda: self._app.catalog.add_tag(name),
                        f"Tag '{' '.join(name.split())}' created.") is not None:
            self.tags_page.new_name.clear()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "toast"):
            self.refresh()
        super().changeEvent(event)
