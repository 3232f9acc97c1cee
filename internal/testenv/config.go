package testenv

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
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
