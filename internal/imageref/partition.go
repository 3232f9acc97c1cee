package imageref

import "strings"

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
