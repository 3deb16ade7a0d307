"""Knowledge-base writing pages: new/edit article (live preview, files, history), drafts list, category panel."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.icons import icon_cond
from helpdesk.components.layout import card, empty_state, error_callout, page_header
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import KB, KB_CATEGORIES, KB_EDIT, KB_NEW, KB_WRITERS
from helpdesk.state.kb_editor import NO_CATEGORY, KbCategoryState, KbEditorState, KbWritersState

STATUS_COLORS = {"draft": "amber", "published": "green", "archived": "gray"}


def status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        # High contrast: green and amber text on their soft backgrounds falls short of 4.5:1 (axe).
        ("published", rx.badge(t("Published"), color_scheme="green", variant="soft", high_contrast=True)),
        ("archived", rx.badge(t("Archived"), color_scheme="gray", variant="soft")),
        rx.badge(t("Draft"), color_scheme="amber", variant="soft", high_contrast=True),
    )


def _error(field: str) -> rx.Component:
    return rx.cond(
        KbEditorState.field_errors.contains(field),
        rx.text(KbEditorState.field_errors[field], color_scheme="red", size="1", data_testid=f"error-{field}"),
    )


def _field(label: rx.Var | str, html_for: str, control: rx.Component, error: str,
           hint: rx.Var | str = "") -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(label, size="2", weight="medium", as_="label", html_for=html_for),
            rx.text(hint, size="1", color_scheme="gray") if not isinstance(hint, str) or hint else rx.fragment(),
            align="baseline",
            spacing="2",
        ),
        control,
        _error(error),
        spacing="1",
        width="100%",
    )


def _refused(text: rx.Var | str) -> rx.Component:
    return card(empty_state("lock", t("Not available"), text,
                            rx.link(rx.button(t("Help articles"), variant="soft"), href=KB)),
                data_testid="kb-refused")


def _form() -> rx.Component:
    return rx.vstack(
        _field(t("Title"), "kb-title-input",
               rx.input(id="kb-title-input", value=KbEditorState.title, on_change=KbEditorState.set_title,
                        placeholder=t("e.g. Connect to the office Wi-Fi on a laptop"), size="3", width="100%"),
               "title"),
        _field(t("Summary"), "kb-summary",
               rx.input(id="kb-summary", value=KbEditorState.summary, on_change=KbEditorState.set_summary,
                        placeholder=t("One sentence shown in search results"), width="100%"),
               "summary", t("optional")),
        rx.grid(
            _field(t("Category"), "kb-category",
                   rx.select.root(
                       rx.select.trigger(id="kb-category", placeholder=t("No category"), width="100%",
                                         aria_label=t("Category")),
                       rx.select.content(
                           rx.select.item(t("No category"), value=NO_CATEGORY),
                           rx.foreach(KbEditorState.categories,
                                      lambda c: rx.select.item(c["label"], value=c["id"])),
                       ),
                       value=KbEditorState.category_id,
                       on_change=KbEditorState.set_category,
                   ),
                   "category_id"),
            _field(t("Tags"), "kb-tags",
                   rx.input(id="kb-tags", value=KbEditorState.tags, on_change=KbEditorState.set_tags,
                            placeholder=t("wifi, laptop, network"), width="100%"),
                   "tags", t("comma-separated")),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        rx.hstack(
            rx.switch(checked=KbEditorState.featured, on_change=KbEditorState.set_featured, id="kb-featured",
                      aria_label=t("Featured on the help home page")),
            rx.text(t("Featured on the help home page"), size="2", as_="label", html_for="kb-featured"),
            align="center",
            spacing="2",
        ),
        _field(t("Body"), "kb-body",
               rx.text_area(id="kb-body", default_value=KbEditorState.body,
                            on_change=KbEditorState.set_body.debounce(300), min_height="360px",
                            font_family='ui-monospace, monospace, "Noto Naskh Arabic UI"', font_size="13px",
                            width="100%", dir="auto",
                            placeholder=t("## The problem\n\n## The fix\n1. ..."), data_testid="kb-body-input"),
               "body_markdown", t("Markdown: ## headings, **bold**, lists, `code`, [links](https://…), tables")),
        spacing="4",
        width="100%",
    )


def _preview() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("eye", size=16), rx.text(t("Preview"), weight="medium", size="2"), spacing="2",
                  align="center"),
        card(
            rx.heading(rx.cond(KbEditorState.title != "", KbEditorState.title, t("Untitled article")), size="6",
                       margin_bottom="10px"),
            rx.cond(
                KbEditorState.preview_html != "",
                rx.html(KbEditorState.preview_html, class_name="kb-article", data_testid="kb-preview"),
                rx.text(t("The rendered article appears here as you type."), color_scheme="gray", size="2"),
            ),
            min_height="420px",
        ),
        spacing="2",
        width="100%",
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.text(t("Status:"), size="2", color_scheme="gray"),
        status_badge(KbEditorState.status),
        rx.cond(KbEditorState.slug != "",
                rx.link(t("Open article"), href="/kb/" + KbEditorState.slug, size="2", data_testid="kb-open")),
        rx.spacer(),
        rx.button(rx.icon("save", size=15), t("Save draft"), variant="soft", size="3",
                  on_click=KbEditorState.save("draft"), data_testid="kb-save-draft"),
        rx.button(rx.icon("send", size=15), t("Publish"), size="3", color_scheme="green", high_contrast=True,
                  on_click=KbEditorState.save("published"), data_testid="kb-publish"),
        rx.cond(KbEditorState.article_id != "",
                rx.button(rx.icon("archive", size=15), t("Archive"), size="3", variant="soft", color_scheme="gray",
                          on_click=KbEditorState.save("archived"), data_testid="kb-archive")),
        align="center",
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def _files() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(rx.icon("paperclip", size=16), rx.text(t("Files and images"), weight="medium"),
                      rx.text(t("png, jpg, gif, webp, pdf, txt, csv, docx, xlsx, pptx, zip · up to 5 MB each"),
                              size="1", color_scheme="gray"),
                      spacing="2", align="center"),
            rx.foreach(
                KbEditorState.attachments,
                lambda f: rx.hstack(
                    icon_cond(f["image"] != "", "image", "file", size=15),
                    rx.link(f["name"], href=f["url"], is_external=True, size="2"),
                    rx.text(f["size"], size="1", color_scheme="gray"),
                    rx.spacer(),
                    rx.cond(f["image"] != "",
                            rx.button(t("Insert in body"), size="1", variant="soft",
                                      on_click=KbEditorState.insert_image(f["id"]))),
                    rx.icon_button(rx.icon("trash-2", size=13), size="1", variant="ghost", color_scheme="red",
                                   on_click=KbEditorState.remove_file(f["id"]), aria_label=t("Remove file")),
                    align="center",
                    width="100%",
                    data_testid="kb-file",
                ),
            ),
            rx.hstack(
                # Wrapped in a label: the file input inside gets the drop zone's words as its name.
                rx.el.label(
                    rx.upload.root(
                        rx.hstack(rx.icon("upload", size=15), rx.text(t("Drop files or click to choose"), size="2"),
                                  align="center", spacing="2"),
                        id="kb-files",
                        multiple=True,
                        max_size=5 * 1024 * 1024,
                        border="1px dashed var(--gray-a7)",
                        border_radius="8px",
                        padding="10px 14px",
                        cursor="pointer",
                    ),
                ),
                rx.foreach(rx.selected_files("kb-files"), lambda name: rx.badge(name, variant="surface")),
                rx.button(t("Upload"), size="2", variant="soft",
                          on_click=KbEditorState.upload(rx.upload_files(upload_id="kb-files")),
                          data_testid="kb-upload"),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            _error("attachments"),
            spacing="3",
            width="100%",
        ),
    )


def _history() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(rx.icon("history", size=16), rx.text(t("Revision history"), weight="medium"), spacing="2",
                      align="center"),
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell(t("When")), rx.table.column_header_cell(t("Who")),
                    rx.table.column_header_cell(t("What")), rx.table.column_header_cell(t("Status")))),
                rx.table.body(rx.foreach(
                    KbEditorState.history,
                    lambda h: rx.table.row(rx.table.cell(h["when"]), rx.table.cell(h["who"]),
                                           rx.table.cell(h["what"]), rx.table.cell(h["status"]),
                                           data_testid="kb-history-row"),
                )),
                size="1",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )


def _editor(heading: rx.Var | str, editing: bool) -> rx.Component:
    return rx.vstack(
        page_header(heading, t("Write in Markdown; readers see exactly what the preview shows."),
                    rx.link(rx.button(t("Drafts & archived"), variant="soft", color_scheme="gray"), href=KB_WRITERS)),
        error_callout(KbEditorState.error),
        rx.grid(_form(), _preview(), columns=rx.breakpoints(initial="1", md="2"), spacing="6", width="100%"),
        _actions(),
        _files() if editing else rx.text(t("Save the draft to add files and images."), size="2",
                                         color_scheme="gray"),
        _history() if editing else rx.fragment(),
        spacing="5",
        width="100%",
        data_testid="kb-editor",
    )


@template(KB_NEW, N_("New article"), on_load=KbEditorState.load_new)
def kb_new_page() -> rx.Component:
    return rx.cond(KbEditorState.denied, _refused(t("Only the IT team can write help articles.")),
                   _editor(t("New article"), editing=False))


@template(KB_EDIT, N_("Edit article"), on_load=KbEditorState.load_edit)
def kb_edit_page() -> rx.Component:
    return rx.cond(
        KbEditorState.denied,
        _refused(t("Only the IT team can edit help articles.")),
        rx.cond(KbEditorState.not_found,
                card(empty_state("file-x", t("Article not found"), t("It may have been deleted."),
                                 rx.link(rx.button(t("Help articles"), variant="soft"), href=KB))),
                _editor(t("Edit article"), editing=True)),
    )


@template(KB_WRITERS, N_("Drafts & archived"), on_load=KbWritersState.on_load, max_width="1000px")
def kb_writers_page() -> rx.Component:
    return rx.cond(
        KbWritersState.denied,
        _refused(t("Drafts are only visible to the IT team.")),
        rx.vstack(
            page_header(t("Drafts & archived articles"), t("What readers don't see yet (or any more)."),
                        rx.link(rx.button(rx.icon("plus", size=15), t("New article")), href=KB_NEW)),
            rx.segmented_control.root(
                rx.segmented_control.item(t("Drafts & archived"), value="unpublished"),
                rx.segmented_control.item(t("Drafts"), value="draft"),
                rx.segmented_control.item(t("Archived"), value="archived"),
                rx.segmented_control.item(t("Published"), value="published"),
                value=KbWritersState.show,
                on_change=KbWritersState.set_show,
            ),
            card(rx.cond(
                KbWritersState.rows.length() > 0,
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell(t("Title")), rx.table.column_header_cell(t("Status")),
                        rx.table.column_header_cell(t("Author")), rx.table.column_header_cell(t("Updated")))),
                    rx.table.body(rx.foreach(
                        KbWritersState.rows,
                        lambda r: rx.table.row(
                            rx.table.cell(rx.link(r["title"], href=r["edit_url"], weight="medium")),
                            rx.table.cell(status_badge(r["status"])),
                            rx.table.cell(r["author"]),
                            rx.table.cell(r["updated"]),
                            data_testid="kb-writer-row",
                        ),
                    )),
                    width="100%",
                ),
                empty_state("file-check", t("Nothing here"), t("No articles with this status.")),
            )),
            spacing="4",
            width="100%",
        ),
    )


def _category_row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.box(width=row["indent"]),
        icon_cond(row["depth"] == "0", "folder", "corner-down-right", size=14, color="var(--gray-10)"),
        rx.text(row["name"], weight=rx.cond(row["depth"] == "0", "bold", "regular"), size="2",
                color=rx.cond(row["state"] == "Active", "inherit", "var(--gray-9)")),
        rx.cond(row["state"] != "Active", rx.badge(row["state_label"], color_scheme="gray", variant="soft", size="1")),
        rx.spacer(),
        rx.button(t("Edit"), size="1", variant="ghost", on_click=KbCategoryState.select(row["id"])),
        rx.button(rx.cond(row["active"] != "", t("Deactivate"), t("Activate")), size="1", variant="soft",
                  color_scheme=rx.cond(row["active"] != "", "red", "green"),
                  on_click=KbCategoryState.toggle_active(row["id"]), data_testid="kb-category-toggle"),
        align="center",
        spacing="2",
        width="100%",
        padding_y="4px",
        border_bottom="1px solid var(--gray-a3)",
        data_testid="kb-category-row",
    )


def _parent_select(value: rx.Var, on_change: rx.event.EventHandler, exclude: rx.Var | str = "") -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=t("Top level"), width="100%", aria_label=t("Parent category")),
        rx.select.content(
            rx.select.item(t("Top level"), value=NO_CATEGORY),
            rx.foreach(KbCategoryState.rows,
                       lambda r: rx.cond(r["id"] != exclude, rx.select.item(r["path"], value=r["id"]))),
        ),
        value=value,
        on_change=on_change,
    )


def _category_error(field: str) -> rx.Component:
    return rx.cond(KbCategoryState.field_errors.contains(field),
                   rx.text(KbCategoryState.field_errors[field], color_scheme="red", size="1"))


@template(KB_CATEGORIES, N_("Article categories"), on_load=KbCategoryState.on_load, max_width="1100px")
def kb_categories_page() -> rx.Component:
    return rx.cond(
        KbCategoryState.denied,
        _refused(t("Managers and administrators keep the category tree.")),
        rx.vstack(
            page_header(t("Article categories"), t("Create, rename, nest and deactivate help-article categories."),
                        rx.link(rx.button(t("Help articles"), variant="soft", color_scheme="gray"), href=KB)),
            rx.grid(
                card(rx.vstack(
                    rx.text(t("Category tree"), weight="medium"),
                    rx.cond(KbCategoryState.rows.length() > 0,
                            rx.vstack(rx.foreach(KbCategoryState.rows, _category_row), spacing="0",
                                      width="100%"),
                            rx.text(t("No categories yet."), color_scheme="gray", size="2")),
                    spacing="3", width="100%")),
                rx.vstack(
                    card(rx.vstack(
                        rx.text(t("New category"), weight="medium"),
                        rx.input(value=KbCategoryState.new_name, on_change=KbCategoryState.set_new_name,
                                 placeholder=t("Name"), width="100%", data_testid="kb-category-name"),
                        rx.cond(KbCategoryState.selected == "", _category_error("name")),
                        rx.text(t("Parent"), size="2", color_scheme="gray"),
                        _parent_select(KbCategoryState.new_parent, KbCategoryState.set_new_parent),
                        _category_error("parent_id"),
                        rx.button(t("Create category"), on_click=KbCategoryState.create,
                                  data_testid="kb-category-create"),
                        spacing="2", width="100%")),
                    rx.cond(
                        KbCategoryState.selected != "",
                        card(rx.vstack(
                            rx.text(t("Rename or move"), weight="medium"),
                            rx.input(value=KbCategoryState.edit_name, on_change=KbCategoryState.set_edit_name,
                                     width="100%", data_testid="kb-category-edit-name"),
                            _category_error("name"),
                            rx.text(t("Parent"), size="2", color_scheme="gray"),
                            _parent_select(KbCategoryState.edit_parent, KbCategoryState.set_edit_parent,
                                           KbCategoryState.selected),
                            _category_error("parent_id"),
                            rx.button(t("Save"), on_click=KbCategoryState.save_selected,
                                      data_testid="kb-category-save"),
                            spacing="2", width="100%")),
                    ),
                    spacing="4",
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="5",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
    )
