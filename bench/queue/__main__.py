"""`python -m bench.queue`: the queue page benchmark."""

from bench.queue.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
