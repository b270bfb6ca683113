"""The queue page benchmark, kept under this name: it lives in the package bench/queue/."""

from bench.queue import main

if __name__ == "__main__":
    raise SystemExit(main())
