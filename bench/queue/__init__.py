"""The queue page and live updates benchmark (`python -m bench.queue`, or its old name
`python -m bench.bench_queue`); bench.queue.cli describes what it measures.

Modules: base (settings, environment, statistics), seed (one clinic day), view_profile (the
view in process), server (daphne, login), httpclient and load (the HTTP load), ws_clients (the
WebSocket child process) and ws_phase (its parent's side), report (the tables), cli (main).
Every module imports only the standard library at its top: the WebSocket child must not load
Django.
"""

from bench.queue.cli import main

__all__ = ["main"]
