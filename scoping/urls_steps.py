"""URLs of the steps area, included into the "projects" namespace by scoping/urls.py."""

from django.urls import path

from .views import steps

urlpatterns = [
    path("<int:project_id>/steps/<slug:section_key>/", steps.step, name="step"),
    path("<int:project_id>/steps/<slug:section_key>/question/", steps.step_question, name="step_question"),
    path("<int:project_id>/scope/", steps.scope_review, name="scope_review"),
]
