"""Process wiring: the `helpdesk` command (`cli`), `helpdesk run`'s launcher and supervisor (`launcher`), the
embedded PostgreSQL and Redis servers (`embedded`) and database set-up shared by them (`bootstrap`: migrations,
demo data). Runtime sits beside the doors: it may import anything below it, and nothing imports it.
"""
