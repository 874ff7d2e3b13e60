# hearth in a container: build the site, send the newsletter, or run the daemon.
#
#   docker build -t hearth .
#   docker run --rm -v "$PWD/my-community:/site" hearth build /site
#   docker run -d -v "$PWD/my-community:/site" -e HEARTH_SMTP_PASSWORD hearth newsletter daemon /site
#
# Stage 1 compiles with the full Rust toolchain; stage 2 is a small Debian with only
# the binary, CA certificates (SMTP over TLS) and the time zone rules hearth bundles.
FROM rust:bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/hearth

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/hearth hearth
COPY --from=build /src/target/release/hearth /usr/local/bin/hearth
USER hearth
WORKDIR /site
ENTRYPOINT ["hearth"]
CMD ["--help"]
