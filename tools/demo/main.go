// Command demo runs samship's main job against a local AWS emulator: it starts moto_server on
// a free 127.0.0.1 port, deploys examples/hello with --resolve-image-repos, shows the
// repositories and stacks that resulted, deploys again to show an unchanged run, and stops
// the emulator. With -guided it runs `samship deploy --guided` instead, answering from
// examples/hello/guided-answers.txt in a scratch copy of the example, shows the samconfig.toml
// it saved, and deploys again from it. Run it with `make demo` or `make demo-guided`.
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
	guided := flag.Bool("guided", false, "run the guided deploy, answering from examples/hello/guided-answers.txt")
	flag.Parse()
	bin, err := filepath.Abs("bin/samship")
	if err != nil {
		return err
	}
	fmt.Println("==> starting the local AWS emulator (moto_server) and a registry (docker-registry) on 127.0.0.1")
	m, err := testenv.StartMoto()
	if err != nil {
		return err
	}
	defer m.Stop()
	reg, err := testenv.StartRegistry()
	if err != nil {
		return err
	}
	defer reg.Stop()
	if err := m.Warm(context.Background()); err != nil {
		return err
	}
	fmt.Println("    AWS endpoint", m.URL, "- registry", reg.URL, "(SAMSHIP_REGISTRY_ENDPOINT)")

	dir := "examples/hello"
	var stdin io.Reader
	if *guided {
		if dir, err = os.MkdirTemp("", "samship-guided-demo"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		tpl, err := os.ReadFile("examples/hello/template.yaml")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "template.yaml"), tpl, 0o644); err != nil {
			return err
		}
		answers, err := os.Open("examples/hello/guided-answers.txt")
		if err != nil {
			return err
		}
		defer answers.Close()
		stdin = answers
	}
	fmt.Println("\n==> building the example's three images in code (OCI layouts under images/; no Docker needed)")
	for _, fn := range []string{"hello", "world", "third"} {
		if err := testenv.WriteImage(filepath.Join(dir, "images", fn), "oci-layout", 2<<20, 2); err != nil {
			return err
		}
	}
	deploy := func(title string, args ...string) error {
		fmt.Printf("\n==> %s\n    $ samship %s\n\n", title, strings.Join(args, " "))
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(testenv.Environ(m), "SAMSHIP_REGISTRY_ENDPOINT="+reg.URL)
		cmd.Stdin = stdin
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stdout
		start := time.Now()
		err := cmd.Run()
		fmt.Printf("\n    (%.2f s)\n", time.Since(start).Seconds())
		return err
	}
	if *guided {
		if err := deploy("guided deploy, answers from examples/hello/guided-answers.txt", "deploy", "--guided"); err != nil {
			return err
		}
		saved, err := os.ReadFile(filepath.Join(dir, "samconfig.toml"))
		if err != nil {
			return err
		}
		fmt.Printf("\n==> samconfig.toml as saved\n\n%s", saved)
		stdin = nil
		return deploy("samship deploy alone repeats it from samconfig.toml", "deploy", "--no-fail-on-empty-changeset")
	}
	if err := deploy("first deploy: one ECR repository per image function in the companion stack, images pushed, stack deployed",
		"deploy", "--stack-name", "samship-demo", "--resolve-image-repos", "--capabilities", "CAPABILITY_IAM"); err != nil {
		return err
	}
	if err := show(m); err != nil {
		return err
	}
	return deploy("the same deploy again: nothing to push, no stack updated",
		"deploy", "--stack-name", "samship-demo", "--resolve-image-repos", "--capabilities", "CAPABILITY_IAM", "--no-fail-on-empty-changeset")
}

// show lists the repositories and the two stacks as the emulator holds them.
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
			fmt.Printf("        %-34s %-24s %s\n", aws.ToString(r.LogicalResourceId), aws.ToString(r.ResourceType), r.ResourceStatus)
		}
	}
	return nil
}
