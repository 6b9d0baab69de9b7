"""Three people on one step in three real browsers on the ASGI server, the saves travelling over the socket only:
each types into a different field and sees the others' text; a socket killed mid-session catches up on reconnect and
saves nothing twice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scoping.models.sections import WorkflowIntegration
from tests.browser.conftest import login
from tests.factories import PASSWORD, ParticipantFactory, UserFactory
from tests.review_support import import_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The socket brings a save in well under a second (bench/live.py measures it); this allows a loaded CI machine.
ARRIVES_MS = 8_000

# Keep a handle on each page's WebSockets, so a test can drop one as a network would.
KEEP_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = function (url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    window.__sockets.push(socket);
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
"""


def step_url(project, key: str) -> str:
    return f"/projects/{project.pk}/steps/{key}/"


@pytest.fixture
def three_people(new_live_page, db):
    """A consultant and two client participants who may edit, each in a browser, on the workflow step."""
    lead = UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    project = import_project(lead)
    people = {"casey": None}
    for username, first, last in [("priya", "Priya", "Shah"), ("omar", "Omar", "Haddad")]:
        user = UserFactory(username=username, role="client", client=project.client, first_name=first, last_name=last)
        ParticipantFactory(project=project, user=user, can_edit=True, is_signatory=False)
        people[username] = None
    requests: dict[str, list[str]] = {}
    for username in people:
        page = new_live_page()
        page.context.add_init_script(script=KEEP_SOCKETS)
        login(page, username, PASSWORD)
        requests[username] = []
        page.on("request", lambda request, seen=requests[username]: seen.append(f"{request.method} {request.url}"))
        people[username] = page
    return project, people, requests


def open_live(page, url: str, *, polling: bool) -> None:
    if not polling:
        # Nothing but the socket may bring other people's saves: the state URL (the polling path) answers nothing.
        page.route("**/state/", lambda route: route.abort())
    page.goto(url)
    expect(page.locator("[data-live-state]")).to_have_text("Live", timeout=ARRIVES_MS)


def test_three_people_type_into_three_fields_and_each_sees_the_others_over_the_socket(three_people):
    project, people, _requests = three_people
    url = step_url(project, "workflow")
    for page in people.values():
        open_live(page, url, polling=False)
    typed = {
        "casey": ("Fallback", "Unsure invoices go to the AP queue."),
        "priya": ("Change management", "A one-hour walkthrough <b>with</b> a clerk champion — 研修"),
        "omar": ("Feedback loop", "Edits are pulled nightly <script>alert(1)</script>"),
    }
    for username, (label, text) in typed.items():
        people[username].get_by_label(label).fill(text)

    for username, page in people.items():
        expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=ARRIVES_MS)
        for other, (label, text) in typed.items():
            if other != username:
                expect(page.get_by_label(label)).to_have_value(text, timeout=ARRIVES_MS)
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.fallback, saved.change_management, saved.feedback_loop) == tuple(t for _, t in typed.values())

    # A reload shows all three, and who answered each.
    page = people["casey"]
    page.reload()
    for label, text in typed.values():
        expect(page.get_by_label(label)).to_have_value(text)
    expect(page.locator('[data-source-for="feedback_loop"]')).to_have_text("Omar Haddad, client")
    expect(page.locator('[data-source-for="change_management"]')).to_have_text("Priya Shah, client")


def test_a_socket_killed_mid_session_catches_up_when_it_reconnects_and_saves_nothing_twice(three_people):
    project, people, requests = three_people
    url = step_url(project, "workflow")
    casey, priya = people["casey"], people["priya"]
    open_live(casey, url, polling=True)
    open_live(priya, url, polling=True)

    # Priya's connection drops; while she is away, Casey saves a field and she types one of her own.
    priya.evaluate("window.__sockets.forEach((socket) => socket.close())")
    expect(priya.locator("[data-live-state]")).not_to_have_text("Live")
    casey.get_by_label("Fallback").fill("Typed while Priya was offline")
    expect(casey.locator("#autosave-status")).to_contain_text("Saved at", timeout=ARRIVES_MS)
    priya.get_by_label("Change management").fill("Typed by Priya meanwhile")

    # Her page is live again, shows Casey's save, and saved her own text once.
    expect(priya.locator("[data-live-state]")).to_have_text("Live", timeout=ARRIVES_MS * 2)
    expect(priya.get_by_label("Fallback")).to_have_value("Typed while Priya was offline", timeout=ARRIVES_MS)
    expect(priya.locator("#autosave-status")).to_contain_text("Saved at", timeout=ARRIVES_MS)
    expect(casey.get_by_label("Change management")).to_have_value("Typed by Priya meanwhile", timeout=ARRIVES_MS)
    priya.wait_for_timeout(1_500)  # time for a second save, were one coming
    saves = [line for line in requests["priya"] if line.startswith("POST") and "/autosave/" in line]
    assert len(saves) == 1, saves
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.fallback, saved.change_management) == ("Typed while Priya was offline", "Typed by Priya meanwhile")
