from django.urls import path

from proposals import views

urlpatterns = [
    path("<int:project_id>/engagement/", views.engagement_step, name="engagement"),
    path("<int:project_id>/engagement/figures/", views.engagement_figures, name="engagement_figures"),
]
