package imageref

import (
	"regexp"
	"strings"
)

// URLSuffix is AWS::URLSuffix of region: amazonaws.com.cn in China regions, amazonaws.com
// elsewhere (ECR hosts, S3 URLs and SAM CLI's resolver all follow it).
func URLSuffix(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// Partition is AWS::Partition of region.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// ecrHost is an ECR registry host: <12-digit account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn].
var ecrHost = regexp.MustCompile(`^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// IsECRHost reports whether host is an ECR registry's: where ECR credentials go.
func IsECRHost(host string) bool { return ecrHost.MatchString(host) }
