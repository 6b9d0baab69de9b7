"""The vocabulary of the access matrix: the identities, ``expect`` and the common expectations.

Each area lists its rows in its own ``tests/access_rows_<area>.py`` (``ROWS``: label, URL builder, expected status
by identity); ``tests/test_access_matrix.py`` imports every one of them by name and runs each row as every identity.
The rule behind the numbers is in the docstring of ``scoping/access.py``: a stranger gets 404, someone who sees the
project but lacks the capability gets 403, anonymous people are sent to the login page (302).

Identities: anonymous, lead (the project's lead consultant), member (staff member of the project), outsider (a
consultant not on the project), reviewer, admin, participant (the project's client stakeholder, who may edit),
other_client (a stakeholder of another client's project).
"""

from __future__ import annotations

from django.urls import reverse

ROLES = ("anonymous", "lead", "member", "outsider", "reviewer", "admin", "participant", "other_client")


def expect(
    anonymous=302, lead=200, member=200, outsider=200, reviewer=200, admin=200, participant=200, other_client=200
):
    return dict(
        zip(ROLES, (anonymous, lead, member, outsider, reviewer, admin, participant, other_client), strict=True)
    )


SEES_PROJECT = expect(outsider=404, other_client=404)
# The project's consultancy team (lead, members, admins); the reviewer and the client see the project but may not.
MANAGES_PROJECT = expect(outsider=404, reviewer=403, participant=403, other_client=404)
# The same, for a URL that only takes POST: the team's GET is 405, but strangers still get 404 and the others 403.
MANAGES_PROJECT_POST_ONLY = expect(
    lead=405, member=405, outsider=404, reviewer=403, admin=405, participant=403, other_client=404
)
# Changing the scope: the project's staff and client stakeholders with can_edit.
EDITS_SCOPE = expect(outsider=404, reviewer=403, other_client=404)
EDITS_SCOPE_POST_ONLY = expect(
    lead=405, member=405, outsider=404, reviewer=403, admin=405, participant=405, other_client=404
)
STAFF_ONLY = expect(participant=404, other_client=404)
CREATES = expect(reviewer=403, participant=404, other_client=404)


def project_url(name):
    return lambda ctx: reverse(name, args=[ctx["project"].pk])


def client_url(name):
    return lambda ctx: reverse(name, args=[ctx["project"].client_id])
