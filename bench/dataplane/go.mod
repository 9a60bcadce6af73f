module github.com/notion-auth-proxy/notion-auth-proxy/bench/dataplane

go 1.26.0

require (
	github.com/valyala/fasthttp v1.78.0
	go.uber.org/zap v1.28.0
)

require (
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/molecule-man/go-brrr v1.3.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	go.uber.org/multierr v1.10.0 // indirect
)
