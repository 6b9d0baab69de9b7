"""The live channel's tests use the ASGI server and the browser of tests/browser."""

from tests.browser.conftest import browser  # noqa: F401 - the fixture, for new_live_page
