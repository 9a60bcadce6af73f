package proxy

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the proxy's Prometheus metrics (SPEC §11).
type metrics struct {
	requests  *prometheus.CounterVec
	denied    *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	notShared *prometheus.CounterVec
	rateWait  *prometheus.HistogramVec
	retries   *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry, states func() map[string]string) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_proxy_requests_total",
			Help: "Requests answered, by credential, status and client key (empty without client_keys).",
		}, []string{"credential", "status", "client"}),
		denied: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_proxy_denied_total",
			Help: "Requests refused to a client key, by key and reason (credential_not_allowed, capability_denied, endpoint_unknown, object_out_of_scope, ...).",
		}, []string{"client", "reason"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "notion_proxy_request_duration_seconds",
			Help:    "Time from request to the end of the response, by credential.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"credential"}),
		notShared: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_proxy_not_shared_total",
			Help: "Upstream object_not_found answers, usually a page or database not shared with the integration.",
		}, []string{"credential"}),
		rateWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "notion_proxy_rate_limit_wait_seconds",
			Help:    "Time requests waited for their credential's turn (rate_limit), by credential.",
			Buckets: []float64{0, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"credential"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_proxy_upstream_retries_total",
			Help: "Requests sent upstream again, by credential and reason: rate_limited (429), overloaded (529), bad_gateway, service_unavailable, gateway_timeout (GET only), unauthorized (replayed after a token refresh).",
		}, []string{"credential", "reason"}),
	}
	for _, c := range []prometheus.Collector{
		m.requests, m.denied, m.duration, m.notShared, m.rateWait, m.retries,
		&readyCollector{states: states},
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// credMetrics are one credential's children of the per-request metric
// vectors, looked up once instead of by label values on every request.
type credMetrics struct {
	name     string
	vec      *prometheus.CounterVec
	duration prometheus.Observer
	rateWait prometheus.Observer
	requests sync.Map // requestLabels -> prometheus.Counter
}

// requestLabels are notion_proxy_requests_total's labels besides the
// credential.
type requestLabels struct {
	status int
	client string
}

func (m *metrics) forCredential(name string) *credMetrics {
	return &credMetrics{
		name:     name,
		vec:      m.requests,
		duration: m.duration.WithLabelValues(name),
		rateWait: m.rateWait.WithLabelValues(name),
	}
}

// requested counts one request answered with status for client.
func (m *credMetrics) requested(status int, client string) {
	k := requestLabels{status, client}
	c, ok := m.requests.Load(k)
	if !ok {
		c, _ = m.requests.LoadOrStore(k, m.vec.WithLabelValues(m.name, strconv.Itoa(status), client))
	}
	c.(prometheus.Counter).Inc()
}

// readyCollector reports notion_proxy_credential_ready from the credentials
// of the configuration in force when scraped.
type readyCollector struct {
	states func() map[string]string
}

var readyDesc = prometheus.NewDesc("notion_proxy_credential_ready",
	"1 when the credential can serve requests, else 0.", []string{"credential"}, nil)

func (c *readyCollector) Describe(ch chan<- *prometheus.Desc) { ch <- readyDesc }

func (c *readyCollector) Collect(ch chan<- prometheus.Metric) {
	for name, state := range c.states() {
		v := 0.0
		if state == StateReady {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(readyDesc, prometheus.GaugeValue, v, name)
	}
}

// credentialStates returns every credential's state.
func (h *Handler) credentialStates() map[string]string {
	creds := h.current.Load().ordered
	states := make(map[string]string, len(creds))
	for _, c := range creds {
		states[c.name] = c.source.State()
	}
	return states
}
