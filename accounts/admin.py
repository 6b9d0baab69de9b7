from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import OutboundEmail, SavedView, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "client", "is_active")
    list_filter = ("role", "is_active", "client")
    fieldsets = BaseUserAdmin.fieldsets + (("Firstslice", {"fields": ("role", "client")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Firstslice", {"fields": ("email", "role", "client")}),)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Every e-mail the site sent or tried to send, with its delivery outcome."""

    list_display = ("created_at", "to", "subject", "kind", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to", "subject")
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    """Board filters people saved under a name."""

    list_display = ("name", "user", "query_string", "created_at")
    search_fields = ("name", "user__username")
    raw_id_fields = ("user",)
