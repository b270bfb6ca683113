from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from intake.views import health, home

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("front-desk/", home.front_desk, name="front_desk"),
    path("queue/", home.queue, name="queue"),
    path("admin/", admin.site.urls),
]
