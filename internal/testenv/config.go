package testenv

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func init() {
	// Whatever a test forgets to set, the SDK must never probe the instance-metadata
	// address, which is off the loopback range.
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// Config returns an SDK configuration that reaches this moto only: its endpoint, static fake
// credentials, us-east-1, and instance metadata disabled, independent of the environment.
func (m *Moto) Config(ctx context.Context) (aws.Config, error) {
	return config.LoadDefaultConfig(ctx,
		config.WithRegion("us-east-1"),
		config.WithBaseEndpoint(m.URL),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		config.WithEC2IMDSClientEnableState(imds.ClientDisabled),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	)
}

// Warm makes the first request of each service samship uses, so that moto's one-time
// loading of its backends is not counted in a measurement.
func (m *Moto) Warm(ctx context.Context) error {
	cfg, err := m.Config(ctx)
	if err != nil {
		return err
	}
	if _, err := cloudformation.NewFromConfig(cfg).ListStacks(ctx, &cloudformation.ListStacksInput{}); err != nil {
		return err
	}
	if _, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{}); err != nil {
		return err
	}
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	return err
}
