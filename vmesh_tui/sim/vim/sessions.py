"""Login sessions of one endpoint, keyed by the vmware_soap_session cookie."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import threading
import uuid
from dataclasses import dataclass, field

from pyVmomi import vim

from vmesh_tui.sim.vim.collectors import Collectors

COOKIE = "vmware_soap_session"
_COOKIE_VALUE = re.compile(COOKIE + r'="?([^";,\s]+)')
INVALID_LOGIN = "Cannot complete login due to an incorrect user name or password."


@dataclass
class Session:
    key: str
    user: str
    login_time: dt.datetime
    views: set[str] = field(default_factory=set)  # views, collectors and filters, removed at logout
    collectors: Collectors = field(default_factory=Collectors)

    @property
    def set_cookie(self) -> str:
        """The Set-Cookie header value that hands this session to the client."""
        return f'{COOKIE}="{self.key}"; Path=/; HttpOnly; Secure;'

    def user_session(self) -> vim.UserSession:
        return vim.UserSession(
            key=self.key, userName=self.user, fullName=self.user, loginTime=self.login_time,
            lastActiveTime=dt.datetime.now(dt.timezone.utc), locale="en", messageLocale="en",
            extensionSession=False, ipAddress="127.0.0.1", userAgent="", callCount=0,
        )  # fmt: skip


class SessionTable:
    """Thread-safe sessions; credentials are compared in constant time and never stored."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def for_cookie(self, cookie_header: str | None) -> Session | None:
        match = _COOKIE_VALUE.search(cookie_header or "")
        if match is None:
            return None
        with self._lock:
            return self._sessions.get(match.group(1))

    def login(self, user: str, password: str, expected_user: str, expected_password: str) -> Session | None:
        """A new session when the credentials match, else None."""
        user_ok = hmac.compare_digest(user.encode(), expected_user.encode())
        password_ok = hmac.compare_digest(password.encode(), expected_password.encode())
        if not (user_ok and password_ok):
            return None
        session = Session(key=str(uuid.uuid4()), user=user, login_time=dt.datetime.now(dt.timezone.utc))
        with self._lock:
            self._sessions[session.key] = session
        return session

    def end(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.key, None)

    def is_active(self, key: str, user: str) -> bool:
        with self._lock:
            found = self._sessions.get(key)
        return found is not None and found.user == user

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
