"""Tickets and everything done to one: filing, reading rights and lists (`tickets`), the conversation, attachments,
links, merging, the status workflow, automatic assignment, canned responses, notification e-mails, satisfaction
ratings (`csat`) and input models; and the agents' own tools on the queue: tags, saved views and macros (a set of
field changes, tags and a reply applied in one action; on many tickets through `tickets.run_bulk`).
Mail in and the threading of mail out belong to helpdesk.email, which files
through this context. It announces what happened (created, fields changed, commented, merged, touched) as domain events
(`events`); AI triage, notification jobs and live pushes react to them (helpdesk/subscriptions.py), so this
context never imports the AI. It may import helpdesk.core, helpdesk.models, helpdesk.identity and the SLA engine
(deadlines are part of a ticket's state); it must not import helpdesk.ai, helpdesk.kb, helpdesk.reports or any door.
"""
