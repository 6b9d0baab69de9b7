"""Django admin: the model price catalogue (editable, with a LiteLLM import) and read-only views of the rest.

Clients, projects and the audit trail are changed only through the app, whose services record every write in the
audit trail; the admin shows them to admins but cannot add, change or delete them.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from config.read_only_admin import ReadOnlyAdmin
from scoping.models import ActivityEvent, Client, DiscoveryProject, ModelPrice
from scoping.scope.prices import PriceFileError, parse_litellm_prices
from scoping.steps.prices import model_prices_import

MAX_PRICE_FILE_BYTES = 20 * 1024 * 1024  # LiteLLM's full file is about 1 MB


class PriceFileForm(forms.Form):
    file = forms.FileField(
        label="LiteLLM price file",
        help_text="model_prices_and_context_window.json from the LiteLLM project. All or nothing: a malformed entry "
        "stops the import and nothing is written.",
    )
    as_of = forms.DateField(
        label="Prices as of",
        initial=date.today,
        help_text="The date the prices were published or checked. Rows of other dates are kept as history.",
    )
    source = forms.CharField(label="Source", max_length=200, required=False, help_text="Where the file came from.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PRICE_FILE_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; that is not a LiteLLM price file.")
        return upload


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = (
        "provider",
        "model",
        "input_per_1m",
        "cached_input_per_1m",
        "output_per_1m",
        "reasoning_per_1m",
        "currency",
        "effective_date",
        "deprecation_date",
        "source",
    )
    list_filter = ("provider", "currency", "effective_date")
    search_fields = ("provider", "model", "source")
    date_hierarchy = "effective_date"
    ordering = ("provider", "model", "-effective_date")
    readonly_fields = ("created_at", "updated_at")
    change_list_template = "scoping/costs/admin_modelprice_changelist.html"

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="scoping_modelprice_import",
            )
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        """Upload a LiteLLM price file; the same parser and service as ``manage.py import_model_prices``."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = PriceFileForm(request.POST or None, request.FILES or None, initial={"as_of": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                prices = parse_litellm_prices(upload.read())
                counts = model_prices_import(
                    entries=prices,
                    effective_date=form.cleaned_data["as_of"],
                    source=form.cleaned_data["source"] or f"LiteLLM import of {upload.name}",
                    actor=request.user,
                    skipped=prices.skipped_count,
                )
            except PriceFileError as error:
                form.add_error("file", f"{error} Nothing was imported.")
            else:
                messages.success(request, f"Model prices imported: {counts}.")
                return redirect(reverse("admin:scoping_modelprice_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import model prices from a LiteLLM file",
            "form": form,
        }
        return TemplateResponse(request, "scoping/costs/admin_modelprice_import.html", context)


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    list_display = ("name", "industry", "created_at", "archived_at")
    list_filter = ("industry",)
    search_fields = ("name", "industry", "contacts")


@admin.register(DiscoveryProject)
class DiscoveryProjectAdmin(ReadOnlyAdmin):
    list_display = ("name", "client", "stage", "lead_consultant", "currency", "readiness_score", "last_activity_at")
    list_filter = ("stage", "currency")
    search_fields = ("name", "client__name")
    list_select_related = ("client", "lead_consultant")


@admin.register(ActivityEvent)
class ActivityEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_repr", "verb", "object_repr", "project", "ip")
    list_filter = ("verb",)
    search_fields = ("actor_repr", "verb", "object_repr")
    date_hierarchy = "created_at"
    list_select_related = ("project",)
