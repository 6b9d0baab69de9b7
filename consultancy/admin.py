"""Django admin for the consultancy profile (one row: no add once it exists, no delete) and the clause library.

Only admins (role admin, or superusers) with admin-site access see any of it. A clause's versions are shown
read-only under it; saving a changed "Current text" records a new version, so earlier proposals keep theirs.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from consultancy import services
from consultancy.forms import ClauseForm, ConsultancyProfileForm
from consultancy.models import Clause, ClauseVersion, ConsultancyProfile
from consultancy.selectors import logo_data_uri
from scoping.access import is_admin


def _admin_only(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and is_admin(user))


class AdminsOnly:
    """Every permission of these pages is the admin role's, whatever model permissions a user was given."""

    def has_module_permission(self, request) -> bool:
        return _admin_only(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _admin_only(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _admin_only(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsultancyProfile)
class ConsultancyProfileAdmin(AdminsOnly, admin.ModelAdmin):
    form = ConsultancyProfileForm
    readonly_fields = ("logo_preview", "updated_at", "updated_by")
    fieldsets = (
        (None, {"fields": ("name", "legal_name", "address", "website", "email")}),
        ("Brand", {"fields": ("brand_colour", "logo", "logo_preview")}),
        ("Terms", {"fields": ("default_terms",)}),
        ("Last change", {"fields": ("updated_at", "updated_by")}),
    )

    def has_add_permission(self, request) -> bool:
        return _admin_only(request) and not ConsultancyProfile.objects.exists()

    def changelist_view(self, request, extra_context=None):
        """There is one profile: the list goes straight to it (creating the default on first visit)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        profile = ConsultancyProfile.current()
        return redirect(reverse("admin:consultancy_consultancyprofile_change", args=[profile.pk]))

    @admin.display(description="logo as printed")
    def logo_preview(self, obj: ConsultancyProfile) -> str:
        uri = logo_data_uri(obj) if obj.pk else ""
        if not uri:
            return "No logo: the proposal cover shows the name only."
        return format_html('<img src="{}" alt="{} logo" height="80">', uri, obj.name)

    def save_model(self, request, obj: ConsultancyProfile, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class ClauseVersionInline(admin.TabularInline):
    model = ClauseVersion
    fields = ("number", "created_at", "created_by", "text")
    readonly_fields = fields
    ordering = ("-number",)
    extra = 0
    can_delete = False
    verbose_name = "version"
    verbose_name_plural = "versions (the newest is current; none is ever changed)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return _admin_only(request)


@admin.register(Clause)
class ClauseAdmin(AdminsOnly, admin.ModelAdmin):
    form = ClauseForm
    list_display = ("title", "key", "category", "current_version", "is_active", "position")
    list_filter = ("category", "is_active")
    search_fields = ("key", "title")
    inlines = (ClauseVersionInline,)

    def has_add_permission(self, request) -> bool:
        return _admin_only(request)

    def get_readonly_fields(self, request, obj=None):
        # Scopes store the key; renaming it would orphan every proposal that picked the clause.
        return ("key",) if obj else ()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(current_number=Max("versions__number"))

    @admin.display(description="version", ordering="current_number")
    def current_version(self, obj: Clause) -> int | None:
        return obj.current_number

    def save_model(self, request, obj: Clause, form, change) -> None:
        super().save_model(request, obj, form, change)
        services.clause_version_add(clause=obj, text=form.cleaned_data["text"], actor=request.user)
