package policy

import "testing"

func BenchmarkMatch(b *testing.B) {
	path := "/v1/pages/" + idDashed
	b.ReportAllocs()
	for b.Loop() {
		Match("GET", path)
	}
}

func BenchmarkClassify(b *testing.B) {
	benchmarks := []struct {
		name, method, path, query, body string
	}{
		{"search", "POST", "/v1/search", "", ""},
		{"get page dashed", "GET", "/v1/pages/" + idDashed, "", ""},
		{"get page undashed", "GET", "/v1/pages/" + idHex, "", ""},
		{"list comments", "GET", "/v1/comments", "block_id=" + idDashed + "&page_size=100", ""},
		{"trash page", "PATCH", "/v1/pages/" + idDashed, "", `{"in_trash":true}`},
		{"create page", "POST", "/v1/pages", "", `{"parent":{"page_id":"` + idDashed + `"},"properties":{"title":{"title":[{"text":{"content":"Hello"}}]}}}`},
	}
	p := Policy{Allow: ReadWrite}
	for _, bm := range benchmarks {
		body := []byte(bm.body)
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c, _ := Classify(bm.method, bm.path, bm.query, body)
				_ = p.Check(c)
			}
		})
	}
}
