"""Read-only admin for rendered documents: they are made by the render job, never edited by hand."""

from __future__ import annotations

from django.contrib import admin

from config.read_only_admin import ReadOnlyAdmin
from documents.models import ScopeDocument


@admin.register(ScopeDocument)
class ScopeDocumentAdmin(ReadOnlyAdmin):
    list_display = ("id", "project_name", "version", "kind", "status", "page_count", "byte_size", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("version__project__name", "version__project__client__name", "sha256")
    list_select_related = ("version__project",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in ScopeDocument._meta.fields]

    @admin.display(description="Project", ordering="version__project__name")
    def project_name(self, obj: ScopeDocument) -> str:
        return obj.version.project.name
