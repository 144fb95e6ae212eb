"""Triggers: what makes the agent look at the screen or raise the risk.

- :mod:`agent.watch.screen` — the active browser window turning fullscreen, changing to
  a suspicious title, or maximised with a locked-alert look (event-driven on X11);
- :mod:`agent.watch.processes` — remote-control tools and "proof" tools starting;
- :mod:`agent.watch.downloads` — a remote-tool installer saved in Downloads;
- :mod:`agent.watch.clipboard` — a browser putting a dangerous command in the clipboard
  (ClickFix), and :mod:`agent.watch.clickfix` — what follows it;
- :mod:`agent.watch.catalog` — the catalogues in ``assets/`` and pure matching;
- :mod:`agent.watch.allowlist` — the helper's own tools, optionally by the hour;
- :mod:`agent.watch.situation` — what is running now, shared by the watchers.

Every watcher runs in its own thread and puts :class:`agent.watch.trigger.Trigger`
items on one queue read by the agent's worker.
"""
