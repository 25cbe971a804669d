"""New projects' colours (the rest of the catalog is covered with the entries and CLI tests)."""

from __future__ import annotations

from timetracker.app import App
from timetracker.core.catalog import PALETTE


def test_a_new_project_gets_a_colour_no_active_project_has(app: App) -> None:
    cat = app.catalog
    cat.add_project("Research", color=PALETTE[1])  # chosen by hand
    colors = [cat.add_project(f"P{i}").color for i in range(len(PALETTE) - 1)]
    assert PALETTE[1] not in colors  # the hand-picked one is not handed out again …
    assert len(set(colors)) == len(colors)  # … nor any twice while the palette lasts
    cat.archive_project("P0")  # an archived project's colour is free again
    assert cat.add_project("Next").color == colors[0]


def test_a_new_project_gets_the_palette_colour_least_like_those_in_use(app: App) -> None:
    from timetracker.core.catalog import color_distance

    cat = app.catalog
    cat.add_project("Globex", color="#2FA36B")  # a hand-picked green, not the palette's
    new = cat.add_project("Wayne").color
    assert color_distance(new, "#2FA36B") > 150  # not the palette's green next to it
    # the palette's hues are far apart from each other
    assert min(color_distance(a, b) for a in PALETTE for b in PALETTE if a != b) > 100
