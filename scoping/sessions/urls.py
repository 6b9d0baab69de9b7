"""URLs of the session record and presenter mode, in the "projects" namespace."""

from django.urls import path

from scoping.sessions import views

urlpatterns = [
    path("<int:project_id>/sessions/", views.session_list, name="sessions"),
    path("<int:project_id>/sessions/new/", views.session_plan, name="session_plan"),
    path("<int:project_id>/sessions/<int:number>/", views.session_detail, name="session"),
    path("<int:project_id>/sessions/<int:number>/start/", views.session_start, name="session_start"),
    path("<int:project_id>/sessions/<int:number>/cancel/", views.session_cancel, name="session_cancel"),
    path("<int:project_id>/sessions/<int:number>/next/", views.session_next, name="session_next"),
    path("<int:project_id>/sessions/<int:number>/decisions/", views.session_decision, name="session_decision"),
    path("<int:project_id>/sessions/<int:number>/actions/", views.session_action, name="session_action"),
    path("<int:project_id>/sessions/<int:number>/parking-lot/", views.session_park, name="session_park"),
    path("<int:project_id>/sessions/<int:number>/end/", views.session_end, name="session_end"),
    path("<int:project_id>/sessions/<int:number>/minutes/", views.session_minutes_page, name="session_minutes"),
    path("<int:project_id>/sessions/<int:number>/minutes.pdf", views.session_minutes_pdf, name="session_minutes_pdf"),
    path("<int:project_id>/present/", views.present, name="present"),
    path("<int:project_id>/present/content/", views.present_content, name="present_content"),
]
