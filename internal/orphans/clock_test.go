package orphans_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/samship/samship/internal/awsclient"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/orphans"
)

// TestOrphansAgeByAWSClock: with the machine's clock a day off, --min-age is judged by
// AWS's time (the Date of its responses): a companion stack made a minute ago by a first
// deploy under way stays, one changed two hours ago goes.
func TestOrphansAgeByAWSClock(t *testing.T) {
	tests := map[string]time.Duration{
		"local clock a day ahead":  24 * time.Hour,
		"local clock a day behind": -24 * time.Hour,
		"local clock right":        0,
	}
	for name, skew := range tests {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.companionOf(t, "twohours", 2*time.Hour, 1, "Fn")
			clock := &awsclient.Clock{Local: func() time.Time { return now.Add(skew) }}
			clock.Observe(now.Format(http.TimeFormat), now.Add(skew)) // AWS answered just now
			var out bytes.Buffer
			e := w.env(&out, nil)
			e.Now = clock.Now
			if _, err := orphans.Run(context.Background(), orphans.Input{Delete: true, NoPrompts: true, MinAge: time.Hour}, e); err != nil {
				t.Fatal(err)
			}
			if _, ok := w.cfn.Stacks[companion.StackName("fresh")]; !ok {
				t.Errorf("Run() deleted the companion stack of a first deploy under way (1 minute old by AWS's clock)\n%s", out.String())
			}
			if _, ok := w.cfn.Stacks[companion.StackName("twohours")]; ok {
				t.Errorf("Run() kept an orphan changed 2 hours ago by AWS's clock\n%s", out.String())
			}
		})
	}
}
