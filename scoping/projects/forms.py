"""Forms for clients, projects, members, invitations, open questions, the scope file and the model picker.

The guided scope forms live in step_forms.py.
"""

from __future__ import annotations

import re
from functools import cached_property

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.models import STAFF_ROLES, Role
from scoping.models import Client, DiscoveryProject, Stage
from scoping.projects.starting_points import BLANK, COPY, TEMPLATES
from scoping.projects.widgets import NameChoiceField, QuickSelect
from scoping.scope.money import CURRENCY_EXAMPLES, is_currency_code
from scoping.scope.reader import UPLOAD_MAX_BYTES, parse_scope_bytes, too_big_message
from scoping.scope.schema import SHORT_TEXT_MAX, ScopeValidationError

User = get_user_model()

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ("name", "industry", "contacts")
        widgets = {"contacts": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "name": "The organisation's name as the client uses it, e.g. Kestrel Foods Ltd.",
            "industry": "e.g. Food manufacturing, Insurance, Public sector.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ProjectForm(forms.ModelForm):
    # Wider than the column so a wrong value gets the clear ISO 4217 message below, not a length error.
    currency = forms.CharField(
        max_length=20, initial="EUR", help_text="ISO 4217 code used for every amount in this scope, e.g. EUR, GBP, USD."
    )

    class Meta:
        model = DiscoveryProject
        fields = ("client", "name", "lead_consultant", "currency", "target_decision_date")
        widgets = {"target_decision_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "name": "Name the workflow being scoped, e.g. Supplier invoice coding.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(archived_at__isnull=True)
        self.fields["lead_consultant"].queryset = User.objects.filter(
            role__in=(Role.CONSULTANT, Role.ADMIN), is_active=True
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_currency(self) -> str:
        value = (self.cleaned_data.get("currency") or "").strip().upper()
        if not CURRENCY_RE.match(value) or not is_currency_code(value):
            raise forms.ValidationError(f"Enter a three-letter ISO 4217 currency code, e.g. {CURRENCY_EXAMPLES}.")
        return value


SOURCE_CHOICES_MAX = 200  # the newest projects listed for copying; an older one is reached from its overview


def source_label(client_name: str, name: str, stage: str, created_at) -> str:
    """A project as the copy list shows it: client first, so typing the client's name in the list finds it."""
    return f"{client_name} — {name} ({Stage(stage).label.lower()}, {created_at:%b %Y})"


class SourceChoices(forms.models.ModelChoiceIterator):
    """The newest projects the person may see, plus the one asked for by its overview's link, as (pk, label) pairs."""

    columns = ("pk", "client__name", "name", "stage", "created_at")

    def __iter__(self):
        yield ("", self.field.empty_label)
        rows = list(self.queryset.order_by("-created_at", "-pk").values_list(*self.columns)[:SOURCE_CHOICES_MAX])
        pinned = self.field.pinned_pk
        if pinned is not None and all(row[0] != pinned for row in rows):
            # Through the same visible queryset: a project the person may not see is never named here.
            rows = [*self.queryset.filter(pk=pinned).values_list(*self.columns), *rows]
        for pk, *label_parts in rows:
            yield (pk, source_label(*label_parts))

    def __len__(self) -> int:
        return SOURCE_CHOICES_MAX + 2


class SourceProjectField(forms.ModelChoiceField):
    """The project to copy: validated against every project the person may see, listed capped and newest first."""

    iterator = SourceChoices
    pinned_pk: int | None = None


class NewProjectForm(ProjectForm):
    """The project's fields, and where its scope starts: blank, a shipped template, or a copy of a visible scope."""

    starting_point = forms.ChoiceField(
        label="Start from",
        initial=BLANK,
        required=False,  # left out (a form posted before starting points existed): blank, as it was
        widget=forms.RadioSelect,
        choices=[
            (BLANK, "A blank scope: every step empty"),
            *((template.choice, f"Template: {template.title}. {template.description}") for template in TEMPLATES),
            (COPY, "A copy of an existing scope: choose it below"),
        ],
        help_text="A template fills in typical answers; the client's own facts (people, volumes, money, dates) stay "
        "blank, so the readiness check shows what is left to ask.",
    )
    source = SourceProjectField(
        queryset=DiscoveryProject.objects.none(),
        required=False,
        label="Scope to copy",
        empty_label="Choose a project…",
        widget=QuickSelect(attrs={"class": "form-select"}),
        help_text=f"Projects you can see, newest first (the newest {SOURCE_CHOICES_MAX}); to copy an older one, use "
        "“Copy this scope into a new project” on its overview.",
    )
    copy_answers = forms.BooleanField(
        required=False,
        label="Copy the answers too",
        help_text="Without it, only the names of the rows are copied: success metrics, acceptance criteria, data "
        "sources, failure modes, access roles, model steps and responsibilities. Never copied: versions, reviews, "
        "sign-offs, PDFs, the team, the audit trail and accepted risks (they were accepted for the other project).",
    )

    field_order = ("starting_point", "source", "copy_answers")

    def __init__(self, *args, user, pinned_source: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        source.queryset = DiscoveryProject.objects.visible_to(user)
        source.pinned_pk = pinned_source

    def clean(self):
        cleaned = super().clean()
        if "starting_point" in cleaned and not cleaned["starting_point"]:
            cleaned["starting_point"] = BLANK
        if cleaned.get("starting_point") == COPY:
            if cleaned.get("source") is None and "source" not in self.errors:
                self.add_error("source", "Choose the project whose scope to copy.")
        else:
            cleaned["source"], cleaned["copy_answers"] = None, False
        return cleaned


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Consultancy staff member", help_text="They will see and edit this scope."
    )

    def __init__(self, *args, project: DiscoveryProject, **kwargs):
        super().__init__(*args, **kwargs)
        existing = project.memberships.values("user_id")
        self.fields["user"].queryset = (
            User.objects.filter(role__in=STAFF_ROLES, is_active=True)
            .exclude(pk__in=existing)
            .exclude(pk=project.lead_consultant_id)
        )
        self.helper = FormHelper()
        self.helper.form_tag = False


class InviteForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(help_text="The invitation link is sent here. It works once and expires.")
    role_title = forms.CharField(max_length=200, required=False, label="Role", help_text="e.g. Finance Director")
    can_edit = forms.BooleanField(required=False, label="May edit the scope during discovery sessions")
    is_signatory = forms.BooleanField(required=False, label="Signs off the scope for the client")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


CLIENT_SELECT_MAX = 50  # up to this many clients the filter is a select; past it, a typed name with suggestions


class ProjectFilterForm(forms.Form):
    """The list's filters. The client filter is a select of every client while there are at most
    ``CLIENT_SELECT_MAX``; past that (2,000 clients at 100,000 projects) it is a text box with at most that many
    suggestions (a ``<datalist>``, so it works without JavaScript): a name typed in full picks that client, part of
    a name keeps the projects of every client whose name contains it. ``?client=<id>`` (links) still works.
    """

    q = forms.CharField(required=False, max_length=200, label="Search")
    stage = forms.ChoiceField(
        required=False,
        choices=[("", "All stages"), *Stage.choices],
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    client = NameChoiceField(
        required=False,
        queryset=Client.objects.all(),
        empty_label="All clients",
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    client_name = forms.CharField(required=False, max_length=200, label="Client")

    def clean(self):
        cleaned = super().clean()
        typed = (cleaned.get("client_name") or "").strip()
        cleaned["client_name"] = typed
        cleaned["client_query"] = ""
        if typed:  # a typed name replaces the id a link carried
            exact = list(Client.objects.filter(name__iexact=typed).order_by("pk")[:2])
            cleaned["client"] = exact[0] if len(exact) == 1 else None
            cleaned["client_query"] = "" if len(exact) == 1 else typed
        return cleaned

    def _client_rows(self, typed: str = "") -> list[tuple[int, str]]:
        clients = Client.objects.order_by("name", "pk")
        if typed:
            clients = clients.filter(name__icontains=typed)
        return list(clients.values_list("pk", "name")[: CLIENT_SELECT_MAX + 1])

    @cached_property
    def client_widget(self) -> dict:
        """What the template draws for the client filter: one query of at most ``CLIENT_SELECT_MAX + 1`` rows."""
        rows = self._client_rows()
        cleaned = getattr(self, "cleaned_data", {})
        chosen = cleaned.get("client")
        if len(rows) <= CLIENT_SELECT_MAX:
            self.fields["client"].widget.choices = [("", "All clients"), *rows]
            return {"select": True}
        typed = cleaned.get("client_query") or (chosen.name if chosen is not None else "")
        # Suggestions: the clients whose names contain what was typed, else the first ones by name.
        suggestions = self._client_rows(typed) if cleaned.get("client_query") else rows
        return {"select": False, "value": typed, "suggestions": [name for _pk, name in suggestions[:CLIENT_SELECT_MAX]]}


# --- open questions ---------------------------------------------------------------------------------------------


class ScopeImportForm(forms.Form):
    file = forms.FileField(
        label="Scope JSON file",
        help_text=f"A file in the Firstslice scope format (firstslice.scope/1 or /2), at most "
        f"{UPLOAD_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    client = forms.CharField(
        label="Client (optional)",
        max_length=SHORT_TEXT_MAX,
        required=False,
        help_text="Leave empty to use the client named in the file. A client of that name is reused if it exists, "
        "otherwise it is created.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    too_large = False
    upload_error = ""  # set by the view when the body was refused unread

    def clean_file(self) -> object:
        """Read and parse the upload; the parsed JSON replaces the file in ``cleaned_data``."""
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            self.too_large = True
            raise ValidationError(f"The file {too_big_message(upload.size)}")
        try:
            return parse_scope_bytes(upload.read(), max_bytes=UPLOAD_MAX_BYTES)
        except ScopeValidationError as problem:
            raise ValidationError([f"The file {message}" for _path, message in problem.errors]) from None
