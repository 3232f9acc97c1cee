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
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	guided := flag.Bool("guided", false, "run the guided deploy on examples/hello, answering from examples/hello/guided-answers.txt")
	flag.Parse()
	bin, err := filepath.Abs("bin/samship")
	if err != nil {
		return err
	}
	fmt.Println("==> starting the local AWS on 127.0.0.1: moto with the SAM transform, a registry as ECR, and dockerd if it starts")
	l, err := testenv.StartLocalAWS(!*guided)
	if err != nil {
		return err
	}
	defer l.Stop()
	fmt.Println("    AWS endpoint", l.Moto.URL, "- registry", l.ECR.URL, "(SAMSHIP_REGISTRY_ENDPOINT)")

	example := "examples/sam-app"
	if *guided {
		example = "examples/hello"
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
	deploy := func(title string, args ...string) error {
		fmt.Printf("\n==> %s\n    $ samship %s\n\n", title, strings.Join(args, " "))
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = env
		cmd.Stdin = stdin
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stdout
		start := time.Now()
		err := cmd.Run()
		fmt.Printf("\n    (%.2f s)\n", time.Since(start).Seconds())
		return err
	}
	if *guided {
		return guidedDemo(dir, deploy, &stdin)
	}

	args := []string{"deploy", "--stack-name", "samship-demo", "--resolve-image-repos", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}
	if l.Engine != nil {
		fmt.Println("\n==> sam build's part: building helloworldfunction:python3.12-v1 in the Docker engine from hello_world/Dockerfile")
		id, err := buildImage(l.Engine, filepath.Join(dir, "hello_world"))
		if err != nil {
			return err
		}
		fmt.Println("    image id", id, "- engine", l.Engine.Host, "(DOCKER_HOST)")
	} else {
		fmt.Println("\n==> no Docker engine started here (" + l.EngineErr.Error() + "):")
		fmt.Println("    building the image in code as an OCI layout instead (images/hello), named by a parameter override")
		if err := testenv.WriteImage(filepath.Join(dir, "images", "hello"), "oci-layout", 2<<20, 2); err != nil {
			return err
		}
		args = append(args, "--parameter-overrides", "HelloWorldImage=images/hello")
	}
	if err := deploy("first deploy: an ECR repository per image function in the companion stack, the image pushed, the SAM app deployed", args...); err != nil {
		return err
	}
	if err := show(l.Moto); err != nil {
		return err
	}
	return deploy("the same deploy again: nothing to push, no stack updated", append(args, "--no-fail-on-empty-changeset")...)
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

// guidedDemo runs the guided deploy with the example's answers and deploys again from the
// samconfig.toml it saved.
func guidedDemo(dir string, deploy func(string, ...string) error, stdin *io.Reader) error {
	answers, err := os.Open(filepath.Join(dir, "guided-answers.txt"))
	if err != nil {
		return err
	}
	defer answers.Close()
	fmt.Println("\n==> building the example's three images in code (OCI layouts under images/; no Docker needed)")
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
	fmt.Printf("\n==> samconfig.toml as saved\n\n%s", saved)
	*stdin = nil
	return deploy("samship deploy alone repeats it from samconfig.toml", "deploy", "--no-fail-on-empty-changeset")
}

// show lists the repositories, the two stacks and each function's image as Lambda has it.
func show(m *testenv.Moto) error {
	ctx := context.Background()
	cfg, err := m.Config(ctx)
	if err != nil {
		return err
	}
	repos, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil {
		return err
	}
	fmt.Println("\n==> ECR repositories now in the account")
	for _, r := range repos.Repositories {
		fmt.Println("   ", aws.ToString(r.RepositoryUri))
	}
	cf := cloudformation.NewFromConfig(cfg)
	fmt.Println("\n==> stacks")
	for _, name := range []string{"samship-demo", "samship-demo-b1bb1499-CompanionStack"} {
		st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			return err
		}
		res, err := cf.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(name)})
		if err != nil {
			return err
		}
		fmt.Printf("    %s  %s\n", name, st.Stacks[0].StackStatus)
		for _, r := range res.StackResourceSummaries {
			fmt.Printf("        %-44s %-32s %s\n", aws.ToString(r.LogicalResourceId), aws.ToString(r.ResourceType), r.ResourceStatus)
		}
	}
	fns, err := testenv.StackFunctions(ctx, cfg, "samship-demo")
	if err != nil {
		return err
	}
	fmt.Println("\n==> each function as Lambda has it (GetFunction): package type, image, and whether that image is in ECR")
	for _, f := range fns {
		fmt.Println("   ", f)
	}
	return nil
}
