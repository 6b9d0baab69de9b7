from django.urls import include, path

from scoping.projects import board, scope_views
from scoping.projects import client_views as clients
from scoping.projects import views as projects

app_name = "projects"

urlpatterns = [
    path("", projects.project_list, name="list"),
    path("new/", projects.project_create, name="create"),
    path("board/", board.board, name="board"),
    path("board/export.csv", board.board_export, name="board_export"),
    path("board/views/", board.saved_view_create, name="saved_view_create"),
    path("board/views/<int:view_id>/delete/", board.saved_view_remove, name="saved_view_delete"),
    path("<int:project_id>/board-move/", board.board_move, name="board_move"),
    path("<int:project_id>/", projects.project_detail, name="detail"),
    path("<int:project_id>/edit/", projects.project_edit, name="edit"),
    path("<int:project_id>/archive/", projects.project_archive, name="archive"),
    path("<int:project_id>/team/", projects.project_team, name="team"),
    path("<int:project_id>/team/members/<int:member_id>/remove/", projects.member_remove, name="member_remove"),
    path(
        "<int:project_id>/team/participants/<int:participant_id>/remove/",
        projects.participant_remove,
        name="participant_remove",
    ),
    path(
        "<int:project_id>/team/invitations/<int:invitation_id>/resend/",
        projects.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<int:project_id>/team/invitations/<int:invitation_id>/link/", projects.invitation_link, name="invitation_link"
    ),
    path(
        "<int:project_id>/team/invitations/<int:invitation_id>/revoke/",
        projects.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<int:project_id>/activity/", projects.project_activity, name="activity"),
    path("import/", scope_views.scope_import, name="import"),
    path("<int:project_id>/scope.json", scope_views.scope_json, name="scope_json"),
    # Each area owns its URL module under /projects/; the names stay in the one "projects" namespace that templates,
    # tests and bookmarks use.
    path("", include("scoping.steps.urls")),
    path("", include("scoping.review.urls")),
    path("", include("documents.urls")),
    path("", include("proposals.urls")),
    path("", include("scoping.sessions.urls")),
]

client_urlpatterns = (
    [
        path("", clients.client_list, name="list"),
        path("new/", clients.client_create, name="create"),
        path("<int:client_id>/", clients.client_detail, name="detail"),
        path("<int:client_id>/edit/", clients.client_edit, name="edit"),
        path("<int:client_id>/archive/", clients.client_archive, name="archive"),
    ],
    "clients",
)
