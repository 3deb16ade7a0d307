"""Manager analytics: rollups, report data, exports and scheduled report e-mails."""
