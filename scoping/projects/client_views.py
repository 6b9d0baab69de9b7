"""Client organisations: list, create, view, edit, archive (consultancy staff only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from scoping.access import client_for_user, require_creator, require_firm_staff
from scoping.models import Client, DiscoveryProject
from scoping.projects import services
from scoping.projects.forms import ClientForm


@login_required
def client_list(request):
    require_firm_staff(request.user)
    show_archived = request.GET.get("archived") == "1"
    clients = Client.objects.all() if show_archived else Client.objects.filter(archived_at__isnull=True)
    query = (request.GET.get("q") or "").strip()[:200]
    if query:
        clients = clients.filter(name__icontains=query)
    page = Paginator(clients.order_by("name"), 25).get_page(request.GET.get("page"))
    return render(request, "scoping/client_list.html", {"page": page, "query": query, "show_archived": show_archived})


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request):
    require_firm_staff(request.user)
    require_creator(request.user, doing="manage client organisations")
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Client “{client.name}” created.")
            return redirect(client)
    return render(request, "scoping/client_form.html", {"form": form, "title": "New client"})


@login_required
def client_detail(request, client_id: int):
    client = client_for_user(request.user, client_id)
    projects = DiscoveryProject.objects.visible_to(request.user).filter(client=client).select_related("lead_consultant")
    return render(request, "scoping/client_detail.html", {"client": client, "projects": projects})


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request, client_id: int):
    client = client_for_user(request.user, client_id)
    require_creator(request.user, doing="manage client organisations")
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=client, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Client saved.")
            return redirect(client)
    return render(request, "scoping/client_form.html", {"form": form, "title": f"Edit {client.name}", "client": client})


@login_required
@require_http_methods(["GET", "POST"])
def client_archive(request, client_id: int):
    client = client_for_user(request.user, client_id)
    require_creator(request.user, doing="manage client organisations")
    if request.method == "POST":
        services.client_archive(client=client, actor=request.user, request=request)
        messages.success(request, f"Client “{client.name}” archived. Its projects are kept.")
        return redirect("clients:list")
    return render(
        request,
        "scoping/confirm.html",
        {
            "title": f"Archive {client.name}?",
            "message": "Archived clients are hidden from lists and cannot get new projects. Their projects and "
            "audit trail are kept.",
            "confirm_label": "Archive client",
            "cancel_url": client.get_absolute_url(),
        },
    )
