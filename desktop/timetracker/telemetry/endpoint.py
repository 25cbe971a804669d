"""Where events go: the PostHog host and project key.

Resolution order: ``TIMETRACKER_POSTHOG_API_KEY`` / ``TIMETRACKER_POSTHOG_HOST``, then a
self-hosted endpoint configured by the user (host in ``endpoint.json``, key only in the OS
keyring through ``keyring``), then the defaults embedded by release builds. A dev build has none:
events then stay in the local outbox. A host that is not loopback must use https.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from timetracker import build_info
from timetracker.core.atomic import atomic_write_bytes

KEY_ENV = "TIMETRACKER_POSTHOG_API_KEY"
HOST_ENV = "TIMETRACKER_POSTHOG_HOST"
KEYRING_SERVICE = "timetracker-telemetry"


class EndpointError(ValueError):
    """A host that may not be used (not https and not loopback, or malformed)."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    api_key: str
    #: "environment", "keyring", "build" or "none".
    source: str
    problem: str = ""

    @property
    def usable(self) -> bool:
        return bool(self.host and self.api_key and not self.problem)

    @property
    def fingerprint(self) -> str:
        """Identifies host+key without revealing the key (for the 401/403 pause)."""
        digest = hashlib.sha256(f"{self.host}\n{self.api_key}".encode()).hexdigest()
        return digest[:16]

    def describe(self) -> str:
        if self.problem:
            return f"not sending: {self.problem}"
        if not self.usable:
            return ("no analytics host configured — this copy was built without one, so "
                    "events stay in the local outbox on this computer and are never sent")
        return f"{self.host} ({self.source})"


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(url: str) -> str:
    """The normalised host URL, or ``EndpointError`` saying why it cannot be used."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"'{text}' is not an http(s) URL such as https://eu.i.posthog.com")
    if parts.scheme != "https" and not is_loopback(parts.hostname):
        raise EndpointError(f"'{text}' must use https (plain http is only allowed for "
                            "127.0.0.1/localhost)")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise EndpointError(f"'{text}' must not carry credentials, a query or a fragment")
    return text


class EndpointStore:
    """The user-configured self-hosted endpoint: host in a file, key in the OS keyring.

    The key read from the keyring is remembered while the endpoint file is unchanged (the
    privacy pane asks for the status every two seconds; some keyrings prompt or are slow).
    Saving an endpoint — here or in another process — rewrites the file, so the key is read
    again; a failed read is never remembered.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._remembered: tuple[tuple[str, int, int], str] | None = None

    def stored_host(self) -> str:
        try:
            return str(json.loads(self.path.read_text(encoding="utf-8")).get("host", ""))
        except (OSError, ValueError, AttributeError):
            return ""

    def configure(self, host: str, api_key: str) -> str:
        import keyring

        clean = check_host(host)
        if not api_key.strip():
            raise EndpointError("the project API key is empty")
        keyring.set_password(KEYRING_SERVICE, clean, api_key.strip())
        atomic_write_bytes(self.path, json.dumps({"host": clean}).encode("utf-8"))
        return clean

    def clear(self) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        host = self.stored_host()
        if host:
            with contextlib.suppress(PasswordDeleteError, KeyringError):
                keyring.delete_password(KEYRING_SERVICE, host)
        self.path.unlink(missing_ok=True)

    def read_key(self, host: str) -> tuple[str, str]:
        """(key, problem) from the keyring."""
        try:
            stat = self.path.stat()
            version: tuple[str, int, int] | None = (host, stat.st_mtime_ns, stat.st_ino)
        except OSError:
            version = None
        if version is not None and self._remembered is not None \
                and self._remembered[0] == version:
            return self._remembered[1], ""
        import keyring
        from keyring.errors import KeyringError

        try:
            key = keyring.get_password(KEYRING_SERVICE, host) or ""
        except KeyringError as exc:
            return "", f"the OS keyring is not available ({type(exc).__name__})"
        self._remembered = (version, key) if version is not None else None
        return key, ""


def resolve_endpoint(environ: Mapping[str, str], store: EndpointStore) -> Endpoint:
    env_key = environ.get(KEY_ENV, "").strip()
    env_host = environ.get(HOST_ENV, "").strip()
    if env_key or env_host:
        host = env_host or build_info.POSTHOG_HOST
        key = env_key or build_info.POSTHOG_API_KEY
        return _checked(host, key, "environment")
    stored = store.stored_host()
    if stored:
        key, problem = store.read_key(stored)
        endpoint = _checked(stored, key, "keyring")
        if problem:
            return Endpoint(endpoint.host, "", "keyring", problem)
        return endpoint
    if build_info.POSTHOG_API_KEY and build_info.POSTHOG_HOST:
        return _checked(build_info.POSTHOG_HOST, build_info.POSTHOG_API_KEY, "build")
    return Endpoint("", "", "none")


def _checked(host: str, key: str, source: str) -> Endpoint:
    if not host or not key:
        return Endpoint(host, key, source, "the analytics host or key is missing")
    try:
        return Endpoint(check_host(host), key, source)
    except EndpointError as exc:
        return Endpoint(host, key, source, str(exc))
