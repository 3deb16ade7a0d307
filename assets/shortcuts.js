// Keyboard shortcuts of the queue and the ticket page (helpdesk/components/shortcuts.py lists them).
// Handled here, in the browser, so moving between rows is instant; every action presses one of the page's own
// controls (found by data-shortcut / data-testid), so the server checks permission as for a click.
(() => {
  if (window.__hdShortcuts) return;
  window.__hdShortcuts = true;

  const TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="combobox"], ' +
    '[role="listbox"], [role="option"], [role="menu"], [role="menuitem"], [role="slider"], [role="spinbutton"]';

  const isTyping = (el) => !!el && el !== document.body && (el.isContentEditable || !!el.closest(TYPING));
  const openDialog = () => document.querySelector('[role="dialog"], [role="alertdialog"]');
  const announce = (text) => {
    const region = document.getElementById('hd-shortcut-status');
    if (region) region.textContent = text;
  };

  const rows = () => Array.from(document.querySelectorAll('[data-testid="queue-row"]'));
  const currentRow = () => {
    const active = document.activeElement;
    return active && active.closest ? active.closest('[data-testid="queue-row"]') : null;
  };
  const titleOf = (row) => row && row.querySelector('[data-testid="queue-row-title"]');

  const focusRow = (row) => {
    const link = titleOf(row);
    if (!link) return;
    link.focus();
    link.scrollIntoView({block: 'nearest'});
  };

  const move = (step) => {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(currentRow());
    const next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    focusRow(all[next]);
  };

  const focusReplyWhenShown = () => {
    const started = Date.now();
    const timer = setInterval(() => {
      const box = document.querySelector('textarea[data-testid="reply-box"], [data-testid="reply-box"] textarea');
      if (box) {
        clearInterval(timer);
        box.focus();
      } else if (Date.now() - started > 8000) {
        clearInterval(timer);
      }
    }, 100);
  };

  const onQueue = (event) => {
    const key = event.key;
    if (key === 'j' || key === 'k') {
      move(key === 'j' ? 1 : -1);
      return true;
    }
    const row = currentRow() || rows()[0];
    if (!row) return false;
    if (key === 'Enter') {
      if (document.activeElement === titleOf(row)) return false; // the link opens itself
      titleOf(row).click();
      return true;
    }
    if (key === 'r') {
      titleOf(row).click();
      focusReplyWhenShown();
      return true;
    }
    if (key === 'a') {
      const assign = row.querySelector('[data-shortcut="assign-me"]');
      if (assign) assign.click();
      return !!assign;
    }
    if (key === 'x') {
      const box = row.querySelector('[data-testid="row-select"]');
      if (!box) return false;
      const willBeChecked = box.getAttribute('aria-checked') !== 'true';
      box.click();
      announce(`${willBeChecked ? 'Selected' : 'Unselected'} ${titleOf(row) ? titleOf(row).textContent : ''}`);
      return true;
    }
    return false;
  };

  const onTicket = (event) => {
    if (event.key === 'r') {
      const box = document.querySelector('textarea[data-testid="reply-box"], [data-testid="reply-box"] textarea');
      if (!box) return false;
      box.focus();
      return true;
    }
    if (event.key === 'a') {
      const assign = document.querySelector('[data-testid="assign-me"]');
      if (assign) assign.click();
      return !!assign;
    }
    return false;
  };

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (isTyping(event.target) || openDialog()) return;
    const scope = document.querySelector('[data-shortcuts]');
    if (!scope) return;
    let handled = false;
    if (event.key === '?') {
      const help = document.querySelector('[data-shortcut="help"]');
      if (help) {
        help.click();
        handled = true;
      }
    } else if (scope.dataset.shortcuts === 'queue') {
      handled = onQueue(event);
    } else if (scope.dataset.shortcuts === 'ticket') {
      handled = onTicket(event);
    }
    if (handled) event.preventDefault();
  });
})();
