"""No page draws an icon whose name is a state Var: `rx.icon(var)` compiles to lucide-react's DynamicIcon, which puts a
map of every icon (about 250 KB) on the page and draws the icon only after another request. Pages name their icons
literally (helpdesk.components.icons.icon_match / icon_cond)."""

from __future__ import annotations


def test_no_page_imports_lucides_dynamic_icon() -> None:
    import helpdesk.helpdesk

    app = helpdesk.helpdesk.app
    app._apply_decorated_pages()
    assert app._unevaluated_pages
    offenders = []
    for route, page in app._unevaluated_pages.items():
        component = page.component() if callable(page.component) else page.component
        tags = {item.tag for items in component._get_all_imports().values() for item in items}
        if "DynamicIcon" in tags:
            offenders.append(route)
    assert offenders == []
