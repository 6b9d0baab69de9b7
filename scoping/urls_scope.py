"""URLs of the scope area, included into the "projects" namespace by scoping/urls.py."""

from django.urls import path

from .views import scope

urlpatterns = [
    path("import/", scope.scope_import, name="import"),
    path("<int:project_id>/scope.json", scope.scope_json, name="scope_json"),
    path("<int:project_id>/questions/", scope.question_list, name="questions"),
    path("<int:project_id>/questions/<int:question_id>/edit/", scope.question_edit, name="question_edit"),
    path("<int:project_id>/questions/<int:question_id>/resolve/", scope.question_resolve, name="question_resolve"),
]
