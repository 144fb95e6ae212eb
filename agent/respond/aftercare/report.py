"""The plain report for the helper after a remote session (pure): who connected, what
was installed or set to start during the session, what is still running, and the
steps to take (uninstall the tool, change passwords, call the bank, report it), in
the helper's language. Any thread.
"""
from __future__ import annotations

from agent.i18n import t
from agent.respond import guidance
from agent.respond.aftercare.snapshot import CATEGORIES

MAX_LISTED = 25     # per category; the full list is in changes.json


def _conn_line(c: dict, tool: str, lang: str) -> str:
    def part(key: str, value) -> str:
        return t(f"aftercare.who_{key}", lang, value=value) if value else ""
    return t("aftercare.who_line", lang, time=c.get("time") or "?", tool=tool, remote_id=c.get("remote_id") or "?",
             name=part("name", c.get("remote_name")), ip=part("ip", c.get("remote_ip")), auth=part("auth", c.get("auth")))


def _when(iso: str) -> str:
    """``2026-12-02T01:11:27+00:00`` → ``2026-12-02 01:11``."""
    return iso[:16].replace("T", " ") if len(iso) >= 16 and iso[10:11] == "T" else iso


def summary(changes: dict) -> dict[str, list[str]]:
    """``{category: [labels added]}`` for the categories where something was added."""
    return {cat: list(changes[cat]["added"].values()) for cat in CATEGORIES
            if changes.get(cat, {}).get("added")}


def render(*, tool: str, changes: dict, connections: list[dict], earlier: list[dict], still_running: list[str],
           start: str, end: str, ended: bool, lang: str, host: str, user: str, incident: str = "",
           country: str = "", logs_known: bool = True) -> str:
    """The report as plain text (lines of at most a few hundred characters). ``logs_known``
    False: Vigie does not know where this tool keeps its connection log."""
    lines = [t("aftercare.title", lang, tool=tool), "",
             t("aftercare.intro", lang, host=host, user=user, tool=tool, start=_when(start), end=_when(end),
               why=t("aftercare.why_ended" if ended else "aftercare.why_on_demand", lang)), "",
             t("aftercare.who_title", lang, tool=tool)]
    lines += [_conn_line(c, tool, lang) for c in connections] or \
        [t("aftercare.who_none" if logs_known else "aftercare.who_unknown", lang, tool=tool)]
    if earlier:
        lines += ["", t("aftercare.who_earlier", lang)] + [_conn_line(c, tool, lang) for c in earlier[-5:]]
    lines += ["", t("aftercare.changes_title", lang)]
    changed = False
    for cat in CATEGORIES:
        added = list(changes.get(cat, {}).get("added", {}).values())
        removed = list(changes.get(cat, {}).get("removed", {}).values())
        if cat == "files":
            removed = []            # files moved away or deleted are not the worry here
        if added:
            more = f" (+{len(added) - MAX_LISTED})" if len(added) > MAX_LISTED else ""
            lines.append(t("aftercare.changed_line", lang, what=t(f"aftercare.cat_{cat}", lang),
                           items=", ".join(added[:MAX_LISTED]) + more))
        if removed:
            lines.append(t("aftercare.changed_line", lang, items=", ".join(removed[:MAX_LISTED]),
                           what=f"{t(f'aftercare.cat_{cat}', lang)} — {t('aftercare.removed', lang)}"))
        changed = changed or bool(added or removed)
    if not changed:
        lines.append(t("aftercare.nothing_changed", lang))
    for cat in CATEGORIES:
        problems = changes.get(cat, {}).get("problems") or []
        if problems:
            lines.append(t("aftercare.unreadable", lang, what=t(f"aftercare.cat_{cat}", lang).lower(),
                           why="; ".join(problems)[:300]))
    lines.append("")
    lines.append(t("aftercare.still_running", lang, tools=", ".join(still_running)) if still_running
                 else t("aftercare.closed", lang, tool=tool))
    report = guidance.load("tss", lang, country).report
    steps = [t("aftercare.step_uninstall", lang, tool=tool)]
    if changed:
        steps.append(t("aftercare.step_remove", lang))
    steps += [t("aftercare.step_passwords", lang), t("aftercare.step_bank", lang),
              t("aftercare.step_report", lang, incident=incident).replace("  ", " ")]
    lines += ["", t("aftercare.steps_title", lang)] + [f"{i}. {s}" for i, s in enumerate(steps, 1)]
    lines += [f"   - {r}" for r in report]
    return "\n".join(lines) + "\n"
