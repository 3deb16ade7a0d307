"""Manager analytics: daily rollups kept up to date from a watermark (`rollups`), report data with one filter set
(`filters`, `data`), CSV and PDF exports as jobs (`exports`, `pdf`) and scheduled report e-mails (`schedules`).
Reports read tickets' tables and may import helpdesk.core, helpdesk.models, helpdesk.identity and helpdesk.tickets
(notification templates); they must not import helpdesk.ai, helpdesk.kb or any door.
"""
