"""The windows Vigie shows (alert, containment question): each runs in a process of its own."""
