from django.urls import path

from . import views

app_name = "needs"
urlpatterns = [
    path("", views.analysis_list, name="analysis_list"),
    path("new/", views.analysis_create, name="analysis_create"),
    path("<int:pk>/", views.analysis_detail, name="analysis_detail"),
    path("<int:pk>/print/", views.analysis_print, name="analysis_print"),
    path("<int:pk>/export.xlsx", views.analysis_export, name="analysis_export"),
    path("need/<int:pk>/", views.need_detail, name="need_detail"),
    path("need/<int:pk>/rename/", views.need_rename, name="need_rename"),
    path("need/<int:pk>/accept/", views.need_accept, name="need_accept"),
    path("need/<int:pk>/merge/", views.need_merge, name="need_merge"),
    path("need/<int:pk>/move/", views.need_move, name="need_move"),
]
