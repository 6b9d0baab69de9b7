"""Idempotent demo data: staff, a client with a stakeholder login, and projects at several stages."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings

from accounts.models import Role
from accounts.services import emails_held
from scoping.models import Client, ClientParticipant, DiscoveryProject, ReviewDecision, Stage
from scoping.projects import services
from scoping.projects.scope_io import import_scope
from scoping.review import decisions, identity, selectors, signatures, submission
from scoping.scope.schema import as_v2, validate_scope

User = get_user_model()
DEMO_PASSWORD = "firstslice-demo"  # noqa: S105  (printed for the demo on purpose)
DEMO_DATA = Path(__file__).resolve().parents[2] / "demo_data"

STAFF = [
    ("consultant", "Casey", "Consultant", Role.CONSULTANT, False),
    ("reviewer", "Robin", "Reviewer", Role.REVIEWER, False),
    ("admin", "Ada", "Admin", Role.ADMIN, True),
]


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo users, client and projects. Safe to run repeatedly. Runs only with DEBUG on "
        "unless --force; never changes the password of an account that already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though DEBUG is off (e.g. a staging site). Demo logins with a published password result.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates logins with a published password, so it runs only with DEBUG on. "
                "If this really is a demo or staging site, run it again with --force."
            )
        self.kept_passwords: set[str] = set()
        # The workflow queues its usual e-mails (review requested, signed, ...). Keep them out of the demo's
        # console, and away from any real mail server, so the logins printed below stay readable.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), emails_held():
            client = self._seed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Log in at {settings.SITE_URL}/accounts/login/"))
        self.stdout.write(f"  {'username':<12} {'password':<34} role")
        logins = [(username, role) for username, *_rest, role, _admin in STAFF]
        logins.append(("priya", f"client stakeholder (signatory) at {client.name}"))
        for username, role in logins:
            password = "(unchanged: existing account)" if username in self.kept_passwords else DEMO_PASSWORD
            self.stdout.write(f"  {username:<12} {password:<34} {role}")
        if self.kept_passwords:
            self.stdout.write(
                "Accounts that already existed keep their password; seed_demo never resets one. "
                "Use the password reset page or `manage.py changepassword` if you need to."
            )

    @transaction.atomic
    def _seed(self) -> Client:
        users = {}
        for username, first, last, role, is_admin in STAFF:
            users[username] = self._user(username, first, last, role, is_staff=is_admin, is_superuser=is_admin)

        client, _ = Client.objects.get_or_create(
            name="Kestrel Foods Ltd",
            defaults={"industry": "Food manufacturing", "contacts": "Priya Raman, Finance Director"},
        )
        stakeholder = self._user("priya", "Priya", "Raman", Role.CLIENT, client=client)

        consultant, reviewer = users["consultant"], users["reviewer"]
        # Projects at several stages. Each is built through the real services the first time only, so
        # re-running the command changes nothing.
        for name, target in (
            ("Supplier invoice coding", Stage.AWAITING_SIGNOFF),
            ("Claims intake triage", Stage.IN_REVIEW),
            ("Purchase order matching", Stage.SIGNED_OFF),
        ):
            project, created = self._imported_project(consultant, client, name)
            ClientParticipant.objects.update_or_create(
                project=project,
                user=stakeholder,
                defaults={"can_edit": True, "is_signatory": True, "role_title": "Finance Director"},
            )
            if created:
                self._advance(project, target, consultant=consultant, reviewer=reviewer, stakeholder=stakeholder)

        for name in ("Customer e-mail triage", "Contract clause extraction"):
            project = DiscoveryProject.objects.filter(client=client, name=name).first()
            if project is None:
                project = services.project_create(
                    actor=consultant, client=client, name=name, lead_consultant=consultant, currency="GBP"
                )
            if name == "Customer e-mail triage":
                ClientParticipant.objects.update_or_create(
                    project=project, user=stakeholder, defaults={"can_edit": False, "is_signatory": False}
                )

        call_command("load_starter_prices", stdout=self.stdout)
        return client

    def _user(self, username, first, last, role, *, client=None, is_staff=False, is_superuser=False):
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@firstslice.example",
                "role": role,
                "client": client,
                "is_staff": is_staff,
                "is_superuser": is_superuser,
                "is_active": True,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        else:
            self.kept_passwords.add(username)
        return user

    def _imported_project(self, consultant, client, name: str) -> tuple[DiscoveryProject, bool]:
        existing = DiscoveryProject.objects.filter(client=client, name=name).first()
        if existing is not None:
            return existing, False
        # The project in review shows a /2 cost model of three model steps; the others the /1 file, upgraded.
        source = "invoice-coding-three-steps.json" if name == "Claims intake triage" else "invoice-coding.json"
        data = as_v2(validate_scope(json.loads((DEMO_DATA / source).read_text(encoding="utf-8"))))
        data["project"]["name"] = name
        # Every demo proposal carries the same engagement: phases, milestones paid 20/50/30, the team and terms.
        data["engagement"] = json.loads((DEMO_DATA / "engagement.json").read_text(encoding="utf-8"))
        return import_scope(data=data, client_name=client.name, user=consultant), True

    def _advance(self, project, target: str, *, consultant, reviewer, stakeholder) -> None:
        """Walk a complete scope through review and sign-off with the same services the pages use."""
        submission.scope_submit(project=project, actor=consultant, note="Ready for review.")
        if target == Stage.IN_REVIEW:
            return
        version = selectors.latest_version(project)
        decisions.review_record(
            project=project, version=version, actor=reviewer, decision=ReviewDecision.APPROVE, summary="Sound scope."
        )
        signatures.signoff_request(project=project, actor=consultant)
        if target == Stage.AWAITING_SIGNOFF:
            return
        for signer in (stakeholder, consultant):
            if signer.role == "client":  # the client confirms the code e-mailed to them, as on the sign-off page
                _row, code = identity.signing_code_send(project=project, actor=signer)
                identity.signing_code_confirm(project=project, actor=signer, code=code)
            signatures.signoff_record(
                project=project, version=version, actor=signer, typed_name=signer.get_full_name(), consent=True
            )
