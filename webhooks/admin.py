"""Django admin for webhooks: admins configure endpoints, read the delivery log, and send a delivery again.

Only admins (role admin, or superusers) with admin-site access see any of it; a consultant with ``is_staff`` gets
403. Deliveries and attempts are written only by the app; the admin reads them and offers Redeliver (a POST).
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from config.read_only_admin import ReadOnlyAdmin
from scoping.access import is_admin
from webhooks import services
from webhooks.models import EVENT_CHOICES, WebhookAttempt, WebhookDelivery, WebhookEndpoint


def _admin_only(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and is_admin(user))


class AdminsOnly:
    """Every permission of these admin pages is the admin role's, whatever model permissions a user was given."""

    def has_module_permission(self, request) -> bool:
        return _admin_only(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _admin_only(request)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",  # a URL typed without a scheme means https
        help_text=WebhookEndpoint._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The events this endpoint receives; none ticked, it receives nothing.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "events", "is_active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AdminsOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "event_list", "is_active", "consecutive_failures", "disabled_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = (
        "secret",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "delivery_log",
        "created_by",
        "created_at",
        "updated_at",
    )
    actions = ["rotate_secret"]

    def has_add_permission(self, request) -> bool:
        return _admin_only(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _admin_only(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _admin_only(request)

    @admin.display(description="events")
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events or []) or "—"

    @admin.display(description="delivery log")
    def delivery_log(self, endpoint: WebhookEndpoint) -> str:
        if endpoint.pk is None:
            return "—"
        url = reverse("admin:webhooks_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        count = endpoint.deliveries.count()
        return format_html('<a href="{}">{} {}</a>', url, count, "delivery" if count == 1 else "deliveries")

    def save_model(self, request, obj, form, change) -> None:
        services.endpoint_save(endpoint=obj, actor=request.user, request=request)

    @admin.action(description="Give the selected endpoints a new secret")
    def rotate_secret(self, request, queryset) -> None:
        for endpoint in queryset:
            services.endpoint_secret_rotate(endpoint=endpoint, actor=request.user, request=request)
        messages.success(request, "New secrets made. Give each receiver its endpoint's new secret.")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "outcome", "response_code", "duration_ms", "address", "error", "retry_in_seconds")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return _admin_only(request)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AdminsOnly, ReadOnlyAdmin):
    """The delivery log: what was sent where, how each attempt went, and Redeliver."""

    list_display = (
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "response_code",
        "last_attempt_at",
        "next_attempt_at",
    )
    list_filter = ("status", "event", "endpoint")
    list_select_related = ("endpoint",)
    search_fields = ("id",)
    fields = (
        "id",
        "endpoint",
        "event",
        "project",
        "status",
        "attempts",
        "response_code",
        "last_error",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "redelivery_of",
        "requested_by",
        "created_at",
        "pretty_body",
        "last_excerpt",
    )
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["redeliver_selected"]
    change_form_template = "webhooks/admin/delivery_change_form.html"

    @admin.display(description="body")
    def pretty_body(self, delivery: WebhookDelivery) -> str:
        try:
            shown = json.dumps(json.loads(delivery.body), indent=2, ensure_ascii=False)
        except ValueError:
            shown = delivery.body
        return format_html("<pre>{}</pre>", shown)

    @admin.display(description="start of the last answer")
    def last_excerpt(self, delivery: WebhookDelivery) -> str:
        attempt = delivery.attempt_log.order_by("-number", "-id").first()
        return format_html("<pre>{}</pre>", attempt.response_excerpt) if attempt and attempt.response_excerpt else "—"

    def get_urls(self):
        urls = [
            path(
                "<uuid:delivery_id>/redeliver/",
                self.admin_site.admin_view(self.redeliver_view),
                name="webhooks_webhookdelivery_redeliver",
            )
        ]
        return urls + super().get_urls()

    def redeliver_view(self, request, delivery_id):
        """POST: send this delivery again as a new one, then show the new one."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
        try:
            copy = services.delivery_redeliver(delivery=delivery, actor=request.user, request=request)
        except services.WebhookError as error:
            messages.error(request, str(error))
            return redirect("admin:webhooks_webhookdelivery_change", delivery.pk)
        messages.success(request, f"Queued again as delivery {copy.pk}.")
        return redirect("admin:webhooks_webhookdelivery_change", copy.pk)

    @admin.action(description="Redeliver the selected deliveries")
    def redeliver_selected(self, request, queryset) -> None:
        queued, refused = 0, []
        for delivery in queryset.select_related("endpoint"):
            try:
                services.delivery_redeliver(delivery=delivery, actor=request.user, request=request)
                queued += 1
            except services.WebhookError as error:
                refused.append(str(error))
        if queued:
            messages.success(request, f"Queued {queued} {'delivery' if queued == 1 else 'deliveries'} again.")
        for message in dict.fromkeys(refused):
            messages.error(request, message)
