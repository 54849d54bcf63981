from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("new/", views.program_create, name="program_create"),
    path("coverage/", views.coverage, name="coverage"),
    path("my/", views.my_training, name="my_training"),
    path("mentees/", views.mentees, name="mentees"),
    path("<int:pk>/", views.program_detail, name="program_detail"),
    path("<int:pk>/edit/", views.program_update, name="program_update"),
    path("<int:pk>/transition/", views.program_transition, name="program_transition"),
    path("<int:pk>/modules/new/", views.module_create, name="module_create"),
    path("<int:pk>/batches/new/", views.batch_create, name="batch_create"),
    path("modules/<int:pk>/edit/", views.module_update, name="module_update"),
    path("modules/<int:pk>/delete/", views.module_delete, name="module_delete"),
    path("modules/<int:pk>/move/", views.module_move, name="module_move"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/edit/", views.batch_update, name="batch_update"),
    path("batches/<int:pk>/transition/", views.batch_transition, name="batch_transition"),
    path("batches/<int:pk>/address/", views.batch_address_problems, name="batch_address_problems"),
    path("batches/<int:pk>/enrol/", views.batch_enrol, name="batch_enrol"),
    path("enrollments/<int:pk>/edit/", views.enrollment_update, name="enrollment_update"),
    path(
        "enrollments/<int:pk>/transition/",
        views.enrollment_transition,
        name="enrollment_transition",
    ),
    path("enrollments/<int:pk>/problem/", views.enrollment_pick_problem, name="enrollment_problem"),
    path("batches/<int:pk>/sessions/", views.batch_sessions, name="batch_sessions"),
    path("batches/<int:pk>/attendance/import/", views.attendance_import, name="attendance_import"),
    path("batches/<int:pk>/results/", views.batch_results, name="batch_results"),
    path("batches/<int:pk>/results/pass/", views.batch_pass_eligible, name="batch_pass_eligible"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_update, name="session_update"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("sessions/<int:pk>/mark/", views.session_mark, name="session_mark"),
    path("sessions/<int:pk>/all-present/", views.session_all_present, name="session_all_present"),
    path("people-moves/", views.people_moves, name="people_moves"),
    path("people-moves/<int:pk>/decide/", views.people_move_decide, name="people_move_decide"),
]
