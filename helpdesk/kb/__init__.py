"""The knowledge-base context: it owns articles (writing, publishing, revisions, reading, who may do which), the
category tree, rendering article Markdown to safe HTML, readers' views and helpfulness votes, ticket deflection
(suggesting articles before a ticket is filed and recording the outcome), full-text search, semantic search and
article attachments. It may import helpdesk.core, helpdesk.models, helpdesk.identity and helpdesk.tickets (it reads
tickets to turn a resolved one into an article and to check a deflection's ticket); it must not import helpdesk.ai,
helpdesk.reports, helpdesk.pages, helpdesk.state, helpdesk.api or tasks. Import the submodules themselves
(`from helpdesk.kb import articles`); this package imports none of them.
"""
