"""URLs of the steps area (guided steps, the cost step, open questions), in the "projects" namespace."""

from django.urls import path

from scoping.steps import autosave_views, cost_views, field_question_views, question_views, views

urlpatterns = [
    path("<int:project_id>/steps/<slug:section_key>/", views.step, name="step"),
    path("<int:project_id>/steps/<slug:section_key>/question/", views.step_question, name="step_question"),
    path(
        "<int:project_id>/steps/<slug:section_key>/fields/<slug:field>/question/",
        field_question_views.step_field_question,
        name="step_field_question",
    ),
    path("<int:project_id>/steps/<slug:section_key>/autosave/", autosave_views.step_autosave, name="step_autosave"),
    path("<int:project_id>/steps/<slug:section_key>/state/", autosave_views.step_state_view, name="step_state"),
    path("<int:project_id>/scope/", views.scope_review, name="scope_review"),
    path("<int:project_id>/costs/figures/", cost_views.cost_figures, name="cost_figures"),
    path("<int:project_id>/costs/pick-model/", cost_views.cost_model_pick, name="cost_model_pick"),
    path("<int:project_id>/questions/", question_views.question_list, name="questions"),
    path("<int:project_id>/questions/<int:question_id>/edit/", question_views.question_edit, name="question_edit"),
    path(
        "<int:project_id>/questions/<int:question_id>/resolve/",
        question_views.question_resolve,
        name="question_resolve",
    ),
]
