# syntax=docker/dockerfile:1
# The frontend renderer/judge (`sweet serve renderer`): Playwright driving Debian's
# Chromium, with the Tailwind v3 runtime that pages are styled with, both as
# scripts/install_browser.sh installs them (never `playwright install`, which downloads
# a browser). The structural judge needs no weights; the CLIP judge needs the models
# extra (torch, transformers), which this image does not hold: its CLIP requests fail
# with FAILED_PRECONDITION.
#   git archive HEAD | docker build -f docker/renderer.Dockerfile -t sweetrl/renderer:0.1.0 -

FROM debian:12.12-slim AS build
ENV DEBIAN_FRONTEND=noninteractive PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# npm only fetches the Tailwind runtime here; it stays out of the final image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv npm ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY sweetrl ./sweetrl
COPY services ./services
RUN /opt/venv/bin/pip install ".[render]"
# The Tailwind runtime: tailwindcss-cdn at the version and sha256 the script pins, into
# /opt/venv/share/sweetrl/node_modules, where the renderer looks for it (under
# sys.prefix, sweetrl/render/assets.py) and checks the hashes again at start. The
# script runs unprivileged, so that it skips its Chromium step (apt-get, root only;
# Chromium belongs in the final stage, installed there with the script's package list)
# and npm never runs as root. The files end up owned by root.
COPY scripts/install_browser.sh ./scripts/
RUN mkdir -p /opt/venv/share/sweetrl \
 && chown nobody:nogroup /opt/venv/share/sweetrl
USER nobody
RUN HOME=/tmp/npm-home ./scripts/install_browser.sh /opt/venv
USER root
RUN chown -R root:root /opt/venv/share/sweetrl

FROM debian:12.12-slim
# The packages scripts/install_browser.sh installs for Chromium (the fonts make text
# render the same on every machine).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 chromium fonts-liberation fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 sweet \
 && useradd --uid 10001 --gid 10001 --home-dir /var/lib/sweetrl --create-home --shell /usr/sbin/nologin sweet
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    HOME=/var/lib/sweetrl SWEET_HOME=/var/lib/sweetrl \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /var/lib/sweetrl
EXPOSE 50054 9094
ENTRYPOINT ["sweet"]
CMD ["serve", "renderer"]
