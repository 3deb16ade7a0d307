"""Service-level agreements: business calendars and holidays (`business_hours`), the engine that picks the
policy and computes deadlines and pauses (`engine`), admin-edited policies and calendars (`policies`), and the
watcher that flags at-risk and breached tickets and escalates (`watch`), which announces its changes as domain
events instead of calling the tickets context. SLA sits below tickets: it may import helpdesk.core,
helpdesk.models and helpdesk.identity, never helpdesk.tickets or anything above it.
"""
