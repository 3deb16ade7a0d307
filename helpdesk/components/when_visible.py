"""A box that draws its children only once it scrolls into view, one such box at a time.

Made for the report pages' Plotly charts: each chart's first draw (Plotly.newPlot) is 50-150 ms of main-thread work,
and drawn together at page load the charts were one long task of several hundred milliseconds, the largest part of
the reports' Total Blocking Time. Here a chart below the fold is not drawn until it is scrolled near, and the visible
ones are drawn one after another, each in its own task, once the previous one is on screen. The box keeps its
minimum height meanwhile, so nothing moves when a chart appears.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

WHEN_VISIBLE_JS = """
const hdRevealQueue = [];
let hdRevealing = false;
function hdRevealNext() {
  const reveal = hdRevealQueue.shift();
  if (!reveal) { hdRevealing = false; return; }
  hdRevealing = true;
  reveal();
}
function HdWhenVisible({children, ...props}) {
  const box = useRef(null);
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const element = box.current;
    if (!element || shown) return undefined;
    let queued = false;
    const reveal = () => setShown(true);
    const observer = new IntersectionObserver((entries) => {
      if (queued || !entries.some((entry) => entry.isIntersecting)) return;
      queued = true;
      observer.disconnect();
      hdRevealQueue.push(reveal);
      if (!hdRevealing) hdRevealNext();
    }, {rootMargin: "200px"});
    observer.observe(element);
    return () => {
      observer.disconnect();
      const waiting = hdRevealQueue.indexOf(reveal);
      if (waiting >= 0) hdRevealQueue.splice(waiting, 1);
    };
  }, [shown]);
  useEffect(() => {
    if (!shown) return undefined;
    // The next box waits until this one's content has drawn (a chart's SVG is in), or 3 s at most.
    const started = Date.now();
    let timer = setTimeout(function waitForDraw() {
      const drawn = box.current && box.current.querySelector("svg, table, img");
      if (drawn || Date.now() - started > 3000) hdRevealNext();
      else timer = setTimeout(waitForDraw, 50);
    }, 50);
    return () => clearTimeout(timer);
  }, [shown]);
  return jsx("div", {ref: box, ...props}, shown ? children : null);
}
"""


class WhenVisible(rx.Component):
    """`HdWhenVisible`, defined in this module's custom code (no npm package)."""

    tag = "HdWhenVisible"

    def add_imports(self) -> dict[str, Any]:
        return {"react": ["useEffect", "useRef", "useState"], "@emotion/react": ["jsx"]}

    def add_custom_code(self) -> list[str]:
        return [WHEN_VISIBLE_JS]


when_visible = WhenVisible.create
