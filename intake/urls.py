from django.contrib import admin
from django.urls import path

from intake.views import account, dashboard, fhir, front_desk, health, home, media, nurse, uploads

visit = "front-desk/visit/<int:visit_id>/"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", account.Login.as_view(), name="login"),
    path("login/pin/", account.pin_login, name="login_pin"),
    path("logout/", account.Logout.as_view(), name="logout"),
    path("account/pin/", account.pin_settings, name="account_pin"),
    path("password/", account.PasswordChange.as_view(), name="password_change"),
    path("session/ping/", account.ping, name="session_ping"),
    # Front desk (tablet).
    path("front-desk/", front_desk.start, name="front_desk"),
    path("front-desk/new/", front_desk.new_intake, name="intake_new"),
    path("front-desk/today/", front_desk.today, name="intake_today"),
    path(visit, front_desk.visit_page, name="intake_visit"),
    path(visit + "urgent/", front_desk.mark_urgent, name="intake_urgent"),
    path(visit + "complaint/", front_desk.save_complaint, name="intake_complaint"),
    path(visit + "photos/", front_desk.photo_list, name="intake_photos"),
    path(visit + "photos/add/", uploads.photo, name="intake_photo_add"),
    path(
        visit + "photos/<int:photo_id>/delete/",
        front_desk.delete_photo,
        name="intake_photo_delete",
    ),
    path(
        visit + "recordings/<int:recording>/chunks/<int:seq>/",
        uploads.chunk,
        name="intake_chunk",
    ),
    path(
        visit + "recordings/<int:recording>/complete/",
        uploads.recording_complete,
        name="intake_recording_complete",
    ),
    path(
        visit + "recordings/<int:recording>/discard/",
        uploads.recording_discard,
        name="intake_recording_discard",
    ),
    path(visit + "review/", front_desk.review, name="intake_review"),
    path(visit + "submit/", front_desk.submit, name="intake_submit"),
    # Media, for every role that may see the visit.
    path("media/photos/<int:photo_id>/", media.photo, name="photo_image"),
    path("media/recordings/<int:recording_id>/", media.recording, name="recording_audio"),
    # Nurses.
    path("queue/", nurse.queue, name="queue"),
    path("visits/<int:visit_id>/", nurse.visit_page, name="visit"),
    path("visits/<int:visit_id>/review/", nurse.confirm, name="visit_confirm"),
    path("visits/<int:visit_id>/move/", nurse.move, name="visit_move"),
    path("visits/<int:visit_id>/ack/", nurse.acknowledge, name="visit_ack"),
    path("visits/<int:visit_id>/rerun/", nurse.rerun, name="visit_rerun"),
    path("visits/<int:visit_id>/print/", nurse.print_summary, name="visit_print"),
    path("visits/<int:visit_id>/fhir.json", fhir.export_visit, name="visit_fhir"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("admin/", admin.site.urls),
]
