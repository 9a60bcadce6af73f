package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/bench/internal/procs"
)

// setup is what every target is started with.
type setup struct {
	dir       string // scratch directory of this target's run
	proxyBin  string
	nginxConf string // template, see bench/nginx.conf
	token     string
	version   string
	rate      float64 // the proxy's rate_limit
	burst     int
	replicas  int
}

// running is a started target: where its clients send, what they add to
// each request, and how to stop it.
type running struct {
	bases  []string
	header http.Header
	procs  []*procs.Proc // stopped in reverse order
}

func (r *running) stop() error {
	var errs []error
	for i := len(r.procs) - 1; i >= 0; i-- {
		errs = append(errs, r.procs[i].Stop())
	}
	return errors.Join(errs...)
}

// target is one way for the clients to reach the fake.
type target struct {
	name, label string
	start       func(s setup, upstream string) (*running, error)
}

var targets = []target{
	{"direct", "direct, clients retry after Retry-After", startDirect},
	{"nginx", "nginx injecting the token", startNginx},
	{"proxy", "notion-auth-proxy", startProxy},
	{"replicas", "3 × notion-auth-proxy, one Redis", startReplicas},
}

// startDirect: the clients carry the credential and talk to the fake.
func startDirect(s setup, upstream string) (*running, error) {
	return &running{bases: []string{upstream}, header: http.Header{
		"Authorization":  {"Bearer " + s.token},
		"Notion-Version": {s.version},
	}}, nil
}

// startNginx runs nginx with bench/nginx.conf: it injects the token and
// Notion-Version and paces nothing.
func startNginx(s setup, upstream string) (*running, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("nginx upstream: %w", err)
	}
	addr, err := procs.FreeAddr()
	if err != nil {
		return nil, err
	}
	tmpl, err := os.ReadFile(s.nginxConf)
	if err != nil {
		return nil, fmt.Errorf("nginx config: %w", err)
	}
	dir := filepath.Join(s.dir, "nginx")
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("nginx config: %w", err)
	}
	_, port, _ := strings.Cut(addr, ":")
	conf := strings.NewReplacer("@DIR@", dir, "@PORT@", port, "@UPSTREAM@", u.Port(),
		"@TOKEN@", s.token, "@VERSION@", s.version).Replace(string(tmpl))
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, fmt.Errorf("nginx config: %w", err)
	}
	p, err := procs.Start("nginx", s.dir, procs.Env(s.dir), "nginx", "-p", dir, "-c", confPath,
		"-e", filepath.Join(dir, "logs", "error.log"))
	if err != nil {
		return nil, err
	}
	r := &running{bases: []string{"http://" + addr}, procs: []*procs.Proc{p}}
	// Wait for the port, not for an answer: any request through nginx
	// would reach the fake and spend its budget.
	if err := procs.WaitTCP(p, addr, 10*time.Second); err != nil {
		return nil, errors.Join(err, r.stop())
	}
	return r, nil
}

// startProxy runs one proxy with a file store and the budget as rate_limit.
func startProxy(s setup, upstream string) (*running, error) {
	return startProxies(s, upstream, 1, nil)
}

// startReplicas runs s.replicas proxies sharing one budget in one
// redis-server; each gets an equal share of the clients.
func startReplicas(s setup, upstream string) (*running, error) {
	addr, err := procs.FreeAddr()
	if err != nil {
		return nil, err
	}
	redis, err := procs.StartRedis(s.dir, addr)
	if err != nil {
		return nil, err
	}
	r, err := startProxies(s, upstream, s.replicas, []string{
		"NOTION_PROXY_STORE_BACKEND=redis",
		"NOTION_PROXY_STORE_REDIS_ADDR=" + addr,
		fmt.Sprintf("NOTION_PROXY_RATE_LIMIT_REPLICAS=%d", s.replicas),
	})
	if err != nil {
		return nil, errors.Join(err, redis.Stop())
	}
	r.procs = append([]*procs.Proc{redis}, r.procs...)
	return r, nil
}

// proxyConfig is the YAML every proxy of the benchmark reads; the
// environment adds the listen address and, for replicas, the Redis store.
const proxyConfig = `# written by bench/notion
upstream: %s
store: {backend: file}
credentials:
  - {name: bench, type: token, token_env: NOTION_BENCH_TOKEN}
rate_limit: {requests_per_second: %g, burst: %d, max_wait: 60s}
retry: {max_attempts: 3, max_retry_after: 30s}
log: {format: json, level: info}
`

// startProxies runs n proxies reading one config file, each on its own
// port with env added, and waits until every one is ready.
func startProxies(s setup, upstream string, n int, env []string) (*running, error) {
	conf := filepath.Join(s.dir, "proxy.yaml")
	if err := os.WriteFile(conf, fmt.Appendf(nil, proxyConfig, upstream, s.rate, s.burst), 0o600); err != nil {
		return nil, fmt.Errorf("proxy config: %w", err)
	}
	r := &running{}
	for i := range n {
		addr, err := procs.FreeAddr()
		if err != nil {
			return nil, errors.Join(err, r.stop())
		}
		dir := filepath.Join(s.dir, fmt.Sprintf("proxy%d", i+1))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, errors.Join(fmt.Errorf("proxy state: %w", err), r.stop())
		}
		kv := append([]string{"NOTION_BENCH_TOKEN=" + s.token, "NOTION_PROXY_LISTEN=" + addr}, env...)
		p, err := procs.Start(fmt.Sprintf("proxy%d", i+1), s.dir, procs.Env(dir, kv...),
			s.proxyBin, "serve", "--config", conf)
		if err != nil {
			return nil, errors.Join(err, r.stop())
		}
		r.procs = append(r.procs, p)
		r.bases = append(r.bases, "http://"+addr)
		if _, err := p.WaitHTTP("http://"+addr+"/readyz", http.StatusOK, 10*time.Millisecond, 20*time.Second); err != nil {
			return nil, errors.Join(err, r.stop())
		}
	}
	return r, nil
}
