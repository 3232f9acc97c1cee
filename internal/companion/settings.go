package companion

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Settings are what the --image-repos-* options write into every managed repository of the
// companion template; the zero value writes only SAM CLI's own properties.
type Settings struct {
	ScanOnPush bool
	// TagMutability is MUTABLE or IMMUTABLE; empty leaves ECR's default (MUTABLE).
	TagMutability string
	// KMSKey encrypts the repositories created from now on with that KMS key (AES256 when
	// empty). Existing repositories keep the encryption they were created with.
	KMSKey string
	// LifecyclePolicy is a lifecycle policy's JSON text.
	LifecyclePolicy string
	// Tags go on every repository after SAM CLI's two.
	Tags []Tag
}

// Tag is one repository tag.
type Tag struct{ Key, Value string }

// Encryption is a repository's encryption, which ECR fixes when it creates the repository:
// AES256 (the zero value) or KMS, with Key or else the AWS managed key.
type Encryption struct {
	KMS bool
	Key string
}

func (e Encryption) String() string {
	switch {
	case !e.KMS:
		return "AES256"
	case e.Key == "":
		return "KMS (the AWS managed key)"
	}
	return "KMS key " + e.Key
}

// encryption is the encryption s gives a repository created now.
func (s Settings) encryption() Encryption {
	if s.KMSKey == "" {
		return Encryption{}
	}
	return Encryption{KMS: true, Key: s.KMSKey}
}

// Describe is the settings in a few words, for the plan ("" for none).
func (s Settings) Describe() string {
	var parts []string
	if s.ScanOnPush {
		parts = append(parts, "scan on push")
	}
	if s.TagMutability != "" {
		parts = append(parts, strings.ToLower(s.TagMutability)+" tags")
	}
	if s.KMSKey != "" {
		parts = append(parts, "new repositories encrypted with KMS key "+s.KMSKey)
	}
	if s.LifecyclePolicy != "" {
		parts = append(parts, "lifecycle policy")
	}
	for _, t := range s.Tags {
		parts = append(parts, "tag "+t.Key+"="+t.Value)
	}
	return strings.Join(parts, ", ")
}

// EncryptionChangeError refuses a KMS key for a repository created with another encryption:
// ECR cannot change it, and CloudFormation would replace the repository and its images.
type EncryptionChangeError struct {
	Repository string
	Has, Asked Encryption
}

func (e *EncryptionChangeError) Error() string {
	return fmt.Sprintf("--image-repos-kms-key %s: repository %s was created with %s encryption, which ECR cannot change (CloudFormation would replace the repository and lose its images); leave the option out to keep it, or give the key it has",
		e.Asked.Key, e.Repository, e.Has)
}

// checkEncryption refuses settings whose key differs from how a kept repository is encrypted.
func (s Settings) checkEncryption(deployed Repo) error {
	if s.KMSKey == "" || deployed.Encryption == s.encryption() {
		return nil
	}
	return &EncryptionChangeError{Repository: deployed.Name, Has: deployed.Encryption, Asked: s.encryption()}
}

// repoProperties are the properties of one repository in the companion template.
func (s Settings) repoProperties(companionName string, r Repo, pol policy) repoProps {
	p := repoProps{
		RepositoryName:       r.Name,
		Tags:                 []kv{{TagSource, TagSourceValue}, {TagCompanionStack, companionName}},
		RepositoryPolicyText: pol,
		ImageTagMutability:   s.TagMutability,
	}
	for _, t := range s.Tags {
		p.Tags = append(p.Tags, kv(t))
	}
	if s.ScanOnPush {
		p.ImageScanningConfiguration = &scanning{ScanOnPush: true}
	}
	if r.Encryption.KMS {
		p.EncryptionConfiguration = &encryptionConfig{EncryptionType: "KMS", KmsKey: r.Encryption.Key}
	}
	if s.LifecyclePolicy != "" {
		p.LifecyclePolicy = &lifecycle{LifecyclePolicyText: s.LifecyclePolicy}
	}
	return p
}

type scanning struct {
	ScanOnPush bool `json:"ScanOnPush"`
}

type encryptionConfig struct {
	EncryptionType string `json:"EncryptionType"`
	KmsKey         string `json:"KmsKey,omitempty"`
}

type lifecycle struct {
	LifecyclePolicyText string `json:"LifecyclePolicyText"`
}

// deployedRepo is a repository's properties as a deployed companion template has them.
type deployedRepo struct {
	Type       string `yaml:"Type"`
	Properties struct {
		RepositoryName             string `yaml:"RepositoryName"`
		ImageTagMutability         string `yaml:"ImageTagMutability"`
		ImageScanningConfiguration struct {
			ScanOnPush bool `yaml:"ScanOnPush"`
		} `yaml:"ImageScanningConfiguration"`
		EncryptionConfiguration struct {
			EncryptionType string `yaml:"EncryptionType"`
			KmsKey         string `yaml:"KmsKey"`
		} `yaml:"EncryptionConfiguration"`
		LifecyclePolicy struct {
			LifecyclePolicyText string `yaml:"LifecyclePolicyText"`
		} `yaml:"LifecyclePolicy"`
		Tags []struct {
			Key   string `yaml:"Key"`
			Value string `yaml:"Value"`
		} `yaml:"Tags"`
	} `yaml:"Properties"`
}

func (d deployedRepo) encryption() Encryption {
	e := d.Properties.EncryptionConfiguration
	return Encryption{KMS: e.EncryptionType == "KMS", Key: e.KmsKey}
}

// DeployedSettings reads the settings a deployed companion template gives its repositories
// (those of the first, by logical id; samship gives all the same): what a rewrite of the
// template by another command than deploy keeps.
func DeployedSettings(body string) (Settings, error) {
	var doc struct {
		Resources map[string]deployedRepo `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		return Settings{}, fmt.Errorf("parse deployed template: %w", err)
	}
	var ids []string
	for id, r := range doc.Resources {
		if r.Type == "AWS::ECR::Repository" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return Settings{}, nil
	}
	sort.Strings(ids)
	return doc.Resources[ids[0]].settings(), nil
}

// settings are the settings the repository carries (its encryption aside).
func (d deployedRepo) settings() Settings {
	p := d.Properties
	s := Settings{ScanOnPush: p.ImageScanningConfiguration.ScanOnPush, TagMutability: p.ImageTagMutability,
		LifecyclePolicy: p.LifecyclePolicy.LifecyclePolicyText}
	for _, t := range p.Tags {
		if t.Key != TagSource && t.Key != TagCompanionStack {
			s.Tags = append(s.Tags, Tag{t.Key, t.Value})
		}
	}
	return s
}

// same reports whether a repository with settings d is what s writes: the same scanning, tag
// mutability (MUTABLE is ECR's default, written or not), lifecycle policy and extra tags, and
// SAM CLI's tag naming companion as its stack.
func (s Settings) same(d deployedRepo, companion string) bool {
	got := d.settings()
	mut := func(m string) string {
		if m == "" {
			return "MUTABLE"
		}
		return m
	}
	if got.ScanOnPush != s.ScanOnPush || mut(got.TagMutability) != mut(s.TagMutability) ||
		got.LifecyclePolicy != s.LifecyclePolicy || len(got.Tags) != len(s.Tags) {
		return false
	}
	for i := range s.Tags {
		if got.Tags[i] != s.Tags[i] {
			return false
		}
	}
	for _, t := range d.Properties.Tags {
		if t.Key == TagCompanionStack {
			return t.Value == companion
		}
	}
	return false
}
