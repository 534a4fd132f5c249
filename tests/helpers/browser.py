"""What the phone tests share: the phone's size and agent, tap targets, opening the spots page."""

from __future__ import annotations

from tests.helpers.app import MAP_FRAME

PHONE = {"width": 390, "height": 844}
#: A phone's user agent (Playwright's Pixel 5): the page lays itself out for a phone when it says "Mobi".
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 11; Pixel 5) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
MIN_TAP_PX = 44
#: Interactive elements of the page (outside the collapsed sidebar) and of the map's controls, as
#: [name, width, height]; a checkbox's box is its label's, the part a thumb hits.
TARGETS_JS = """() => Array.from(document.querySelectorAll(
        '[data-testid=stMain] button, [data-testid=stMain] input:not([type=checkbox]), ' +
        '[data-testid=stMain] textarea, [data-testid=stMain] label:has(input[type=checkbox]), ' +
        '[data-testid=stMain] [data-testid=stTooltipHoverTarget], [data-testid=stMain] a'))
    .filter(e => e.getBoundingClientRect().width > 0 && e.checkVisibility())
    .map(e => [(e.getAttribute('aria-label') || e.innerText || e.tagName).slice(0, 30),
               e.getBoundingClientRect().width, e.getBoundingClientRect().height])"""


def open_spots(page, url: str, query: str = ""):
    """Open the spots page; return the map's frame once its markers are drawn and laid out."""
    page.goto(f"{url}/spots{query}")
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".am-num:visible").first.wait_for(timeout=60_000)
    handle = frame.locator("body").element_handle().owner_frame()
    handle.wait_for_function(
        "() => Object.values(window.map._layers).some(l => l.spotIds) && window.map._amShown > 0",
        timeout=30_000,
    )
    page.wait_for_timeout(700)  # the frame's last resize, and the fit after it
    return handle
