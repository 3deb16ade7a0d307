"""The notification centre: each person's in-app notifications (the bell) about tickets they take part in.

`reactions` writes them, reacting to the same domain events as the e-mail notifications (helpdesk/subscriptions.py),
to the people concerned (the requester, CCs, the assignee, followers, people mentioned), each checked against the
one reading rule (tickets.can_read, internal notes only to those who see them). `inbox` lists them and marks them
read. After the commit the live bus tells every web process, which refreshes those people's bells.

It sits above the other contexts (it may import tickets, sla, identity and the e-mail context's preferences and
mention parsing); no context imports it.
"""
