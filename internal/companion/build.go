package companion

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Limits CloudFormation places on one template.
const (
	MaxResources = 500   // resources per template
	MaxOutputs   = 200   // outputs per template
	InlineLimit  = 51200 // bytes of TemplateBody
	maxRepoName  = 256   // ECR repository name length
	// Description is the companion template's description, SAM CLI's and samship's.
	Description = "AWS SAM CLI Managed ECR Repo Stack"
)

// Tag names SAM CLI puts on every managed repository; sam delete recognises them.
const (
	TagSource          = "ManagedStackSource"
	TagSourceValue     = "AwsSamCli"
	TagCompanionStack  = "AwsSamCliCompanionStack"
	lambdaSourceArnSub = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*"
)

type kv struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type statement struct {
	Sid       string                      `json:"Sid"`
	Effect    string                      `json:"Effect"`
	Principal map[string][]string         `json:"Principal"`
	Action    []string                    `json:"Action"`
	Condition map[string]map[string]subFn `json:"Condition"`
}

type subFn struct {
	Sub string `json:"Fn::Sub"`
}

type policy struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type repoProps struct {
	RepositoryName             string            `json:"RepositoryName"`
	Tags                       []kv              `json:"Tags"`
	RepositoryPolicyText       policy            `json:"RepositoryPolicyText"`
	ImageTagMutability         string            `json:"ImageTagMutability,omitempty"`
	ImageScanningConfiguration *scanning         `json:"ImageScanningConfiguration,omitempty"`
	EncryptionConfiguration    *encryptionConfig `json:"EncryptionConfiguration,omitempty"`
	LifecyclePolicy            *lifecycle        `json:"LifecyclePolicy,omitempty"`
}

type resource struct {
	Type       string    `json:"Type"`
	Properties repoProps `json:"Properties"`
}

type output struct {
	Value subFn `json:"Value"`
}

type document struct {
	AWSTemplateFormatVersion string              `json:"AWSTemplateFormatVersion"`
	Description              string              `json:"Description"`
	Metadata                 map[string]string   `json:"Metadata"`
	Resources                map[string]resource `json:"Resources"`
	Outputs                  map[string]output   `json:"Outputs,omitempty"`
}

// Template returns the companion template for repos: plain CloudFormation (no Transform),
// compact JSON with sorted keys so that the same repositories always give the same bytes.
// Each repository carries SAM CLI's tags, a pull policy for this account's Lambda functions
// only, its own encryption, and the settings s. Outputs (real Fn::Sub URIs) are added while
// there are at most 200.
func Template(companionName string, repos []Repo, s Settings) ([]byte, error) {
	if err := Check(repos); err != nil {
		return nil, err
	}
	doc := document{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              Description,
		Metadata:                 map[string]string{"CompanionStackname": companionName},
		Resources:                map[string]resource{},
	}
	withOutputs := len(repos) <= MaxOutputs
	if withOutputs {
		doc.Outputs = map[string]output{}
	}
	pol := policy{Version: "2012-10-17", Statement: []statement{{
		Sid: "AllowLambdaSLR", Effect: "Allow",
		Principal: map[string][]string{"Service": {"lambda.amazonaws.com"}},
		Action:    []string{"ecr:GetDownloadUrlForLayer", "ecr:GetRepositoryPolicy", "ecr:BatchGetImage"},
		Condition: map[string]map[string]subFn{"StringLike": {"aws:sourceArn": {Sub: lambdaSourceArnSub}}},
	}}}
	for _, r := range repos {
		doc.Resources[r.LogicalID] = resource{Type: "AWS::ECR::Repository", Properties: s.repoProperties(companionName, r, pol)}
		if withOutputs {
			doc.Outputs[r.OutputID] = output{Value: subFn{Sub: "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${" + r.LogicalID + "}"}}
		}
	}
	return json.Marshal(doc)
}

// Check rejects repositories CloudFormation or ECR would refuse, before anything is changed:
// more than 500, a logical id that is not alphanumeric (SAM CLI keeps "-" and "_" from CDK
// ids and fails in CloudFormation), or a name longer than ECR's 256 characters.
func Check(repos []Repo) error {
	if len(repos) > MaxResources {
		return fmt.Errorf("companion stack: %d image functions need %d repositories, more than the %d resources CloudFormation allows in one stack; map some functions to existing repositories with --image-repositories",
			len(repos), len(repos), MaxResources)
	}
	for _, r := range repos {
		for _, c := range r.LogicalID {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return fmt.Errorf("function %s: its repository's logical id %s is not alphanumeric, which CloudFormation rejects (SAM CLI derives the same id and fails too); map the function to a repository with --image-repositories",
					r.FullPath, r.LogicalID)
			}
		}
		if len(r.Name) > maxRepoName {
			return fmt.Errorf("function %s: its repository name is %d characters, more than ECR's %d; use a shorter stack name or map the function with --image-repositories",
				r.FullPath, len(r.Name), maxRepoName)
		}
	}
	return nil
}

// Dedupe drops repositories whose logical id repeats an earlier one (SAM CLI's names make
// "A/BC" and "AB/C" share one repository) and sorts the rest by logical id.
func Dedupe(repos []Repo) []Repo {
	seen := map[string]bool{}
	var out []Repo
	for _, r := range repos {
		if !seen[r.LogicalID] {
			seen[r.LogicalID] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LogicalID < out[j].LogicalID })
	return out
}
