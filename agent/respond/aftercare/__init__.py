"""After a remote session: what happened and what was left (snapshot, diff, the tools'
connection logs, the report). :class:`agent.respond.aftercare.session.Aftercare` is the
Responder's entry point; ``vigie aftercare`` (agent/cli/aftercare.py) the CLI's."""
