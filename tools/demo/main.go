// Command demo runs samship's main job against the local AWS: moto with the SAM transform, a
// registry that is one store with its ECR, and a real Docker engine when dockerd starts here.
// It deploys examples/sam-app, what `sam init --package-type Image` gives, with its image built
// in that engine as sam build would have left it (an OCI layout when no engine starts), shows
// the repositories, the stacks and each function's image read back from Lambda, deploys again
// to show an unchanged run, and stops everything. With -guided it runs `samship deploy
// --guided` on examples/hello instead, answering from examples/hello/guided-answers.txt, shows
// the samconfig.toml it saved, and deploys again from it. Run it with `make demo` or
// `make demo-guided`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/samship/samship/internal/testenv"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// run runs the demo with argv, writing what it shows to w.
func run(argv []string, w io.Writer) error {
	began := time.Now()
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	guided := fs.Bool("guided", false, "run the guided deploy on examples/hello, answering from examples/hello/guided-answers.txt")
	root := fs.String("root", ".", "the samship repository, whose examples/ the demo deploys")
	samship := fs.String("samship", "", "the samship binary (default: bin/samship under -root)")
	noEngine := fs.Bool("no-engine", false, "do not start dockerd: build the image in code as an OCI layout")
	if err := fs.Parse(argv); err != nil {
		return err
	}
	if *samship == "" {
		*samship = filepath.Join(*root, "bin", "samship")
	}
	bin, err := filepath.Abs(*samship)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "==> starting the local AWS on 127.0.0.1: moto with the SAM transform, a registry as ECR, and dockerd if it starts")
	l, err := testenv.StartLocalAWS(!*guided && !*noEngine)
	if err != nil {
		return err
	}
	defer l.Stop()
	fmt.Fprintln(w, "    AWS endpoint", l.Moto.URL, "- registry", l.ECR.URL, "(SAMSHIP_REGISTRY_ENDPOINT)")

	example := filepath.Join(*root, "examples", "sam-app")
	if *guided {
		example = filepath.Join(*root, "examples", "hello")
	}
	dir, err := os.MkdirTemp("", "samship-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := exec.Command("cp", "-R", example+"/.", dir).Run(); err != nil {
		return fmt.Errorf("copy %s: %w", example, err)
	}
	env := os.Environ()
	for k, v := range l.Env() {
		env = append(env, k+"="+v)
	}
	var stdin io.Reader
	var last strings.Builder // the output of the last samship run
	deploy := func(title string, args ...string) error {
		fmt.Fprintf(w, "\n==> %s\n    $ samship %s\n\n", title, strings.Join(args, " "))
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = env
		cmd.Stdin = stdin
		last.Reset()
		cmd.Stdout = io.MultiWriter(w, &last)
		cmd.Stderr = cmd.Stdout
		start := time.Now()
		err := cmd.Run()
		fmt.Fprintf(w, "\n    (%.2f s)\n", time.Since(start).Seconds())
		return err
	}
	stack, again := "samship-guided-demo", []string{"deploy", "--no-fail-on-empty-changeset"}
	if *guided {
		if err := guidedDemo(w, dir, deploy, &stdin); err != nil {
			return err
		}
	} else {
		stack = "samship-demo"
		args, err := imageDemo(w, l, dir, deploy)
		if err != nil {
			return err
		}
		again = append(args, "--no-fail-on-empty-changeset")
	}
	seen, err := show(w, l.Moto, stack)
	if err != nil {
		return err
	}
	if err := deploy("the same deploy again: nothing to push, no stack updated", again...); err != nil {
		return err
	}
	changed := "the second deploy pushed nothing and changed no stack"
	if !strings.Contains(last.String(), "Images: 0 pushed") || !strings.Contains(last.String(), "No changes to deploy") {
		changed = "the second deploy changed something (see above)"
	}
	fmt.Fprintf(w, "\n==> done in %.1f s, the start of the local AWS included\n", time.Since(began).Seconds())
	for _, l := range append(seen, changed) {
		fmt.Fprintln(w, "    "+l)
	}
	fmt.Fprintln(w, "    nothing was sent off 127.0.0.1; the local AWS stops now")
	return nil
}

// imageDemo builds the image as sam build would have left it, in the engine when there is
// one, else as an OCI layout, and deploys; it returns the deploy's arguments.
func imageDemo(w io.Writer, l *testenv.LocalAWS, dir string, deploy func(string, ...string) error) ([]string, error) {
	args := []string{"deploy", "--stack-name", "samship-demo", "--resolve-image-repos", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}
	if l.Engine != nil {
		fmt.Fprintln(w, "\n==> sam build's part: building helloworldfunction:python3.12-v1 in the Docker engine from hello_world/Dockerfile")
		id, err := buildImage(l.Engine, filepath.Join(dir, "hello_world"))
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(w, "    image id", id, "- engine", l.Engine.Host, "(DOCKER_HOST)")
	} else {
		why := "-no-engine"
		if l.EngineErr != nil {
			why = l.EngineErr.Error()
		}
		fmt.Fprintln(w, "\n==> no Docker engine started here ("+why+"):")
		fmt.Fprintln(w, "    building the image in code as an OCI layout instead (images/hello), named by a parameter override")
		if err := testenv.WriteImage(filepath.Join(dir, "images", "hello"), "oci-layout", 2<<20, 2); err != nil {
			return nil, err
		}
		args = append(args, "--parameter-overrides", "HelloWorldImage=images/hello")
	}
	return args, deploy("first deploy: an ECR repository per image function in the companion stack, the image pushed, the SAM app deployed", args...)
}

// buildImage builds the directory's Dockerfile in the engine, as sam build names it.
func buildImage(e *testenv.Engine, dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	files := map[string][]byte{}
	for _, en := range entries {
		if files[en.Name()], err = os.ReadFile(filepath.Join(dir, en.Name())); err != nil {
			return "", err
		}
	}
	return e.Build(context.Background(), "helloworldfunction:python3.12-v1", files)
}

// guidedDemo runs the guided deploy with the example's answers and shows the samconfig.toml
// it saved.
func guidedDemo(w io.Writer, dir string, deploy func(string, ...string) error, stdin *io.Reader) error {
	answers, err := os.Open(filepath.Join(dir, "guided-answers.txt"))
	if err != nil {
		return err
	}
	defer answers.Close()
	fmt.Fprintln(w, "\n==> building the example's three images in code (OCI layouts under images/; no Docker needed)")
	for _, fn := range []string{"hello", "world", "third"} {
		if err := testenv.WriteImage(filepath.Join(dir, "images", fn), "oci-layout", 2<<20, 2); err != nil {
			return err
		}
	}
	*stdin = answers
	if err := deploy("guided deploy, answers from examples/hello/guided-answers.txt", "deploy", "--guided"); err != nil {
		return err
	}
	saved, err := os.ReadFile(filepath.Join(dir, "samconfig.toml"))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n==> samconfig.toml as saved; from now on samship deploy alone repeats it\n\n%s", saved)
	*stdin = nil
	return nil
}

// show lists the repositories, the stack and its companion stack, and each function's image
// as Lambda has it, and returns what it found in a few lines.
func show(w io.Writer, m *testenv.Moto, stack string) ([]string, error) {
	ctx := context.Background()
	cfg, err := m.Config(ctx)
	if err != nil {
		return nil, err
	}
	ecrc := ecr.NewFromConfig(cfg)
	repos, err := ecrc.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w, "\n==> ECR repositories now in the account")
	images := 0
	for _, r := range repos.Repositories {
		imgs, err := ecrc.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: r.RepositoryName})
		if err != nil {
			return nil, err
		}
		images += len(imgs.ImageDetails)
		fmt.Fprintf(w, "    %s  (%d %s)\n", aws.ToString(r.RepositoryUri), len(imgs.ImageDetails), plural(len(imgs.ImageDetails), "image"))
	}
	cf := cloudformation.NewFromConfig(cfg)
	fmt.Fprintln(w, "\n==> stacks")
	names := []string{stack}
	all, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
	if err != nil {
		return nil, err
	}
	for _, st := range all.Stacks {
		if n := aws.ToString(st.StackName); strings.HasPrefix(n, stack+"-") && strings.HasSuffix(n, "-CompanionStack") {
			names = append(names, n)
		}
	}
	var stacks []string
	for _, name := range names {
		st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			return nil, err
		}
		res, err := cf.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(name)})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "    %s  %s\n", name, st.Stacks[0].StackStatus)
		for _, r := range res.StackResourceSummaries {
			fmt.Fprintf(w, "        %-44s %-32s %s\n", aws.ToString(r.LogicalResourceId), aws.ToString(r.ResourceType), r.ResourceStatus)
		}
		n := len(res.StackResourceSummaries)
		stacks = append(stacks, fmt.Sprintf("%s (%s, %d %s)", name, st.Stacks[0].StackStatus, n, plural(n, "resource")))
	}
	fns, err := testenv.StackFunctions(ctx, cfg, stack)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w, "\n==> each function as Lambda has it (GetFunction): package type, image, and whether that image is in ECR")
	running := 0
	for _, f := range fns {
		fmt.Fprintln(w, "   ", f)
		if strings.HasSuffix(f, " pushed") {
			running++
		}
	}
	return []string{
		"stacks: " + strings.Join(stacks, ", "),
		fmt.Sprintf("repositories: %d, holding %d %s", len(repos.Repositories), images, plural(images, "image")),
		fmt.Sprintf("functions: %d of %d run an image that is in ECR", running, len(fns)),
	}, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
