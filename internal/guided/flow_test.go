package guided_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	ggcr "github.com/google/go-containerregistry/pkg/registry"

	"github.com/samship/samship/internal/artifacts"
	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/cfn/cfnfake"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
	"github.com/samship/samship/internal/guided"
	"github.com/samship/samship/internal/prompt"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/s3"
	"github.com/samship/samship/internal/s3/s3fake"
	"github.com/samship/samship/internal/samconfig"
	"github.com/samship/samship/internal/testenv"
	"github.com/samship/samship/internal/ui"
)

// script answers questions in order, as a user would type them ("" takes the default), and
// records each question as the terminal shows it. When the answers run out the input has
// ended.
type script struct {
	answers []string
	asked   []string
}

func (s *script) next(q string) (string, error) {
	s.asked = append(s.asked, strings.TrimSpace(q))
	if len(s.answers) == 0 {
		return "", prompt.ErrAborted
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a, nil
}

func (s *script) Prompt(_ context.Context, q, def string) (string, error) {
	if def != "" {
		q += " [" + def + "]"
	}
	a, err := s.next(q)
	if a == "" {
		a = def
	}
	return a, err
}

func (s *script) Validated(ctx context.Context, q, def string, check func(string) error) (string, error) {
	for {
		a, err := s.Prompt(ctx, q, def)
		if err != nil {
			return "", err
		}
		if err := check(a); err != nil {
			s.asked = append(s.asked, "Error: "+err.Error())
			continue
		}
		return a, nil
	}
}

func (s *script) Confirm(_ context.Context, q string, def bool) (bool, error) {
	suffix := " [y/N]"
	if def {
		suffix = " [Y/n]"
	}
	a, err := s.next(q + suffix)
	switch a {
	case "y":
		return true, err
	case "n":
		return false, err
	}
	return def, err
}

func (s *script) Hidden(_ context.Context, q string) (string, error) { return s.next(q + " (hidden)") }

// world is the AWS and the directory one guided run sees.
type world struct {
	dir       string
	cfn       *cfnfake.CFN
	ecr       *ecrfake.ECR
	s3        *s3fake.S3
	transport http.RoundTripper
	stderr    strings.Builder
	connected bool
	// save is what the command line gives the flow to save with the answers.
	save []samconfig.Param
}

const account = "123456789012"

func newWorld(t *testing.T, template string) *world {
	t.Helper()
	srv := httptest.NewServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	rt, err := registry.Redirect(http.DefaultTransport, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{dir: t.TempDir(), cfn: cfnfake.New(), ecr: ecrfake.New(), s3: s3fake.New("managed-bucket"), transport: rt}
	m := w.cfn.Seed(artifacts.ManagedStackName, "CREATE_COMPLETE", "{}")
	m.Tags = map[string]string{"ManagedStackSource": "AwsSamCli"}
	m.Outputs = []cfntypes.Output{{OutputKey: aws.String("SourceBucket"), OutputValue: aws.String("managed-bucket")}}
	w.write(t, "template.yaml", template)
	for _, img := range []string{"hello", "world"} {
		if err := testenv.WriteImage(filepath.Join(w.dir, img), "oci-layout", 512, 1); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) write(t *testing.T, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (w *world) read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, name))
	if err != nil {
		return ""
	}
	return string(b)
}

func (w *world) connect(_ context.Context, region string) (deploy.Env, error) {
	w.connected = true
	poll := cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}
	return deploy.Env{
		CFN: cfn.New(w.cfn, poll), Images: ecr.New(w.ecr), S3: s3.New(w.s3), Region: region,
		Account: func(context.Context) (string, error) { return account, nil }, SetAccount: func(string) {},
		UI:       &ui.Reporter{Out: io.Discard, Err: &w.stderr, Width: 100},
		Confirm:  func(context.Context, string, bool) (bool, error) { return true, nil },
		Now:      func() time.Time { return time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC) },
		Registry: registry.Access{Transport: w.transport, Keychain: registry.NewKeychain(ecr.New(w.ecr))},
	}, nil
}

// run runs the guided flow from the samconfig found in the world's directory, if any.
func (w *world) run(t *testing.T, s *script, o deploy.Options) error {
	t.Helper()
	t.Chdir(w.dir)
	o.TemplateFile, o.FailOnEmptyChangeset, o.PollCap = "template.yaml", true, time.Millisecond
	d := guided.Defaults{Options: o, ConfigFile: "samconfig.toml", ConfigEnv: "default", Dir: ".", Save: w.save}
	if cfg := w.read(t, "samconfig.toml"); cfg != "" {
		d.ConfigFound = true
		applySaved(&d, cfg)
	}
	f := &guided.Flow{Prompt: s, UI: &ui.Reporter{Out: io.Discard, Err: &w.stderr, Width: 100}, Connect: w.connect, DefaultRegion: "us-east-1"}
	return f.Run(context.Background(), d)
}

// applySaved reads back the few keys these tests save, as the command line would pass them.
func applySaved(d *guided.Defaults, cfg string) {
	for _, line := range strings.Split(cfg, "\n") {
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		switch k {
		case "stack_name":
			d.StackName = v
		case "region":
			d.Region = v
		case "confirm_changeset":
			d.ConfirmChangeset = v == "true"
		case "image_repositories":
			d.ImageRepositories = map[string]string{}
			for _, item := range strings.Split(strings.Trim(v, `[]`), ",") {
				if fn, uri, ok := strings.Cut(strings.Trim(strings.TrimSpace(item), `"`), "="); ok {
					d.ImageRepositories[fn] = uri
				}
			}
		}
	}
}

const twoFunctions = `Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
  Secret: {Type: String, NoEcho: true}
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: hello}
  World:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: world}
`

func repoURI(stack, fn string) string {
	return companion.URI(account, "us-east-1", companion.NewRepo(stack, fn).Name)
}

// questions is the first run's questions with SAM CLI's defaults, up to the image questions.
var firstQuestions = []string{
	"Stack Name [sam-app]", "AWS Region [us-east-1]", "Parameter Stage [dev]", "Parameter Secret (hidden)",
	"Confirm changes before deploy [y/N]", "Allow SAM CLI IAM role creation [Y/n]", "Disable rollback [y/N]",
	"Save arguments to configuration file [Y/n]", "SAM configuration file [samconfig.toml]",
	"SAM configuration environment [default]",
}

func TestGuidedFirstRun(t *testing.T) {
	w := newWorld(t, twoFunctions)
	s := &script{answers: []string{"app", "", "", "s3cret", "", "", "", "", "", "", ""}}
	if err := w.run(t, s, deploy.Options{}); err != nil {
		t.Fatalf("Run() = %v\n%s", err, w.stderr.String())
	}
	want := append(slices.Clone(firstQuestions), "Create managed ECR repositories for all functions? [Y/n]")
	if !slices.Equal(s.asked, want) {
		t.Errorf("asked\n%q\nwant\n%q", s.asked, want)
	}
	cfg := w.read(t, "samconfig.toml")
	for _, line := range []string{`stack_name = "app"`, `resolve_s3 = true`, `s3_prefix = "app"`, `capabilities = "CAPABILITY_IAM"`,
		`parameter_overrides = "Stage=\"dev\""`,
		`image_repositories = ["Hello=` + repoURI("app", "Hello") + `", "World=` + repoURI("app", "World") + `"]`} {
		if !strings.Contains(cfg, line+"\n") {
			t.Errorf("samconfig.toml lacks %s:\n%s", line, cfg)
		}
	}
	if strings.Contains(cfg, "s3cret") {
		t.Errorf("samconfig.toml holds the NoEcho parameter's value:\n%s", cfg)
	}
	if w.cfn.Stacks[companion.StackName("app")] == nil || w.cfn.Stacks["app"] == nil {
		t.Errorf("stacks %v: want the companion and application stacks", w.cfn.Calls)
	}
}

// TestGuidedRepositorySettings: the repository settings given go into the companion stack
// and are saved with the answers, as given.
func TestGuidedRepositorySettings(t *testing.T) {
	w := newWorld(t, twoFunctions)
	w.save = []samconfig.Param{{Key: "image_repos_tag_mutability", Value: "IMMUTABLE"}, {Key: "image_repos_tags", Value: "team=web"}}
	s := &script{answers: []string{"app", "", "", "s3cret", "", "", "", "", "", "", ""}}
	o := deploy.Options{RepoSettings: companion.Settings{TagMutability: "IMMUTABLE", Tags: []companion.Tag{{Key: "team", Value: "web"}}}}
	if err := w.run(t, s, o); err != nil {
		t.Fatalf("Run() = %v\n%s", err, w.stderr.String())
	}
	tpl := w.cfn.Stacks[companion.StackName("app")].Template
	if strings.Count(tpl, `"ImageTagMutability":"IMMUTABLE"`) != 2 || strings.Count(tpl, `{"Key":"team","Value":"web"}`) != 2 {
		t.Errorf("the companion template lacks the settings:\n%s", tpl)
	}
	cfg := w.read(t, "samconfig.toml")
	for _, line := range []string{`image_repos_tag_mutability = "IMMUTABLE"`, `image_repos_tags = "team=web"`} {
		if !strings.Contains(cfg, line+"\n") {
			t.Errorf("samconfig.toml lacks %s:\n%s", line, cfg)
		}
	}
}

func TestGuidedRerunTakesSavedAnswers(t *testing.T) {
	w := newWorld(t, twoFunctions)
	first := &script{answers: []string{"app", "", "", "s3cret", "y", "", "", "", "", "", ""}}
	if err := w.run(t, first, deploy.Options{}); err != nil {
		t.Fatalf("first Run() = %v", err)
	}
	w.stderr.Reset()
	again := &script{answers: []string{"", "", "", "s3cret", "", "", "", "n"}}
	err := w.run(t, again, deploy.Options{})
	var empty *cfn.ChangeSetEmptyError
	if !errors.As(err, &empty) {
		t.Fatalf("rerun Run() = %v, want no changes", err)
	}
	for _, q := range []string{"Stack Name [app]", "Confirm changes before deploy [Y/n]"} {
		if !slices.Contains(again.asked, q) {
			t.Errorf("asked %q, want %q", again.asked, q)
		}
	}
	if slices.ContainsFunc(again.asked, func(q string) bool { return strings.HasPrefix(q, "Create managed ECR") }) {
		t.Errorf("asked %q: the repositories were saved, nothing to create", again.asked)
	}
	if !strings.Contains(w.stderr.String(), "Image repositories: Found (2 of 2)") {
		t.Errorf("output lacks the found repositories:\n%s", w.stderr.String())
	}
}

func TestGuidedRemovedFunction(t *testing.T) {
	for _, tc := range []struct {
		answer  string
		wantErr error
	}{{"n", guided.ErrUnreferenced}, {"y", nil}} {
		t.Run("answer "+tc.answer, func(t *testing.T) {
			w := newWorld(t, twoFunctions)
			if err := w.run(t, &script{answers: []string{"app", "", "", "x", "", "", "", "", "", "", ""}}, deploy.Options{}); err != nil {
				t.Fatalf("first Run() = %v", err)
			}
			saved := w.read(t, "samconfig.toml")
			gone := companion.NewRepo("app", "World").Name
			w.ecr.Put(gone, ecrfake.Image{Digest: "sha256:1", Tags: []string{"v1"}}, ecrfake.Image{Digest: "sha256:2"})
			w.write(t, "template.yaml", strings.Split(twoFunctions, "  World:")[0])
			w.stderr.Reset()
			calls := len(w.cfn.Calls)
			s := &script{answers: []string{"", "", "", "x", "", "", "", "", "", "", tc.answer}}
			err := w.run(t, s, deploy.Options{})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Run() = %v, want %v", err, tc.wantErr)
			}
			if !strings.Contains(w.stderr.String(), "  "+repoURI("app", "World")+" (2 images)") {
				t.Errorf("output lacks the unreferenced repository and its images:\n%s", w.stderr.String())
			}
			if tc.wantErr != nil {
				changed := slices.ContainsFunc(w.cfn.Calls[calls:], func(c string) bool { return !strings.HasPrefix(c, "Describe") && !strings.HasPrefix(c, "GetTemplate") })
				if changed || len(w.ecr.Images(gone)) != 2 || w.read(t, "samconfig.toml") != saved {
					t.Errorf("declined, yet something changed: calls %v, images %v", w.cfn.Calls[calls:], w.ecr.Images(gone))
				}
				return
			}
			if len(w.ecr.Images(gone)) != 0 || strings.Contains(w.cfn.Stacks[companion.StackName("app")].Template, gone) {
				t.Errorf("accepted, yet %s is still there", gone)
			}
			if cfg := w.read(t, "samconfig.toml"); strings.Contains(cfg, "World=") {
				t.Errorf("samconfig.toml still maps the removed function:\n%s", cfg)
			}
		})
	}
}

func TestGuidedOwnRepositories(t *testing.T) {
	w := newWorld(t, twoFunctions)
	own := account + ".dkr.ecr.us-east-1.amazonaws.com/team/"
	s := &script{answers: []string{"app", "", "", "x", "", "", "", "", "", "", "n", "not a uri", own + "hello", own + "world"}}
	if err := w.run(t, s, deploy.Options{}); err != nil {
		t.Fatalf("Run() = %v\n%s", err, w.stderr.String())
	}
	tail := s.asked[len(firstQuestions):]
	want := []string{"Create managed ECR repositories for all functions? [Y/n]", "ECR repository for Hello",
		"Error: Invalid Image Repository ECR URI: not a uri", "ECR repository for Hello", "ECR repository for World"}
	if !slices.Equal(tail, want) {
		t.Errorf("asked %q, want %q", tail, want)
	}
	if w.cfn.Stacks[companion.StackName("app")] != nil {
		t.Error("a companion stack was created for functions with repositories of their own")
	}
	cfg := w.read(t, "samconfig.toml")
	if !strings.Contains(cfg, fmt.Sprintf(`image_repositories = ["Hello=%shello", "World=%sworld"]`, own, own)) {
		t.Errorf("samconfig.toml:\n%s", cfg)
	}
}

func TestGuidedCapabilitiesAsked(t *testing.T) {
	w := newWorld(t, twoFunctions)
	s := &script{answers: []string{"app", "", "", "x", "", "n", "CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND", "", "", "", "", ""}}
	if err := w.run(t, s, deploy.Options{}); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if !slices.Contains(s.asked, "Capabilities [['CAPABILITY_IAM']]") {
		t.Errorf("asked %q, want the capabilities with SAM CLI's default", s.asked)
	}
	if cfg := w.read(t, "samconfig.toml"); !strings.Contains(cfg, `capabilities = "CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND"`) {
		t.Errorf("samconfig.toml:\n%s", cfg)
	}
}

// TestGuidedEndOfInput: input ending at any question aborts with nothing connected, created
// or saved.
func TestGuidedEndOfInput(t *testing.T) {
	for n := range len(firstQuestions) {
		t.Run(fmt.Sprintf("after %d answers", n), func(t *testing.T) {
			w := newWorld(t, twoFunctions)
			answers := []string{"app", "", "", "x", "", "", "", "", "", ""}[:n]
			err := w.run(t, &script{answers: answers}, deploy.Options{})
			if !errors.Is(err, prompt.ErrAborted) || w.connected || w.read(t, "samconfig.toml") != "" {
				t.Errorf("Run() = %v, connected %v, samconfig %q: want aborted with nothing done", err, w.connected, w.read(t, "samconfig.toml"))
			}
		})
	}
}
