package lambda_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/lambda"
)

// codeFake is one function whose code can be set, on a fake clock: the first conflicts calls
// of UpdateFunctionCode are refused as another update in progress; the update's status is
// then statuses[0], and each GetFunctionConfiguration reads the next (the last one repeats).
// Each change of $LATEST gives it a new revision, as Lambda does (the end of an update too).
type codeFake struct {
	lambda.API // the read methods: not called by these tests
	conflicts  int
	statuses   []types.LastUpdateStatus
	reason     string
	reasonCode types.LastUpdateStatusReasonCode
	missing    bool

	sha      string
	revision int
	settled  bool              // the last update's end has been seen
	versions []string          // published code hashes; version n is versions[n-1]
	aliases  map[string]string // alias -> version
	// createRace makes CreateAlias answer that the alias exists (someone made it meanwhile).
	createRace bool

	now    time.Time
	sleeps []time.Duration
	calls  []string
}

func (f *codeFake) rev() string { return "rev" + strconv.Itoa(f.revision) }

func (f *codeFake) status() types.LastUpdateStatus {
	s := f.statuses[0]
	if len(f.statuses) > 1 {
		f.statuses = f.statuses[1:]
	}
	if s != types.LastUpdateStatusInProgress && !f.settled {
		f.revision++ // the update's end is a change of its own
		f.settled = true
	}
	return s
}

func (f *codeFake) config(s types.LastUpdateStatus) *types.FunctionConfiguration {
	c := &types.FunctionConfiguration{CodeSha256: aws.String(f.sha), RevisionId: aws.String(f.rev()), LastUpdateStatus: s}
	if s == types.LastUpdateStatusFailed {
		c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = aws.String(f.reason), f.reasonCode
	}
	return c
}

func (f *codeFake) UpdateFunctionCode(_ context.Context, in *awslambda.UpdateFunctionCodeInput, _ ...func(*awslambda.Options)) (*awslambda.UpdateFunctionCodeOutput, error) {
	f.calls = append(f.calls, "UpdateFunctionCode "+aws.ToString(in.ImageUri))
	if f.missing {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Function not found")}
	}
	if f.conflicts > 0 {
		f.conflicts--
		return nil, &types.ResourceConflictException{Message: aws.String("The operation cannot be performed at this time. An update is in progress for resource")}
	}
	_, f.sha, _ = strings.Cut(aws.ToString(in.ImageUri), "@sha256:")
	f.revision, f.settled = f.revision+1, false
	c := f.config(f.status())
	return &awslambda.UpdateFunctionCodeOutput{CodeSha256: c.CodeSha256, RevisionId: c.RevisionId, LastUpdateStatus: c.LastUpdateStatus,
		LastUpdateStatusReason: c.LastUpdateStatusReason, LastUpdateStatusReasonCode: c.LastUpdateStatusReasonCode}, nil
}

func (f *codeFake) GetFunctionConfiguration(_ context.Context, in *awslambda.GetFunctionConfigurationInput, _ ...func(*awslambda.Options)) (*awslambda.GetFunctionConfigurationOutput, error) {
	f.calls = append(f.calls, "GetFunctionConfiguration")
	c := f.config(f.status())
	return &awslambda.GetFunctionConfigurationOutput{CodeSha256: c.CodeSha256, RevisionId: c.RevisionId, LastUpdateStatus: c.LastUpdateStatus,
		LastUpdateStatusReason: c.LastUpdateStatusReason, LastUpdateStatusReasonCode: c.LastUpdateStatusReasonCode}, nil
}

func (f *codeFake) PublishVersion(_ context.Context, in *awslambda.PublishVersionInput, _ ...func(*awslambda.Options)) (*awslambda.PublishVersionOutput, error) {
	f.calls = append(f.calls, "PublishVersion "+aws.ToString(in.CodeSha256)+" "+aws.ToString(in.RevisionId))
	if in.RevisionId != nil && *in.RevisionId != f.rev() {
		return nil, &types.PreconditionFailedException{Message: aws.String("The Revision Id provided does not match the latest Revision Id.")}
	}
	if in.CodeSha256 != nil && *in.CodeSha256 != f.sha {
		return nil, &types.InvalidParameterValueException{Message: aws.String("CodeSHA256 is different from current CodeSHA256 in $LATEST")}
	}
	if n := len(f.versions); n == 0 || f.versions[n-1] != f.sha {
		f.versions = append(f.versions, f.sha)
	}
	return &awslambda.PublishVersionOutput{Version: aws.String(strconv.Itoa(len(f.versions)))}, nil
}

func (f *codeFake) UpdateAlias(_ context.Context, in *awslambda.UpdateAliasInput, _ ...func(*awslambda.Options)) (*awslambda.UpdateAliasOutput, error) {
	f.calls = append(f.calls, "UpdateAlias "+aws.ToString(in.Name)+" "+aws.ToString(in.FunctionVersion))
	if _, ok := f.aliases[*in.Name]; !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Cannot find alias arn")}
	}
	f.aliases[*in.Name] = *in.FunctionVersion
	return &awslambda.UpdateAliasOutput{}, nil
}

func (f *codeFake) CreateAlias(_ context.Context, in *awslambda.CreateAliasInput, _ ...func(*awslambda.Options)) (*awslambda.CreateAliasOutput, error) {
	f.calls = append(f.calls, "CreateAlias "+aws.ToString(in.Name)+" "+aws.ToString(in.FunctionVersion))
	if f.createRace {
		f.aliases[*in.Name] = "1"
		return nil, &types.ResourceConflictException{Message: aws.String("Alias already exists")}
	}
	f.aliases[*in.Name] = *in.FunctionVersion
	return &awslambda.CreateAliasOutput{}, nil
}

func (f *codeFake) client() *lambda.Client {
	f.now = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if f.aliases == nil {
		f.aliases = map[string]string{}
	}
	c := lambda.New(f)
	c.Wait.Now = func() time.Time { return f.now }
	c.Wait.Sleep = func(_ context.Context, d time.Duration) error {
		f.sleeps = append(f.sleeps, d)
		f.now = f.now.Add(d)
		return nil
	}
	return c
}

const image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:abc"

var (
	inProgress = types.LastUpdateStatusInProgress
	successful = types.LastUpdateStatusSuccessful
	failed     = types.LastUpdateStatusFailed
)

func TestSetImage(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		fn      codeFake
		want    lambda.Updated
		wantErr string
		sleeps  []time.Duration
		calls   int // API calls
	}{
		{name: "done at once", fn: codeFake{statuses: []types.LastUpdateStatus{successful}},
			want: lambda.Updated{CodeSha256: "abc", RevisionID: "rev2"}, calls: 1},
		{name: "in progress, then successful", fn: codeFake{statuses: []types.LastUpdateStatus{inProgress, inProgress, inProgress, successful}},
			want: lambda.Updated{CodeSha256: "abc", RevisionID: "rev2", Took: 550 * ms}, sleeps: []time.Duration{100 * ms, 200 * ms, 250 * ms}, calls: 4},
		{name: "a young update is polled every 250 ms", fn: codeFake{statuses: []types.LastUpdateStatus{inProgress, inProgress, inProgress, inProgress, inProgress, inProgress, successful}},
			want:   lambda.Updated{CodeSha256: "abc", RevisionID: "rev2", Took: 1300 * ms},
			sleeps: []time.Duration{100 * ms, 200 * ms, 250 * ms, 250 * ms, 250 * ms, 250 * ms}, calls: 7},
		{name: "failed, with Lambda's reason on one line",
			fn: codeFake{statuses: []types.LastUpdateStatus{inProgress, failed}, reason: "Lambda does not have permission to access the ECR image.\n Check the ECR permissions.",
				reasonCode: types.LastUpdateStatusReasonCodeImageAccessDenied},
			wantErr: "update function fn: Lambda does not have permission to access the ECR image. Check the ECR permissions. (ImageAccessDenied)",
			sleeps:  []time.Duration{100 * ms}, calls: 2},
		{name: "another update in progress is waited for", fn: codeFake{conflicts: 2, statuses: []types.LastUpdateStatus{inProgress, successful}},
			want:   lambda.Updated{CodeSha256: "abc", RevisionID: "rev2", Took: 400 * ms},
			sleeps: []time.Duration{100 * ms, 200 * ms, 100 * ms}, calls: 4},
		{name: "another update that never ends", fn: codeFake{conflicts: 1 << 30},
			wantErr: "update function fn: another update is still in progress after 10m0s: operation error"},
		{name: "an update that never ends", fn: codeFake{statuses: []types.LastUpdateStatus{inProgress}},
			wantErr: "wait for function fn: its update is still InProgress after 10m0s"},
		{name: "no such function", fn: codeFake{missing: true},
			wantErr: "update function fn: the function does not exist", calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn.client().SetImage(context.Background(), "fn", image)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), strings.TrimSuffix(tt.wantErr, "operation error")) {
					t.Fatalf("SetImage() = %+v, %v, want error %q", got, err, tt.wantErr)
				}
				if tt.calls == 0 {
					return // a wait that gives up: its sleeps and calls are many
				}
			} else if err != nil {
				t.Fatalf("SetImage() = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SetImage() = (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.sleeps, tt.fn.sleeps); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if len(tt.fn.calls) != tt.calls {
				t.Errorf("calls = %q, want %d", tt.fn.calls, tt.calls)
			}
		})
	}
}

func TestSetImageGivesUpAfterTheLimit(t *testing.T) {
	f := codeFake{statuses: []types.LastUpdateStatus{inProgress}}
	_, err := f.client().SetImage(context.Background(), "fn", image)
	if err == nil {
		t.Fatal("SetImage() of an update that never ends = nil error")
	}
	var total time.Duration
	for _, d := range f.sleeps {
		// Every 250 ms for the first 30 s (the 100 and 200 ms first), then once a second.
		want := 250 * time.Millisecond
		if total >= 30*time.Second {
			want = time.Second
		}
		if d > want {
			t.Errorf("slept %v between polls after %v, want at most %v", d, total, want)
		}
		total += d
	}
	if total < 10*time.Minute || total > 10*time.Minute+time.Second {
		t.Errorf("waited %v in all, want 10m", total)
	}
}

func TestSetImageFailedIsTyped(t *testing.T) {
	f := codeFake{statuses: []types.LastUpdateStatus{failed}, reason: "bad image", reasonCode: types.LastUpdateStatusReasonCodeImageDeleted}
	_, err := f.client().SetImage(context.Background(), "fn", image)
	var uf *lambda.UpdateFailedError
	if !errors.As(err, &uf) || uf.Code != "ImageDeleted" || uf.Reason != "bad image" {
		t.Errorf("SetImage() error = %#v, want an UpdateFailedError with Lambda's reason and code", err)
	}
	f = codeFake{missing: true}
	if _, err := f.client().SetImage(context.Background(), "fn", image); !errors.Is(err, lambda.ErrNoFunction) {
		t.Errorf("SetImage() of a missing function = %v, want ErrNoFunction", err)
	}
}
