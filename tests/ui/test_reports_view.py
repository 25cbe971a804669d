"""The reports view shows exactly the core's numbers, computed off the UI thread."""

from __future__ import annotations

import csv
import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSize
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea
from pytestqt.qtbot import QtBot
from support.view_data import MONDAY, at, bulk_entries
from timetracker.app import App
from timetracker.core.ranges import custom_range, named_range
from timetracker.core.reports import Report
from timetracker.ui import theme
from timetracker.ui.background import wait_for_all
from timetracker.ui.charts import (
    FALLBACK_COLORS,
    BreakdownChart,
    Slice,
    muted_color,
    slice_colors,
)
from timetracker.ui.colours import contrast_ratio, outline_for, outline_on_base
from timetracker.ui.icons import color_dot
from timetracker.ui.quantities import amounts_label, duration_label
from timetracker.ui.reports_view import ReportsView

H = 3600


@pytest.fixture
def app(week_app: App) -> App:
    """A week of data (tests/ui/conftest.py's ``week_app``)."""
    return week_app


def shown(qtbot: QtBot, view: ReportsView, action: object = None) -> Report:
    with qtbot.waitSignal(view.reportShown, timeout=10_000) as blocker:
        if callable(action):
            action()
    report = blocker.args[0]
    assert isinstance(report, Report)
    return report


def table_rows(view: ReportsView) -> list[list[str]]:
    return [[view.table.item(r, c).text() for c in range(view.table.columnCount())]
            for r in range(view.table.rowCount())]


def test_this_week_by_project_equals_core_report(qtbot: QtBot, app: App) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    report = shown(qtbot, view, view.refresh)
    rng = named_range("this_week", app.clock(), app.timezone, "monday")
    core = app.reports.report(rng, "project")

    assert view.current_range() == rng
    assert report.total_seconds == core.total_seconds
    assert report.daily == core.daily
    assert [(r.label, r.seconds, r.billable_seconds, r.amounts) for r in report.rows] == \
        [(r.label, r.seconds, r.billable_seconds, r.amounts) for r in core.rows]
    # What the user reads: the table, the headline figures and the chart's data.
    # (Amounts in several currencies: one per line in the table.)
    expected = [[r.label, duration_label(r.seconds),
                 duration_label(r.billable_seconds) if r.billable_seconds else "—",
                 amounts_label(r.amounts, "\n")] for r in core.rows]
    expected.append(["Total", duration_label(core.total_seconds),
                     duration_label(core.billable_seconds), amounts_label(core.amounts, "\n")])
    assert table_rows(view) == expected
    assert view.total_figure.value.text() == duration_label(core.total_seconds)
    assert view.amount_figure.value.text() == amounts_label(core.amounts)
    assert view.daily_chart.days() == core.daily
    assert [s.seconds for s in view.breakdown_chart.slices()] == [r.seconds for r in core.rows]


def test_entries_crossing_midnight_are_split_by_local_day(qtbot: QtBot, app: App) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    report = shown(qtbot, view, lambda: view.set_custom_range(MONDAY, MONDAY + dt.timedelta(2)))
    # Worked out by hand from seed_week: Sunday 22:00-01:00 gives Monday 1 h; Tuesday
    # 22:30-01:30 gives Tuesday 1:30 h and Wednesday 1:30 h.
    assert report.daily == [(MONDAY, int(8.75 * H)),
                            (MONDAY + dt.timedelta(1), int(7.25 * H)),
                            (MONDAY + dt.timedelta(2), int(7.75 * H))]
    core = app.reports.report(custom_range(MONDAY, MONDAY + dt.timedelta(2), app.timezone),
                              "project")
    assert report.daily == core.daily
    assert report.total_seconds == core.total_seconds == int(23.75 * H)
    # Billable money: Website 85 EUR/h, Mobile app 120.50 USD/h, clamped to the range.
    website = 3.5 + 3.25 + 6.25
    mobile = 4.25 + 3.0
    # 7.25 h × 120.50 = 873.625: half a cent rounds up.
    assert report.amounts == {"EUR": int(website * 8500 + 0.5), "USD": int(mobile * 12050 + 0.5)}
    assert view.amount_figure.value.text() == "€1,105.00 · $873.63"


@pytest.mark.parametrize("group", ["client", "tag", "task"])
def test_other_breakdowns_equal_core(qtbot: QtBot, app: App, group: str) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    shown(qtbot, view, view.refresh)
    report = shown(qtbot, view, lambda: view.set_group_by(group))
    core = app.reports.report(view.current_range(), group)
    assert report.group_by == group
    assert [(r.label, r.seconds) for r in report.rows] == [(r.label, r.seconds) for r in core.rows]
    assert [row[0] for row in table_rows(view)[:-1]] == [r.label for r in core.rows]
    assert view.breakdown_title.text() == f"By {group}"


def test_range_picker_and_previous_next(qtbot: QtBot, app: App) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    shown(qtbot, view, view.refresh)
    report = shown(qtbot, view, lambda: view.set_range_kind("last_week"))
    assert (report.range.first, report.range.last) == (MONDAY - dt.timedelta(7),
                                                      MONDAY - dt.timedelta(1))
    # Only the Sunday-night entry's first two hours fall into last week.
    assert report.total_seconds == 2 * H
    report = shown(qtbot, view, lambda: view.set_range_kind("this_month"))
    assert (report.range.first, report.range.last) == (dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    report = shown(qtbot, view, lambda: view.shift(-1))
    assert (report.range.first, report.range.last) == (dt.date(2024, 4, 1), dt.date(2024, 4, 30))
    assert view.range_kind() == "custom"
    assert report.total_seconds == 0
    assert view.table.rowCount() == 0
    report = shown(qtbot, view, lambda: view.shift(1))
    assert report.range.last == dt.date(2024, 5, 31)


def test_reversed_custom_range_shows_the_core_error(qtbot: QtBot, app: App) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    view.set_custom_range(MONDAY, MONDAY - dt.timedelta(3))
    assert "ends" in view.status_label.text() and "before it starts" in view.status_label.text()


def test_report_runs_off_the_ui_thread(qtbot: QtBot, app: App) -> None:
    threads: list[int] = []
    original = app.reports.report

    def spy(*args: object, **kwargs: object) -> Report:
        threads.append(threading.get_ident())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    app.reports.report = spy  # type: ignore[method-assign]
    view = ReportsView(app)
    qtbot.addWidget(view)
    shown(qtbot, view, view.refresh)
    assert threads and threading.get_ident() not in threads


def test_export_csv_and_json_of_the_range(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    view.set_custom_range(MONDAY, MONDAY + dt.timedelta(1))
    target = tmp_path / "week.csv"
    with qtbot.waitSignal(view.exportDone, timeout=10_000) as blocker:
        view.export_to(target, "csv")
    # Monday..Tuesday overlaps 6 entries (incl. Sunday night and Tuesday night ones).
    assert blocker.args == [str(target), 6]
    with target.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 6
    assert "Exported 6 entries" in view.status_label.text()
    target_json = tmp_path / "week.json"
    with qtbot.waitSignal(view.exportDone, timeout=10_000):
        view.export_to(target_json, "json")
    assert len(json.loads(target_json.read_text(encoding="utf-8"))["entries"]) == 6


def test_large_export_shows_progress_dialog(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    bulk_entries(app, 12_000, MONDAY - dt.timedelta(days=1100))
    view = ReportsView(app)
    qtbot.addWidget(view)
    view.set_custom_range(MONDAY - dt.timedelta(days=1100), MONDAY)
    target = tmp_path / "big.csv"
    seen: list[tuple[int, int, bool, int]] = []
    job = view.export_to(target, "csv")

    def record(done: int, total: int) -> None:  # runs after the view's own progress slot
        dialog = view.progress_dialog()
        assert dialog is not None
        seen.append((done, total, dialog.isVisible(), dialog.maximum()))

    job.progress.connect(record)
    with qtbot.waitSignal(view.exportDone, timeout=20_000) as blocker:
        pass
    total = 12_000 + 3  # the bulk entries + Sunday night and the two Monday entries
    assert blocker.args == [str(target), total]
    assert len(seen) >= 2
    assert all(t == total and visible and maximum == total for _d, t, visible, maximum in seen)
    done = [d for d, _t, _v, _m in seen]
    assert done == sorted(done) and 0 < done[-1] <= total
    assert view.progress_dialog() is None  # closed at the end


def test_cancelled_export_leaves_no_file(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    bulk_entries(app, 3_000, MONDAY - dt.timedelta(days=300))
    view = ReportsView(app)
    qtbot.addWidget(view)
    view.set_custom_range(MONDAY - dt.timedelta(days=300), MONDAY)
    target = tmp_path / "big.csv"
    finished: list[object] = []
    job = view.export_to(target, "csv")
    job.finished.connect(finished.append)
    dialog = view.progress_dialog()
    assert dialog is not None
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    cancel.click()  # wherever the worker is, the result must be: no file, nothing delivered
    with qtbot.waitSignal(view.exportDone, timeout=10_000) as blocker:
        pass
    assert blocker.args == [str(target), -1]
    assert finished == []
    assert not target.exists()
    assert list(tmp_path.glob(".big.csv*")) == []
    assert "cancelled" in view.status_label.text()
    assert view.export_button.isEnabled()


# -- percentages, colours, column widths, invalid ranges (review fixes) ----------------------------

def dot_colour(view: ReportsView, row: int) -> str:
    """The colour (``#rrggbb``) of the dot in a table row's name cell."""
    item = view.table.item(row, 0)
    image = item.icon().pixmap(QSize(12, 12)).toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2).name()


def test_tag_shares_are_of_the_tracked_time_and_say_so(qtbot: QtBot, app: App) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    shown(qtbot, view, lambda: view.set_range_kind("this_month"))
    assert not view.breakdown_note.isVisibleTo(view)  # projects split the time: no note
    report = shown(qtbot, view, lambda: view.set_group_by("tag"))
    core = app.reports.report(named_range("this_month", app.clock(), app.timezone), "tag")
    assert [(r.label, r.seconds) for r in report.rows] == [(r.label, r.seconds) for r in core.rows]
    # The Tue-night entry has two tags (client-work, overtime): the rows overlap.
    assert sum(r.seconds for r in core.rows) == core.total_seconds + 3 * H
    shares = view.breakdown_chart.shares()
    assert shares == [round(100 * r.seconds / core.total_seconds) for r in core.rows]
    client_work = next(r for r in core.rows if r.label == "client-work")
    assert client_work.seconds == 18 * H
    # 18 h of the 41:10 h tracked, not of the rows' 44:10 h sum (41%).
    assert core.total_seconds == int(41 * H + 600)
    assert shares[0] == round(100 * 18 * H / core.total_seconds) == 44
    assert sum(shares) > 100
    assert view.breakdown_note.isVisibleTo(view)
    assert "several tags counts for each" in view.breakdown_note.text()
    assert "client-work: 18:00 h (44%)" in view.breakdown_chart.accessibleDescription()
    shown(qtbot, view, lambda: view.set_group_by("task"))
    assert not view.breakdown_note.isVisibleTo(view)


@pytest.mark.parametrize("group", ["project", "client", "task"])
def test_partition_shares_add_up_to_the_whole(qtbot: QtBot, app: App, group: str) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    view.set_group_by(group)
    shown(qtbot, view, view.refresh)
    core = app.reports.report(view.current_range(), group)
    # Each entry has one project/client/task: the rows split the total exactly.
    assert sum(r.seconds for r in core.rows) == core.total_seconds
    assert view.breakdown_chart.shares() == \
        [round(100 * r.seconds / core.total_seconds) for r in core.rows]
    assert 98 <= sum(view.breakdown_chart.shares()) <= 102  # rounding only


def test_none_bucket_is_grey_in_chart_and_table(qtbot: QtBot, app: App) -> None:
    app.entries.add(at(MONDAY, 18), at(MONDAY, 19), project=None, description="Work")
    view = ReportsView(app)
    qtbot.addWidget(view)
    report = shown(qtbot, view, view.refresh)
    labels = [r.label for r in report.rows]
    none = labels.index("(no project)")
    grey = muted_color(view.palette()).name()
    assert view.breakdown_chart.colors()[none].name() == grey
    assert dot_colour(view, none) == grey
    website = labels.index("Website relaunch")  # its own colour, the fallback list's first
    assert view.breakdown_chart.colors()[website] == QColor("#4F7DF3")
    # Clients have no colours: fallbacks, none of them grey; "(no client)" grey.
    report = shown(qtbot, view, lambda: view.set_group_by("client"))
    colours = view.breakdown_chart.colors()
    assert "(no client)" in [r.label for r in report.rows]
    for r, (row, colour) in enumerate(zip(report.rows, colours, strict=True)):
        assert dot_colour(view, r) == colour.name()  # the table's dots: the chart's colours
        if row.label == "(no client)":
            assert colour.name() == grey
        else:
            assert colour.name().upper() in FALLBACK_COLORS
    # Dark theme: the table's grey follows the palette.
    dark = theme.palette(theme.THEMES["dark"])
    view.setPalette(dark)
    QApplication.processEvents()
    none = [r.label for r in report.rows].index("(no client)")
    assert dot_colour(view, none) == muted_color(dark).name() != grey


def test_colour_contrast_follows_wcag() -> None:
    black, white = QColor("#000000"), QColor("#FFFFFF")
    assert contrast_ratio(black, white) == pytest.approx(21.0)
    assert contrast_ratio(white, black) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("#777777")) == pytest.approx(1.0)
    # WCAG's example pair: #767676 on white is just above 4.5:1
    assert contrast_ratio(QColor("#767676"), white) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_project_colours_that_would_vanish_get_a_ring(name: str) -> None:
    colours = theme.THEMES[name]
    surface, text = QColor(colours.window), QColor(colours.text)
    for vivid in FALLBACK_COLORS:  # the colours rows get by default stand out on both themes
        assert outline_for(QColor(vivid), surface, text) is None
    hidden = QColor("#1A1A20") if name == "dark" else QColor("#F8F8FA")
    ring = outline_for(hidden, surface, text)
    assert ring is not None
    assert contrast_ratio(ring, surface) > 2 * contrast_ratio(hidden, surface)


def test_a_dark_project_colour_is_outlined_in_the_dark_chart_and_table(
        qtbot: QtBot, app: App) -> None:
    dark = theme.THEMES["dark"]
    navy = "#18181E"  # nearly the dark theme's window colour
    chart = BreakdownChart()
    qtbot.addWidget(chart)
    chart.setPalette(theme.palette(dark))
    chart.resize(480, 120)
    chart.set_slices([Slice("Night shift", 3 * H, navy), Slice("Website", 2 * H, "#4F7DF3")])
    image = chart.grab().toImage()
    ring = outline_for(QColor(navy), QColor(dark.window), QColor(dark.text))
    assert ring is not None

    def near(colour: QColor, target: QColor) -> bool:
        return max(abs(colour.red() - target.red()), abs(colour.green() - target.green()),
                   abs(colour.blue() - target.blue())) <= 12

    ratio = image.devicePixelRatio()
    row_mid = round((4 + BreakdownChart.ROW_HEIGHT / 2) * ratio)
    # the first row's bar: its ring is drawn along its top and bottom edges
    column = [image.pixelColor(round(chart.width() * 0.5 * ratio), y)
              for y in range(row_mid - round(8 * ratio), row_mid + round(8 * ratio))]
    assert any(near(c, ring) for c in column), "the dark bar has no visible edge"
    assert any(near(c, QColor(navy)) for c in column)  # filled with its own colour
    # the second row's bright bar needs no ring
    second = row_mid + round(BreakdownChart.ROW_HEIGHT * ratio)
    column = [image.pixelColor(round(chart.width() * 0.3 * ratio), y)
              for y in range(second - round(8 * ratio), second + round(8 * ratio))]
    assert not any(near(c, ring) for c in column)
    # the table's dot for such a project: a ring around the colour
    edge = outline_for(QColor(navy), QColor(dark.base), QColor(dark.text))
    assert edge is not None
    dot = color_dot(navy, 12, edge.name()).pixmap(QSize(12, 12)).toImage()
    assert near(dot.pixelColor(6, 6), QColor(navy))
    assert any(near(dot.pixelColor(x, 6), edge) for x in range(0, 4))


def test_dots_on_fields_and_lists_follow_the_theme(themed: theme.Theme) -> None:
    navy = "#18181E"
    edge = outline_on_base(navy)
    assert (edge is not None) == themed.dark  # invisible on the dark theme only
    assert outline_on_base(None) is None


def test_fallback_colours_skip_colours_rows_already_have() -> None:
    grey = QColor("#808080")
    colours = slice_colors([Slice("Website", 10, "#4F7DF3"), Slice("Plain", 8),
                            Slice("(no project)", 5, none=True), Slice("Near", 4, "#31A56D"),
                            Slice("Other", 2)], grey)
    assert colours[0] == QColor("#4F7DF3") and colours[2] == grey
    # Neither blue (Website's) nor green (close to Near's own #31A56D) is handed out again.
    assert [c.name().upper() for c in (colours[1], colours[4])] == ["#F76B15", "#8E4EC6"]


def test_names_get_the_room_and_numbers_fit_their_contents(qtbot: QtBot, app: App) -> None:
    app.catalog.add_project("Research and development")
    app.entries.add(at(MONDAY, 18), at(MONDAY, 19), project="Research and development",
                    description="Work")
    view = ReportsView(app)
    qtbot.addWidget(view)
    view.resize(740, 700)  # the view inside the smallest main window
    view.show()
    qtbot.waitExposed(view)
    report = shown(qtbot, view, lambda: view.set_range_kind("this_month"))
    QApplication.processEvents()
    table = view.table
    header = table.horizontalHeader()
    assert "Research and development" in [r.label for r in report.rows]
    assert table.columnWidth(0) >= table.sizeHintForColumn(0)  # no name is cut
    for column in (1, 2, 3):
        assert header.sectionSize(column) == max(table.sizeHintForColumn(column),
                                                 header.sectionSizeHint(column))
    # Several currencies stack, so the Amount column is far narrower than "€… · $…".
    assert table.item(table.rowCount() - 1, 3).text() == amounts_label(report.amounts, "\n")
    one_line = QFontMetrics(table.font()).horizontalAdvance(amounts_label(report.amounts))
    assert header.sectionSize(3) < one_line
    # Wide enough: the name column takes the spare room, numbers stay at their contents.
    view.resize(1100, 760)
    QApplication.processEvents()
    assert table.columnWidth(0) > table.sizeHintForColumn(0)
    assert header.sectionSize(3) == max(table.sizeHintForColumn(3), header.sectionSizeHint(3))


def test_invalid_custom_range_clears_the_figures(qtbot: QtBot, app: App) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    shown(qtbot, view, lambda: view.set_custom_range(MONDAY, MONDAY + dt.timedelta(4)))
    assert view.total_figure.value.text() != "—" and view.table.rowCount() > 0
    view.refresh()  # a report in flight when the range turns invalid must not come back
    view.to_edit.setDate(QDate(2024, 5, 10))  # before the start, 13 May
    assert wait_for_all()
    QApplication.processEvents()
    assert view.report() is None
    assert "before it starts" in view.status_label.text()
    assert view.range_label.text() == ""
    for figure in (view.total_figure, view.billable_figure, view.amount_figure,
                   view.average_figure):
        assert figure.value.text() == "—"
    assert view.table.rowCount() == 0
    assert view.breakdown_chart.slices() == [] and view.daily_chart.days() == []
    assert "end date" in view.daily_chart.accessibleDescription()
    # Fixed again: the report for the new dates.
    report = shown(qtbot, view, lambda: view.to_edit.setDate(QDate(2024, 5, 14)))
    assert (report.range.first, report.range.last) == (MONDAY, MONDAY + dt.timedelta(1))
    assert view.total_figure.value.text() == duration_label(report.total_seconds)


def test_a_short_window_scrolls_the_report_instead_of_squeezing_its_chart(
        qtbot: QtBot, app: App) -> None:
    view = ReportsView(app)
    qtbot.addWidget(view)
    view.resize(760, 420)
    view.show()
    shown(qtbot, view, view.refresh)
    QApplication.processEvents()
    assert view.daily_chart.height() >= view.daily_chart.minimumHeight() == 180
    scroller = view.findChild(QScrollArea, "reportsScroll")
    assert scroller is not None and scroller.verticalScrollBar().maximum() > 0
    assert scroller.horizontalScrollBar().maximum() == 0


def test_long_ranges_are_drawn_per_week_or_month(qtbot: QtBot, app: App) -> None:
    from timetracker.ui.charts import period_bars

    first = dt.date(2024, 1, 1)  # a Monday
    days = [(first + dt.timedelta(days=i), 3600) for i in range(366)]
    unit, bars = period_bars(days[:30])
    assert unit == "day" and len(bars) == 30
    unit, bars = period_bars(days[:70])
    assert unit == "week" and len(bars) == 10
    assert bars[0] == (first, first + dt.timedelta(days=6), 7 * 3600)
    unit, bars = period_bars(days[2:72], week_start=6)  # weeks from Sunday; from Wed 3 Jan
    assert bars[0] == (dt.date(2024, 1, 3), dt.date(2024, 1, 6), 4 * 3600)  # cut to the range
    assert bars[1][0] == dt.date(2024, 1, 7) and bars[1][0].weekday() == 6
    unit, bars = period_bars(days)
    assert unit == "month" and len(bars) == 12
    assert bars[1] == (dt.date(2024, 2, 1), dt.date(2024, 2, 29), 29 * 3600)
    assert sum(secs for _f, _l, secs in bars) == 366 * 3600
    # the view: "This year" shows months, titled so
    view = ReportsView(app)
    qtbot.addWidget(view)
    shown(qtbot, view, lambda: view.set_range_kind("this_year"))
    assert view.daily_chart.unit == "month" and view.daily_title.text() == "Hours per month"
    assert sum(s for _f, _l, s in view.daily_chart.bars()) == \
        sum(s for _d, s in view.daily_chart.days())
    shown(qtbot, view, lambda: view.set_range_kind("this_week"))
    assert view.daily_title.text() == "Hours per day"
