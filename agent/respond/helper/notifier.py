"""Tell the family helper, wherever they are: ``HelperNotifier(settings)``.

``notify(kind, data, attachments)`` renders the message in the helper's language and writes
one outbox row per channel in one transaction *before* any send, then wakes the sender
thread; it never raises and returns quickly (worker thread, alert process, tray, CLI).
What a helper receives, and when (:data:`NOTICE_HOLD`, :data:`FOLLOW_UP_QUIET`):

- a scam, a remote-control program, a risky situation, and whatever turns the protection
  down or tried to (``protection_weakened``, see :mod:`agent.gate`): at once;
- a restart after a crash (a start with no clean stop before): at once, at most once an hour;
- the person's choices on an alert (``alert_action``) and the returns of the same page
  (``page_back``): merged into ONE follow-up per incident, sent when the alert closes
  (:meth:`incident_closed`) or after a quiet time;

One conversation per incident: the alert (``scam``, ``remote_tool``, ``risky_context``)
opens a thread keyed by ``data["thread"]`` or its incident folder; the follow-ups of that
thread carry its message id (``_reply_to``, e-mail's ``In-Reply-To``/``References``) and
its subject after "Re: ". The roots are remembered in memory and in the outbox's meta
table (another process — the CLI, a restarted agent — finds them).
- pauses, resumes and a quit: merged into one "news" message at most every
  ``NOTICE_HOLD`` (a quit releases it); a clean start sends nothing;
- the heartbeat on the helper's schedule (default daily) only.

The sender thread (``start()``) drains the outbox with backoff and recovers what a dead
process left half-sent. ``use_settings()`` takes new settings while running (a channel
added by ``vigie helper add`` is used by the next message).

Guarantee: a message is stored before it is sent and retried until delivered (never
dropped); a send interrupted by a crash is sent again (*at least once*, with the same
message id in the body footer and a ``Vigie-Message-Id`` header). When the outbox cannot
be written (a lock held by another process, a full disk, a read-only folder) the message
is kept in memory (:mod:`memory`), stored when possible, sent from memory meanwhile, and
:meth:`health` says so (the agent shows it as ``degraded``).
"""
from __future__ import annotations

import datetime as _dt
import logging
import sqlite3
import threading
import time
import uuid

from agent import instance
from agent.i18n import t
from agent.log import Once
from agent.respond.helper import messages
from agent.respond.helper.channels import display_url
from agent.respond.helper.memory import Held, MemoryQueue
from agent.respond.helper.outbox import Outbox, Unavailable, owner_id
from agent.respond.helper.sender import Sender

log = logging.getLogger(__name__)
NOTIFY_WAIT = 0.5         # notify() waits at most this long for another process's lock
FOLLOW_UP_QUIET = 120.0   # the follow-up goes this long after the person's last choice...
FOLLOW_UP_MAX = 600.0     # ...or at the latest this long after the first
NOTICE_HOLD = 900.0       # pauses/resumes/quit: one "news" message at most every 15 minutes
NOTICE_KINDS = ("paused", "resumed", "quit")
REPLACED_SHOWN = 600.0    # the tray shows "degraded" this long after the outbox was deleted or replaced
ROOT_KINDS = ("scam", "remote_tool", "risky_context")   # each opens one conversation
CRASH_NOTICE_EVERY = 3600.0   # a crash loop tells the helper once an hour, not at every restart
CRASH_KEY, CRASH_UNTOLD_KEY = "last_crash_notice", "untold_crashes"


class HelperNotifier(Sender):
    def __init__(self, settings, outbox: Outbox | None = None, wait: float = 30.0, read_only: bool = False):
        self.settings = settings
        self._outbox = outbox
        self._wait = wait
        self._read_only = read_only   # `helper status`: the outbox file is never created, moved or fixed
        self.owner = owner_id()
        self.after_crash = False
        self.last_msg_id = ""
        self.memory = MemoryQueue()
        self._problem: str | None = None
        self._alert_times: dict[str, str] = {}
        self._roots: dict[str, tuple[str, str]] = {}     # thread group -> (root msg id, root title)
        self._returns: dict[str, int] = {}               # thread group -> times the page came back
        self._safe_at: dict[str, str] = {}               # thread group -> when "I'm safe" was first pressed
        self._merge_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._once = Once()

    @property
    def outbox(self) -> Outbox:
        """The outbox, opened on first use (raises :class:`Unavailable` while it cannot be)."""
        if self._outbox is None:
            self._outbox = Outbox(wait=self._wait, read_only=self._read_only)
        return self._outbox

    def use_settings(self, settings) -> None:
        """New settings (channels, names, language) for the next messages. Any thread."""
        self.settings = settings
        self._wake.set()

    # -- producers (any thread) ------------------------------------------------------
    def notify(self, kind: str, data: dict | None = None, attachments=(), channels=None) -> list[int]:
        """Store the message for every channel (or for ``channels``: a change of the helper
        addresses goes to the old ones too), then wake the sender. Returns the row ids
        (empty when nothing is configured, or when the message is kept in memory)."""
        settings = self.settings
        chans = tuple(dict.fromkeys(channels)) if channels else tuple(settings.helper_notify)
        if not chans:
            return []
        data = dict(data or {})
        try:
            if kind == "alert_action":
                if data.get("action") in ("safe", "im_safe"):
                    self._safe_at.setdefault(self._group_of(data), data.get("time") or _now_iso())
                return self._merge(self._group_of(data), "follow_up", "actions", data, FOLLOW_UP_QUIET,
                                   FOLLOW_UP_MAX)
            if kind == "page_back":
                group = self._group_of(data)
                self._returns[group] = self._returns.get(group, 0) + 1
                if group in self._safe_at:       # back after "I'm safe": a risk the helper must read
                    data["after_safe"] = self._safe_at[group]
                return self._merge(group, "follow_up", "returns", {**data, "total": self._returns[group]},
                                   FOLLOW_UP_QUIET, FOLLOW_UP_MAX)
            if kind in NOTICE_KINDS or kind == "started" and not data.get("after_crash"):
                if kind == "started":
                    return []        # a clean start is no news; the heartbeat says "all is well"
                ids = self._merge("notices", "notices", "items", {"kind": kind, **data}, NOTICE_HOLD, NOTICE_HOLD)
                if kind == "quit":
                    self.incident_closed("notices")
                return ids
            if kind == "started" and not self._crash_notice_due(data):
                return []            # a crash loop: one notice an hour, counting the others
            if kind in ROOT_KINDS:
                self._alert_times[self._group_of(data)] = data.get("time") or _now_iso()
            elif kind == "protection_weakened" and data.get("thread"):
                root = self.root_of(self._group_of(data))     # at once, but in that alert's conversation
                if root:
                    data["_reply_to"], data["_root_title"] = root
            keep = tuple(attachments) if settings.helper_attach_screenshot else ()
            return self._store(Held(self._new_id(), kind, data, chans, keep)) or []
        except Exception as exc:  # noqa: BLE001 - a helper message must never stop the alert
            self._once.error(log, "notify", "helper notification %s not prepared: %s", kind, exc)
            return []

    def incident_closed(self, group_or_incident: str | None) -> None:
        """The alert of this incident closed: its follow-up (if any) goes now. Any thread."""
        group = group_or_incident if group_or_incident == "notices" else \
            self._group_of({"incident": group_or_incident})
        self.memory.release(group)
        try:
            self.outbox.release_group(group)
        except (Unavailable, sqlite3.Error) as exc:
            self._set_problem(exc)
        self._wake.set()

    def _crash_notice_due(self, data: dict) -> bool:
        """At most one restart-after-crash notice per ``CRASH_NOTICE_EVERY``; the next one
        says how many restarts went untold (``data["untold"]``)."""
        try:
            last = float(self.outbox.get_meta(CRASH_KEY) or 0)
            untold = int(self.outbox.get_meta(CRASH_UNTOLD_KEY) or 0)
            if 0 <= time.time() - last < CRASH_NOTICE_EVERY:   # a future time: the clock was ahead
                self.outbox.set_meta(CRASH_UNTOLD_KEY, str(untold + 1))
                return False
            self.outbox.set_meta(CRASH_KEY, repr(time.time()))
            self.outbox.set_meta(CRASH_UNTOLD_KEY, "0")
        except (Unavailable, sqlite3.Error):
            return True
        if untold:
            data["untold"] = untold
        return True

    @staticmethod
    def _group_of(data: dict) -> str:
        return f"incident:{data.get('thread') or data.get('incident') or 'alert'}"

    def _remember_root(self, group: str, msg_id: str, title: str) -> None:
        self._roots[group] = (msg_id, title)
        try:
            with self.outbox.waiting_at_most(NOTIFY_WAIT):
                self.outbox.set_meta(f"thread:{group}", f"{msg_id}\n{title}")
        except (Unavailable, sqlite3.Error):
            pass                              # kept in memory: this process still threads

    def root_of(self, group: str) -> tuple[str, str] | None:
        """(message id, subject) of the alert that opened this conversation, if known."""
        if group in self._roots:
            return self._roots[group]
        try:
            with self.outbox.waiting_at_most(NOTIFY_WAIT):
                value = self.outbox.get_meta(f"thread:{group}")
        except (Unavailable, sqlite3.Error):
            return None
        if value and "\n" in value:
            msg_id, title = value.split("\n", 1)
            self._roots[group] = (msg_id, title)
            return msg_id, title
        return None

    @staticmethod
    def _new_id() -> str:
        return f"vigie-{time.strftime('%Y%m%d')}-{uuid.uuid4().hex[:12]}"

    def render(self, held: Held) -> messages.Message:
        return messages.render(held.kind, held.data, self.settings.lang(), msg_id=held.msg_id,
                               person=self.settings.helper_person_name, helper_phone=self.settings.helper_phone)

    def _store(self, held: Held) -> list[int] | None:
        """Write one message to the outbox; None (kept in memory) when it cannot be."""
        msg = self.render(held)
        self.last_msg_id = held.msg_id
        if held.kind in ROOT_KINDS and not held.group:
            self._remember_root(self._group_of(held.data), held.msg_id, msg.title)
        try:
            with self.outbox.waiting_at_most(NOTIFY_WAIT):
                ids = self.outbox.enqueue(held.msg_id, held.kind, msg.title, msg.text, held.channels,
                                          held.attachments, html=msg.html, group=held.group, data=held.data,
                                          hold=max(0.0, held.due - time.time()))
        except (Unavailable, sqlite3.Error) as exc:
            self._set_problem(exc)
            self.memory.add(held)
            log.warning("helper notification %s kept in memory until it can be stored (%s)", held.kind, exc)
            self._wake.set()
            return None
        log.info("helper notification %s queued for %d channel(s) as %s", held.kind, len(ids), held.msg_id)
        self._wake.set()
        return ids

    def _merge(self, group: str, kind: str, field: str, item: dict, quiet: float, most: float) -> list[int]:
        """Add ``item`` to the held message of ``group`` (one message per incident/period)."""
        item = {"time": _now_iso(), **item}
        lang, person = self.settings.lang(), self.settings.helper_person_name

        def update(data: dict):
            data[field] = list(data.get(field) or []) + [item]
            if field == "returns":
                data["returns_total"] = item.get("total") or len(data[field])
            first = float(data.get("_first") or time.time())
            msg = messages.render(kind, data, lang, msg_id=data.get("_msg_id", ""), person=person)
            due = min(first + most, time.time() + quiet) if kind == "follow_up" else first + most
            return data, msg.title, msg.text, msg.html, due
        with self._merge_lock:
            if self.memory.merge(group, update):
                self._wake.set()
                return []
            try:
                with self.outbox.waiting_at_most(NOTIFY_WAIT):
                    if self.outbox.merge_group(group, update):
                        self._wake.set()
                        return []
            except (Unavailable, sqlite3.Error) as exc:
                self._set_problem(exc)
            msg_id = self._new_id()
            data = {field: [item], "_first": time.time(), "_msg_id": msg_id}
            if field == "returns":
                data["returns_total"] = item.get("total") or 1
            if kind == "follow_up":
                data["alert_time"] = self._alert_times.get(group)
                root = self.root_of(group)
                if root:
                    data["_reply_to"], data["_root_title"] = root
            due = time.time() + (quiet if kind == "follow_up" else most)
            return self._store(Held(msg_id, kind, data, tuple(self.settings.helper_notify), (), group, due)) or []

    # -- life cycle (the agent's main thread) -----------------------------------------
    def start(self, announce: bool = True) -> None:
        """Start the sender thread; tell the helper when the last run did not stop cleanly."""
        if self._thread and self._thread.is_alive():
            return
        self.after_crash = instance.mark_running()
        if announce and self.after_crash:
            from agent import alive  # noqa: PLC0415
            self.notify("started", {"after_crash": True, "last_seen": alive.last_seen()})
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="helper-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the sender, give what is due (e.g. ``quit``) ``timeout`` s to go, mark a clean stop."""
        instance.mark_clean_stop()
        self._stopping.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        deadline = time.monotonic() + timeout
        try:
            self._memory_round(deadline)
            self._drain(deadline)
        except Exception as exc:  # noqa: BLE001
            log.warning("helper notifications not sent at stop: %s (they stay in the outbox)", exc)
        lost = self.memory.pending()
        if lost:
            log.error("%d helper notification(s) could neither be stored (%s) nor sent before the stop; "
                      "they are lost", lost, self._problem or "?")

    # -- reporting ------------------------------------------------------------------
    def _set_problem(self, exc: BaseException) -> None:
        code = getattr(exc, "code", None) or "io"
        self._problem = code if code in ("locked", "disk_full", "read_only") else "io"

    def health(self) -> str | None:
        """None when all is well, else in plain words why messages wait (for the tray). Any thread."""
        replaced = self._outbox.replaced if self._outbox is not None else []
        if replaced and time.monotonic() - replaced[-1]["mono"] < REPLACED_SHOWN:   # the tray says so a while
            return t("helper.outbox_replaced", self.settings.lang(), count=replaced[-1]["carried"],
                     when=time.strftime("%H:%M", time.localtime(replaced[-1]["time"])))
        if self._problem is None and not len(self.memory):
            return None
        return t(f"helper.outbox_{self._problem or 'io'}", self.settings.lang(), count=self.memory.pending())

    def status(self) -> list[dict]:
        """Per channel: url (masked), last_success, last_failure, last_error (plain words), pending.
        A locked or unreadable outbox is reported (``outbox_problem``), never set aside."""
        lang = self.settings.lang()
        try:
            report = self.outbox.channel_report()
        except (Unavailable, sqlite3.Error) as exc:
            self._set_problem(exc)
            report = {}
        out = []
        for ch in list(self.settings.helper_notify) + [c for c in report if c not in self.settings.helper_notify]:
            r = report.get(ch, {})
            code = r.get("error_code")
            out.append({
                "url": display_url(ch), "channel": ch, "configured": ch in self.settings.helper_notify,
                "last_success": r.get("last_success"), "last_failure": r.get("last_failure"),
                "error_code": code, "last_error": t(f"helper.error_{code}", lang) if code else None,
                "detail": r.get("last_error"),
                "pending": r.get("pending", 0) + r.get("failed", 0) + r.get("sending", 0),
            })
        return [s for s in out if s["configured"] or s["pending"]]


def _now_iso() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")
