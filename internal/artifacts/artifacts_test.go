package artifacts

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/s3"
	"github.com/samship/samship/internal/s3/s3fake"
)

// said records what a Reporter hears, one line each.
type said struct{ lines []string }

func (s *said) AlreadyUploaded(key string)      { s.lines = append(s.lines, "already "+key) }
func (s *said) Uploaded(key string, size int64) { s.lines = append(s.lines, "uploaded "+key) }
func (s *said) CreatingResources()              { s.lines = append(s.lines, "creating") }
func (s *said) Created()                        { s.lines = append(s.lines, "created") }

type fakeStacks struct {
	st      *cfn.Stack
	created bool
	phys    string
	// other, when set, is the stack another run creates just before this one's CreateStack.
	other *cfn.Stack
}

func (f *fakeStacks) WaitWhileInProgress(_ context.Context, st *cfn.Stack, _ func(string)) (*cfn.Stack, error) {
	return st, nil
}

func (f *fakeStacks) Describe(context.Context, string) (*cfn.Stack, error) {
	if f.st == nil {
		return nil, &cfn.StackNotFoundError{Name: ManagedStackName}
	}
	return f.st, nil
}

func (f *fakeStacks) CreateStack(_ context.Context, in *cloudformation.CreateStackInput) (*cfn.Stack, error) {
	if f.other != nil {
		f.st = f.other
		return nil, &cfn.AlreadyExistsError{Stack: ManagedStackName}
	}
	f.created = true
	return &cfn.Stack{Name: ManagedStackName, ID: "id", Status: "CREATE_COMPLETE",
		Tags:    map[string]string{"ManagedStackSource": "AwsSamCli"},
		Outputs: []cfn.Output{{Key: "SourceBucket", Value: "created-bucket"}}}, nil
}

func (f *fakeStacks) ResourcePhysicalID(_ context.Context, _, logical string) (string, error) {
	if logical != "SamCliSourceBucket" || f.phys == "" {
		return "", errors.New("no such resource")
	}
	return f.phys, nil
}

func TestManagedBucket(t *testing.T) {
	tagged := map[string]string{"ManagedStackSource": "AwsSamCli"}
	out := []cfn.Output{{Key: "SourceBucket", Value: "from-output"}}
	tests := map[string]struct {
		st          *cfn.Stack
		phys        string
		want        string
		wantErr     string
		wantCreated bool
	}{
		"created when missing":     {nil, "", "created-bucket", "", true},
		"from the output":          {&cfn.Stack{Status: "CREATE_COMPLETE", Tags: tagged, Outputs: out}, "", "from-output", "", false},
		"without outputs":          {&cfn.Stack{Status: "CREATE_COMPLETE", Tags: tagged}, "from-resource", "from-resource", "", false},
		"not sam's: no tag":        {&cfn.Stack{Status: "CREATE_COMPLETE", Tags: map[string]string{}}, "", "", "ManagedStackSource tag is missing", false},
		"not sam's: other tag":     {&cfn.Stack{Status: "CREATE_COMPLETE", Tags: map[string]string{"ManagedStackSource": "Other"}}, "", "", "tag shows Other", false},
		"no bucket at all":         {&cfn.Stack{Status: "CREATE_COMPLETE", Tags: tagged}, "", "", "missing the managed source bucket", false},
		"another deploy making it": {&cfn.Stack{Status: "CREATE_IN_PROGRESS", Tags: tagged}, "", "", "is CREATE_IN_PROGRESS", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := &fakeStacks{st: tc.st, phys: tc.phys}
			log := &said{}
			got, err := ManagedBucket(context.Background(), f, log)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("ManagedBucket() error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want || f.created != tc.wantCreated {
				t.Errorf("ManagedBucket() = %q, %v (created %v), want %q (created %v)", got, err, f.created, tc.want, tc.wantCreated)
			}
			if tc.wantCreated && strings.Join(log.lines, ", ") != "creating, created" {
				t.Errorf("ManagedBucket() said %q", log.lines)
			}
		})
	}
}

// bucketWith returns an S3 with bucket b holding keys.
func bucketWith(keys ...string) *s3fake.S3 {
	f := s3fake.New("b")
	for _, k := range keys {
		f.Buckets["b"][k] = s3fake.Object{}
	}
	return f
}

func TestUploadTemplate(t *testing.T) {
	body := []byte("{}")
	const key = "app/99914b932bd37a50b983c5e7c90ae93b.template" // md5("{}")
	tests := map[string]struct {
		have     bool
		force    bool
		region   string
		wantPuts int
		wantURL  string
	}{
		"new":             {false, false, "us-east-1", 1, "https://s3.amazonaws.com/b/" + key},
		"already there":   {true, false, "us-east-1", 0, "https://s3.amazonaws.com/b/" + key},
		"forced":          {true, true, "us-east-1", 1, "https://s3.amazonaws.com/b/" + key},
		"china partition": {false, false, "cn-north-1", 1, "https://s3.cn-north-1.amazonaws.com.cn/b/" + key},
		"another region":  {false, false, "eu-west-1", 1, "https://s3.eu-west-1.amazonaws.com/b/" + key},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := bucketWith()
			if tc.have {
				f = bucketWith(key)
			}
			u := &Uploader{S3: s3.New(f), Bucket: "b", Prefix: "app/", Region: tc.region, Force: tc.force, Report: &said{}}
			got, err := u.UploadTemplate(context.Background(), body)
			puts := 0
			for _, c := range f.Calls {
				if strings.HasPrefix(c, "PutObject ") {
					puts++
				}
			}
			if err != nil || got != tc.wantURL || puts != tc.wantPuts {
				t.Errorf("UploadTemplate() = %q, %v with %d puts, want %q with %d", got, err, puts, tc.wantURL, tc.wantPuts)
			}
		})
	}
}

// TestPutOptions checks what every put carries: SSE (AES256, or KMS with --kms-key-id) and
// --metadata.
func TestPutOptions(t *testing.T) {
	for name, tc := range map[string]struct {
		kms      string
		metadata map[string]string
		wantSSE  string
	}{
		"default":  {wantSSE: "AES256"},
		"kms":      {kms: "alias/k", wantSSE: "aws:kms"},
		"metadata": {metadata: map[string]string{"team": "core"}, wantSSE: "AES256"},
	} {
		t.Run(name, func(t *testing.T) {
			f := bucketWith()
			u := &Uploader{S3: s3.New(f), Bucket: "b", KMSKeyID: tc.kms, Metadata: tc.metadata, Report: &said{}}
			if _, err := u.UploadTemplate(context.Background(), []byte("{}")); err != nil {
				t.Fatal(err)
			}
			got, _ := f.Object("b", u.Key([]byte("{}")))
			if got.Encryption != tc.wantSSE || got.KMSKeyID != tc.kms {
				t.Errorf("SSE = %s %q, want %s %q", got.Encryption, got.KMSKeyID, tc.wantSSE, tc.kms)
			}
			if len(got.Metadata) != len(tc.metadata) || got.Metadata["team"] != tc.metadata["team"] {
				t.Errorf("Metadata = %v, want %v", got.Metadata, tc.metadata)
			}
		})
	}
}

// TestManagedBucketMadeByAnotherRun: two first deploys at once; the second uses the bucket of
// the stack the first created instead of failing.
func TestManagedBucketMadeByAnotherRun(t *testing.T) {
	f := &fakeStacks{other: &cfn.Stack{Name: ManagedStackName, ID: "other", Status: "CREATE_COMPLETE",
		Tags:    map[string]string{"ManagedStackSource": "AwsSamCli"},
		Outputs: []cfn.Output{{Key: "SourceBucket", Value: "their-bucket"}}}}
	b, err := ManagedBucket(context.Background(), f, &said{})
	if err != nil || b != "their-bucket" {
		t.Errorf("ManagedBucket() = %q, %v, want the other run's bucket", b, err)
	}
}
