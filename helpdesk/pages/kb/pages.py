"""Knowledge base: search with highlighted snippets, featured articles, an article page."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.icons import icon_cond
from helpdesk.components.layout import card, empty_state, page_header
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import KB, KB_ARTICLE, KB_CATEGORIES, KB_NEW, KB_WRITERS, NEW_TICKET
from helpdesk.state.kb import KbArticleState, KbHomeState


def article_link_card(item: rx.Var, show_snippet: bool = False) -> rx.Component:
    return rx.link(
        rx.box(
            rx.text(item["title"], weight="bold", size="3", class_name="hd-wrap"),
            rx.cond(item["summary"] != "", rx.text(item["summary"], size="2", color_scheme="gray",
                                                   class_name="hd-wrap")),
            rx.html(item["snippet"], class_name="kb-snippet", font_size="13px", color="var(--gray-11)")
            if show_snippet else rx.fragment(),
            padding="14px 16px",
            border="1px solid var(--gray-a5)",
            border_radius="10px",
            background="var(--color-panel-solid)",
            _hover={"border_color": "var(--accent-8)"},
        ),
        href="/kb/" + item["slug"],
        underline="none",
        color="inherit",
        width="100%",
        data_testid="kb-result",
    )


@template(KB, N_("Help articles"), on_load=KbHomeState.on_load, max_width="900px")
def kb_home_page() -> rx.Component:
    return rx.fragment(
        page_header(
            t("Help articles"), t("Answers to common questions: most problems are solved here in minutes."),
            rx.cond(KbHomeState.can_manage_categories,
                    rx.link(rx.button(rx.icon("folder-tree", size=15), t("Categories"), variant="soft",
                                      color_scheme="gray"), href=KB_CATEGORIES)),
            rx.cond(KbHomeState.can_write,
                    rx.hstack(
                        rx.link(rx.button(rx.icon("file-pen-line", size=15), t("Drafts & archived"), variant="soft"),
                                href=KB_WRITERS),
                        rx.link(rx.button(rx.icon("plus", size=15), t("New article"), data_testid="kb-new-article"),
                                href=KB_NEW),
                        spacing="2",
                    )),
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=18)),
            placeholder=t("Search, e.g. “reset my password” or “printer offline”"),
            default_value=KbHomeState.query,
            on_change=KbHomeState.search.debounce(250),
            size="3",
            width="100%",
            data_testid="kb-search",
        ),
        rx.box(height="18px"),
        rx.cond(
            KbHomeState.searched,
            rx.cond(
                KbHomeState.results.length() > 0,
                rx.vstack(rx.foreach(KbHomeState.results, lambda r: article_link_card(r, show_snippet=True)),
                          spacing="3", width="100%"),
                card(empty_state("search-x", t("No articles match"),
                                 t("Try other words, or tell the IT team what is wrong."),
                                 rx.link(rx.button(t("Report a problem"), variant="soft"), href=NEW_TICKET))),
            ),
            rx.vstack(
                rx.heading(t("Featured"), size="4"),
                rx.cond(
                    KbHomeState.featured.length() > 0,
                    rx.grid(rx.foreach(KbHomeState.featured, lambda r: article_link_card(r)),
                            columns=rx.breakpoints(initial="1", sm="2"), spacing="3",
                            width="100%"),
                    rx.text(t("No featured articles yet."), color_scheme="gray", size="2"),
                ),
                spacing="3",
                width="100%",
                align="start",
            ),
        ),
    )


@template(KB_ARTICLE, N_("Help article"), on_load=KbArticleState.on_load, max_width="860px")
def kb_article_page() -> rx.Component:
    return rx.cond(
        KbArticleState.not_found,
        card(empty_state("file-x", t("Article not found"), t("It may have been moved or is not published yet."),
                         rx.link(rx.button(t("All help articles"), variant="soft"), href=KB))),
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text(t("Help articles"), size="2"),
                              align="center", spacing="1"), href=KB, color_scheme="gray"),
            rx.hstack(
                rx.heading(KbArticleState.article["title"], size=rx.breakpoints(initial="6", md="7"), as_="h1",
                           class_name="hd-wrap", data_testid="kb-title"),
                rx.spacer(),
                rx.cond(KbArticleState.article["status"] != "published",
                        rx.badge(KbArticleState.article["status"], color_scheme="amber", size="2")),
                rx.cond(KbArticleState.can_write,
                        rx.link(rx.button(rx.icon("pencil", size=15), t("Edit"), variant="soft",
                                          data_testid="kb-edit"),
                                href=KbArticleState.article["edit_url"])),
                align="center",
                width="100%",
            ),
            rx.text(t("Updated "), KbArticleState.article["updated"],
                    rx.cond(KbArticleState.article["tags"] != "", " · " + KbArticleState.article["tags"], ""),
                    size="2", color_scheme="gray"),
            card(rx.html(KbArticleState.article["html"], class_name="kb-article", data_testid="kb-body")),
            rx.cond(
                KbArticleState.files.length() > 0,
                card(rx.vstack(
                    rx.text(t("Files"), weight="medium"),
                    rx.foreach(KbArticleState.files, lambda f: rx.hstack(
                        icon_cond(f["image"] != "", "image", "file", size=15),
                        rx.link(f["name"], href=f["url"], is_external=True, size="2"),
                        rx.text(f["size"], size="1", color_scheme="gray"),
                        align="center", spacing="2", data_testid="kb-article-file")),
                    spacing="2", width="100%")),
            ),
            card(
                rx.hstack(
                    rx.text(t("Was this helpful?"), weight="medium"),
                    rx.button(rx.icon("thumbs-up", size=14), t("Yes"), size="2",
                              variant=rx.cond(KbArticleState.my_vote == "yes", "solid", "soft"),
                              on_click=KbArticleState.vote(True), data_testid="kb-helpful"),
                    rx.button(rx.icon("thumbs-down", size=14), t("No"), size="2", color_scheme="gray",
                              variant=rx.cond(KbArticleState.my_vote == "no", "solid", "soft"),
                              on_click=KbArticleState.vote(False)),
                    rx.spacer(),
                    rx.link(rx.button(t("Still stuck? Report a problem"), variant="ghost"), href=NEW_TICKET),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
            align="start",
        ),
    )
