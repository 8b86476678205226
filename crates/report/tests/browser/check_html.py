#!/usr/bin/env python3
"""Drives the HTML report in headless Chromium (Debian's, through Python Playwright) and prints what it saw
as one JSON document on stdout; the Rust test (tests/html_browser.rs) decides what is right.

    check_html.py REPORT.html STEPS.json

STEPS.json is a list of steps, run in order after the page has loaded:
    {"do": "sort", "col": "risk"}                  click a column header
    {"do": "filter", "text": "orders"}             type into the filter box (then Enter)
    {"do": "select", "id": "filter-status", "value": "unknown"}
    {"do": "click", "selector": "#page-next"}
    {"do": "screenshot", "path": "/x/y.png"}       full page
    {"do": "copy", "selector": "…button.copy"}     (a Playwright selector) open the fix the first button it
                                                   matches is in, click it; records what the
                                                   page wrote to the clipboard (`written`), what the clipboard
                                                   then holds (`clipboard`), the text of the <pre> beside the
                                                   button (`shown`) and the button's label after the click
After each step the visible rows of the table and the "showing" line are recorded.

Exit codes: 0 ran (the JSON says what happened), 3 Playwright missing, 4 Chromium missing, 5 the page broke.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ROWS_JS = """() => {
  const rows = Array.from(document.querySelectorAll('#groups-table tbody tr')).filter(tr => tr.dataset.id);
  const text = (tr, sel) => { const e = tr.querySelector(sel); return e ? e.textContent : null; };
  return {
    rows: rows.map(tr => ({
      id: tr.dataset.id,
      name: tr.querySelector('.c-name .name').childNodes[0].textContent,
      tags: Array.from(tr.querySelectorAll('.c-name .tag')).map(t => t.textContent),
      status: text(tr, '.c-status .badge'),
      risk: text(tr, '.c-risk .badge'),
      reach: text(tr, '.c-reach .badge'),
    })),
    count: document.getElementById('table-count').textContent,
    sort: Array.from(document.querySelectorAll('#groups-table th'))
      .filter(th => th.getAttribute('aria-sort') !== 'none')
      .map(th => th.dataset.sorted + ':' + th.getAttribute('aria-sort')),
  };
}"""

PAGE_JS = """() => ({
  title: document.title,
  ready: document.documentElement.dataset.ready === 'true',
  scripts: document.querySelectorAll('script').length,
  images: document.querySelectorAll('img').length,
  text: document.body.innerText,
})"""


# Opens every <details> around the button, and records what the page asks the clipboard to write (the call
# still goes through), and the text of the <pre> the button copies.
OPEN_FIX_JS = """(button) => {
  for (let d = button.closest('details'); d; d = d.parentElement.closest('details')) { d.open = true; }
  button.scrollIntoView();
  window.__sgauditWritten = [];
  if (navigator.clipboard && !navigator.clipboard.__sgauditHooked) {
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text) => { window.__sgauditWritten.push(text); return write(text); };
    navigator.clipboard.__sgauditHooked = true;
  }
  const part = button.dataset.copy === 'fix-tf' ? 'pre.fix-tf' : 'pre.fix-cli';
  return { shown: button.parentNode.parentNode.querySelector(part).textContent };
}"""


def chromium_path():
    path = os.environ.get("SGAUDIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.exists(path) else None


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        print(f"Python Playwright is missing ({e}): python3 -m pip install playwright", file=sys.stderr)
        return 3
    browser_path = chromium_path()
    if browser_path is None:
        print("Chromium is missing: apt-get install -y chromium (or set SGAUDIT_CHROMIUM)", file=sys.stderr)
        return 4

    report = Path(sys.argv[1]).resolve()
    steps = json.loads(Path(sys.argv[2]).read_text())
    url = report.as_uri()
    seen = {"url": url, "console": [], "page_errors": [], "requests": [], "dialogs": [], "steps": []}

    with tempfile.TemporaryDirectory(prefix="sgaudit-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=browser_path,
            headless=True,
            args=FLAGS,
            viewport={"width": 1440, "height": 900},
        )
        # The copy buttons write to the clipboard; reading it back needs the permission too.
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.on("console", lambda m: seen["console"].append({"type": m.type, "text": m.text}))
        page.on("pageerror", lambda e: seen["page_errors"].append(str(e)))
        context.on("request", lambda r: seen["requests"].append(r.url))

        def on_dialog(d):
            seen["dialogs"].append({"type": d.type, "message": d.message})
            d.dismiss()

        page.on("dialog", on_dialog)

        started = time.monotonic()
        page.goto(url, wait_until="load", timeout=300_000)
        try:
            page.wait_for_selector("html[data-ready=true]", timeout=120_000)
        except Exception as e:  # the script did not finish: report what the page said
            seen["fatal"] = f"the table never became ready: {e}"
            print(json.dumps(seen))
            return 5
        seen["load_ms"] = round((time.monotonic() - started) * 1000)
        info = page.evaluate(PAGE_JS)
        seen["page"] = {k: info[k] for k in ("title", "scripts", "images")}
        seen["text"] = info["text"]
        seen["initial"] = page.evaluate(ROWS_JS)

        for step in steps:
            t0 = time.monotonic()
            kind = step["do"]
            if kind == "sort":
                page.click(f'#groups-table th button[data-col="{step["col"]}"]')
            elif kind == "filter":
                page.fill("#filter-text", step["text"])
                page.press("#filter-text", "Enter")
            elif kind == "select":
                page.select_option(f'#{step["id"]}', step["value"])
            elif kind == "click":
                page.click(step["selector"])
            elif kind == "copy":
                # A Playwright selector (`:has-text()` may pick the fix): the first button it matches.
                button = page.locator(step["selector"]).first
                copy = button.evaluate(OPEN_FIX_JS)
                button.click()
                page.wait_for_timeout(200)
                copy["written"] = page.evaluate("() => window.__sgauditWritten")
                copy["label"] = button.text_content()
                try:
                    copy["clipboard"] = page.evaluate("() => navigator.clipboard.readText()")
                except Exception as e:  # a browser that will not read the clipboard back: say so
                    copy["clipboard"] = None
                    copy["clipboard_error"] = str(e)
            elif kind == "screenshot":
                Path(step["path"]).parent.mkdir(parents=True, exist_ok=True)
                page.evaluate("() => window.scrollTo(0, 0)")
                page.screenshot(path=step["path"], full_page=True)
            else:
                raise SystemExit(f"unknown step {kind}")
            result = page.evaluate(ROWS_JS)
            if kind == "copy":
                result["copy"] = copy
            result["step"] = step
            result["ms"] = round((time.monotonic() - t0) * 1000)
            seen["steps"].append(result)

        # Give late errors (a timer, an image that would load) a moment to show.
        page.wait_for_timeout(300)
        context.close()
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
