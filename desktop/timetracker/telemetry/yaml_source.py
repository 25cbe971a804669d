"""Reading a declaration file (events.yaml, flags.yaml) so errors can name file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # PyYAML is imported on first parse: a cached registry never needs it
    import yaml


def yaml_loader() -> Any:
    """libyaml's safe loader when PyYAML has it (10x faster than the pure-Python one)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSource:
    """A parsed YAML mapping plus the line of every key, for ``file:line: field: problem``."""

    def __init__(self, text: str, source: Path | str, error: type[Exception],
                 what: str) -> None:
        self.where = str(source)
        self.error = error
        import yaml

        loader = yaml_loader()
        try:
            root = yaml.compose(text, Loader=loader)
            data = yaml.load(text, Loader=loader)  # safe: yaml_loader() is a safe loader
        except yaml.YAMLError as exc:
            raise error(f"{self.where}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict) or root is None:
            raise error(f"{self.where}:1: the {what} must be a mapping")
        self.data: dict[str, Any] = data
        self.lines = _line_index(root)

    def line(self, path: tuple[str, ...]) -> int:
        return self.lines.get(path, 0)

    def fail(self, path: tuple[str, ...], message: str) -> Exception:
        """The error for ``path``, at its own line or the nearest enclosing key's."""
        line = next((self.lines[path[:n]] for n in range(len(path), 0, -1)
                     if path[:n] in self.lines), 1)
        return self.error(f"{self.where}:{line}: {'.'.join(path)}: {message}")


def _line_index(root: yaml.Node) -> dict[tuple[str, ...], int]:
    """1-based line of every mapping key, by its path of keys."""
    import yaml

    found: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                found[child] = key.start_mark.line + 1
                walk(value, child)

    walk(root, ())
    return found
