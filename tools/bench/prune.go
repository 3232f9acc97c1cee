package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/testenv"
)

// The prune scenario: a stack of pruneFns image functions, each with a managed repository of
// pruneImages images; each function runs the newest, version 1 the one before, version 2 the
// one before that (its alias live → 2).
const (
	pruneFns    = 200
	pruneImages = 20
)

// pruneBench deploys the stack, seeds the images, versions and aliases, and measures prune:
// a dry run (median of runs), the run that deletes (once: it changes what it measures), and
// a rerun that finds nothing (median of runs).
func pruneBench(bin string, m *testenv.Moto, dir string, runs int) (string, error) {
	ctx := context.Background()
	tpl := filepath.Join(dir, "prune.yaml")
	if err := os.WriteFile(tpl, []byte(testenv.ImageTemplate(pruneFns, 0)), 0o644); err != nil {
		return "", err
	}
	if _, _, _, err := samship(bin, dir, m, "deploy", "-t", tpl, "--stack-name", "prune-bench", "--resolve-image-repos", "--resolve-s3",
		"--capabilities", "CAPABILITY_IAM"); err != nil {
		return "", err
	}
	seedStart := time.Now()
	if err := seedPrune(ctx, m); err != nil {
		return "", fmt.Errorf("seed the prune scenario: %w", err)
	}
	seeded := time.Since(seedStart)
	args := []string{"prune", "--stack-name", "prune-bench", "--keep", "3", "--min-age", "0", "--debug"} // the seeded images are minutes old
	scen := []*result{{name: "dry run (lists 4,000 images, 3,400 to delete)"}, {name: "prune, deleting 3,400 images"}, {name: "prune again: nothing to delete"}}
	for i := 0; i < runs; i++ {
		d, calls, total, err := samship(bin, dir, m, append(args, "--dry-run")...)
		if err != nil {
			return "", err
		}
		scen[0].times, scen[0].calls, scen[0].total = append(scen[0].times, d), calls, total
	}
	d, calls, total, err := samship(bin, dir, m, append(args, "--no-prompts")...)
	if err != nil {
		return "", err
	}
	scen[1].times, scen[1].calls, scen[1].total = []time.Duration{d}, calls, total
	if left, err := countImages(ctx, m); err != nil {
		return "", fmt.Errorf("after prune: count images: %w", err)
	} else if left != pruneFns*3 {
		return "", fmt.Errorf("after prune: %d images left, want %d", left, pruneFns*3)
	}
	for i := 0; i < runs; i++ {
		d, calls, total, err := samship(bin, dir, m, append(args, "--no-prompts")...)
		if err != nil {
			return "", err
		}
		scen[2].times, scen[2].calls, scen[2].total = append(scen[2].times, d), calls, total
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Prune (issue 13)\n\n`samship prune --keep 3` of a stack of %d image functions, each with a managed repository of %d images\n"+
		"(%d in all, pushed a second apart): each function runs the newest, its version 1 the one before, version 2 the one before that (alias `live` → 2).\n"+
		"Kept: those 3 per repository (also the 3 newest); deleted: the other %d. The emulator answers at once, so the time is\n"+
		"samship's own plus moto's; on AWS, Lambda's control plane allows 15 calls a second for ListVersionsByFunction and\n"+
		"ListAliases (the adaptive retryer slows down when throttled), so reading %d functions takes about %d s there.\n"+
		"Seeding the scenario took %.1f s. Dry run and rerun: median of %d runs; the deleting run: one run.\n\n",
		pruneFns, pruneImages, pruneFns*pruneImages, pruneFns*(pruneImages-3), pruneFns, 2*pruneFns/15, seeded.Seconds(), runs)
	b.WriteString("| scenario | median | min–max | AWS calls | calls by operation |\n|---|---|---|---|---|\n")
	for _, r := range scen {
		lo, hi := minMax(r.times)
		fmt.Fprintf(&b, "| %s | %s | %s–%s | %d | %s |\n", r.name, secs(r.median()), secs(lo), secs(hi), r.total, r.calls)
	}
	fmt.Fprintf(&b, "\nPer function, the first read is GetFunction for `$LATEST` and each version, ListVersionsByFunction and\n"+
		"ListAliases; per repository, DescribeImages. The deleting run makes %d calls more than a dry run: one\n"+
		"BatchDeleteImage per repository (%d digests each, batches of 100), and the re-read just before deleting\n"+
		"(DescribeStacks before and after, ListChangeSets, and GetFunction of each function's `$LATEST`; versions and aliases are read\n"+
		"again only for a function whose `$LATEST` changed, or for all when the stack did).\n",
		scen[1].total-scen[0].total, pruneImages-3)
	return b.String(), nil
}

// seedPrune puts the images into every managed repository of prune-bench and points each
// function, its two versions and its alias at them.
func seedPrune(ctx context.Context, m *testenv.Moto) error {
	cfg, err := m.Config(ctx)
	if err != nil {
		return err
	}
	cf, er, lm := cloudformation.NewFromConfig(cfg), ecr.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	res, err := cf.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("prune-bench")})
	if err != nil {
		return err
	}
	fns := map[string]string{}
	for _, r := range res.StackResourceSummaries {
		if aws.ToString(r.ResourceType) == "AWS::Lambda::Function" {
			fns[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
		}
	}
	// ECR records push times to the second: each round of pushes starts in a second after the
	// last push of the one before (a round may take longer than a second on a busy machine),
	// which keeps each repository's images apart, as deploys are on AWS.
	for i := 1; i <= pruneImages; i++ {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(8)
		for logical := range fns {
			g.Go(func() error {
				repo := companion.NewRepo("prune-bench", logical).Name
				manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:%x"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"sha256:%x"}]}`,
					sha256.Sum256([]byte(repo)), 1<<20*i, sha256.Sum256([]byte(fmt.Sprint(repo, i))))
				_, err := er.PutImage(gctx, &ecr.PutImageInput{RepositoryName: aws.String(repo), ImageTag: aws.String(fmt.Sprintf("v%d", i)), ImageManifest: aws.String(manifest)})
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for logical, physical := range fns {
		g.Go(func() error {
			repo := companion.NewRepo("prune-bench", logical).Name
			uri := func(i int) *string {
				return aws.String(companion.URI("123456789012", "us-east-1", repo) + fmt.Sprintf(":v%d", i))
			}
			for _, i := range []int{pruneImages - 2, pruneImages - 1} {
				if _, err := lm.UpdateFunctionCode(gctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(physical), ImageUri: uri(i)}); err != nil {
					return err
				}
				if _, err := lm.PublishVersion(gctx, &lambda.PublishVersionInput{FunctionName: aws.String(physical)}); err != nil {
					return err
				}
			}
			if _, err := lm.CreateAlias(gctx, &lambda.CreateAliasInput{FunctionName: aws.String(physical), Name: aws.String("live"), FunctionVersion: aws.String("2")}); err != nil {
				return err
			}
			_, err := lm.UpdateFunctionCode(gctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(physical), ImageUri: uri(pruneImages)})
			return err
		})
	}
	return g.Wait()
}

// countImages counts the images of prune-bench's managed repositories.
func countImages(ctx context.Context, m *testenv.Moto) (int, error) {
	cfg, err := m.Config(ctx)
	if err != nil {
		return 0, err
	}
	er := ecr.NewFromConfig(cfg)
	n := 0
	for i := 1; i <= pruneFns; i++ {
		out, err := er.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String(companion.NewRepo("prune-bench", fmt.Sprintf("Fn%03d", i)).Name)})
		if err != nil {
			return 0, err
		}
		n += len(out.ImageDetails)
	}
	return n, nil
}
