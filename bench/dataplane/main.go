// Command dataplane is a measuring stick, not a product: the smallest proxy
// that each of three data paths allows, injecting the same two headers as
// notion-auth-proxy, so that bench/load.sh can show what the design itself
// costs and what another one would buy (make bench-dataplane,
// docs/benchmarks.md). It routes nothing, strips only Authorization, and
// knows no credentials but the one token.
//
// It reads the proxy's own variables, so bench/load.sh runs it as a variant:
// NOTION_PROXY_LISTEN, NOTION_PROXY_UPSTREAM (an http:// URL), NOTION_API_TOKEN,
// and DATAPLANE_MODE:
//
//	reverseproxy    net/http's server, httputil.ReverseProxy and a clone of
//	                http.DefaultTransport, and nothing else (no access log):
//	                the floor of notion-auth-proxy's design
//	fasthttp-server fasthttp's server in front of net/http's Transport (which
//	                keeps HTTP/2 to the upstream), an access line per request
//	fasthttp        fasthttp's server and client (HTTP/1.1 to the upstream
//	                only), an access line per request
//
// Every mode streams both bodies and answers /healthz. Like the proxy it sets
// GOGC=400 and a 48 MiB soft memory limit unless GOGC or GOMEMLIMIT is set.
package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime/debug"
	"time"

	"github.com/valyala/fasthttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// notionVersion is the version bench/load.sh has nginx and Caddy send.
const notionVersion = "2025-09-03"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dataplane:", err)
		os.Exit(1)
	}
}

type setup struct {
	listen   string
	upstream *url.URL
	bearer   string
	log      *zap.Logger
}

func run() error {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(48 << 20)
	}
	up, err := url.Parse(os.Getenv("NOTION_PROXY_UPSTREAM"))
	if err != nil || up.Scheme != "http" || up.Host == "" {
		return errors.New("NOTION_PROXY_UPSTREAM must be an http:// URL")
	}
	s := setup{
		listen:   os.Getenv("NOTION_PROXY_LISTEN"),
		upstream: up,
		bearer:   "Bearer " + os.Getenv("NOTION_API_TOKEN"),
		log: zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
			zapcore.Lock(os.Stderr), zap.InfoLevel)),
	}
	switch mode := os.Getenv("DATAPLANE_MODE"); mode {
	case "reverseproxy":
		return http.ListenAndServe(s.listen, s.reverseProxy())
	case "fasthttp-server":
		return s.fastServer(s.viaTransport()).ListenAndServe(s.listen)
	case "fasthttp":
		return s.fastServer(s.viaHostClient()).ListenAndServe(s.listen)
	default:
		return fmt.Errorf("DATAPLANE_MODE %q: want reverseproxy, fasthttp-server or fasthttp", mode)
	}
}

// transport is notion-auth-proxy's upstream transport, as STYLE.md asks for it.
func transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 256
	return t
}

func (s setup) reverseProxy() http.Handler {
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(s.upstream)
			pr.Out.Header.Set("Authorization", s.bearer)
			pr.Out.Header.Set("Notion-Version", notionVersion)
		},
		Transport: transport(),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			io.WriteString(w, "ok\n")
			return
		}
		rp.ServeHTTP(w, r)
	})
}

// fastServer serves /healthz, and hands every other request to forward,
// then writes the access line.
func (s setup) fastServer(forward fasthttp.RequestHandler) *fasthttp.Server {
	return &fasthttp.Server{
		StreamRequestBody:  true,
		MaxRequestBodySize: 1 << 30,
		Handler: func(ctx *fasthttp.RequestCtx) {
			if string(ctx.Path()) == "/healthz" {
				ctx.SetBodyString("ok\n")
				return
			}
			start := time.Now()
			forward(ctx)
			s.log.Info("request", zap.ByteString("method", ctx.Method()), zap.ByteString("path", ctx.Path()),
				zap.Int("status", ctx.Response.StatusCode()), zap.String("credential", "default"),
				zap.Duration("duration", time.Since(start)))
		},
	}
}

// viaTransport forwards through net/http's Transport: the request and the
// response are copied between the two libraries' types.
func (s setup) viaTransport() fasthttp.RequestHandler {
	t := transport()
	return func(ctx *fasthttp.RequestCtx) {
		u := *s.upstream
		u.Path = string(ctx.Path())
		u.RawQuery = string(ctx.URI().QueryString())
		var body io.Reader
		n := int64(ctx.Request.Header.ContentLength()) // -1 chunked, -2 none
		if n > 0 || n == -1 {
			body = ctx.RequestBodyStream()
		} else {
			n = 0
		}
		out, err := http.NewRequestWithContext(ctx, string(ctx.Method()), u.String(), body)
		if err != nil {
			ctx.Error(err.Error(), fasthttp.StatusBadRequest)
			return
		}
		out.ContentLength = n
		for k, v := range ctx.Request.Header.All() {
			switch string(k) {
			case "Authorization", "Host", "Connection", "Content-Length", "Transfer-Encoding":
			default:
				out.Header.Add(string(k), string(v))
			}
		}
		out.Header.Set("Authorization", s.bearer)
		out.Header.Set("Notion-Version", notionVersion)
		resp, err := t.RoundTrip(out)
		if err != nil {
			ctx.Error("upstream: "+err.Error(), fasthttp.StatusBadGateway)
			return
		}
		for k, vs := range resp.Header {
			for _, v := range vs {
				ctx.Response.Header.Add(k, v)
			}
		}
		ctx.SetStatusCode(resp.StatusCode)
		ctx.SetBodyStream(resp.Body, int(resp.ContentLength)) // closed when sent
	}
}

// viaHostClient forwards with fasthttp's own client, streaming the response.
func (s setup) viaHostClient() fasthttp.RequestHandler {
	hc := &fasthttp.HostClient{Addr: s.upstream.Host, MaxConns: 1024, StreamResponseBody: true}
	return func(ctx *fasthttp.RequestCtx) {
		req := &ctx.Request
		req.Header.Set("Authorization", s.bearer)
		req.Header.Set("Notion-Version", notionVersion)
		req.SetHost(s.upstream.Host)
		resp := fasthttp.AcquireResponse()
		if err := hc.Do(req, resp); err != nil {
			fasthttp.ReleaseResponse(resp)
			ctx.Error("upstream: "+err.Error(), fasthttp.StatusBadGateway)
			return
		}
		resp.Header.CopyTo(&ctx.Response.Header)
		if stream := resp.BodyStream(); stream != nil {
			ctx.SetBodyStream(&released{Reader: stream, resp: resp}, resp.Header.ContentLength())
			return
		}
		ctx.SetBody(resp.Body())
		fasthttp.ReleaseResponse(resp)
	}
}

// released hands a streamed response back to fasthttp's pool once the server
// has sent it.
type released struct {
	io.Reader
	resp *fasthttp.Response
}

func (r *released) Close() error {
	err := r.resp.CloseBodyStream()
	fasthttp.ReleaseResponse(r.resp)
	return err
}
