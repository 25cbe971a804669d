"""One window per data folder: a second launch asks the first to show itself, then exits.

The first instance holds a :class:`QLockFile` in the data folder and listens on a
:class:`QLocalServer` whose name is derived from that folder (so separate TIMETRACKER_HOMEs —
tests, portable installs — do not see each other). A later launch fails to take the lock,
connects, sends ``show`` and exits. A lock left by a crashed process is taken over (QLockFile
checks whether its owner still lives). The CLI never takes this lock, so it runs alongside.
"""

from __future__ import annotations

import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDeadlineTimer, QLockFile, QObject, Signal

if TYPE_CHECKING:  # QtNetwork is imported once the window is shown (start-up time)
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

MESSAGE = b"show\n"


def server_name(data_dir: Path) -> str:
    """The socket name for ``data_dir``: a 64-bit checksum of its path (zlib's, already loaded
    at start-up; hashlib would load OpenSSL first)."""
    path = str(Path(data_dir).resolve()).encode("utf-8")
    return f"timetracker-{zlib.crc32(path):08x}{zlib.adler32(path):08x}"


class SingleInstance(QObject):
    #: another launch asked this instance to show its window
    activation_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.name = server_name(self.data_dir)
        self.lock = QLockFile(str(self.data_dir / "window.lock"))
        self.lock.setStaleLockTime(0)  # only a dead owner makes the lock stale
        self.server: QLocalServer | None = None

    def acquire(self, listen: bool = True) -> bool:
        """True when this is the first instance; False when one runs. ``listen=False`` only
        takes the lock: the launcher calls :meth:`listen` once its window is shown (a second
        launch in between keeps trying to connect until then)."""
        if not self.lock.tryLock(200):
            return False
        if listen:
            self.listen()
        return True

    def listen(self) -> None:
        """Answer later launches (call once, after :meth:`acquire`)."""
        from PySide6.QtNetwork import QLocalServer

        if self.server is not None:
            return
        QLocalServer.removeServer(self.name)  # a socket file left by a crash
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            raise OSError(f"cannot listen for other launches: {server.errorString()}")
        server.newConnection.connect(self._on_connection)
        self.server = server

    def _on_connection(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        data = bytes(socket.readAll().data())
        if MESSAGE.strip() in data:
            self.activation_requested.emit()
            socket.write(b"ok\n")
            socket.flush()

    def ask_running_instance(self, timeout_ms: int = 3000) -> bool:
        """Ask the running instance to show its window; True when it answered.

        Connecting is retried until ``timeout_ms``: the first instance takes its lock before
        building its window but listens only once the window is shown."""
        from PySide6.QtNetwork import QLocalSocket

        deadline = QDeadlineTimer(timeout_ms)
        while True:
            socket = QLocalSocket()
            socket.connectToServer(self.name)
            if socket.waitForConnected(max(1, int(deadline.remainingTime()))):
                break
            if deadline.hasExpired():
                return False
            time.sleep(0.05)
        socket.write(MESSAGE)
        socket.flush()
        answered = socket.waitForReadyRead(max(timeout_ms, 10_000))
        socket.disconnectFromServer()
        return answered

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.unlock()
