package registry

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestPingSurvivesADroppedConnection: the registry ping, which every push starts with, is
// sent again when the connection drops (the fault suite's soak found pushes failing on it).
func TestPingSurvivesADroppedConnection(t *testing.T) {
	var pings atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pings.Add(1) == 1 {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	c := newPingCache(http.DefaultTransport)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/", nil)
	resp, err := c.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK || pings.Load() != 2 {
		t.Fatalf("ping = %v, %v after %d pings, want 200 after 2", resp, err, pings.Load())
	}
}
