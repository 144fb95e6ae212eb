"""Is this a log-out or a shutdown? Asked of systemd-logind over D-Bus (Linux).

A SIGTERM, SIGINT or SIGHUP is what a log-out or shutdown sends, and also what
``kill`` or a task manager's "End" sends: only logind can tell them apart.
:func:`session_ending` asks it at the moment of the signal: the manager's
``PreparingForShutdown`` property (true from the ``PrepareForShutdown`` signal until the
end) and this session's ``State`` (``closing`` during a log-out). A property read at
that moment needs no subscription thread and cannot miss a signal sent before Vigie
subscribed.

D-Bus through ``jeepney`` (pure Python, blocking, with timeouts; already installed as
the Secret Service keyring's transport): no ``gdbus``/``busctl`` process to start while
the system is stopping. Called by the main thread (a signal handler); never raises.
"""
from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)
BUS_NAME = "org.freedesktop.login1"
TIMEOUT = 1.0


def session_ending(pid: int | None = None, timeout: float = TIMEOUT) -> bool | None:
    """True during a shutdown or the log-out of this process's session, False when logind
    says neither, None when logind cannot be asked (no system bus, no logind: as in CI)."""
    try:
        from jeepney import DBusAddress, MessageType, Properties, new_method_call  # noqa: PLC0415
        from jeepney.io.blocking import open_dbus_connection  # noqa: PLC0415
    except ImportError:
        return None
    try:
        conn = open_dbus_connection(bus="SYSTEM", auth_timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - no system bus here
        log.debug("logind cannot be asked: %s", exc)
        return None

    def ask(msg):
        reply = conn.send_and_get_reply(msg, timeout=timeout)
        if reply.header.message_type == MessageType.error:
            raise LookupError(f"{reply.header.fields.get(4, 'error')}: {reply.body}")
        return reply.body[0]

    try:
        manager = DBusAddress("/org/freedesktop/login1", bus_name=BUS_NAME, interface=f"{BUS_NAME}.Manager")
        if ask(Properties(manager).get("PreparingForShutdown"))[1]:
            return True
        path = ask(new_method_call(manager, "GetSessionByPID", "u", (pid or os.getpid(),)))
        session = DBusAddress(path, bus_name=BUS_NAME, interface=f"{BUS_NAME}.Session")
        return ask(Properties(session).get("State"))[1] == "closing"
    except LookupError as exc:
        # no logind on the bus, or this process is in no session: it cannot be a log-out of ours
        log.info("logind: %s", exc)
        return None
    except Exception as exc:  # noqa: BLE001 - a timeout, a broken reply
        log.warning("logind did not answer: %s", exc)
        return None
    finally:
        conn.close()
