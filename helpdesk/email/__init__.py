"""The e-mail channel. It owns the mailboxes the helpdesk reads (`mailboxes`: the table's rules and its administration,
the connection test, IMAP polling with UID/UIDVALIDITY bookkeeping and IDLE), turning one raw message into a ticket,
a reply, a held message (which administrators review) or nothing (`intake`, with `parsing` for headers, bodies and
attachments, `content` for quoted history, signatures and HTML, `senders` for who a message may act as: signed reply
tokens and Authentication-Results, `noise` for auto-replies, bounces and per-sender rate limits), signed per-ticket
reply addresses (`addresses`), the record of every message in and out and the threading headers of outgoing mail
(`outgoing`), agents' notification e-mails and their preferences (`agent_notifications`) and the requester's
satisfaction survey link (`csat_mail`).

It sits beside the other contexts above tickets: it may import helpdesk.core, helpdesk.models, helpdesk.identity,
helpdesk.sla and helpdesk.tickets (it files tickets and replies through the tickets context, so the same
permission rules apply to mail as to every other door); it must not import helpdesk.ai, helpdesk.kb,
helpdesk.reports or any door. It reacts to the tickets context's domain events (helpdesk/subscriptions.py).
Import the submodules themselves (`from helpdesk.email import intake`); this package imports none of them.
"""
