"""Browser tests: pytest-playwright driving Debian's Chromium against the live test server.

Playwright's own browser download does not work offline, so the launch points at
/usr/bin/chromium (make test installs it when missing). Each path saves screenshots of its key
pages under test-artifacts/screenshots/.
"""

import os
from pathlib import Path

import pytest

from tests.factories import CategoryFactory, ItemFactory, TicketTypeFactory

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pass-word-123"

# Every browser test needs the live server, so the database is shared across threads; the
# seeded statuses and priorities are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def _no_csp_violations(page):
    """Fail a browser test when the page breaks its own Content Security Policy."""
    errors = []
    page.on(
        "console",
        lambda msg: msg.type == "error" and errors.append(f"{page.url}: {msg.text} at {msg.location}"),
    )
    yield
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.fixture
def shot(request):
    """Save a full-page screenshot named after the test and the step."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, step: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    def as_user(page, user):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return as_user


@pytest.fixture
def catalogue(people):
    """Hardware-like cascade: a category with a type that has an item."""
    category = CategoryFactory(name="Laptops")
    typ = TicketTypeFactory(category=category, name="Battery")
    item = ItemFactory(type=typ, name="Swollen")
    return category, typ, item
