"""Discovery projects: the pipeline list, create, view, edit, archive, members and invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from scoping.access import require_creator, resolve_project
from scoping.projects import selectors, services, starting_points
from scoping.projects.forms import InviteForm, MemberAddForm, NewProjectForm, ProjectFilterForm, ProjectForm
from scoping.steps.status import scope_status


@login_required
def project_list(request):
    filters = ProjectFilterForm(request.GET or None)
    filters.is_valid()  # bad filter values are ignored, never a 500
    cleaned = getattr(filters, "cleaned_data", {})
    page = selectors.pipeline_page(
        user=request.user,
        page=request.GET.get("page"),
        query=cleaned.get("q") or "",
        stage=cleaned.get("stage") or "",
        client=cleaned.get("client"),
        client_query=cleaned.get("client_query") or "",
    )
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "scoping/project_list.html",
        {"page": page, "filters": filters, "querystring": querystring.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    """A new project: blank, from a template, or as a copy of a scope this person may see (``starting_points``)."""
    require_creator(request.user)
    initial = {"lead_consultant": request.user.pk, "currency": "EUR", "starting_point": starting_points.BLANK}
    if request.GET.get("client", "").isdigit():
        initial["client"] = int(request.GET["client"])
    pinned_source = None
    if request.GET.get("copy", "").isdigit():  # the overview's "Copy this scope" link; listed only if visible
        pinned_source = int(request.GET["copy"])
        initial.update(starting_point=starting_points.COPY, source=pinned_source)
    form = NewProjectForm(request.POST or None, initial=initial, user=request.user, pinned_source=pinned_source)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            started = starting_points.project_start(
                actor=request.user,
                request=request,
                starting_point=fields.pop("starting_point"),
                source=fields.pop("source"),
                copy_answers=fields.pop("copy_answers"),
                **fields,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            project = started.project
            if started.origin:
                messages.success(
                    request,
                    f"Project “{project.name}” created {started.origin}. The readiness check shows what is left to "
                    "answer.",
                )
            else:
                messages.success(request, f"Project “{project.name}” created. Start with the production target.")
            return redirect(project)
    return render(request, "scoping/project_form.html", {"form": form, "title": "New discovery project"})


@login_required
def project_detail(request, project_id: int):
    access = resolve_project(request.user, project_id)
    context = selectors.project_overview(access=access)
    context["status"] = scope_status(access.project)  # one read of the live scope for the readiness and review boxes
    return render(request, "scoping/project_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, project_id: int):
    access = resolve_project(request.user, project_id, need="manage")
    project = access.project
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=project, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Project saved.")
            return redirect(project)
    return render(
        request,
        "scoping/project_form.html",
        {"form": form, "title": "Edit project", "project": project, "access": access},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_archive(request, project_id: int):
    access = resolve_project(request.user, project_id, need="manage")
    project = access.project
    if request.method == "POST":
        services.project_archive(project=project, actor=request.user, request=request)
        messages.success(request, f"Project “{project.name}” archived.")
        return redirect(project)
    return render(
        request,
        "scoping/confirm.html",
        {
            "project": project,
            "access": access,
            "title": f"Archive “{project.name}”?",
            "message": "An archived project is read-only. Its versions, documents, sign-offs and audit trail are kept.",
            "confirm_label": "Archive project",
            "cancel_url": project.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_team(request, project_id: int):
    """Staff members and client participants, with forms to add a member and invite a stakeholder."""
    access = resolve_project(request.user, project_id, need="change_team" if request.method == "POST" else "see")
    project = access.project
    member_form = invite_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add_member":
            member_form = MemberAddForm(request.POST, project=project)
            if member_form.is_valid():
                try:
                    services.project_member_add(
                        project=project, user=member_form.cleaned_data["user"], actor=request.user, request=request
                    )
                except ValidationError as exc:
                    member_form.add_error(None, exc)
                else:
                    messages.success(request, f"{member_form.cleaned_data['user'].display_name} added to the project.")
                    return redirect("projects:team", project.pk)
        elif action == "invite":
            invite_form = InviteForm(request.POST)
            if invite_form.is_valid():
                try:
                    invitation, _token = services.invitation_create(
                        project=project, actor=request.user, request=request, **invite_form.cleaned_data
                    )
                except ValidationError as exc:
                    invite_form.add_error(None, exc)
                else:
                    messages.success(
                        request,
                        f"Invitation sent to {invitation.email}. The list below shows whether it was delivered.",
                    )
                    return redirect("projects:team", project.pk)
    return _team_page(request, access, member_form=member_form, invite_form=invite_form)


def _team_page(request, access, *, member_form=None, invite_form=None, fresh_link=None, status=200):
    project = access.project
    return render(
        request,
        "scoping/project_team.html",
        {
            "project": project,
            "access": access,
            "member_form": member_form or MemberAddForm(project=project),
            "invite_form": invite_form or InviteForm(),
            "members": project.memberships.select_related("user"),
            "participants": project.participants.select_related("user"),
            "invitations": project.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("invited_by")
            .prefetch_related("emails"),
            "fresh_link": fresh_link,
        },
        status=status,
    )


@login_required
def invitation_resend(request, project_id: int, invitation_id: int):
    project = resolve_project(request.user, project_id, need="change_team").project
    if request.method != "POST":  # after the access check, so a stranger gets 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        invitation = services.invitation_resend(
            project=project, invitation_id=invitation_id, actor=request.user, request=request
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"A new link is on its way to {invitation.email}; the earlier link no longer works.")
    return redirect("projects:team", project.pk)


@login_required
def invitation_link(request, project_id: int, invitation_id: int):
    """Issue a fresh link and show it once, for staff to pass on themselves (only its hash is stored)."""
    access = resolve_project(request.user, project_id, need="change_team")
    if request.method != "POST":  # after the access check, so a stranger gets 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    project = access.project
    try:
        invitation, link = services.invitation_link_issue(
            project=project, invitation_id=invitation_id, actor=request.user, request=request
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("projects:team", project.pk)
    return _team_page(request, access, fresh_link={"invitation": invitation, "url": link})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, project_id: int, invitation_id: int):
    access = resolve_project(request.user, project_id, need="change_team")
    project = access.project
    invitation = get_object_or_404(project.invitations, pk=invitation_id)
    if request.method == "POST":
        try:
            services.invitation_revoke(
                project=project, invitation_id=invitation.pk, actor=request.user, request=request
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, f"Invitation for {invitation.email} revoked. Its link no longer works.")
        return redirect("projects:team", project.pk)
    return render(
        request,
        "scoping/confirm.html",
        {
            "project": project,
            "access": access,
            "title": f"Revoke the invitation for {invitation.email}?",
            "message": "The link in the e-mail stops working at once. You can invite the address again later.",
            "confirm_label": "Revoke invitation",
            "cancel_url": reverse("projects:team", args=[project.pk]),
        },
    )


@login_required
def member_remove(request, project_id: int, member_id: int):
    project = resolve_project(request.user, project_id, need="manage").project
    if request.method != "POST":  # after the access check, so a stranger gets 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    member = get_object_or_404(project.memberships, pk=member_id)
    services.project_member_remove(member=member, actor=request.user, request=request)
    messages.success(request, f"{member.user.display_name} removed from the project.")
    return redirect("projects:team", project.pk)


@login_required
def participant_remove(request, project_id: int, participant_id: int):
    project = resolve_project(request.user, project_id, need="manage").project
    if request.method != "POST":  # after the access check, so a stranger gets 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    participant = get_object_or_404(project.participants, pk=participant_id)
    services.participant_remove(participant=participant, actor=request.user, request=request)
    messages.success(request, f"{participant.user.display_name} no longer has access to this project.")
    return redirect("projects:team", project.pk)


@login_required
def project_activity(request, project_id: int):
    access = resolve_project(request.user, project_id)
    page = Paginator(access.project.events.select_related("actor"), 50).get_page(request.GET.get("page"))
    return render(request, "scoping/project_activity.html", {"project": access.project, "access": access, "page": page})
