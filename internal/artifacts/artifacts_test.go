package artifacts

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/samship/samship/internal/cfn"
)

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
		Outputs: []cfntypes.Output{{OutputKey: aws.String("SourceBucket"), OutputValue: aws.String("created-bucket")}}}, nil
}

func (f *fakeStacks) ResourcePhysicalID(_ context.Context, _, logical string) (string, error) {
	if logical != "SamCliSourceBucket" || f.phys == "" {
		return "", errors.New("no such resource")
	}
	return f.phys, nil
}

func TestManagedBucket(t *testing.T) {
	tagged := map[string]string{"ManagedStackSource": "AwsSamCli"}
	out := []cfntypes.Output{{OutputKey: aws.String("SourceBucket"), OutputValue: aws.String("from-output")}}
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
			var log strings.Builder
			got, err := ManagedBucket(context.Background(), f, &log)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("ManagedBucket() error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want || f.created != tc.wantCreated {
				t.Errorf("ManagedBucket() = %q, %v (created %v), want %q (created %v)", got, err, f.created, tc.want, tc.wantCreated)
			}
			if tc.wantCreated && log.String() != "\tCreating the required resources...\n\tSuccessfully created!\n" {
				t.Errorf("ManagedBucket() printed %q", log.String())
			}
		})
	}
}

type fakeS3 struct {
	have map[string]bool
	puts []string
	last *s3.PutObjectInput
}

func (f *fakeS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	if f.have[aws.ToString(in.Key)] {
		return &s3.HeadObjectOutput{}, nil
	}
	return nil, &s3types.NotFound{}
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.puts = append(f.puts, aws.ToString(in.Key))
	f.last = in
	return &s3.PutObjectOutput{}, nil
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
		"new":             {false, false, "us-east-1", 1, "https://s3.us-east-1.amazonaws.com/b/" + key},
		"already there":   {true, false, "us-east-1", 0, "https://s3.us-east-1.amazonaws.com/b/" + key},
		"forced":          {true, true, "us-east-1", 1, "https://s3.us-east-1.amazonaws.com/b/" + key},
		"china partition": {false, false, "cn-north-1", 1, "https://s3.cn-north-1.amazonaws.com.cn/b/" + key},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := &fakeS3{have: map[string]bool{key: tc.have}}
			u := &Uploader{S3: f, Bucket: "b", Prefix: "app/", Region: tc.region, Force: tc.force, Log: io.Discard}
			got, err := u.UploadTemplate(context.Background(), body)
			if err != nil || got != tc.wantURL || len(f.puts) != tc.wantPuts {
				t.Errorf("UploadTemplate() = %q, %v with %d puts, want %q with %d", got, err, len(f.puts), tc.wantURL, tc.wantPuts)
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
		wantSSE  s3types.ServerSideEncryption
	}{
		"default":  {wantSSE: s3types.ServerSideEncryptionAes256},
		"kms":      {kms: "alias/k", wantSSE: s3types.ServerSideEncryptionAwsKms},
		"metadata": {metadata: map[string]string{"team": "core"}, wantSSE: s3types.ServerSideEncryptionAes256},
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeS3{}
			u := &Uploader{S3: f, Bucket: "b", KMSKeyID: tc.kms, Metadata: tc.metadata, Log: io.Discard}
			if _, err := u.UploadTemplate(context.Background(), []byte("{}")); err != nil {
				t.Fatal(err)
			}
			if f.last.ServerSideEncryption != tc.wantSSE || aws.ToString(f.last.SSEKMSKeyId) != tc.kms {
				t.Errorf("SSE = %s %q, want %s %q", f.last.ServerSideEncryption, aws.ToString(f.last.SSEKMSKeyId), tc.wantSSE, tc.kms)
			}
			if len(f.last.Metadata) != len(tc.metadata) || f.last.Metadata["team"] != tc.metadata["team"] {
				t.Errorf("Metadata = %v, want %v", f.last.Metadata, tc.metadata)
			}
		})
	}
}

// TestManagedBucketMadeByAnotherRun: two first deploys at once; the second uses the bucket of
// the stack the first created instead of failing.
func TestManagedBucketMadeByAnotherRun(t *testing.T) {
	f := &fakeStacks{other: &cfn.Stack{Name: ManagedStackName, ID: "other", Status: "CREATE_COMPLETE",
		Tags:    map[string]string{"ManagedStackSource": "AwsSamCli"},
		Outputs: []cfntypes.Output{{OutputKey: aws.String("SourceBucket"), OutputValue: aws.String("their-bucket")}}}}
	b, err := ManagedBucket(context.Background(), f, io.Discard)
	if err != nil || b != "their-bucket" {
		t.Errorf("ManagedBucket() = %q, %v, want the other run's bucket", b, err)
	}
}
