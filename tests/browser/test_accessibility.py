"""axe-core (from the npm registry) on the main pages: no serious or critical violation.

axe is injected by the test only; production pages never load it. page.add_script_tag would
add an inline <script>, which the pages' Content Security Policy rightly blocks, so the test
registers axe as an init script (evaluated by the browser's devtools protocol, outside the CSP)
before it opens the pages.
"""

from pathlib import Path

import pytest

from tests.browser.conftest import pytestmark  # noqa: F401 - live-server database marker
from tests.factories import make_ticket
from tickets import actions

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    assert result["passes"], "axe ran no rule"
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def check(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert not violations, f"{url}: {violations}"


@pytest.fixture(autouse=True)
def _axe(page):
    """Load axe into every page this test opens (the init script runs before the page's own)."""
    page.add_init_script(path=str(AXE))


@pytest.fixture
def conversation(people):
    ticket = make_ticket(people.dave, people.category, subject="Screen flickers")
    actions.add_message(ticket=ticket, actor=people.bob, body="Which **model** is it?")
    actions.add_message(ticket=ticket, actor=people.bob, body="Checked the warranty.", internal=True)
    actions.add_message(ticket=ticket, actor=people.dave, body="A T480.")
    return ticket


class TestAccessibility:
    def test_anonymous_pages_have_no_serious_violations(self, page, live_server, db):
        for path in ("/login/", "/submit/"):
            check(page, live_server.url + path)

    def test_staff_pages_have_no_serious_violations(self, page, live_server, login, people, conversation):
        login(page, people.bob)
        base = live_server.url
        check(page, f"{base}/tickets/?queue=all")
        check(page, f"{base}/tickets/{conversation.pk}/")
        check(page, f"{base}/tickets/new/")
        check(page, f"{base}/dashboard/")

    def test_portal_pages_have_no_serious_violations(self, page, live_server, login, people, conversation):
        login(page, people.dave)
        base = live_server.url
        check(page, f"{base}/portal/")
        check(page, f"{base}/portal/tickets/{conversation.pk}/")
        check(page, f"{base}/portal/new/")
