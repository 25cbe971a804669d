"""The docs hold together: every relative link in README.md and docs/**/*.md points at a file
that exists, and every page under docs/ can be reached from docs/index.md by following links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
INDEX = DOCS / "index.md"

#: ``[text](target)`` / ``![alt](target "title")`` and ``[label]: target`` definitions.
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)=["']([^"']+)["']""", re.IGNORECASE)
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"`[^`]*`")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]


def links(path: Path) -> list[tuple[int, str]]:
    """(line number, target) of every link in ``path``, outside code blocks and code spans."""
    found: list[tuple[int, str]] = []
    in_fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        text = CODE_SPAN.sub("", line)
        for pattern in (INLINE_LINK, REFERENCE_LINK, HTML_LINK):
            found += [(number, m.group(1)) for m in pattern.finditer(text)]
    return found


def local_target(source: Path, target: str) -> Path | None:
    """The file a relative link points at, or None for external and same-page links."""
    if EXTERNAL.match(target) or target.startswith("#"):
        return None
    path = target.split("#", 1)[0].split("?", 1)[0]
    return (source.parent / path).resolve()


def broken_links(source: Path) -> list[str]:
    problems = []
    for number, target in links(source):
        resolved = local_target(source, target)
        if resolved is not None and not resolved.is_file():
            where = source.relative_to(REPO)
            problems.append(f"{where}:{number}: link to {target!r} does not resolve to a file")
    return problems


def reachable_from(start: Path) -> set[Path]:
    """Every markdown file reachable from ``start`` following relative links."""
    seen = {start.resolve()}
    todo = [start.resolve()]
    while todo:
        page = todo.pop()
        for _number, target in links(page):
            resolved = local_target(page, target)
            if (resolved is not None and resolved.suffix == ".md" and resolved.is_file()
                    and resolved not in seen):
                seen.add(resolved)
                todo.append(resolved)
    return seen


@pytest.mark.parametrize("source", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(source: Path) -> None:
    assert broken_links(source) == []


def test_every_docs_page_is_reachable_from_the_index() -> None:
    reachable = reachable_from(INDEX)
    missing = [str(p.relative_to(REPO)) for p in sorted(DOCS.rglob("*.md"))
               if p.resolve() not in reachable]
    assert missing == [], f"not reachable from docs/index.md: {missing}"


def test_the_checker_catches_a_broken_link_and_an_orphan_page(tmp_path: Path) -> None:
    # The checks above must be able to fail: a broken link, a directory link and an orphan.
    (tmp_path / "index.md").write_text(
        "[ok](page.md#part) [gone](missing.md) [folder](sub/) `[code](nope.md)`\n"
        "```\n[fenced](nope.md)\n```\n[web](https://example.com) [here](#top)\n",
        encoding="utf-8")
    (tmp_path / "page.md").write_text("back to [index](index.md)\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "orphan.md").write_text("# nobody links here\n", encoding="utf-8")
    targets = [t for _n, t in links(tmp_path / "index.md")]
    assert targets == ["page.md#part", "missing.md", "sub/", "https://example.com", "#top"]
    resolved = [local_target(tmp_path / "index.md", t) for t in targets]
    assert [r is not None and r.is_file() for r in resolved] == [True, False, False, False,
                                                                 False]
    assert resolved[3:] == [None, None]
    reachable = reachable_from(tmp_path / "index.md")
    assert (tmp_path / "page.md").resolve() in reachable
    assert (tmp_path / "orphan.md").resolve() not in reachable
