"""URLs of the costs area, included into the "projects" namespace by scoping/urls.py."""

from django.urls import path

from .views import costs

urlpatterns = [
    path("<int:project_id>/costs/figures/", costs.cost_figures, name="cost_figures"),
    path("<int:project_id>/costs/pick-model/", costs.cost_model_pick, name="cost_model_pick"),
]
