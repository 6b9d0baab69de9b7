"""Run in a subprocess by tests/test_demo_smoke.py: the embedded default (SQLite, eager jobs) with seeded demo data.

Every page a demo user can reach is fetched as every demo user; the script prints a JSON list of the pages that
answered with a server error. It must run in its own process because the settings choose SQLite at import time.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402


def main() -> int:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("make_dev_certificate", "--if-missing", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from django.contrib.auth import get_user_model

    from documents.models import ScopeDocument
    from scoping.models import DiscoveryProject
    from scoping.scope.readiness import SECTIONS

    urls = [reverse("projects:list"), reverse("clients:list"), reverse("projects:review_queue"), reverse("verify")]
    urls += [reverse("projects:list") + "?stage=in_review&q=triage"]
    for project in DiscoveryProject.objects.all():
        pk = project.pk
        for name in (
            "detail",
            "team",
            "activity",
            "questions",
            "scope_json",
            "scope_review",
            "versions",
            "documents",
            "review",
            "signoff",
            "submit",
            "risks",
        ):
            urls.append(reverse(f"projects:{name}", args=[pk]))
        for section in SECTIONS:
            urls.append(reverse("projects:step", args=[pk, section]))
        urls.append(reverse("projects:cost_figures", args=[pk]))
    for document in ScopeDocument.objects.select_related("version"):
        urls.append(reverse("projects:document_download", args=[document.version.project_id, document.pk]))
    User = get_user_model()  # noqa: N806
    errors = []
    for username in ("consultant", "reviewer", "admin", "priya"):
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        for url in urls:
            status = client.get(url).status_code
            if status >= 500:
                errors.append(f"{username} GET {url} -> {status}")
    documents = list(ScopeDocument.objects.values_list("kind", "status"))
    print(json.dumps({"errors": errors, "pages": len(urls), "documents": documents}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
