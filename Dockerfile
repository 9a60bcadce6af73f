# A static binary on an empty base image, running as a non-root user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/notion-auth-proxy ./cmd/notion-auth-proxy \
 && mkdir -p /out/state && chown 65532:65532 /out/state && chmod 0700 /out/state

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/notion-auth-proxy /notion-auth-proxy
COPY --from=build --chown=65532:65532 /out/state /var/lib/notion-auth-proxy
# Credentials the proxy stores (OAuth pairs, set-token) live here; mount a
# volume to keep them.
ENV HOME=/var/lib/notion-auth-proxy XDG_STATE_HOME=/var/lib/notion-auth-proxy
USER 65532:65532
EXPOSE 8700
ENTRYPOINT ["/notion-auth-proxy"]
CMD ["serve"]
