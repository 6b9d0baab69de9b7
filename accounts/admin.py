from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "client", "is_active")
    list_filter = ("role", "is_active", "client")
    fieldsets = BaseUserAdmin.fieldsets + (("Firstslice", {"fields": ("role", "client")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Firstslice", {"fields": ("email", "role", "client")}),)
