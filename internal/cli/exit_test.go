package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/prompt"
)

// TestExitCode: 0 ok, 2 bad usage (however wrapped), 130 interrupted, 1 the rest.
func TestExitCode(t *testing.T) {
	tests := map[string]struct {
		err  error
		want int
	}{
		"none":             {nil, 0},
		"bad usage":        {&deploy.UsageError{Msg: "Missing option '--stack-name'"}, 2},
		"wrapped usage":    {fmt.Errorf("deploy: %w", deploy.Usage(errors.New("bad flag"))), 2},
		"aborted question": {prompt.ErrAborted, 1},
		"interrupted":      {prompt.ErrInterrupted, 130},
		"canceled":         {fmt.Errorf("deploy: %w", context.Canceled), 130},
		"an AWS failure":   {errors.New("create stack app: AccessDenied"), 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := exitCode(tc.err); got != tc.want {
				t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}
