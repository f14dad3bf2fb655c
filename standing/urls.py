from django.urls import path

from . import views

app_name = "standing"

urlpatterns = [
    path("", views.index, name="index"),
    # the member's own
    path("my/", views.me, name="me"),
    path("my/notices/<int:pk>/", views.my_notice, name="my_notice"),
    path("my/suggestions/new/", views.my_suggestion_new, name="my_suggestion_new"),
    path("my/suggestions/<int:pk>/", views.my_suggestion, name="my_suggestion"),
    path("my/reviews/<int:pk>/", views.my_review, name="my_review"),
    path("my/reviews/<int:pk>/self/", views.my_review_self, name="my_review_self"),
    path("my/reviews/<int:pk>/mutual/", views.my_review_mutual, name="my_review_mutual"),
    # the offices
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/<int:pk>/", views.suggestion, name="suggestion"),
    path("suggestions/<int:pk>/answer/", views.suggestion_answer, name="suggestion_answer"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/new/", views.review_new, name="review_new"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/grades/", views.review_grades, name="review_grades"),
    path("reviews/<int:pk>/close/", views.review_close, name="review_close"),
    path("entries/<int:pk>/follow-up/", views.entry_follow_up, name="entry_follow_up"),
]
