from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.my_follow_ups, name="my_follow_ups"),
    path("<int:pk>/", views.follow_up_detail, name="follow_up_detail"),
    path("batches/", views.rollup_list, name="rollup_list"),
    path("batches/<int:pk>/", views.batch_rollup, name="batch_rollup"),
    path("programs/policy/", views.policy_pick, name="policy_pick"),
    path("programs/<int:pk>/policy/", views.policy_edit, name="policy_edit"),
]
