"""URLs of the review area, included into the "projects" namespace by scoping/projects/urls.py."""

from django.urls import path

from scoping.review import views as review

urlpatterns = [
    # "reviews/" is not an integer, so it never collides with the <int:project_id>/ patterns.
    path("reviews/", review.review_queue, name="review_queue"),
    path("<int:project_id>/submit/", review.submit, name="submit"),
    path("<int:project_id>/risks/", review.risks, name="risks"),
    path("<int:project_id>/review/", review.review, name="review"),
    path("<int:project_id>/review/assignment/", review.review_assignment, name="review_assignment"),
    path("<int:project_id>/signoff/", review.signoff, name="signoff"),
    path("<int:project_id>/signoff/request/", review.signoff_request, name="signoff_request"),
    path("<int:project_id>/signoff/remind/", review.signoff_remind, name="signoff_remind"),
]
