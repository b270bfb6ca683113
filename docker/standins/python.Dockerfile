# TEST-ONLY stand-in for the official python:3.11 image, for machines with no image registry
# (the compose test). Debian bookworm's own Python 3.11 on a debootstrap root filesystem
# imported as local/debian:bookworm. Never used for a clinic's deployment.
# DL3006: a local image made by `docker import`, no registry tag to pin.
# hadolint ignore=DL3006
FROM local/debian:bookworm
# The build machine's CA bundle: pip reaches the package index through it.
COPY ca-certificates.crt /etc/ssl/build-machine-ca.crt
ENV PIP_CERT=/etc/ssl/build-machine-ca.crt \
    LANG=C.UTF-8
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3.11 python3.11-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && python3.11 --version
CMD ["python3.11"]
