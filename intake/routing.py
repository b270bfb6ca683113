from django.urls import path

from intake.consumers import QueueConsumer, VisitConsumer

websocket_urlpatterns = [
    path("ws/queue/", QueueConsumer.as_asgi()),
    path("ws/visits/<int:visit_id>/", VisitConsumer.as_asgi()),
]
