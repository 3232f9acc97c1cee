package cli_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/samship/samship/internal/cli"
	"github.com/samship/samship/internal/testenv"
)

type stopMoto struct{ m *testing.M }

func (s stopMoto) Run() int {
	code := s.m.Run()
	testenv.StopShared()
	removeBuilt()
	return code
}

func TestMain(m *testing.M) {
	testscript.Main(stopMoto{m}, map[string]func(){"samship": func() { os.Exit(cli.Main()) }})
}

// TestScripts runs the end-to-end scripts in testdata/script against moto_server.
func TestScripts(t *testing.T) {
	testenv.Needs(t, "the local AWS")
	testscript.Run(t, scriptParams(t, "testdata/script"))
}

// TestSAMApps deploys the corpus of SAM apps in testdata/apps on the transform emulator and
// reads every function back from Lambda.
func TestSAMApps(t *testing.T) {
	testenv.Needs(t, "the local AWS")
	testscript.Run(t, scriptParams(t, "testdata/apps"))
}

var resetOnce sync.Once

// scriptParams is the local AWS the scripts in dir run against.
func scriptParams(t *testing.T, dir string) testscript.Params {
	moto := testenv.SharedMoto(t)
	ecrURL := testenv.SharedECR(t)
	built, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	// sam build names a CDK image function's image by its logical id, lower-cased (apps/cdk_*).
	engine, err := testenv.StartFakeEngine(map[string]v1.Image{"hellofunction:python3.12-v1": built, "myorg/worker:v2": built,
		"imagefunction5e9b8b42:latest": built, "colorsrandomfunctionf61b9209:latest": built})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(engine.Stop) // after the parallel scripts, not when this function returns
	// Scripts name their own stacks; a fresh emulator lets them run again (-count).
	resetOnce.Do(func() {
		if err := moto.Reset(); err != nil {
			t.Fatalf("reset moto_server: %v", err)
		}
	})
	return testscript.Params{
		Dir:                 dir,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") != "",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			for k, v := range moto.Env() {
				e.Setenv(k, v)
			}
			e.Setenv("MOTO_URL", moto.URL)
			e.Setenv("REGISTRY_URL", ecrURL)
			e.Setenv("ENGINE_HOST", engine.Host)
			e.Setenv("SAM_CLI_POLL_DELAY", "1")
			e.Setenv("XDG_CACHE_HOME", filepath.Join(e.WorkDir, ".cache")) // samship's layer cache
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"aws":           awsCmd,
			"gen-template":  genTemplateCmd,
			"gen-image":     genImageCmd,
			"image-id":      imageIDCmd,
			"reg-tags":      regTagsCmd,
			"reg-digest":    regDigestCmd,
			"reg-repush":    regRepushCmd,
			"gen-platforms": genPlatformsCmd,
			"reg-image":     regImageCmd,
			"reg-tag":       regTagCmd,
			"jsonl":         jsonlCmd,
		},
	}
}

// awsCmd inspects and seeds the emulator from scripts:
//
//	aws repos PREFIX              repository names with PREFIX, sorted
//	aws images REPO               number of images in REPO
//	aws put-image REPO TAG        store a small image manifest under TAG
//	aws tag-function-image STACK LOGICAL-ID NEW  tag the image a function of STACK runs as NEW too
//	aws stack NAME                status and tags of a stack
//	aws create-stack NAME FILE    create a stack from a template file
//	aws delete-stack NAME         delete a stack, as the console or another tool would
//	aws create-topic NAME         create an SNS topic
//	aws create-repo NAME          create an ECR repository
//	aws template NAME             a stack's template
//	aws put-object BUCKET KEY FILE  store FILE in S3 (the bucket is made when missing)
//	aws delete-object BUCKET KEY  delete an object from S3
//	aws change-stack NAME FILE    update a stack as sam deploy does (a change set with
//	                              CAPABILITY_IAM and CAPABILITY_AUTO_EXPAND, executed) to
//	                              FILE, without txtar's last newline, with each $VAR
//	                              (capitals; not ${AWS::Region}) of the script's environment
//	aws functions NAME            its Lambda functions as read back (see testenv.StackFunctions)
//	aws repo-settings PREFIX      each repository named PREFIX...: its settings, one per line
//	aws registry-scanning TYPE [FREQUENCY FILTER]  set the registry's scanning configuration
func awsCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: aws repos|images|put-image|stack|create-stack|template ARGS")
	}
	ctx := context.Background()
	m := testenv.SharedMoto(nil)
	cfg, err := m.Config(ctx)
	if err != nil {
		ts.Fatalf("aws: %v", err)
	}
	if r := ts.Getenv("AWS_REGION"); r != "" {
		cfg.Region = r // scripts that create account-wide stacks run in their own region
	}
	cl := struct {
		ECR            *ecr.Client
		CloudFormation *cloudformation.Client
	}{ecr.NewFromConfig(cfg), cloudformation.NewFromConfig(cfg)}
	stdout := ts.Stdout() // taken now, so that a command printing nothing leaves stdout empty
	out := func(format string, a ...any) { fmt.Fprintf(stdout, format, a...) }
	var cmdErr error
	switch args[0] {
	case "repos":
		res, err := cl.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
		if cmdErr = err; err == nil {
			var names []string
			for _, r := range res.Repositories {
				if strings.HasPrefix(aws.ToString(r.RepositoryName), args[1]) {
					names = append(names, aws.ToString(r.RepositoryName))
				}
			}
			sort.Strings(names)
			for _, n := range names {
				out("%s\n", n)
			}
		}
	case "images":
		res, err := cl.ECR.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String(args[1])})
		if cmdErr = err; err == nil {
			out("%d\n", len(res.ImageIds))
		}
	case "put-image":
		manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:%x"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1,"digest":"sha256:%x"}]}`, sha256.Sum256([]byte("c"+args[2])), sha256.Sum256([]byte(args[2])))
		_, cmdErr = cl.ECR.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(args[1]), ImageTag: aws.String(args[2]), ImageManifest: aws.String(manifest)})
	case "tag-function-image":
		cmdErr = tagFunctionImage(ctx, cfg, args[1], args[2], args[3])
	case "stack":
		res, err := cl.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(args[1])})
		if cmdErr = err; err == nil {
			s := res.Stacks[0]
			out("status %s\n", s.StackStatus)
			for _, tg := range s.Tags {
				out("tag %s=%s\n", aws.ToString(tg.Key), aws.ToString(tg.Value))
			}
			if s.RoleARN != nil {
				out("role %s\n", aws.ToString(s.RoleARN))
			}
			for _, n := range s.NotificationARNs {
				out("notify %s\n", n)
			}
			for _, p := range s.Parameters {
				out("param %s=%s\n", aws.ToString(p.ParameterKey), aws.ToString(p.ParameterValue))
			}
		}
	case "create-stack":
		body := ts.ReadFile(args[2])
		_, cmdErr = cl.CloudFormation.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(args[1]), TemplateBody: aws.String(body)})
	case "delete-stack":
		_, cmdErr = cl.CloudFormation.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(args[1])})
	case "create-repo":
		_, cmdErr = cl.ECR.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(args[1])})
	case "create-topic":
		_, cmdErr = sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(args[1])})
	case "functions":
		lines, err := testenv.StackFunctions(ctx, cfg, args[1])
		if cmdErr = err; err == nil {
			for _, l := range lines {
				out("%s\n", l)
			}
		}
	case "repo-settings":
		cmdErr = repoSettings(ctx, cl.ECR, args[1], out)
	case "registry-scanning":
		in := &ecr.PutRegistryScanningConfigurationInput{ScanType: ecrtypes.ScanType(args[1])}
		if len(args) == 4 {
			in.Rules = []ecrtypes.RegistryScanningRule{{ScanFrequency: ecrtypes.ScanFrequency(args[2]),
				RepositoryFilters: []ecrtypes.ScanningRepositoryFilter{{Filter: aws.String(args[3]), FilterType: ecrtypes.ScanningRepositoryFilterTypeWildcard}}}}
		}
		_, cmdErr = cl.ECR.PutRegistryScanningConfiguration(ctx, in)
	case "put-object":
		cmdErr = putObject(ctx, cfg, args[1], args[2], ts.ReadFile(args[3]))
	case "delete-object":
		_, cmdErr = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(args[1]), Key: aws.String(args[2])})
	case "change-stack":
		body := strings.TrimSuffix(ts.ReadFile(args[2]), "\n") // txtar ends every file with one
		body = scriptVar.ReplaceAllStringFunc(body, func(v string) string { return ts.Getenv(v[1:]) })
		cmdErr = changeStack(ctx, cl.CloudFormation, args[1], body)
	case "template":
		res, err := cl.CloudFormation.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(args[1])})
		if cmdErr = err; err == nil {
			out("%s\n", aws.ToString(res.TemplateBody))
		}
	default:
		ts.Fatalf("aws: unknown command %s", args[0])
	}
	if cmdErr != nil && !neg {
		ts.Fatalf("aws %s: %v", args[0], cmdErr)
	}
	if cmdErr == nil && neg {
		ts.Fatalf("aws %s succeeded unexpectedly", args[0])
	}
}

// scriptVar is a $VAR change-stack replaces.
var scriptVar = regexp.MustCompile(`\$[A-Z][A-Z0-9_]*`)

// putObject stores body at bucket/key, making the bucket first when it is missing.
func putObject(ctx context.Context, cfg aws.Config, bucket, key, body string) error {
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			return err
		}
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	return err
}

// changeStack updates stack to body through an executed change set, as sam deploy does.
func changeStack(ctx context.Context, c *cloudformation.Client, stack, body string) error {
	cs, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String("script-" + strconv.FormatInt(time.Now().UnixNano(), 36)),
		ChangeSetType: cfntypes.ChangeSetTypeUpdate, TemplateBody: aws.String(body),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityAutoExpand}})
	if err != nil {
		return err
	}
	if err := cloudformation.NewChangeSetCreateCompleteWaiter(c, func(o *cloudformation.ChangeSetCreateCompleteWaiterOptions) { o.MinDelay = 100 * time.Millisecond }).
		Wait(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id}, time.Minute); err != nil {
		return err
	}
	if _, err := c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		return err
	}
	return cloudformation.NewStackUpdateCompleteWaiter(c, func(o *cloudformation.StackUpdateCompleteWaiterOptions) { o.MinDelay = 100 * time.Millisecond }).
		Wait(ctx, &cloudformation.DescribeStacksInput{StackName: cs.StackId}, time.Minute)
}

// tagFunctionImage tags the image the function logicalID of stack runs as tag too: ECR then
// lists that image by two tags.
func tagFunctionImage(ctx context.Context, cfg aws.Config, stack, logicalID, tag string) error {
	res, err := cloudformation.NewFromConfig(cfg).DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String(stack), LogicalResourceId: aws.String(logicalID)})
	if err != nil {
		return err
	}
	fn, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: res.StackResourceDetail.PhysicalResourceId})
	if err != nil {
		return err
	}
	_, rest, _ := strings.Cut(aws.ToString(fn.Code.ImageUri), "/")
	repo, from, _ := strings.Cut(rest, ":")
	c := ecr.NewFromConfig(cfg)
	got, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String(repo), ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String(from)}}})
	if err != nil {
		return err
	}
	if len(got.Images) == 0 {
		return fmt.Errorf("no image %s:%s", repo, from)
	}
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(repo), ImageTag: aws.String(tag),
		ImageManifest: got.Images[0].ImageManifest, ImageManifestMediaType: got.Images[0].ImageManifestMediaType})
	return err
}

// repoSettings prints the settings of each repository whose name starts with prefix:
// "<name> scan=<bool> tags=<mutability> encryption=<type>[:<key>] lifecycle=<rules> tag:K=V...".
func repoSettings(ctx context.Context, c *ecr.Client, prefix string, out func(string, ...any)) error {
	res, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
	if err != nil {
		return err
	}
	sort.Slice(res.Repositories, func(i, j int) bool {
		return aws.ToString(res.Repositories[i].RepositoryName) < aws.ToString(res.Repositories[j].RepositoryName)
	})
	for _, r := range res.Repositories {
		name := aws.ToString(r.RepositoryName)
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		enc := string(r.EncryptionConfiguration.EncryptionType)
		if k := aws.ToString(r.EncryptionConfiguration.KmsKey); k != "" {
			enc += ":" + k
		}
		rules := "none"
		if lp, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: r.RepositoryName}); err == nil {
			var doc struct{ Rules []any }
			_ = json.Unmarshal([]byte(aws.ToString(lp.LifecyclePolicyText)), &doc)
			rules = fmt.Sprintf("%d-rules", len(doc.Rules))
		}
		line := fmt.Sprintf("%s scan=%v tags=%s encryption=%s lifecycle=%s", name, r.ImageScanningConfiguration.ScanOnPush, r.ImageTagMutability, enc, rules)
		tags, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: r.RepositoryArn})
		if err != nil {
			return err
		}
		for _, t := range tags.Tags {
			line += fmt.Sprintf(" tag:%s=%s", aws.ToString(t.Key), aws.ToString(t.Value))
		}
		out("%s\n", line)
	}
	return nil
}

// genTemplateCmd writes a template of N image functions: gen-template FILE N [PAD]. PAD adds
// that many bytes of description to every function, to make large templates.
func genTemplateCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: gen-template FILE N [PAD]")
	}
	n, pad := 0, 0
	fmt.Sscan(args[1], &n)
	if len(args) > 2 {
		fmt.Sscan(args[2], &pad)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(testenv.ImageTemplate(n, pad)), 0o644))
}

// genImageCmd writes a new random image: gen-image PATH docker|oci-layout|oci-archive [SIZE].
func genImageCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: gen-image PATH docker|oci-layout|oci-archive [LAYER-BYTES]")
	}
	size := int64(1024)
	if len(args) > 2 {
		fmt.Sscan(args[2], &size)
	}
	ts.Check(testenv.WriteImage(ts.MkAbs(args[0]), args[1], size, 2))
}

// layoutImage reads the first image of the OCI layout at path (relative to the script's
// directory).
func layoutImage(ts *testscript.TestScript, path string) v1.Image {
	idx, err := layout.ImageIndexFromPath(ts.MkAbs(path))
	ts.Check(err)
	m, err := idx.IndexManifest()
	ts.Check(err)
	if len(m.Manifests) == 0 {
		ts.Fatalf("%s holds no image", path)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	ts.Check(err)
	return img
}

// imageIDCmd sets VAR to the 12 hex digits of the image id (config digest) of the OCI layout
// at PATH, the part of SAM's tag that names the image: image-id PATH VAR.
func imageIDCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: image-id PATH VAR")
	}
	id, err := layoutImage(ts, args[0]).ConfigName()
	ts.Check(err)
	ts.Setenv(args[1], id.Hex[:12])
}

// regTagsCmd lists the tags of a repository of the local registry: reg-tags REPO.
func regTagsCmd(ts *testscript.TestScript, neg bool, args []string) {
	tags, err := remote.List(regRepo(ts, args[0]))
	if err != nil && !neg {
		ts.Fatalf("reg-tags: %v", err)
	}
	sort.Strings(tags)
	for _, tg := range tags {
		fmt.Fprintln(ts.Stdout(), tg)
	}
}

// regRepo is REPO of the local registry.
func regRepo(ts *testscript.TestScript, repo string) name.Repository {
	r, err := name.NewRepository(strings.TrimPrefix(ts.Getenv("REGISTRY_URL"), "http://") + "/" + repo)
	ts.Check(err)
	return r
}

// regTagCmd sets VAR in the script's environment to the one tag of a repository of the local
// registry: reg-tag VAR REPO.
func regTagCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: reg-tag VAR REPO")
	}
	tags, err := remote.List(regRepo(ts, args[1]))
	ts.Check(err)
	if len(tags) != 1 {
		ts.Fatalf("reg-tag: %s has %d tags, want 1", args[1], len(tags))
	}
	ts.Setenv(args[0], tags[0])
}

// regDigestCmd prints each tag of a repository of the local registry with the digest it
// names, sorted: reg-digest REPO.
func regDigestCmd(ts *testscript.TestScript, neg bool, args []string) {
	repo := regRepo(ts, args[0])
	tags, err := remote.List(repo)
	ts.Check(err)
	sort.Strings(tags)
	for _, tg := range tags {
		d, err := remote.Head(repo.Tag(tg))
		ts.Check(err)
		fmt.Fprintln(ts.Stdout(), tg, d.Digest)
	}
}

// regRepushCmd pushes the image each tag of a repository of the local registry names again
// under that tag, as SAM CLI's docker push would: the same config, other compressed bytes,
// another manifest digest. It prints each tag with the digest it names now: reg-repush REPO.
func regRepushCmd(ts *testscript.TestScript, neg bool, args []string) {
	repo := regRepo(ts, args[0])
	tags, err := remote.List(repo)
	ts.Check(err)
	sort.Strings(tags)
	for _, tg := range tags {
		img, err := remote.Image(repo.Tag(tg))
		ts.Check(err)
		d, err := testenv.PushRecompressed(repo.Tag(tg), img)
		ts.Check(err)
		fmt.Fprintln(ts.Stdout(), tg, d)
	}
}

// jsonlCmd checks that FILE holds JSON lines as --output json writes them: each line one
// object with a known "type", the last one the result. It prints the types in order, a run of
// the same type once with "+", and the result's status:
//
//	jsonl FILE    e.g. "plan info push info info changeset info event+ outputs info result:success"
func jsonlCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: jsonl FILE")
	}
	known := map[string]bool{"changeset": true, "event": true, "outputs": true, "warning": true, "info": true, "result": true, "plan": true, "push": true}
	lines := strings.Split(strings.TrimSuffix(ts.ReadFile(args[0]), "\n"), "\n")
	var types []string
	for i, l := range lines {
		var rec struct {
			Type, Status string
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil || !known[rec.Type] {
			ts.Fatalf("line %d is no record (%v): %s", i+1, err, l)
		}
		if (rec.Type == "result") != (i == len(lines)-1) {
			ts.Fatalf("line %d: a result record must come last, and only there: %s", i+1, l)
		}
		switch t := rec.Type; {
		case t == "result":
			types = append(types, "result:"+rec.Status)
		case len(types) > 0 && strings.TrimSuffix(types[len(types)-1], "+") == t:
			types[len(types)-1] = t + "+"
		default:
			types = append(types, t)
		}
	}
	fmt.Fprintln(ts.Stdout(), strings.Join(types, " "))
}
