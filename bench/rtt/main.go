// Command rtt measures what the proxy's pooled upstream connection saves
// on a real path (make bench-rtt). A fake Notion API speaking TLS and
// HTTP/2 sits behind relays that add a delay each way (25 ms: a 50 ms round
// trip, about what a client far from Notion's servers sees). The same
// number of sequential curl calls of GET /v1/users/me go
//
//   - direct: curl to the relayed fake, a new TCP and TLS connection each
//     (curl --cacert with the fake's certificate);
//   - through the proxy: curl to the proxy on loopback, whose upstream is
//     the relayed fake, over one pooled HTTP/2 connection (the proxy
//     trusts the fake's certificate through SSL_CERT_FILE).
//
// The calls alternate, so drifts in machine load reach both alike. The
// command prints the end-to-end time of each side (every curl process
// from exec to exit), curl's own time_total, and how many connections
// each side opened upstream, and writes rtt.csv to -out. Pacing is off
// (rate_limit.requests_per_second 0): this measures the data path.
package main

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/bench/internal/procs"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

func main() { procs.Main("bench/rtt", run) }

type options struct {
	proxyBin, out string
	calls         int
	delay         time.Duration
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("rtt", flag.ContinueOnError)
	fs.StringVar(&o.proxyBin, "proxy", "bin/notion-auth-proxy", "the proxy `binary` (make build)")
	fs.StringVar(&o.out, "out", "bin/bench", "`directory` for rtt.csv")
	fs.IntVar(&o.calls, "calls", 100, "sequential curl calls per side")
	fs.DurationVar(&o.delay, "delay", 25*time.Millisecond, "delay the relays add each way")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || o.calls < 1 || o.delay < 0 {
		return errors.New("usage: rtt [flags] (see -help)")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		return errors.New("curl is missing (apt-get install -y curl)")
	}
	dir, err := os.MkdirTemp("", "bench-rtt-")
	if err != nil {
		return fmt.Errorf("scratch directory: %w", err)
	}
	defer os.RemoveAll(dir)

	fake := notiontest.NewTLSServer()
	defer fake.Close()
	fake.AddToken(procs.Token, notiontest.Bot{ID: "7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f", Name: "Bench Bot"})
	fakeAddr := strings.TrimPrefix(fake.URL(), "https://")
	caFile := filepath.Join(dir, "fake-ca.pem")
	if err := saveCertificate(fakeAddr, caFile); err != nil {
		return err
	}

	// One relay per side, so that each side's connections are counted.
	direct, err := newRelay(fakeAddr, o.delay)
	if err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	defer direct.Close()
	viaProxy, err := newRelay(fakeAddr, o.delay)
	if err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	defer viaProxy.Close()

	proxy, proxyURL, err := startProxy(o.proxyBin, dir, "https://"+viaProxy.Addr(), caFile)
	if err != nil {
		return err
	}
	sides := []side{
		{name: "direct", args: []string{"--http2", "--cacert", caFile,
			"-H", "Authorization: Bearer " + procs.Token, "-H", "Notion-Version: 2025-09-03",
			"https://" + direct.Addr() + "/v1/users/me"}},
		{name: "proxy", args: []string{proxyURL + "/v1/users/me"}},
	}
	for i := range o.calls {
		if ctx.Err() != nil {
			break
		}
		for k := range sides {
			s := &sides[(i+k)%len(sides)] // alternate which goes first
			if err := s.call(ctx); err != nil {
				return errors.Join(err, proxy.Stop())
			}
		}
	}
	if err := proxy.Stop(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h2 := 0
	for _, r := range fake.Requests() {
		if r.Proto == "HTTP/2.0" {
			h2++
		}
	}
	report(stdout, o, sides, []int64{direct.accepted.Load(), viaProxy.accepted.Load()}, h2)
	return writeCSV(o.out, sides)
}

// saveCertificate writes the certificate the TLS server at addr presents
// to file as PEM: the fake's self-signed certificate, to be trusted.
func saveCertificate(addr, file string) error {
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) // only to read the certificate
	if err != nil {
		return fmt.Errorf("read the fake's certificate: %w", err)
	}
	defer c.Close()
	cert := c.ConnectionState().PeerCertificates[0]
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		return fmt.Errorf("save the fake's certificate: %w", err)
	}
	return nil
}

// startProxy runs the proxy in front of upstream, trusting caFile, pacing
// off, and waits until it is ready.
func startProxy(bin, dir, upstream, caFile string) (*procs.Proc, string, error) {
	addr, err := procs.FreeAddr()
	if err != nil {
		return nil, "", err
	}
	p, err := procs.Start("proxy", dir, procs.Env(dir,
		"NOTION_API_TOKEN="+procs.Token,
		"NOTION_PROXY_UPSTREAM="+upstream,
		"NOTION_PROXY_LISTEN="+addr,
		"NOTION_PROXY_STORE_BACKEND=file",
		"NOTION_PROXY_RATE_LIMIT_REQUESTS_PER_SECOND=0",
		"SSL_CERT_FILE="+caFile,
	), bin, "serve")
	if err != nil {
		return nil, "", err
	}
	base := "http://" + addr
	if _, err := p.WaitHTTP(base+"/readyz", http.StatusOK, 10*time.Millisecond, 20*time.Second); err != nil {
		return nil, "", errors.Join(err, p.Stop())
	}
	return p, base, nil
}

// side is one way to make the calls, and what they took.
type side struct {
	name       string
	args       []string
	endToEnd   []time.Duration // exec to exit of each curl
	curlTotals []time.Duration // curl's time_total
}

// call runs curl once and records its times.
func (s *side) call(ctx context.Context) error {
	args := append([]string{"-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}"}, s.args...)
	start := time.Now()
	out, err := exec.CommandContext(ctx, "curl", args...).Output()
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("%s: curl: %w", s.name, err)
	}
	code, total, _ := strings.Cut(string(out), " ")
	secs, err := strconv.ParseFloat(total, 64)
	if code != "200" || err != nil {
		return fmt.Errorf("%s: curl answered %q", s.name, out)
	}
	s.endToEnd = append(s.endToEnd, took)
	s.curlTotals = append(s.curlTotals, time.Duration(secs*float64(time.Second)))
	return nil
}

func sum(ds []time.Duration) (t time.Duration) {
	for _, d := range ds {
		t += d
	}
	return t
}

func median(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	return s[len(s)/2]
}

func report(w io.Writer, o options, sides []side, conns []int64, h2 int) {
	fmt.Fprintf(w, "%d sequential curl calls per side, GET /v1/users/me, %s each way (RTT %s)\n\n",
		o.calls, o.delay, 2*o.delay)
	fmt.Fprintln(w, "| side | end to end, all calls s | per call ms (median) | curl time_total ms (median) | first call ms | connections to the fake |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for i, s := range sides {
		fmt.Fprintf(w, "| %s | %.2f | %.1f | %.1f | %.1f | %d |\n", s.name, sum(s.endToEnd).Seconds(),
			ms(median(s.endToEnd)), ms(median(s.curlTotals)), ms(s.endToEnd[0]), conns[i])
	}
	fmt.Fprintf(w, "\nthe proxy is %.2f × faster end to end (%.2f × by curl's time_total); the fake saw %d HTTP/2 requests\n",
		sum(sides[0].endToEnd).Seconds()/sum(sides[1].endToEnd).Seconds(),
		sum(sides[0].curlTotals).Seconds()/sum(sides[1].curlTotals).Seconds(), h2)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// writeCSV writes one row per call: side, call, end-to-end and curl's
// time_total in seconds.
func writeCSV(dir string, sides []side) error {
	var rows [][]string
	for _, s := range sides {
		for i := range s.endToEnd {
			rows = append(rows, []string{s.name, strconv.Itoa(i + 1), fmt.Sprintf("%.4f", s.endToEnd[i].Seconds()),
				fmt.Sprintf("%.4f", s.curlTotals[i].Seconds())})
		}
	}
	return procs.WriteCSV(dir, "rtt.csv", []string{"side", "call", "end_to_end_s", "curl_time_total_s"}, rows)
}
