package cfn

import (
	"context"
	"testing"
	"time"
)

// TestPollSchedule: first after 0.25 s, then steadily every 0.5 s (never slower than
// SAM_CLI_POLL_DELAY), doubling only after a throttled or failed poll, back to steady after.
func TestPollSchedule(t *testing.T) {
	ms := time.Millisecond
	tests := map[string]struct {
		cap    time.Duration
		failed []bool // whether each poll failed
		want   []time.Duration
	}{
		"steady":             {cap: 0, failed: []bool{false, false, false, false}, want: []time.Duration{250 * ms, 500 * ms, 500 * ms, 500 * ms}},
		"throttled, then ok": {cap: 0, failed: []bool{false, true, true, true, false, false}, want: []time.Duration{250 * ms, 500 * ms, 1000 * ms, 2000 * ms, 4000 * ms, 500 * ms}},
		"backoff ceiling":    {cap: 0, failed: []bool{true, true, true, true, true, true}, want: []time.Duration{250 * ms, 500 * ms, 1000 * ms, 2000 * ms, 4000 * ms, 5000 * ms}},
		"low delay":          {cap: 200 * ms, failed: []bool{false, false, true, false}, want: []time.Duration{200 * ms, 200 * ms, 200 * ms, 400 * ms}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var slept []time.Duration
			p := DefaultPoller(tc.cap)
			p.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
			w := p.wait()
			for _, f := range tc.failed {
				_ = w.sleep(context.Background())
				if f {
					w.failed()
				}
			}
			if len(slept) != len(tc.want) {
				t.Fatalf("slept %v", slept)
			}
			for i := range slept {
				if slept[i] != tc.want[i] {
					t.Fatalf("slept %v, want %v", slept, tc.want)
				}
			}
		})
	}
}
