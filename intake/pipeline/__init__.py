"""The durable pipeline behind a submitted visit, in the order a visit meets it:

- `submit`: the request side (submit, re-run, new media, edited complaint): state change and step
  opened in one transaction, task sent after commit.
- `enqueue`: sends the tasks by name with time limits scaled to the audio.
- `tasks` -> `runs`: the `asr` and `llm` step bodies (claim, work, save result + next state in one
  transaction); `media`, `records`, `messages` are what they read, store and say.
- `steps` (claims, fencing, attempts), `leases` (never shorter than the task's hard limit,
  renewed while the engine runs), `progress` (throttled events for the queue).
- `sweeper`: expired leases and visits nobody will otherwise pick up.
- `worker` (which model a worker process loads), `engines` (model settings), `playback`
  (seekable copies for nurses), `retention` (media past its retention period), `faults` (the
  crash tests' hook, inert in a deployment).

Everything takes ids and re-reads the database, so a task delivered twice, late, or after a
crash does no harm. Nothing with patient data goes to Celery, Redis or the logs.
"""
