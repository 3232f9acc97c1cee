package deploy_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/testenv"
	"github.com/samship/samship/internal/ui"
)

// TestProgress deploys one image function: it gets its result line when pushed; on a
// terminal its progress line is redrawn as bytes go, then erased, and the stack is shown in
// the live stack view; with --no-progressbar (or without a terminal) there is no progress
// line, and the stack's events come in SAM CLI's table.
func TestProgress(t *testing.T) {
	for name, tc := range map[string]struct {
		terminal, noBar, wantRedraw bool
	}{
		"terminal":                     {terminal: true, wantRedraw: true},
		"terminal with no-progressbar": {terminal: true, noBar: true},
		"log":                          {},
	} {
		t.Run(name, func(t *testing.T) {
			access := registryFor(t, nil)
			h := newHarness(t)
			tpl := h.imageApp(t)
			o := deploy.Options{TemplateFile: tpl, StackName: "app", ImageRepository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
				NoProgressBar: tc.noBar, FailOnEmptyChangeset: true, PollCap: time.Second}
			err := h.runWith(t, o, func(e *deploy.Env) {
				e.UI.(*ui.Reporter).Terminal = tc.terminal
				e.Registry = access
			})
			if err != nil {
				t.Fatalf("Run() = %v", err)
			}
			out := h.stderr.String()
			redrawn := strings.Contains(out, "\x1b[2K  app  ") && strings.Contains(out, "\x1b[1A\x1b[J")
			logged := strings.Contains(out, "\tPushed Fn (img) to 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:fn-")
			if redrawn != tc.wantRedraw || !logged {
				t.Errorf("redrawn line %v, result line %v; want redrawn %v and the result line:\n%q", redrawn, logged, tc.wantRedraw, out)
			}
			if !strings.Contains(out, "Images: 1 pushed, 0 already there") {
				t.Errorf("no summary:\n%s", out)
			}
			view := strings.Contains(out, "✔ Created stack app  [create complete]")
			table := strings.Contains(out, "CloudFormation events from stack operations")
			if view != tc.wantRedraw || table == tc.wantRedraw {
				t.Errorf("stack view %v, event table %v; want the view %v:\n%s", view, table, tc.wantRedraw, out)
			}
		})
	}
}

// registryFor serves an in-memory registry as every ECR host, through wrap when set (a test
// holds or fails requests there).
func registryFor(t *testing.T, wrap func(http.Handler) http.Handler) registry.Access {
	t.Helper()
	var h http.Handler = ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rt, err := registry.Redirect(http.DefaultTransport, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return registry.Access{Transport: rt, Keychain: registry.NewKeychain(ecr.New(ecrfake.New()))}
}

// imageApp writes a template of one function Fn whose image is an OCI layout beside it.
func (h *harness) imageApp(t *testing.T) string {
	t.Helper()
	if err := testenv.WriteImage(filepath.Join(h.dir, "img"), "oci-layout", 2048, 1); err != nil {
		t.Fatal(err)
	}
	tpl := filepath.Join(h.dir, "template.yaml")
	body := "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image, Code: {ImageUri: img}}\n"
	if err := os.WriteFile(tpl, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return tpl
}

// TestDeployFindsItsImageGone: another run deletes the image this deploy pushed while its
// change set executes (a deploy of the same stack removing the function, in the one call
// between its last look at the stack and its deletion). The deploy says so and fails, naming
// the function, instead of reporting success with a function whose image is gone.
func TestDeployFindsItsImageGone(t *testing.T) {
	var gone atomic.Bool
	access := registryFor(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if gone.Load() && strings.Contains(r.URL.Path, "/manifests/") {
				http.Error(w, `{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`, http.StatusNotFound)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	h := newHarness(t)
	tpl := h.imageApp(t)
	h.cfn.Before = func(op string) {
		if op == "ExecuteChangeSet" {
			gone.Store(true)
		}
	}
	o := deploy.Options{TemplateFile: tpl, StackName: "app", ImageRepository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
		FailOnEmptyChangeset: true, PollCap: time.Second}
	err := h.runWith(t, o, func(e *deploy.Env) { e.Registry = access })
	want := "stack app deployed, but the image of function Fn is gone from its repository (123456789012.dkr.ecr.us-east-1.amazonaws.com/app:fn-"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "run samship deploy again to push it back") {
		t.Fatalf("Run() = %v, want %q…", err, want)
	}
}
