"""Snapshot readers for macOS — NOT YET VERIFIED on a real Mac: tested here on folders
laid out as macOS has them (``Context.root``). Programs are the ``.app`` bundles of
/Applications and ~/Applications; autostart the user's LaunchAgents; services the
system LaunchAgents and LaunchDaemons; scheduled tasks the crontab; Chrome-family and
Firefox extensions; Downloads and Desktop. Login items (kept in a binary database
behind System Settings) are not read yet.
"""
from __future__ import annotations

from agent.respond.aftercare import browsers
from agent.respond.aftercare.snapshot import Context, crontab, list_dir, user_files


def applications(ctx: Context) -> dict[str, str]:
    out = list_dir(ctx.sys("/Applications"), "app", (".app",), label=lambda e: e.name[:-4])
    out.update(list_dir(ctx.home / "Applications", "userapp", (".app",), label=lambda e: e.name[:-4]))
    return out


def launch_agents(ctx: Context) -> dict[str, str]:
    return list_dir(ctx.home / "Library/LaunchAgents", "launchagent-user", (".plist",))


def launch_daemons(ctx: Context) -> dict[str, str]:
    out = list_dir(ctx.sys("/Library/LaunchAgents"), "launchagent", (".plist",))
    out.update(list_dir(ctx.sys("/Library/LaunchDaemons"), "launchdaemon", (".plist",)))
    return out


def extensions(ctx: Context) -> dict[str, str]:
    sup = ctx.home / "Library/Application Support"
    out = browsers.chromium_family({"Chrome": sup / "Google/Chrome", "Edge": sup / "Microsoft Edge",
                                    "Brave": sup / "BraveSoftware/Brave-Browser", "Chromium": sup / "Chromium"})
    out.update(browsers.firefox(sup / "Firefox/Profiles"))
    return out


def files(ctx: Context) -> dict[str, str]:
    return user_files(ctx, [ctx.home / "Downloads", ctx.home / "Desktop"])


READERS = {"programs": [applications], "autostart": [launch_agents], "services": [launch_daemons],
           "scheduled": [crontab], "extensions": [extensions], "files": [files]}
