"""Document URLs, included into the "projects" namespace (under /projects/)."""

from django.urls import path

from documents import views

urlpatterns = [
    path("<int:project_id>/versions/", views.version_list, name="versions"),
    path("<int:project_id>/versions/freeze/", views.version_freeze_view, name="version_freeze"),
    path("<int:project_id>/versions/compare/", views.version_compare, name="version_diff"),
    path("<int:project_id>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<int:project_id>/documents/", views.document_list, name="documents"),
    path("<int:project_id>/documents/<int:document_id>/status/", views.document_status, name="document_status"),
    path("<int:project_id>/documents/<int:document_id>/download/", views.document_download, name="document_download"),
    path("<int:project_id>/documents/<int:document_id>/retry/", views.document_retry, name="document_retry"),
]
