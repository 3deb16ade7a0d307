"""The administration context: what only the console needs and no other context owns - reading the audit log
(`audit_log`: filters, keyset paging, spreadsheet-safe CSV) and the settings administrators edit (`settings`:
general and AI settings stored in the database, defaults from the environment; read everywhere through
helpdesk.core.app_settings). People, teams and categories are identity's (`accounts`, `organisation`); SLA
policies and calendars are the SLA context's; canned responses are the tickets context's. It may import
helpdesk.core, helpdesk.models, helpdesk.identity, helpdesk.sla and helpdesk.tickets; no context imports it.
"""
