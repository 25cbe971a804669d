"""The privacy guard every log line passes through before it is written anywhere.

Privacy is a hard rule: no names, descriptions, tags, paths, hostnames, usernames, emails or
secrets in any log line. Callers are expected not to log such values; this filter makes the rule
hold even when one slips through:

* ``%``-style arguments that are strings (or any object that is not a number, bool, None or an
  :class:`enum.Enum`) are never interpolated: they appear as ``[redacted]``. Wrap a value that is a
  known enum-like token in :func:`safe` to show it (the token is checked).
* Structured extras whose key names personal data (``description``, ``email``, ``path``, …) are
  redacted; string extras must look like tokens (``timer.started``, ``basic``, ``0.1.0``).
* Anything that looks like an email address, a home-folder path, a bearer token or a PostHog key,
  and every configured secret value, is replaced wherever it appears (message, extras, errors).
* Exceptions keep their type and a stack of ``module:function:line`` frames; their message is
  scrubbed the same way (quoted fragments are removed, as error messages quote user input).
"""

from __future__ import annotations

import enum
import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

REDACTED = "[redacted]"

#: Extras with these key names (or containing these words) are always redacted.
SENSITIVE_KEY_WORDS = (
    "description", "name", "email", "mail", "path", "file", "dir", "folder", "host", "user",
    "tag", "note", "title", "client", "project", "task", "password", "passwd", "secret", "token",
    "api_key", "apikey", "authorization", "cookie", "key", "query", "text", "url",
)
#: Keys that contain a sensitive word but are known to hold safe values.
SAFE_KEYS = frozenset({
    "event", "session_id", "app_version", "level", "logger", "message", "timestamp",
    "exc_type", "stack", "duration_seconds", "count", "status", "result", "reason", "operation",
    "front_end", "environment", "deployment_method", "port", "attempt", "events", "bytes",
    "entry_count", "key_count", "flag_count", "event_name", "flag_key", "variant",
    "consent_level", "exc_message",
})
_TOKEN = re.compile(r"^[A-Za-z0-9_.:+\-]{0,64}$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_POSTHOG_KEY = re.compile(r"\bph[cx]_[A-Za-z0-9]{8,}")
_BEARER = re.compile(r"(?i)\b(bearer|token|api[_-]?key|password|secret)([\s:=\"']+)[^\s,;\"']+")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|«[^»\n]*»|“[^”\n]*”")
#: Absolute paths (two or more segments) and Windows drive paths: file names are personal.
_POSIX_PATH = re.compile(r"(?<![\w.:/])(?:~|/)[^\s'\"/]*(?:/[^\s'\"/]+)+/?")
_WIN_PATH = re.compile(r"\b[A-Za-z]:\\[^\s'\"]*")


class Safe(str):
    """A string a caller vouches for as a non-personal token (enum value, state name)."""


def safe(value: str) -> Safe:
    """Mark ``value`` as a loggable token; raises ValueError when it is not token-shaped."""
    if not _TOKEN.match(value):
        raise ValueError("only short tokens such as 'timer.started' may be marked safe")
    return Safe(value)


class Scrubber:
    """Redacts personal data and secrets from text and structured values."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        for secret in secrets:
            self.add_secret(secret)
        home = os.path.expanduser("~")
        self._home = home if home not in ("", "~", "/") else ""

    def add_secret(self, secret: str | None) -> None:
        """Never write ``secret`` (e.g. a configured API key) into a log line."""
        if secret and len(secret.strip()) >= 4 and secret not in self._secrets:
            self._secrets.append(secret)
            self._secrets.sort(key=len, reverse=True)

    def text(self, value: str) -> str:
        """Scrub free text that is allowed to appear (messages we wrote, error text)."""
        for secret in self._secrets:
            value = value.replace(secret, REDACTED)
        value = _POSTHOG_KEY.sub(REDACTED, value)
        value = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", value)
        value = _EMAIL.sub(REDACTED, value)
        if self._home:
            value = value.replace(self._home, REDACTED)
        value = _WIN_PATH.sub(REDACTED, value)
        return _POSIX_PATH.sub(REDACTED, value)

    def error_text(self, value: str) -> str:
        """Error messages quote user input ('No project named "x"'): drop quoted parts too."""
        return self.text(_QUOTED.sub(REDACTED, value))

    def value(self, key: str, value: Any) -> Any:
        """A structured extra, kept only when it cannot carry personal data."""
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, enum.Enum):
            return self.value(key, value.value)
        if key_is_sensitive(key):
            return REDACTED
        if isinstance(value, Safe):
            return str(value)
        if isinstance(value, str):
            cleaned = self.text(value)
            return cleaned if _TOKEN.match(cleaned) else REDACTED
        if isinstance(value, Mapping):
            return {str(k): self.value(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.value(key, v) for v in value]
        if isinstance(value, Path):
            return REDACTED
        return REDACTED


def key_is_sensitive(key: str) -> bool:
    lowered = key.lower()
    if lowered in SAFE_KEYS:
        return False
    return any(word in lowered for word in SENSITIVE_KEY_WORDS)


def _safe_arg(arg: Any) -> Any:
    if arg is None or isinstance(arg, bool | int | float):
        return arg
    if isinstance(arg, Safe):
        return str(arg)
    if isinstance(arg, enum.Enum):
        value = arg.value
        return value if isinstance(value, int | float) else _safe_arg(safe(str(value)))
    return REDACTED


#: Attributes every LogRecord has; anything else on a record is a structured extra.
STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime",
                                                                  "taskName"}


class ScrubFilter(logging.Filter):
    """Handler filter: makes the record safe to format. Never drops a record."""

    def __init__(self, scrubber: Scrubber) -> None:
        super().__init__()
        self.scrubber = scrubber

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_tt_scrubbed", False):
            return True
        msg = record.msg if isinstance(record.msg, str) else REDACTED
        args = record.args
        if isinstance(args, Mapping):
            args = {k: _safe_arg(v) for k, v in args.items()}
        elif isinstance(args, tuple):
            args = tuple(_safe_arg(a) for a in args)
        try:
            message = msg % args if args else msg
        except (TypeError, ValueError, KeyError):
            message = msg
        record.msg = self.scrubber.text(message)
        record.args = None
        for key in [k for k in record.__dict__ if k not in STANDARD_ATTRS]:
            if key.startswith("_tt_"):
                continue
            record.__dict__[key] = self.scrubber.value(key, record.__dict__[key])
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.__dict__["exc_type"] = type(exc).__name__
            record.__dict__["exc_message"] = self.scrubber.error_text(str(exc))
            record.__dict__["stack"] = _frames(exc)
            record.exc_info = None
            record.exc_text = None
        record.stack_info = None
        record._tt_scrubbed = True
        return True


def _frames(exc: BaseException) -> list[str]:
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        module = str(tb.tb_frame.f_globals.get("__name__", "?"))
        frames.append(f"{module}:{code.co_name}:{tb.tb_lineno}")
        tb = tb.tb_next
    return frames[-20:]
